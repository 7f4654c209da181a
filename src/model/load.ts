/** A ready-to-run model and vocabulary from a checkpoint file (the best-by-validation parameters). */
import { allocParams } from '../engine/params.ts'
import { Vocab } from '../data/vocab.ts'
import { decodeTensor, loadCheckpoint, specOf, type Checkpoint } from './checkpoint.ts'
import { Model } from './model.ts'
import { paramSpecs } from './spec.ts'

export function modelFromCheckpoint(ck: Checkpoint): { model: Model; vocab: Vocab } {
  const spec = specOf(ck)
  const params = allocParams(paramSpecs(spec))
  for (const t of params.tensors) t.data.set(decodeTensor(ck.params[t.name]))
  return { model: new Model(spec, params), vocab: new Vocab(ck.data.vocab) }
}

export function loadModel(path: string): { model: Model; vocab: Vocab; checkpoint: Checkpoint } {
  const checkpoint = loadCheckpoint(path)
  return { ...modelFromCheckpoint(checkpoint), checkpoint }
}
