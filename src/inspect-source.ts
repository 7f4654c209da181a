/**
 * What `rnn inspect-gradients` looks at: the models (a checkpoint's, or fresh PyTorch-initialised ones
 * to compare cells) and the text windows they read. The maths is in inspect.ts; this file only turns
 * files and flags into a Model and a Window, so another data source (CSV) adds a window builder here.
 */
import { fileURLToPath } from 'node:url'
import type { CellKind } from './engine/cells/cell.ts'
import { readText } from './data/text.ts'
import { Vocab } from './data/vocab.ts'
import { UserError } from './errors.ts'
import { inspectGradients, type GradientSeries, type LossAt, type Window } from './inspect.ts'
import type { Model } from './model/model.ts'

export const BUNDLED_TEXT = fileURLToPath(new URL('../data/moby-dick.txt', import.meta.url))

export interface FreshModels { cells: CellKind[]; hidden: number; layers: number; seed: number; forgetBias?: number }

export interface GradientRequest {
  /** A checkpoint path, or fresh models of these cells (vocabulary from the file). */
  source: { checkpoint: string } | { fresh: FreshModels }
  file?: string
  seqLen: number; offset: number; batches: number; lossAt: LossAt
}

export interface GradientReport {
  loss_at: LossAt; seq_len: number; offset: number; batches: number; file: string
  models: { cell: CellKind; label: string; loss: number; series: GradientSeries[] }[]
}

export async function gradientReport(req: GradientRequest): Promise<GradientReport> {
  const subjects: { label: string; model: Model }[] = []
  let vocab: Vocab, file: string, text: string
  if ('checkpoint' in req.source) {
    const { loadModel } = await import('./model/load.ts')
    const path = req.source.checkpoint
    const loaded = loadModel(path)
    // a CSV model needs a window builder from src/data/csv (dense x, MSE targets); inspect.ts is ready for it
    if (loaded.vocab === null) throw new UserError(`${path}: a time-series model; inspect-gradients reads text models only for now`)
    file = req.file ?? loaded.checkpoint.data.source ?? fail(`${path}: no training text path stored; name a text file to read`)
    text = readText(file)
    vocab = loaded.vocab
    subjects.push({ label: path, model: loaded.model })
  } else {
    file = req.file ?? BUNDLED_TEXT
    text = readText(file)
    vocab = Vocab.fromText(text)
    for (const cell of req.source.fresh.cells) subjects.push({ label: `fresh ${cell}`, model: await freshModel(cell, vocab.size, req.source.fresh) })
  }
  const window = textWindow(file, text, vocab, req)
  const models = subjects.map(({ label, model }) => ({ cell: model.spec.cell, label, ...inspectGradients(model, window, req.lossAt) }))
  return { loss_at: req.lossAt, seq_len: req.seqLen, offset: req.offset, batches: req.batches, file, models }
}

function fail(message: string): never {
  throw new UserError(message)
}

/** A character model with PyTorch's default initialisation (src/model/init.ts), reproducible from the seed. */
export async function freshModel(cell: CellKind, V: number, o: Omit<FreshModels, 'cells'>): Promise<Model> {
  const { allocParams } = await import('./engine/params.ts')
  const { createRng } = await import('./engine/rng.ts')
  const { initParams } = await import('./model/init.ts')
  const { Model } = await import('./model/model.ts')
  const { paramSpecs } = await import('./model/spec.ts')
  const spec = { cell, input_size: V, hidden_size: o.hidden, num_layers: o.layers, output_size: V, input: 'one_hot', loss: 'cross_entropy' } as const
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, createRng(o.seed), o.forgetBias)
  return new Model(spec, params)
}

/**
 * `batches` consecutive windows of seqLen characters from `offset`, as one batch of independent streams:
 * window b reads characters [offset + b·T, offset + (b+1)·T) and predicts each one's successor.
 */
export function textWindow(file: string, text: string, vocab: Vocab, o: { seqLen: number; offset: number; batches: number }): Window {
  const chars = [...text]
  const T = o.seqLen, B = o.batches
  const need = o.offset + B * T + 1
  if (chars.length < need)
    throw new UserError(`${file}: ${chars.length} characters, too short for --offset ${o.offset} + --batches ${B} × --seq-len ${T} (+1 for the last target): needs ${need} (try a smaller --seq-len)`)
  const used = chars.slice(o.offset, need).join('')
  const unknown = vocab.unknown(used)
  if (unknown.length > 0)
    throw new UserError(`${file}: characters not in the model's vocabulary at --offset ${o.offset}: ${unknown.slice(0, 10).map((c) => JSON.stringify(c)).join(' ')}`)
  const ids = vocab.encode(used)
  const x = new Int32Array(T * B), targets = new Int32Array(T * B)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      x[t * B + b] = ids[b * T + t]
      targets[t * B + b] = ids[b * T + t + 1]
    }
  return { x, targets, T, B }
}
