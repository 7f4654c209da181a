/**
 * What `rnn inspect-gradients` looks at: the models (a checkpoint's, or fresh PyTorch-initialised ones
 * to compare cells) and the windows they read: characters of a text, or rows of a CSV encoded with a
 * time-series model's codec. The maths is in gradients.ts; this file only turns files and flags into a
 * Model and a Window.
 */
import type { CellKind } from '../engine/cells/cell.ts'
import { rowsOf, type SeriesCodec, type Transform } from '../data/codec.ts'
import type { Fill, Series } from '../data/csv.ts'
import { BUNDLED_TEXT, readText } from '../data/text.ts'
import { Vocab } from '../data/vocab.ts'
import type { Tokens } from '../data/tokens.ts'
import { UNK } from '../data/words.ts'
import { UserError } from '../errors.ts'
import { inspectGradients, type GradientSeries, type LossAt, type Window } from './gradients.ts'
import type { Checkpoint, ClassifierMeta, SeriesMeta } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'
import type { ModelSpec } from '../model/spec.ts'
import { isCsvPath } from '../tasks/open-source.ts'


interface FreshModels {
  cells: CellKind[]; hidden: number; layers: number; seed: number; forgetBias?: number
  /** For a CSV file: the columns to read and how rows are encoded, as `rnn train` takes them. */
  csv?: { target: string | null; features: string[]; transform: Transform; fill: Fill | null; delimiter: string | null; header: boolean }
}

interface GradientRequest {
  /** A checkpoint path (text or time series), or fresh character models of these cells (vocabulary from the file). */
  source: { checkpoint: string } | { fresh: FreshModels }
  /** Text, or CSV for a time-series checkpoint; default: the checkpoint's training file, or the bundled text. */
  file?: string
  seqLen: number; offset: number; batches: number; lossAt: LossAt
}

export interface GradientReport {
  loss_at: LossAt; seq_len: number; offset: number; batches: number; file: string
  /** What a step of the window is: a character or word of a text, or a row of a CSV series. */
  unit: 'characters' | 'words' | 'rows'
  models: { cell: CellKind; label: string; loss: number; series: GradientSeries[] }[]
}

export async function gradientReport(req: GradientRequest): Promise<GradientReport> {
  const subjects: { label: string; model: Model }[] = []
  let file: string, window: Window, unit: GradientReport['unit'] = 'characters'
  if ('checkpoint' in req.source) {
    const { loadModel } = await import('../model/checkpoint/load.ts')
    const path = req.source.checkpoint
    const loaded = loadModel(path)
    const ck = loaded.checkpoint
    if (ck.data.kind === 'classifier') {
      if (req.lossAt === 'all')
        throw new UserError(`--loss-at all: ${path} is a classifier, with one loss per text at its head after the last step `
          + '(leave out --loss-at)')
      const { classifierWindow } = await import('./class-window.ts')
      ;({ file, window } = classifierWindow(path, ck as Checkpoint & { data: ClassifierMeta }, loaded.vocab!, req))
    } else if (ck.data.kind === 'timeseries') {
      const { codecOf, readForModel } = await import('../tasks/forecast.ts')
      const sck = ck as Checkpoint & { data: SeriesMeta }
      file = req.file ?? sck.data.source ?? fail(`${path}: no training file stored; name a CSV file to read`)
      window = seriesWindow(readForModel(sck, file), codecOf(sck), req)
      unit = 'rows'
    } else {
      file = req.file ?? ck.data.source ?? fail(`${path}: no training text path stored; name a text file to read`)
      window = textWindow(file, readText(file), loaded.vocab!, req)
    }
    // a text model's or classifier's steps are its tokens
    if (loaded.vocab?.kind === 'word') unit = 'words'
    subjects.push({ label: path, model: loaded.model })
  } else {
    const fresh = req.source.fresh
    file = req.file ?? BUNDLED_TEXT
    if (isCsvPath(file) || (fresh.csv?.target ?? null) !== null) {
      // fresh forecasters: the rows encoded as `rnn train` would (statistics of the training rows)
      const { series, codec } = await freshSeries(file, fresh.csv)
      const io = { input_size: codec.inputSize, output_size: codec.k, input: 'dense', loss: 'mse' } as const
      for (const cell of fresh.cells) subjects.push({ label: `fresh ${cell}`, model: await freshModel(cell, io, fresh) })
      window = seriesWindow(series, codec, req)
      unit = 'rows'
    } else {
      const text = readText(file)
      const vocab = Vocab.fromText(text)
      const io = { input_size: vocab.size, output_size: vocab.size, input: 'one_hot', loss: 'cross_entropy' } as const
      for (const cell of fresh.cells) subjects.push({ label: `fresh ${cell}`, model: await freshModel(cell, io, fresh) })
      window = textWindow(file, text, vocab, req)
    }
  }
  const models = subjects.map(({ label, model }) => ({ cell: model.spec.cell, label, ...inspectGradients(model, window, req.lossAt) }))
  return { loss_at: req.lossAt, seq_len: req.seqLen, offset: req.offset, batches: req.batches, file, unit, models }
}

