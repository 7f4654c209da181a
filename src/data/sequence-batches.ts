/**
 * Minibatches of whole sequences for classification: x [T][B] character ids padded with -1 past each
 * sequence's length (the model reads -1 as the zero vector and never pools those steps), one label per
 * sequence. Each epoch's order is a function of (seed, epoch) alone, so a resumed run draws the same batches.
 * Rows are shuffled, sorted by length within windows of 8 batches and the batches shuffled again: a
 * batch's sequences have similar lengths, so little time goes to padding.
 */
import { createRng } from '../engine/rng.ts'
import type { Batcher, Cursor } from './batcher.ts'

const WINDOW_BATCHES = 8

/** Fills x [T][B] (T = the longest of `rows`) and lengths; returns T. */
export function padBatch(seqs: readonly Int32Array[], rows: readonly number[], x: Int32Array, lengths: Int32Array): number {
  const B = rows.length
  let T = 0
  for (let b = 0; b < B; b++) { lengths[b] = seqs[rows[b]].length; T = Math.max(T, lengths[b]) }
  x.fill(-1, 0, T * B)
  for (let b = 0; b < B; b++) {
    const s = seqs[rows[b]]
    for (let t = 0; t < s.length; t++) x[t * B + b] = s[t]
  }
  return T
}

/** The longest sequence among `rows`. */
export function longest(seqs: readonly Int32Array[], rows: readonly number[]): number {
  let T = 0
  for (const r of rows) T = Math.max(T, seqs[r].length)
  return T
}

export class SequenceBatcher implements Batcher {
  readonly x: Int32Array
  readonly y: Int32Array
  readonly lengths: Int32Array
  /** Steps of the current batch (its longest sequence). */
  steps = 0
  readonly carry = false
  readonly chunksPerEpoch: number
  private batches: number[][] = []
  private batchesEpoch = -1

  constructor(private readonly seqs: readonly Int32Array[], private readonly labels: Int32Array, private readonly rows: readonly number[],
    readonly B: number, private readonly seed: number, readonly cursor: Cursor = { epoch: 0, chunk: 0 }) {
    this.chunksPerEpoch = Math.floor(rows.length / B)
    if (this.chunksPerEpoch < 1) throw new Error(`${rows.length} rows are fewer than a batch of ${B}`)
    this.x = new Int32Array(longest(seqs, rows) * B)
    this.y = new Int32Array(B)
    this.lengths = new Int32Array(B)
  }

  /** The epoch's batches of row indices (the remainder of a division by B sits out this epoch). */
  private epochBatches(epoch: number): number[][] {
    if (this.batchesEpoch === epoch) return this.batches
    const rng = createRng((Math.imul(this.seed, 0x9e3779b1) + Math.imul(epoch + 1, 40503)) >>> 0)
    const order = [...this.rows]
    shuffle(order, rng)
    const used = order.slice(0, this.chunksPerEpoch * this.B)
    const W = WINDOW_BATCHES * this.B
    for (let w = 0; w < used.length; w += W) {
      const win = used.slice(w, w + W).sort((a, b) => this.seqs[a].length - this.seqs[b].length)
      used.splice(w, win.length, ...win)
    }
    const batches = Array.from({ length: this.chunksPerEpoch }, (_, k) => used.slice(k * this.B, (k + 1) * this.B))
    shuffle(batches, rng)
    this.batches = batches; this.batchesEpoch = epoch
    return batches
  }

  /** Fills x, y, lengths and steps with the batch at the cursor and advances it. */
  next(): void {
    const rows = this.epochBatches(this.cursor.epoch)[this.cursor.chunk]
    this.steps = padBatch(this.seqs, rows, this.x, this.lengths)
    rows.forEach((r, b) => { this.y[b] = this.labels[r] })
    this.cursor.chunk++
    if (this.cursor.chunk >= this.chunksPerEpoch) { this.cursor.chunk = 0; this.cursor.epoch++ }
  }
}

function shuffle<T>(a: T[], rng: { int(n: number): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = a[i]; a[i] = a[j]; a[j] = t
  }
}
