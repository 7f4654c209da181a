/**
 * Fine-tuning a classifier from a language model (--init-from): the LM's recurrent layers are copied, and
 * its input weights token by token through the two vocabularies; tokens the LM does not know, and the head,
 * keep their fresh weights.
 */
import { view, type Params } from '../engine/params.ts'
import { UserError } from '../errors.ts'
import type { Tokens } from '../data/tokens.ts'
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
    throw new UserError(`--init-from: ${path}: a ${lm.kind} model; give a language model (rnn train on a text)`)
  const s = specOf(lm)
  if (s.cell === 'jordan')
    throw new UserError(`--init-from: ${path} is a Jordan network, which feeds back its next-character output; a classifier has none`)
  if (spec !== undefined && (s.cell !== spec.cell || s.hidden_size !== spec.hidden_size || s.num_layers !== spec.num_layers))
    throw new UserError(`--init-from: ${path} is a ${s.cell} of ${s.num_layers} × ${s.hidden_size} units; `
      + `the classifier is a ${spec.cell} of `
      + `${spec.num_layers} × ${spec.hidden_size} (leave out --cell, --hidden and --layers to take the language model's)`)
  return lm as Checkpoint & { data: { kind: 'text' } }
}

/**
 * Copies into `params`; returns how many of the classifier's tokens the language model knew, and the
 * first few it did not. One-hot characters: a character's column of weight_ih_l0 is its embedding, copied
 * column by column. An embedding (word tokens, or --embed): embedding.weight row by row, and weight_ih_l0
 * whole, since it reads the embedding rather than the tokens.
 */
export function initFromLanguageModel(params: Params, spec: ModelSpec, vocab: Tokens, path: string): { known: number; unknown: string[] } {
  const lm = loadLanguageModel(path, spec)
  const lmSpec = specOf(lm)
  const lmKind = lm.data.tokenizer !== undefined ? 'word' : 'char'
  if (lmKind !== vocab.kind)
    throw new UserError(`--init-from: ${path} reads ${lmKind === 'word' ? 'words' : 'characters'}, the classifier `
      + `${vocab.kind === 'word' ? 'words' : 'characters'} (leave out --tokens to take the language model's)`)
  if (lmSpec.embedding_dim !== spec.embedding_dim) {
    const has = lmSpec.embedding_dim === undefined ? 'no embedding' : `an embedding of ${lmSpec.embedding_dim}`
    const ours = spec.embedding_dim === undefined ? 'none' : `one of ${spec.embedding_dim}`
    throw new UserError(`--init-from: ${path} has ${has}, the classifier ${ours} (leave out --embed to take the language model's)`)
  }
  const lmIndex = new Map(lm.data.vocab.map((c, i) => [c, i]))
  for (let k = 0; k < spec.num_layers; k++) {
    const embedded = k > 0 || spec.embedding_dim !== undefined
    for (const name of [`weight_hh_l${k}`, `bias_ih_l${k}`, `bias_hh_l${k}`, ...(embedded ? [`weight_ih_l${k}`] : [])])
      view(params.tensors, name).set(decodeTensor(lm.params[name]))
  }
  const unknown: string[] = []
  let known = 0
  const copy = spec.embedding_dim !== undefined ? embeddingRows(params, lm, spec.embedding_dim) : inputColumns(params, lm, spec)
  vocab.list.forEach((token, j) => {
    const i = lmIndex.get(token)
    if (i === undefined) { if (unknown.length < MAX_LISTED) unknown.push(token); return }
    copy(i, j)
    known++
  })
  return { known, unknown }
}

/** How many unknown tokens initFromLanguageModel lists. */
const MAX_LISTED = 8

function embeddingRows(params: Params, lm: Checkpoint, E: number): (from: number, to: number) => void {
  const src = decodeTensor(lm.params['embedding.weight']), dst = view(params.tensors, 'embedding.weight')
  return (i, j) => dst.set(src.subarray(i * E, (i + 1) * E), j * E)
}

function inputColumns(params: Params, lm: Checkpoint, spec: ModelSpec): (from: number, to: number) => void {
  const GH = params.tensors.find((t) => t.name === 'weight_ih_l0')!.shape[0]
  const src = decodeTensor(lm.params.weight_ih_l0), dst = view(params.tensors, 'weight_ih_l0')
  const V = lm.data.kind === 'text' ? lm.data.vocab.length : 0, I = spec.input_size
  return (i, j) => { for (let r = 0; r < GH; r++) dst[r * I + j] = src[r * V + i] }
}
