/**
 * Checkpoints: versioned, self-sufficient JSON. A checkpoint holds the architecture, the data metadata
 * (vocabulary), the full effective config, the best-by-validation parameters under `params` keyed by their
 * PyTorch names, and under `resume` everything an exact continuation needs: the latest parameters when
 * they differ from the best, optimizer state, RNG state, data cursor and the carried hidden state.
 *
 * Tensors are {dtype, shape, data}: data is base64 of the little-endian float32 bytes (exact, ~3× smaller
 * than decimal, and what a safetensors file holds). Saving writes a temp file in the same folder, fsyncs
 * it, then renames it over the target, so a crash never leaves a half-written checkpoint behind.
 */
import { writeFileAtomic, type WriteOptions } from '../atomic-write.ts'
import { z } from 'zod'
import { TrainConfig } from '../config.ts'
import { UserError } from '../errors.ts'
import { checkVocab } from '../data/vocab.ts'
import { readRegularFile } from '../read-file.ts'
import { paramSpecs, type ModelSpec } from './spec.ts'
import { POOLS } from './pool.ts'

export const FORMAT = 'rnn-checkpoint'
export const VERSION = 1

const TensorJSON = z.strictObject({ dtype: z.literal('float32'), shape: z.array(z.int().nonnegative()), data: z.string() })
export type TensorJSON = z.infer<typeof TensorJSON>

const ModelSpecJSON = z.strictObject({
  cell: z.enum(['rnn_tanh', 'rnn_relu', 'lstm', 'gru']),
  input_size: z.int().positive(), hidden_size: z.int().positive(), num_layers: z.int().positive(), output_size: z.int().positive(),
  input: z.enum(['one_hot', 'dense']), loss: z.enum(['cross_entropy', 'mse']),
  gate_order: z.array(z.string()),
  pool: z.enum(POOLS).optional(), // a classifier's pooling (model/pool.ts); absent: the head reads every step
})

const TextMeta = z.strictObject({ kind: z.literal('text'), vocab: z.array(z.string()), source: z.string().nullable() }) // source: the training text
export type TextMeta = z.infer<typeof TextMeta>

const SeriesMeta = z.strictObject({
  kind: z.literal('timeseries'),
  source: z.string().nullable(),                                    // the training CSV, for forecasts and eval by default
  columns: z.array(z.strictObject({ name: z.string(), mean: z.number(), std: z.number().positive(), diff_mean: z.number(), diff_std: z.number().positive() })).min(1), // target first
  transform: z.enum(['level', 'difference']),                       // see src/data/codec.ts
  date: z.strictObject({ column: z.string(), step: z.strictObject({ unit: z.enum(['second', 'minute', 'hour', 'day', 'month']), n: z.int().positive(), format: z.enum(['month', 'date', 'datetime']) }) }).nullable(),
  season: z.int().positive(),
  split: z.strictObject({ train: z.int().positive(), val: z.int().positive(), test: z.int().positive() }),
})
export type SeriesMeta = z.infer<typeof SeriesMeta>

const ClassifierMeta = z.strictObject({
  kind: z.literal('classifier'),
  vocab: z.array(z.string()),
  classes: z.array(z.string().min(1)).min(2),                       // the labels, in the order of the head's outputs
  source: z.string().nullable(),                                    // the training CSV, for eval by default
  text_column: z.string(), label_column: z.string(),
  split: z.strictObject({ train: z.int().positive(), val: z.int().positive(), test: z.int().nonnegative() }),
})
export type ClassifierMeta = z.infer<typeof ClassifierMeta>

const HistoryPoint = z.strictObject({ step: z.int(), seconds: z.number(), lr: z.number(), train_loss: z.number().nullable(), val_loss: z.number().nullable(), grad_norm: z.number().nullable() })
export type HistoryPoint = z.infer<typeof HistoryPoint>

/** A setting (or the data: key "data.train", "data.val") changed when a run was resumed, from that step on. */
const ConfigValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])
const ChangePoint = z.strictObject({ step: z.int().nonnegative(), key: z.string(), from: ConfigValue, to: ConfigValue })
export type ChangePoint = z.infer<typeof ChangePoint>

