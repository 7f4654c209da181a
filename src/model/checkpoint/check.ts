/** The rules a checkpoint obeys beyond its schema; each broken one is a UserError naming the file and the key. */
import { UserError } from '../../errors.ts'
import { checkVocab } from '../../data/vocab.ts'
import { checkWordVocab } from '../../data/tokens.ts'
import { paramSpecs } from '../spec.ts'
import { specOf, type Checkpoint, type TensorJSON } from './schema.ts'
import { decodeTensor } from './tensor.ts'
import { differences } from '../../data/codec.ts'

/** Kinds agree, every tensor has its architecture's shape and finite values, vocabulary and classes are sound. */
export function checkCheckpoint(path: string, ck: Checkpoint): void {
  if (ck.kind !== ck.data.kind) throw new UserError(`${path}: invalid checkpoint: kind "${ck.kind}" but data.kind "${ck.data.kind}"`)
  checkShapes(path, ck)
  if (ck.data.kind !== 'timeseries' && ck.data.tokenizer !== undefined) checkWordVocab(`${path}: data.vocab`, ck.data.vocab)
  else if (ck.data.kind !== 'timeseries') checkVocab(`${path}: data.vocab`, ck.data.vocab)
  if (ck.data.kind === 'classifier') checkClasses(path, ck.data.classes)
  if ((ck.model.pool !== undefined) !== (ck.kind === 'classifier'))
    throw new UserError(`${path}: invalid checkpoint: model.pool `
      + (ck.kind === 'classifier' ? 'is missing for a classifier' : 'is set but the model is not a classifier'))
  checkFinite(path, ck)
}

/**
 * Every stored value finite: a NaN or infinite weight makes the model sample garbage and evaluate to NaN,
 * and a NaN in the optimizer state or carried hidden state poisons the first resumed step.
 */
function checkFinite(path: string, ck: Checkpoint): void {
  const tensors: [string, TensorJSON][] = Object.entries(ck.params).map(([k, t]) => [`params.${k}`, t])
  for (const [k, t] of Object.entries(ck.resume.params ?? {})) tensors.push([`resume.params.${k}`, t])
  ck.members?.forEach((set, i) => { for (const [k, t] of Object.entries(set)) tensors.push([`members[${i}].${k}`, t]) })
  for (const [k, t] of Object.entries(ck.resume.optimizer.buffers)) tensors.push([`resume.optimizer.buffers.${k}`, t])
  tensors.push(['resume.state.h', ck.resume.state.h])
  if (ck.resume.state.c !== null) tensors.push(['resume.state.c', ck.resume.state.c])
  if (ck.resume.state.y !== undefined) tensors.push(['resume.state.y', ck.resume.state.y])
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
  if (ck.members !== undefined && ck.kind !== 'timeseries') {
    throw new UserError(`${path}: invalid checkpoint: members (an ensemble) are for forecasters only`)
  }
  ck.members?.forEach((set, i) => sets.push([`members[${i}]`, set]))
  for (const [where, set] of sets) {
    for (const s of specs) {
      const t = set[s.name]
      if (t === undefined) throw new UserError(`${path}: ${where}.${s.name} is missing`)
      if (t.shape.join() !== s.shape.join())
        throw new UserError(`${path}: ${where}.${s.name}: shape [${t.shape}] does not match ${spec.cell} hidden_size ${spec.hidden_size} `
          + `(expected [${s.shape}])`)
      const n = s.shape.reduce((a, b) => a * b, 1)
      const bytes = Buffer.byteLength(t.data, 'base64')
      if (bytes !== 4 * n) throw new UserError(`${path}: ${where}.${s.name}: ${bytes / 4} values for shape [${s.shape}] (expected ${n})`)
    }
    const extra = Object.keys(set).find((k) => !specs.some((s) => s.name === k))
    if (extra !== undefined) throw new UserError(`${path}: ${where}.${extra}: not a parameter of this ${spec.cell} model`)
  }
  const y = ck.resume.state.y
  if ((y !== undefined) !== (spec.cell === 'jordan'))
    throw new UserError(`${path}: resume.state.y ${y === undefined ? 'is missing for a Jordan network' : 'is set, but only jordan has it'}`)
  if (y !== undefined && (y.shape.length !== 2 || y.shape[1] !== spec.output_size))
    throw new UserError(`${path}: resume.state.y: shape [${y.shape}] (expected [batch, ${spec.output_size}])`)
  if (ck.data.kind === 'classifier') {
    const { vocab, classes } = ck.data
    if (vocab.length !== spec.input_size || classes.length !== spec.output_size)
      throw new UserError(`${path}: data.vocab has ${vocab.length} entries and data.classes ${classes.length} `
        + `but the model's input_size/output_size are ${spec.input_size}/${spec.output_size}`)
    return
  }
  const width = ck.data.kind === 'text' ? ck.data.vocab.length : ck.data.columns.length
  const inputs = ck.data.kind === 'timeseries' && differences(ck.data.transform) ? 2 * width : width
  const what = ck.data.kind === 'text' ? 'data.vocab has' : 'data.columns has'
  if (inputs !== spec.input_size || width !== spec.output_size) {
    throw new UserError(`${path}: ${what} ${width} entries but the model's input_size/output_size are `
      + `${spec.input_size}/${spec.output_size}`)
  }
}

function checkClasses(path: string, classes: readonly string[]): void {
  const dup = classes.find((c, i) => classes.indexOf(c) !== i)
  if (dup !== undefined) throw new UserError(`${path}: invalid checkpoint: data.classes lists "${dup}" twice`)
}
