/**
 * Writing a whole file atomically: a temp file in the same folder, fsync, rename over the target, fsync the
 * folder. A crash, a kill or a full disk leaves the previous file (or none) behind, never half of a new
 * one. Used for checkpoints, exports and reports. Temp files of writers that were killed mid-write (their
 * process is gone) are swept away by the next write to the same path.
 *
 * A symbolic link is written through: the file it points to is replaced and the link stays a link. The
 * replaced file's permission bits carry over (a checkpoint kept private with mode 600 stays 600).
 */
import {
  closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { UserError } from '../errors.ts'

export interface WriteOptions {
  /** Called with the finished temp file before it replaces the target; a throw leaves the target untouched. */
  verify?: (tmp: string) => void
}

/** `data` may come in pieces, written in order (a large file need not be one string or buffer in memory). */
export function writeFileAtomic(
  path: string, data: string | Uint8Array | readonly (string | Uint8Array)[], what = 'file', o: WriteOptions = {},
): void {
  const target = followLinks(path)
  const dir = dirname(target)
  const tmp = join(dir, `.${basename(target)}.tmp-${process.pid}`)
  try {
    makeFolder(dir)
    removeStaleTemps(dir, basename(target))
    const mode = fileMode(target)
    const fd = openSync(tmp, 'w', mode ?? 0o666)
    try {
      if (mode !== null) fchmodSync(fd, mode) // openSync's mode is masked by the umask
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
    o.verify?.(tmp)
    renameSync(tmp, target)
  } catch (e) {
    try { unlinkSync(tmp) } catch { /* the temp file may not exist */ }
    if (e instanceof UserError) throw new UserError(e.message.replaceAll(tmp, path), e.exitCode)
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOSPC' ? '; the disk is full' : code === 'EFBIG' ? '; larger than this process may write (ulimit -f)'
      : code === 'EDQUOT' ? '; over the disk quota' : ''
    throw new UserError(`${path}: cannot write ${what} (${code ?? (e as Error).message})${why}; any previous ${what} there is untouched`)
  }
  try {
    const dfd = openSync(dir, 'r')
    try { fsyncSync(dfd) } finally { closeSync(dfd) }
  } catch { /* some filesystems cannot fsync a folder; the rename is still atomic */ }
}

/**
 * The file a write to `path` replaces: symbolic links followed (also a dangling one, whose target is then
 * created), the path itself when nothing is there. Absolute.
 */
export function followLinks(path: string): string {
  let p = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    let st
    try {
      st = lstatSync(p)
    } catch (e) {
      // nothing there, or a file where a folder should be: the folder check and the write report it
      if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return p
      throw e
    }
    if (!st.isSymbolicLink()) return p
    p = resolve(dirname(p), readlinkSync(p))
  }
  throw new UserError(`${path}: too many levels of symbolic links`)
}

/** The permission bits of an existing regular file, null when there is none. */
function fileMode(path: string): number | null {
  const st = statSync(path, { throwIfNoEntry: false })
  return st !== undefined && st.isFile() ? st.mode & 0o7777 : null
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever where a level cannot be created but
 * reports ENOENT (under /proc), so each missing level is made on its own and the first failure is thrown.
 * Returns the folders it created, outermost first.
 */
export function makeFolder(dir: string): string[] {
  const missing: string[] = []
  for (let p = resolve(dir); ; p = dirname(p)) {
    const st = statSync(p, { throwIfNoEntry: false })
    if (st !== undefined) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${p}: not a directory`), { code: 'ENOTDIR' })
      break
    }
    missing.push(p)
    if (dirname(p) === p) break
  }
  const created: string[] = []
  for (const p of missing.reverse()) {
    try { mkdirSync(p); created.push(p) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e }
  }
  return created
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
