/**
 * Claiming an output file before any work is done, so that a command never loses a user's file and never
 * finds out at the end that it cannot write:
 * - the output may not be one of the command's inputs (compared by device and inode, so another spelling,
 *   a symbolic link or a hard link to the input is caught too);
 * - an existing file is replaced only when it is an rnn file of the same kind (a checkpoint, an rnn
 *   export, an rnn report), unless `force`; a device, FIFO, socket or folder is never replaced;
 * - the folder is created and must be writable, and kernel filesystems (/proc, /sys) are refused;
 * - the file is locked (output-lock.ts) until the command releases it.
 * Writes themselves go through atomic-write.ts, which follows symbolic links and keeps the file's mode.
 * What counts as "an rnn file of the same kind" is said by the owner of each format (an OutputKind beside
 * the code that writes it), so this file names no format.
 */
import {
  accessSync, closeSync, constants, linkSync, openSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, type Stats,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { followLinks, makeFolder } from './atomic-write.ts'
import { UserError } from '../errors.ts'
import { lockOutput } from './output-lock.ts'

/** A kind of file rnn writes: its names for messages, and whether a file's first 64 KB are of this kind. */
export interface OutputKind { readonly noun: string; readonly plural: string; is(head: Buffer): boolean }

/** A file the command reads, and how to name it in a message ("the training text"). */
export interface Input { path: string; what: string }

interface ClaimOptions {
  kind: OutputKind
  /** The flag that named the output, for messages ("--out", "--report"). */
  flag: string
  inputs: readonly Input[]
  /** Replace an existing file that is not of this kind (never a folder, a device or an input). */
  force?: boolean
}

export interface Output {
  /** As given, for messages. */
  readonly path: string
  /** The file written: absolute, symbolic links followed. */
  readonly target: string
  /** What is there before the first write: nothing (or an empty file), an rnn file of this kind, or another file (with force). */
  readonly existing: 'none' | 'same-kind' | 'other'
  /** Removes the lock (also done at process exit), and the folders made for the file if it was never written. */
  release(): void
}

export function claimOutput(path: string, o: ClaimOptions): Output {
  const target = followLinks(path)
  const pseudo = /^\/(proc|sys)(\/|$)/.exec(target)
  if (pseudo !== null)
    throw new UserError(`${o.flag} ${path}: under /${pseudo[1]}, a kernel filesystem, not a place for files; choose another ${o.flag}`)
  const st = statOrNull(target)
  let existing: Output['existing'] = 'none'
  if (st !== null) {
    if (st.isDirectory()) throw new UserError(`${o.flag} ${path}: is a folder; name a file`)
    if (!st.isFile()) throw new UserError(`${o.flag} ${path}: not a regular file (a device, FIFO or socket); rnn writes only regular files`)
    const input = o.inputs.find((i) => sameAs(st, i.path))
    if (input !== undefined) {
      throw new UserError(`${o.flag} ${path}: is ${input.what} of this command (${input.path}); writing there would destroy it; `
        + `choose another ${o.flag}`)
    }
    existing = st.size === 0 ? 'none' : isKind(target, o.kind) ? 'same-kind' : 'other' // an empty file holds nothing to lose
    if (existing === 'other' && o.force !== true)
      throw new UserError(`${o.flag} ${path}: exists and is not an ${o.kind.noun}; it would be replaced `
        + `(--force replaces it, or choose another ${o.flag})`)
  }
  const dir = dirname(target)
  let created: string[] = []
  try {
    created = makeFolder(dir)
    accessSync(dir, constants.W_OK)
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new UserError(`${dir}: cannot write ${o.kind.plural} there (${why}); choose another ${o.flag}`)
  }
  // a command that fails before writing anything leaves no empty folder behind either
  const removeCreated = () => { for (const d of created.splice(0).reverse()) try { rmdirSync(d) } catch { break } }
  let unlock: () => void
  try {
    unlock = lockOutput(target, path)
  } catch (e) {
    removeCreated()
    throw e
  }
  return { path, target, existing, release: () => { unlock(); removeCreated() } }
}

/** checkpoints/x.json → checkpoints/x.prev.json */
function previousPath(target: string): string {
  return join(dirname(target), `${basename(target).replace(/\.json$/i, '')}.prev.json`)
}

/**
 * Keeps the file at `target` as <name>.prev.json before it is replaced (a hard link, so the bytes are not
 * copied; a copy where links are not supported). Replaces an older .prev.json only if that is of `kind` too.
 */
export function keepPrevious(target: string, kind: OutputKind): string {
  const prev = checkPrevious(target, kind)
  const tmp = join(dirname(prev), `.${basename(prev)}.tmp-${process.pid}`)
  try {
    try { unlinkSync(tmp) } catch { /* none left over */ }
    linkSync(target, tmp)
    renameSync(tmp, prev)
  } catch (e) {
    try { unlinkSync(tmp) } catch { /* never made */ }
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new UserError(`${prev}: cannot keep the previous ${kind.noun.replace(/^rnn /, '')} there (${why}); nothing was replaced`)
  }
  return prev
}

/** Where keepPrevious will put the file; throws if something other than an older file of `kind` is there. */
export function checkPrevious(target: string, kind: OutputKind): string {
  const prev = previousPath(target)
  const old = statOrNull(prev)
  if (old !== null && (!old.isFile() || !isKind(prev, kind)))
    throw new UserError(`${prev}: exists and is not an ${kind.noun}; `
      + `it is where the ${kind.noun.replace(/^rnn /, '')} ${target} is kept before being replaced; move it away`)
  return prev
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null // the folder check reports a path under a file
    throw new UserError(`${path}: cannot check it (${code ?? (e as Error).message})`)
  }
}

function sameAs(st: Stats, path: string): boolean {
  const other = statOrNull(path)
  return other !== null && other.dev === st.dev && other.ino === st.ino
}

/** The same existing file (device and inode), however each path spells it. */
export function sameFile(a: string, b: string): boolean {
  const st = statOrNull(a)
  return st !== null && sameAs(st, b)
}

/** The file's first bytes say what wrote it. */
function isKind(path: string, kind: OutputKind): boolean {
  return kind.is(readHead(path, 64 * 1024))
}

function readHead(path: string, n: number): Buffer {
  const buf = Buffer.alloc(n)
  let fd: number
  try { fd = openSync(path, 'r') } catch { return Buffer.alloc(0) }
  try { return buf.subarray(0, readSync(fd, buf, 0, n, 0)) } catch { return Buffer.alloc(0) } finally { closeSync(fd) }
}
