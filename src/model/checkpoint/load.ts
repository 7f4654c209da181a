/** A ready-to-run model and its tokens (characters or words) from a checkpoint file (the best-by-validation parameters). */
import { allocParams } from '../../engine/params.ts'
import { UserError } from '../../errors.ts'
import { tokensOf, type Tokens } from '../../data/tokens.ts'
import { decodeTensor } from './tensor.ts'
import { loadCheckpoint } from './file.ts'
import { specOf, type Checkpoint } from './schema.ts'
import { Model } from '../model.ts'
import { paramSpecs } from '../spec.ts'

export function modelFromCheckpoint(ck: Checkpoint): { model: Model; vocab: Tokens | null } {
  const spec = specOf(ck)
  const params = allocParams(paramSpecs(spec))
  for (const t of params.tensors) t.data.set(decodeTensor(ck.params[t.name]))
  return { model: new Model(spec, params), vocab: ck.data.kind !== 'timeseries' ? tokensOf(ck.data) : null }
}

/** The forecasters of an ensemble checkpoint, `model` (its params) first; [model] for any other checkpoint. */
export function ensembleOf(ck: Checkpoint, model: Model): Model[] {
  return [model, ...(ck.members ?? []).map((set) => {
    const params = allocParams(paramSpecs(model.spec))
    for (const t of params.tensors) t.data.set(decodeTensor(set[t.name]))
    return new Model(model.spec, params)
  })]
}

export function loadModel(path: string): { model: Model; vocab: Tokens | null; checkpoint: Checkpoint } {
  const checkpoint = loadCheckpoint(path)
  return { ...modelFromCheckpoint(checkpoint), checkpoint }
}

/** A text model, or a UserError saying this checkpoint forecasts CSV columns. */
export function loadTextModel(path: string): { model: Model; vocab: Tokens; checkpoint: Checkpoint & { data: { kind: 'text' } } } {
  const r = loadModel(path)
  if (r.checkpoint.data.kind === 'classifier')
    throw new UserError(`${path}: a classifier (it labels sentences); use rnn classify or rnn eval`)
  if (r.vocab === null || r.checkpoint.data.kind !== 'text') {
    throw new UserError(`${path}: a time-series model (it forecasts CSV columns); give it a CSV file, `
      + 'or use --horizon with rnn sample')
  }
  return r as ReturnType<typeof loadTextModel>
}
