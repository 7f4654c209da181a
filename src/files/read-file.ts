/**
 * Reading a whole input file, bounded: every file the tool reads (corpus, CSV, vocabulary, config,
 * checkpoint, safetensors, and paths found inside those) comes through here. The file is opened without
 * blocking (a FIFO would otherwise wait for a writer forever), checked on the open descriptor to be a
 * regular file (not /dev/zero, a FIFO, a socket or a folder), refused when larger than the limit for its
 * kind, and read in chunks of at most CHUNK bytes up to the size fstat reported, so a file that grows
 * while it is read cannot make the read unbounded. The async form yields between chunks, so signal
 * handlers run during a long read and an abort stops it.
 */
import { constants as bufferConstants } from 'node:buffer'
import { closeSync, constants, fstatSync, openSync, read, readSync, type Stats } from 'node:fs'
import { UserError } from '../errors.ts'

const MB = 1_000_000

/** Size limits per kind of file, in bytes (stated in the message when exceeded). */
const LIMITS = {
  // a text corpus becomes one JS string (V8's limit is 2^29 - 24 characters) and 4 bytes per character of ids
  text: 500 * MB,
  csv: 1000 * MB,
  // a checkpoint is parsed as one JSON string: V8's longest
  checkpoint: bufferConstants.MAX_STRING_LENGTH,
  safetensors: 2000 * MB,
  vocab: 16 * MB,
  config: 1 * MB,
} as const

type FileKind = keyof typeof LIMITS

const WHAT: Record<FileKind, string> = {
  text: 'a text file', csv: 'a CSV file', checkpoint: 'a checkpoint file', safetensors: 'a .safetensors file', vocab: 'a vocabulary file',
  config: 'a JSON config file',
}

const CHUNK = 16 * 1024 * 1024

/** "1.2 GB": sizes in the messages, decimal units like the limits. */
export function fmtSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes >= 100 * MB ? 0 : 1)} MB`
  if (bytes >= 1000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${bytes} bytes`
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'is a directory'
  if (st.isFIFO()) return 'is a FIFO (named pipe)'
  if (st.isCharacterDevice()) return 'is a character device'
  if (st.isBlockDevice()) return 'is a block device'
  if (st.isSocket()) return 'is a socket'
  return 'is not a regular file'
}

function openChecked(path: string, kind: FileKind, missing: string): { fd: number; size: number } {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UserError(code === 'ENOENT' ? `${path}: ${missing}` : `${path}: cannot read (${code ?? (e as Error).message})`)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new UserError(`${path}: ${kindOf(st)}, expected ${WHAT[kind]}`)
    if (st.size > LIMITS[kind]) {
      const limit = kind === 'checkpoint' ? `the largest checkpoint rnn reads (${fmtSize(LIMITS[kind])})`
        : `the ${fmtSize(LIMITS[kind])} limit for ${WHAT[kind]}`
      throw new UserError(`${path}: ${fmtSize(st.size)} is larger than ${limit}`)
    }
    return { fd, size: st.size }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

function readError(path: string, e: unknown): UserError {
  return new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
}

/** The file's bytes; a UserError when it is missing, not a regular file, or over the limit of its kind. */
export function readRegularFile(path: string, kind: FileKind, missing = 'no such file'): Buffer {
  const { fd, size } = openChecked(path, kind, missing)
  try {
    const buf = Buffer.allocUnsafe(size)
    let n = 0
    while (n < size) {
      const got = readSync(fd, buf, n, Math.min(CHUNK, size - n), null)
      if (got === 0) break // the file shrank while it was read
      n += got
    }
    return n === size ? buf : buf.subarray(0, n)
  } catch (e) {
    throw e instanceof UserError ? e : readError(path, e)
  } finally {
    closeSync(fd)
  }
}

/** Thrown by the async reads when `signal` aborts: the abort's reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new UserError('interrupted')
}

/**
 * As readRegularFile, reading one chunk per turn of the event loop; throws abortError(signal) when aborted.
 * `onRead(size)` is called once the file has passed the checks, before the first chunk.
 */
export async function readRegularFileAsync(
  path: string, kind: FileKind, signal?: AbortSignal, onRead?: (size: number) => void,
): Promise<Buffer> {
  const { fd, size } = openChecked(path, kind, 'no such file')
  try {
    onRead?.(size)
    const buf = Buffer.allocUnsafe(size)
    let n = 0
    while (n < size) {
      if (signal?.aborted) throw abortError(signal)
      const got = await readAsync(fd, buf, n, Math.min(CHUNK, size - n)).catch((e: unknown) => { throw readError(path, e) })
      if (got === 0) break
      n += got
    }
    if (signal?.aborted) throw abortError(signal)
    return n === size ? buf : buf.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

function readAsync(fd: number, buf: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((done, fail) => read(fd, buf, offset, length, null, (e, n) => (e ? fail(e) : done(n))))
}