const Progress = z.strictObject({
  step: z.int().nonnegative(), epoch: z.int().nonnegative(), chars: z.int().nonnegative(), seconds: z.number().nonnegative(),
  best_val_loss: z.number().nullable(), best_step: z.int().nonnegative().nullable(), evals_since_best: z.int().nonnegative(),
  history: z.array(HistoryPoint),
  changes: z.array(ChangePoint).optional(),
})
export type Progress = z.infer<typeof Progress>

const SplitPrint = z.strictObject({ size: z.int().nonnegative(), sha256: z.string() })

const Resume = z.strictObject({
  params: z.record(z.string(), TensorJSON).nullable(),   // latest parameters; null when they are the best ones
  optimizer: z.strictObject({ name: z.enum(['sgd', 'adam', 'rmsprop', 'adagrad']), step: z.int().nonnegative(), buffers: z.record(z.string(), TensorJSON) }),
  rng: z.tuple([z.int(), z.int(), z.int(), z.int()]),
  cursor: z.strictObject({ epoch: z.int().nonnegative(), chunk: z.int().nonnegative() }),
  state: z.strictObject({ h: TensorJSON, c: TensorJSON.nullable() }),
  lr: z.number().positive(),
  // the data trained on (absent in imported checkpoints and those of older versions)
  fingerprint: z.strictObject({ train: SplitPrint, val: SplitPrint }).optional(),
})
export type Resume = z.infer<typeof Resume>

export const Checkpoint = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  rnn_version: z.string(),
  created: z.string(),
  kind: z.enum(['text', 'timeseries', 'classifier']),
  model: ModelSpecJSON,
  data: z.discriminatedUnion('kind', [TextMeta, SeriesMeta, ClassifierMeta]),
  config: TrainConfig,
  params: z.record(z.string(), TensorJSON),
  progress: Progress,
  resume: Resume,
})
export type Checkpoint = z.infer<typeof Checkpoint>

