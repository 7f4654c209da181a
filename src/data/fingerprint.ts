/**
 * A fingerprint of the data a model was trained on: the size and a hash of the training and validation
 * splits as the engine reads them (character ids, or the CSV rows' values), stored in the checkpoint so a
 * resumed run can tell whether it is given the same data. SHA-256 runs natively at about 1 GB/s: 0.45 s
 * for the ids of a 100 MB text.
 */
import { createHash, type Hash } from 'node:crypto'

export interface SplitPrint { size: number; sha256: string }
export interface DataFingerprint { train: SplitPrint; val: SplitPrint }

/** Values per hashed block when the data must be repacked (bounded scratch memory). */
const BLOCK = 1 << 16

/** Character ids, hashed as little-endian int32 whatever array holds them. */
export function printIds(ids: ArrayLike<number>): SplitPrint {
  const h = createHash('sha256')
  if (ids instanceof Int32Array) h.update(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength))
  else packed(h, ids.length, Int32Array, (i) => ids[i])
  return done(h, ids.length)
}

/** Rows [from, to) of a table, every column, hashed as little-endian float64 row after row. */
export function printRows(rows: readonly ArrayLike<number>[], from: number, to: number): SplitPrint {
  const h = createHash('sha256')
  const k = to > from ? rows[from].length : 0
  packed(h, (to - from) * k, Float64Array, (i) => rows[from + Math.floor(i / k)][i % k])
  return done(h, to - from)
}

function packed(h: Hash, n: number, Kind: Int32ArrayConstructor | Float64ArrayConstructor, at: (i: number) => number): void {
  const block = new Kind(Math.min(n, BLOCK))
  for (let start = 0; start < n; start += block.length) {
    const m = Math.min(block.length, n - start)
    for (let j = 0; j < m; j++) block[j] = at(start + j)
    h.update(new Uint8Array(block.buffer, 0, m * Kind.BYTES_PER_ELEMENT))
  }
}

function done(h: Hash, size: number): SplitPrint {
  return { size, sha256: h.digest('hex').slice(0, 16) }
}
