/**
 * Writing a whole file atomically: a temp file in the same folder, fsync, rename over the target, fsync the
 * folder. A crash, a kill or a full disk leaves the previous file (or none) behind, never half of a new
 * one. Used for checkpoints, exports and reports. Temp files of writers that were killed mid-write (their
 * process is gone) are swept away by the next write to the same path.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { UserError } from './errors.ts'

/** `data` may come in pieces, written in order (a large file need not be one string or buffer in memory). */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly (string | Uint8Array)[], what = 'file'): void {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`)
  try {
    mkdirSync(dir, { recursive: true })
    removeStaleTemps(dir, basename(path))
    const fd = openSync(tmp, 'w')
    try {
      // a string goes out in slices encoded into one reused buffer, so writing leaves no copy of it behind
      let scratch: Buffer | null = null
      for (const piece of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) {
        if (typeof piece !== 'string') { writeAll(fd, piece); continue }
        scratch ??= Buffer.allocUnsafe(3 * STRING_SLICE)
        for (let i = 0; i < piece.length;) {
          let end = Math.min(piece.length, i + STRING_SLICE)
          if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end-- // keep a surrogate pair whole
          const n = scratch.write(piece.slice(i, end), 'utf8')
          writeAll(fd, scratch.subarray(0, n))
          i = end
        }
      }
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    try { unlinkSync(tmp) } catch { /* the temp file may not exist */ }
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOSPC' ? '; the disk is full' : code === 'EFBIG' ? '; larger than this process may write (ulimit -f)' : code === 'EDQUOT' ? '; over the disk quota' : ''
    throw new UserError(`${path}: cannot write ${what} (${code ?? (e as Error).message})${why}; any previous ${what} there is untouched`)
  }
  try {
    const dfd = openSync(dir, 'r')
    try { fsyncSync(dfd) } finally { closeSync(dfd) }
  } catch { /* some filesystems cannot fsync a folder; the rename is still atomic */ }
}

/** UTF-16 code units per slice of a string written (at most 3 UTF-8 bytes each, so a slice fits the scratch buffer). */
const STRING_SLICE = 1 << 18

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
}

/** Temp files `.name.tmp-<pid>` whose process is gone. */
function removeStaleTemps(dir: string, name: string): void {
  const prefix = `.${name}.tmp-`
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix)) continue
    const pid = Number(f.slice(prefix.length))
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue
    try { unlinkSync(join(dir, f)) } catch { /* another process may have removed it */ }
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}
