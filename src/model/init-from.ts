/**
 * Fine-tuning a classifier from a character language model (--init-from): the LM's recurrent layers are
 * copied, and its input weights column by column through the two vocabularies (a character's column of
 * weight_ih_l0 is its embedding); characters the LM does not know, and the head, keep their fresh weights.
 */
import { view, type Params } from '../engine/params.ts'
import { UserError } from '../errors.ts'
import type { Vocab } from '../data/vocab.ts'
import { decodeTensor } from './checkpoint/tensor.ts'
import { loadCheckpoint } from './checkpoint/file.ts'
import { specOf, type Checkpoint } from './checkpoint/schema.ts'
import type { ModelSpec } from './spec.ts'

/** The language model's checkpoint, refused unless it is a character LM of the same cell and width. */
export function loadLanguageModel(
  path: string, spec?: Pick<ModelSpec, 'cell' | 'hidden_size' | 'num_layers'>,
): Checkpoint & { data: { kind: 'text' } } {
  const lm = loadCheckpoint(path)
  if (lm.data.kind !== 'text')
    throw new UserError(`--init-from: ${path}: a ${lm.kind} model; give a character language model (rnn train on a text)`)
  const s = specOf(lm)
  if (s.cell === 'jordan')
    throw new UserError(`--init-from: ${path} is a Jordan network, which feeds back its next-character output; a classifier has none`)
  if (spec !== undefined && (s.cell !== spec.cell || s.hidden_size !== spec.hidden_size || s.num_layers !== spec.num_layers))
    throw new UserError(`--init-from: ${path} is a ${s.cell} of ${s.num_layers} × ${s.hidden_size} units; `
      + `the classifier is a ${spec.cell} of `
      + `${spec.num_layers} × ${spec.hidden_size} (leave out --cell, --hidden and --layers to take the language model's)`)
  return lm as Checkpoint & { data: { kind: 'text' } }
}

/** Copies into `params`; returns the characters of `vocab` the language model did not know. */
export function initFromLanguageModel(params: Params, spec: ModelSpec, vocab: Vocab, path: string): { known: number; unknown: string[] } {
  const lm = loadLanguageModel(path, spec)
  const GH = params.tensors.find((t) => t.name === 'weight_ih_l0')!.shape[0]
  const lmVocab = lm.data.vocab, V = lmVocab.length
  const lmIndex = new Map(lmVocab.map((c, i) => [c, i]))
  for (let k = 0; k < spec.num_layers; k++) {
    for (const name of [`weight_hh_l${k}`, `bias_ih_l${k}`, `bias_hh_l${k}`, ...(k > 0 ? [`weight_ih_l${k}`] : [])])
      view(params.tensors, name).set(decodeTensor(lm.params[name]))
  }
  const from = decodeTensor(lm.params.weight_ih_l0), to = view(params.tensors, 'weight_ih_l0')
  const I = spec.input_size, unknown: string[] = []
  vocab.chars.forEach((ch, j) => {
    const i = lmIndex.get(ch)
    if (i === undefined) { unknown.push(ch); return }
    for (let r = 0; r < GH; r++) to[r * I + j] = from[r * V + i]
  })
  return { known: vocab.size - unknown.length, unknown }
}
