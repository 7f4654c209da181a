/**
 * Writing a whole file atomically: a temp file in the same folder, fsync, rename over the target. A crash
 * or a full disk leaves the previous file (or none) behind, never half of a new one. Checkpoints have
 * their own writer (model/checkpoint.ts, which also sweeps stale temps); exports and reports use this.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { UserError } from './errors.ts'

export function writeFileAtomic(path: string, data: string | Uint8Array, what = 'file'): void {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`)
  try {
    mkdirSync(dir, { recursive: true })
    const fd = openSync(tmp, 'w')
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
      let off = 0
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    try { unlinkSync(tmp) } catch { /* the temp file may not exist */ }
    const code = (e as NodeJS.ErrnoException).code
    throw new UserError(`${path}: cannot write ${what} (${code ?? (e as Error).message})${code === 'ENOSPC' ? '; the disk is full' : ''}`)
  }
}
