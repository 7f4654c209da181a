/**
 * Writing and reading checkpoint files. Saving writes a temp file in the same folder, fsyncs it, then
 * renames it over the target, so a crash never leaves a half-written checkpoint behind. Reading checks
 * the format name and version (format.ts), the schema (schema.ts) and every rule beyond it (check.ts).
 */
import { writeFileAtomic, type WriteOptions } from '../../files/atomic-write.ts'
import { readRegularFile } from '../../files/read-file.ts'
import { UserError } from '../../errors.ts'
import { checkCheckpoint } from './check.ts'
import { FORMAT, VERSION } from './format.ts'
import { Checkpoint, type TensorJSON } from './schema.ts'

/**
 * Writes atomically (temp file, fsync, rename): a crash never leaves a half-written checkpoint. The bytes
 * are JSON.stringify(ck)'s, but the tensors' base64 strings go to the file as they are, between the pieces
 * of the rest, instead of into one JSON string of the whole checkpoint and then one UTF-8 buffer of it:
 * those would be twice the file's size of garbage at every save, the largest transient of a training run.
 */
export function saveCheckpoint(path: string, ck: Checkpoint, o: WriteOptions = {}): void {
  const tensorData: string[] = []
  const mark = '\u0000tensor\u0000'
  const skeleton = JSON.stringify(ck, function (this: unknown, key: string, value: unknown) {
    if (key === 'data' && typeof value === 'string' && isTensorJSON(this) && BASE64.test(value)) { tensorData.push(value); return mark }
    return value
  })
  const parts = skeleton.split(JSON.stringify(mark))
  // the marker spelt by another string of the checkpoint (a column name?): the plain way
  if (parts.length !== tensorData.length + 1) { writeFileAtomic(path, JSON.stringify(ck), 'checkpoint', o); return }
  // base64 needs no escaping (checked above): the quotes go around the string itself, not around a copy
  const pieces: string[] = [parts[0]]
  tensorData.forEach((d, i) => pieces.push('"', d, '"', parts[i + 1]))
  writeFileAtomic(path, pieces, 'checkpoint', o)
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function isTensorJSON(v: unknown): v is TensorJSON {
  const t = v as TensorJSON
  return typeof v === 'object' && v !== null && t.dtype === 'float32' && Array.isArray(t.shape) && typeof t.data === 'string'
}

/** Reads and validates a checkpoint; every problem is a UserError naming the file and the key. */
export function loadCheckpoint(path: string): Checkpoint {
  const text = readRegularFile(path, 'checkpoint', 'no such checkpoint').toString('utf8')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new UserError(`${path}: not a checkpoint: ${text.trim().length === 0 ? 'the file is empty' : 'invalid or truncated JSON'}`)
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== FORMAT)
    throw new UserError(`${path}: not an rnn checkpoint (no "format": "${FORMAT}")`)
  const version = (raw as { version?: unknown }).version
  if (typeof version === 'number' && version > VERSION)
    throw new UserError(`${path}: written by a newer rnn (checkpoint format ${version}); this rnn reads format ${VERSION}; upgrade rnn`)
  const parsed = Checkpoint.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UserError(`${path}: invalid checkpoint: ${issue.path.join('.') || '(top level)'}: ${issue.message}`)
  }
  checkCheckpoint(path, parsed.data)
  return parsed.data
}