export function encodeTensor(data: Float32Array, shape: readonly number[]): TensorJSON {
  return { dtype: 'float32', shape: [...shape], data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') }
}

export function decodeTensor(t: TensorJSON): Float32Array {
  const bytes = Buffer.from(t.data, 'base64')
  const out = new Float32Array(bytes.length / 4)
  new Uint8Array(out.buffer).set(bytes)
  return out
}

export function specOf(ck: Checkpoint): ModelSpec {
  const { gate_order: _, ...spec } = ck.model
  return spec
}

/**
 * Writes atomically (temp file, fsync, rename): a crash never leaves a half-written checkpoint. The bytes
 * are JSON.stringify(ck)'s, but the tensors' base64 strings go to the file as they are, between the pieces
 * of the rest, instead of into one JSON string of the whole checkpoint and then one UTF-8 buffer of it:
 * those were twice the file's size of garbage at every save, the largest transient of a training run.
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
  return typeof v === 'object' && v !== null && (v as TensorJSON).dtype === 'float32' && Array.isArray((v as TensorJSON).shape) && typeof (v as TensorJSON).data === 'string'
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
  const ck = parsed.data
  if (ck.kind !== ck.data.kind) throw new UserError(`${path}: invalid checkpoint: kind "${ck.kind}" but data.kind "${ck.data.kind}"`)
  checkShapes(path, ck)
  if (ck.data.kind !== 'timeseries') checkVocab(`${path}: data.vocab`, ck.data.vocab)
  if (ck.data.kind === 'classifier') checkClasses(path, ck.data.classes)
  if ((ck.model.pool !== undefined) !== (ck.kind === 'classifier'))
    throw new UserError(`${path}: invalid checkpoint: model.pool ${ck.kind === 'classifier' ? 'is missing for a classifier' : 'is set but the model is not a classifier'}`)
  checkFinite(path, ck)
  return ck
}

/**
 * Every stored value finite: a NaN or infinite weight makes the model sample garbage and evaluate to NaN,
 * and a NaN in the optimizer state or carried hidden state poisons the first resumed step.
 */
function checkFinite(path: string, ck: Checkpoint): void {
  const tensors: [string, TensorJSON][] = Object.entries(ck.params).map(([k, t]) => [`params.${k}`, t])
  for (const [k, t] of Object.entries(ck.resume.params ?? {})) tensors.push([`resume.params.${k}`, t])
  for (const [k, t] of Object.entries(ck.resume.optimizer.buffers)) tensors.push([`resume.optimizer.buffers.${k}`, t])
  tensors.push(['resume.state.h', ck.resume.state.h])
  if (ck.resume.state.c !== null) tensors.push(['resume.state.c', ck.resume.state.c])
  for (const [name, t] of tensors) {
    const v = decodeTensor(t)
    for (let i = 0; i < v.length; i++) {
      if (Number.isFinite(v[i])) continue
      const at = `${name}[${indexIn(t.shape, i).join(', ')}]`
      throw new UserError(`${path}: ${at} is ${v[i]}; a checkpoint holds finite numbers only (saved from a diverged run, or damaged)`)
    }
  }
}

/** The multi-index of flat position i in a row-major tensor of `shape` (the flat index if it lies outside). */
function indexIn(shape: readonly number[], i: number): number[] {
  if (shape.length === 0 || shape.some((d) => d === 0)) return [i]
  const out: number[] = []
  let rest = i
  for (let d = shape.length - 1; d >= 0; d--) { out.unshift(rest % shape[d]); rest = Math.floor(rest / shape[d]) }
  return rest === 0 ? out : [i]
}
/** Every parameter present, with the shape the architecture implies and the bytes the shape implies. */
function checkShapes(path: string, ck: Checkpoint): void {
  const spec = specOf(ck)
  const specs = paramSpecs(spec)
  const sets: [string, Record<string, TensorJSON>][] = [['params', ck.params]]
  if (ck.resume.params !== null) sets.push(['resume.params', ck.resume.params])
  for (const [where, set] of sets) {
    for (const s of specs) {
      const t = set[s.name]
      if (t === undefined) throw new UserError(`${path}: ${where}.${s.name} is missing`)
      if (t.shape.join() !== s.shape.join())
        throw new UserError(`${path}: ${where}.${s.name}: shape [${t.shape}] does not match ${spec.cell} hidden_size ${spec.hidden_size} (expected [${s.shape}])`)
      const n = s.shape.reduce((a, b) => a * b, 1)
      const bytes = Buffer.byteLength(t.data, 'base64')
      if (bytes !== 4 * n) throw new UserError(`${path}: ${where}.${s.name}: ${bytes / 4} values for shape [${s.shape}] (expected ${n})`)
    }
    const extra = Object.keys(set).find((k) => !specs.some((s) => s.name === k))
    if (extra !== undefined) throw new UserError(`${path}: ${where}.${extra}: not a parameter of this ${spec.cell} model`)
  }
  if (ck.data.kind === 'classifier') {
    const { vocab, classes } = ck.data
    if (vocab.length !== spec.input_size || classes.length !== spec.output_size)
      throw new UserError(`${path}: data.vocab has ${vocab.length} entries and data.classes ${classes.length} but the model's input_size/output_size are ${spec.input_size}/${spec.output_size}`)
    return
  }
  const width = ck.data.kind === 'text' ? ck.data.vocab.length : ck.data.columns.length
  const inputs = ck.data.kind === 'timeseries' && ck.data.transform === 'difference' ? 2 * width : width
  const what = ck.data.kind === 'text' ? 'data.vocab has' : 'data.columns has'
  if (inputs !== spec.input_size || width !== spec.output_size) throw new UserError(`${path}: ${what} ${width} entries but the model's input_size/output_size are ${spec.input_size}/${spec.output_size}`)
}

function checkClasses(path: string, classes: readonly string[]): void {
  const dup = classes.find((c, i) => classes.indexOf(c) !== i)
  if (dup !== undefined) throw new UserError(`${path}: invalid checkpoint: data.classes lists "${dup}" twice`)
}