/**
 * A CSV read and encoded as `rnn train` would for a fresh model: the same columns, season, split and
 * normalisation of the training rows (src/data/series.ts), so fresh and trained models see the same inputs.
 */
async function freshSeries(file: string, o: FreshModels['csv']): Promise<{ series: Series; codec: SeriesCodec }> {
  if (o === undefined || o.target === null)
    throw new UserError(`${file}: a CSV file needs --target <column> (the column whose forecasting loss is differentiated)`)
  const { readSeriesData } = await import('../data/series.ts')
  const csv = { target: o.target, features: o.features, delimiter: o.delimiter, header: o.header, fill: o.fill }
  return readSeriesData(file, csv, { valFrac: 0.1, testSize: null, season: null, transform: o.transform, T: null })
}

function fail(message: string): never {
  throw new UserError(message)
}

/** A model with PyTorch's default initialisation (src/model/init.ts), reproducible from the seed. */
export async function freshModel(
  cell: CellKind, io: Pick<ModelSpec, 'input_size' | 'output_size' | 'input' | 'loss'>, o: Omit<FreshModels, 'cells'>,
): Promise<Model> {
  const { createModel } = await import('../model/create.ts')
  return createModel({ cell, hidden_size: o.hidden, num_layers: o.layers, ...io }, { seed: o.seed, forgetBias: o.forgetBias })
}

/**
 * `batches` consecutive windows of seqLen tokens (characters, or a word model's words) from `offset`, as
 * one batch of independent streams: window b reads tokens [offset + b·T, offset + (b+1)·T) and predicts
 * each one's successor. A character outside the vocabulary is an error; an unknown word reads as <unk>.
 */
export function textWindow(file: string, text: string, vocab: Tokens, o: { seqLen: number; offset: number; batches: number }): Window {
  const T = o.seqLen, B = o.batches
  const need = o.offset + B * T + 1
  // the tokens up to the window's end only: one string per character of a 100 MB text is gigabytes
  const tokens = vocab.split(text, need)
  if (tokens.length < need) {
    const unit = vocab.kind === 'word' ? 'words and marks' : 'characters'
    throw new UserError(`${file}: ${tokens.length} ${unit}, too short for --offset ${o.offset} + --batches ${B} × --seq-len ${T} `
      + `(+1 for the last target): needs ${need} (try a smaller --seq-len)`)
  }
  const used = tokens.slice(o.offset, need)
  const unknown = vocab.kind === 'char' ? vocab.unknown(used.join('')) : []
  if (unknown.length > 0)
    throw new UserError(`${file}: characters not in the model's vocabulary at --offset ${o.offset}: `
      + unknown.slice(0, 10).map((c) => JSON.stringify(c)).join(' '))
  const unk = vocab.id(UNK)
  const ids = Int32Array.from(used, (t) => { const id = vocab.id(t); return id >= 0 ? id : unk })
  const x = new Int32Array(T * B), targets = new Int32Array(T * B)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      x[t * B + b] = ids[b * T + t]
      targets[t * B + b] = ids[b * T + t + 1]
    }
  return { x, targets, T, B }
}

/**
 * `batches` consecutive windows of seqLen rows from `offset`, encoded with the model's codec as in
 * training (src/data/series.ts): step t of window b reads row r = first + offset + b·T + t as input and
 * has the encoded row r + 1 as target. `first` is the codec's first row with a full input: 1 with
 * --transform difference, whose input needs the row before.
 */
function seriesWindow(series: Series, codec: SeriesCodec, o: { seqLen: number; offset: number; batches: number }): Window {
  const T = o.seqLen, B = o.batches, I = codec.inputSize, k = codec.k, first = codec.firstRow
  const steps = series.rows - first - 1 // rows with a full input and a next row to predict
  const need = o.offset + B * T
  if (steps < need) {
    const fit = Math.floor((steps - o.offset) / B)
    const skipped = first > 0 ? `; --transform ${codec.transform} skips the first` : ''
    const tryThis = fit >= 1 ? `try --seq-len ${fit}` : 'try a smaller --offset'
    throw new UserError(`${series.path}: ${series.rows} rows give ${steps} steps with a next row to predict${skipped}; `
      + `--offset ${o.offset} + --batches ${B} × --seq-len ${T} needs ${need} (${tryThis})`)
  }
  const rows = rowsOf(series.values)
  const x = new Float32Array(T * B * I), targets = new Float32Array(T * B * k)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const r = first + o.offset + b * T + t, p = t * B + b
      codec.encodeInput(x, p * I, rows, r)
      codec.encodeTarget(targets, p * k, rows, r)
    }
  return { x, targets, T, B }
}
