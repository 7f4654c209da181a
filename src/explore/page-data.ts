/**
 * A checkpoint → the data an explorer page carries: the best parameters (float32, or float16 at half the
 * size), vocabulary or column statistics, training history, and the initial input: `--text`, else the
 * start of the training text (or the first rows of the training CSV; a classifier's first held-out row), else a
 * sample of the model.
 */
import { existsSync } from 'node:fs'
import { formatDate } from '../data/dates.ts'
import { readText } from '../data/text.ts'
import { Vocab } from '../data/vocab.ts'
import { createRng } from '../engine/rng.ts'
import { UserError } from '../errors.ts'
import { codecOf, readForModel } from '../tasks/forecast.ts'
import { MIN_ERRORS } from '../tasks/intervals.ts'
import { decodeTensor } from '../model/checkpoint/tensor.ts'
import type { Checkpoint, ClassifierMeta, SeriesMeta } from '../model/checkpoint/schema.ts'
import { modelFromCheckpoint } from '../model/checkpoint/load.ts'
import { sampleText } from '../model/sampler.ts'
import { gateOrder, paramSpecs, type ModelSpec } from '../model/spec.ts'
import { specOf } from '../model/checkpoint/schema.ts'
import type { PageData } from './page/data.ts'
import { toHalf } from './half.ts'
import { classifierPage } from './classifier-data.ts'

const DEFAULT_CHARS = 60
const DEFAULT_ROWS = 48
/** More default rows than this (a long season) would make every view slow to read: the bands then need more rows typed in. */
const MAX_ROWS = 400

export interface PageOptions { text?: string; weights: 'f32' | 'f16' }

export function pageData(path: string, name: string, ck: Checkpoint, o: PageOptions): PageData {
  const spec = specOf(ck)
  // the views draw (and the bptt check sums) a recurrence inside each layer; a Jordan network's runs through its output
  if (spec.cell === 'jordan') throw new UserError(`${path}: rnn explore does not show Jordan networks; rnn describe draws one`)
  // the views draw one-hot characters into W_ih (the sharing and bptt views); an embedding has no place there yet
  if (spec.embedding_dim !== undefined) {
    const what = ck.data.kind !== 'timeseries' && ck.data.tokenizer !== undefined ? 'word models' : 'models with an embedding (--embed)'
    throw new UserError(`${path}: rnn explore shows models of one-hot characters, not ${what}; rnn inspect-state and describe do`)
  }
  const base = {
    name, kind: ck.kind, spec, gateOrder: gateOrder(spec.cell),
    weights: weights(spec, ck.params, o.weights),
    // an ensemble's other forecasters: its forecasts are the median of all of them (rnn train --ensemble)
    members: ck.members?.map((m) => weights(spec, m, o.weights)) ?? null,
    history: ck.progress.history, trainedSteps: ck.progress.step,
    sample: { seed: 1, length: 200, temp: 1, topK: null, topP: null, prime: '' },
  }
  if (ck.data.kind === 'text') {
    const vocab = new Vocab(ck.data.vocab)
    return { ...base, vocab: ck.data.vocab, series: null, classifier: null, input: textInput(path, ck, vocab, o.text) }
  }
  if (ck.data.kind === 'classifier') {
    const c = classifierPage(ck as Checkpoint & { data: ClassifierMeta }, modelFromCheckpoint(ck).model, o.text)
    return { ...base, vocab: ck.data.vocab, series: null, classifier: c.info, input: c.input }
  }
  const s = ck as Checkpoint & { data: SeriesMeta }
  const rows = seriesRows(s, o.text)
  return {
    ...base, vocab: null, classifier: null, input: rows.rows.map((r) => r.join(', ')).join('\n'),
    series: {
      columns: s.data.columns, transform: s.data.transform, rows: rows.rows, dates: rows.dates, seqLen: s.config.seq_len!,
      season: s.data.season,
    },
  }
}

/** Every parameter of one set, in paramSpecs order, as one base64 blob of float32 or float16. */
function weights(spec: ModelSpec, params: Checkpoint['params'], dtype: PageOptions['weights']): PageData['weights'] {
  const all = paramSpecs(spec).map((s) => decodeTensor(params[s.name]))
  const flat = new Float32Array(all.reduce((n, a) => n + a.length, 0))
  let at = 0
  for (const a of all) { flat.set(a, at); at += a.length }
  if (dtype === 'f32') return { dtype, base64: Buffer.from(flat.buffer).toString('base64'), maxError: 0 }
  const h = toHalf(flat)
  return { dtype, base64: Buffer.from(h.half.buffer).toString('base64'), maxError: h.maxError }
}

function textInput(path: string, ck: Checkpoint, vocab: Vocab, text: string | undefined): string {
  if (text !== undefined) {
    if (text.length === 0) throw new UserError('--text: is empty')
    const unknown = vocab.unknown(text)
    if (unknown.length > 0) 
      throw new UserError(`--text: characters not in the model's vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`)
    return text
  }
  const source = ck.data.source
  if (source !== null && existsSync(source)) {
    const start = [...readText(source).slice(0, 4 * DEFAULT_CHARS)].slice(0, DEFAULT_CHARS).join('')
    if (start.length >= 2 && vocab.unknown(start).length === 0) return start
  }
  // no training text at hand: the model's own words
  const { model } = modelFromCheckpoint(ck)
  let s = ''
  const o = { temperature: 1, topK: null, topP: null, argmax: false, prime: '', length: DEFAULT_CHARS }
  for (const ch of sampleText(model, vocab, o, createRng(1))) s += ch
  void path
  return s
}

/** --text for a forecaster: rows of numbers, one per line; else the first rows of the training CSV. */
function seriesRows(ck: Checkpoint & { data: SeriesMeta }, text: string | undefined): { rows: number[][]; dates: string[] | null } {
  const k = ck.data.columns.length
  if (text !== undefined) {
    const rows = text.split(/\n|\\n/).map((l) => l.trim()).filter((l) => l !== '').map((l, i) => {
      const v = l.split(/[,;\s]+/).map(Number)
      const names = ck.data.columns.map((c) => c.name).join(', ')
      if (v.length !== k || v.some((x) => !Number.isFinite(x)))
        throw new UserError(`--text: row ${i + 1}: expected ${k} number${k > 1 ? 's' : ''} (${names}), got "${l}"`)
      return v
    })
    if (rows.length < 3) throw new UserError('--text: a forecaster needs at least 3 rows')
    return { rows, dates: null }
  }
  const source = ck.data.source
  if (source === null || !existsSync(source))
    throw new UserError(`${source ?? 'the training CSV'}: not found; give the rows to show with --text "v1\\nv2\\n…"`)
  const series = readForModel(ck, source)
  // enough rows for the generate view's prediction intervals: one season ahead from MIN_ERRORS earlier origins
  const bands = (ck.config.seq_len ?? 0) + codecOf(ck).firstRow + MIN_ERRORS + ck.data.season - 1
  const n = Math.min(series.rows, Math.max(DEFAULT_ROWS, (ck.config.seq_len ?? 0) + 1, bands <= MAX_ROWS ? bands : 0))
  return {
    rows: series.values.slice(0, n).map((r) => Array.from(r)),
    dates: series.date === null ? null : series.date.values.slice(0, n).map((d) => formatDate(d, series.date!.step)),
  }
}
