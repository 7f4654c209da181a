/**
 * Everything the HTML report shows, computed from a checkpoint: the training history as saved, the
 * per-timestep state-gradient norms on the start of the training data (src/inspect/gradients.ts, the same numbers
 * as `rnn inspect-gradients`), and either a text sample (as `rnn sample --seed 1 --length 400`) or the
 * one-step forecasts on the test rows next to the naive and seasonal-naive baselines. A part whose data
 * file is gone becomes a note instead of failing the whole report.
 */
import { existsSync } from 'node:fs'
import { readText } from '../data/text.ts'
import { formatDate } from '../data/dates.ts'
import { tokensOf, type TokenKind } from '../data/tokens.ts'
import { rollingForecast } from '../tasks/rolling-forecast.ts'
import { etsForecast, fitEts } from '../tasks/ets.ts'
import { band, calibrate, DEFAULT_LEVELS } from '../tasks/intervals.ts'
import { createRng } from '../engine/rng.ts'
import { rowsOf } from '../data/codec.ts'
import { codecOf, evaluateSeries, forecasterOf, readForModel, type SeriesEval } from '../tasks/forecast.ts'
import { inspectGradients, type Window } from '../inspect/gradients.ts'
import { textWindow } from '../inspect/source.ts'
import type { Checkpoint, SeriesMeta, TextMeta } from '../model/checkpoint/schema.ts'
import { modelFromCheckpoint } from '../model/checkpoint/load.ts'
import type { Model } from '../model/model.ts'
import { sampleText } from '../model/sampler.ts'
import { UserError } from '../errors.ts'

const GRADIENT_STEPS = 100
export const SAMPLE_SEED = 1
export const SAMPLE_LENGTH = 400
/** A word model's sample: about as many characters as a character model's. */
export const SAMPLE_WORDS = 100

/** The --length of the report's sample: characters, or a word model's words. */
export function sampleLength(tokens: TokenKind): number {
  return tokens === 'word' ? SAMPLE_WORDS : SAMPLE_LENGTH
}

export type Maybe<T> = { ok: true; value: T } | { ok: false; note: string }

export interface GradientData { steps: number; loss: number; from: string; layers: { layer: number; dh_norm: number[] }[] }
export interface ForecastData {
  target: string; season: number; first_row: number; dates: string[] | null
  actual: number[]; model: number[]; naive: number[]; seasonal_naive: number[]; ets: number[]; eval: SeriesEval
  /** the model's one-step prediction intervals on the test rows, calibrated before them (intervals.ts) */
  bands: { level: number; lower: number[]; upper: number[] }[]
}

export interface ReportData {
  path: string
  checkpoint: Checkpoint
  parameters: number
  gradients: Maybe<GradientData>
  sample: Maybe<string> | null
  forecast: Maybe<ForecastData> | null
}

export function reportData(path: string, ck: Checkpoint): ReportData {
  if (ck.kind === 'classifier') {
    throw new UserError(`${path}: a classifier; rnn report shows language models and forecasters `
      + '(rnn eval scores a classifier, rnn explore shows it read)')
  }
  const { model } = modelFromCheckpoint(ck)
  const parameters = Object.values(ck.params).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)
  if (ck.data.kind === 'text') {
    const text = ck as Checkpoint & { data: TextMeta }
    return {
      path, checkpoint: ck, parameters, gradients: attempt(() => textGradients(model, text)), sample: attempt(() => sample(model, text)),
      forecast: null,
    }
  }
  const series = ck as Checkpoint & { data: SeriesMeta }
  return {
    path, checkpoint: ck, parameters, gradients: attempt(() => seriesGradients(model, series)), sample: null,
    forecast: attempt(() => forecastData(model, series)),
  }
}

/** A UserError (a missing or changed data file) becomes a note; anything else is a bug and propagates. */
function attempt<T>(f: () => T): Maybe<T> {
  try {
    return { ok: true, value: f() }
  } catch (e) {
    if (e instanceof UserError) return { ok: false, note: e.message }
    throw e
  }
}

function sourceOf(ck: Checkpoint): string {
  const file = ck.data.source
  if (file === null) throw new UserError('the checkpoint stores no training data path (imported without --vocab-from?)')
  if (!existsSync(file)) throw new UserError(`${file}: the training data is no longer there`)
  return file
}

/** ‖∂S/∂h_t‖ per layer for S = the loss at the last of the first ≤100 characters (or words), from a zero state. */
function textGradients(model: Model, ck: Checkpoint & { data: TextMeta }): GradientData {
  const file = sourceOf(ck)
  const text = readText(file)
  const tokens = tokensOf(ck.data)
  // split only the tokens the window can use: spreading a 100 MB text took ~2.5 GB
  const steps = Math.min(GRADIENT_STEPS, tokens.split(text, GRADIENT_STEPS + 1).length - 1)
  if (steps < 2) throw new UserError(`${file}: too short for a gradient window`)
  const w = textWindow(file, text, tokens, { seqLen: steps, offset: 0, batches: 1 })
  return gradients(model, w, `the first ${steps} ${tokens.kind === 'word' ? 'words and marks' : 'characters'} of ${file}`)
}

/** The same for a forecaster: its first ≤100 usable rows, encoded as in training, the last row's error as S. */
function seriesGradients(model: Model, ck: Checkpoint & { data: SeriesMeta }): GradientData {
  const file = sourceOf(ck)
  const series = readForModel(ck, file)
  const codec = codecOf(ck), first = codec.firstRow, v = series.values
  const steps = Math.min(GRADIENT_STEPS, ck.data.split.train - 1 - first, series.rows - 1 - first)
  if (steps < 2) throw new UserError(`${file}: too few rows for a gradient window`)
  const x = new Float32Array(steps * codec.inputSize), targets = new Float32Array(steps * codec.k)
  for (let t = 0; t < steps; t++) {
    const i = first + t
    codec.encodeInput(x, t * codec.inputSize, rowsOf(v), i)
    codec.encodeTarget(targets, t * codec.k, rowsOf(v), i)
  }
  const w: Window = { x, targets, T: steps, B: 1 }
  return gradients(model, w, `the first ${steps} rows of ${file}`)
}

function gradients(model: Model, w: Window, from: string): GradientData {
  const r = inspectGradients(model, w, 'last')
  return { steps: w.T, loss: r.loss, from, layers: r.series.map((s) => ({ layer: s.layer, dh_norm: s.dh_norm })) }
}

/** Exactly what `rnn sample --seed 1 --length 400` prints (100: a word model): no prime, so it starts after a newline. */
function sample(model: Model, ck: Checkpoint & { data: TextMeta }): string {
  const vocab = tokensOf(ck.data), join = vocab.joiner()
  const options = { temperature: 1, topK: null, topP: null, argmax: false, prime: '', length: sampleLength(vocab.kind) }
  let out = ''
  for (const token of sampleText(model, vocab, options, createRng(SAMPLE_SEED))) out += join(token)
  return out
}

/** One-step forecasts of every test row in the target's units, with the two baselines and the metrics. */
function forecastData(model: Model, ck: Checkpoint & { data: SeriesMeta }): ForecastData {
  const file = sourceOf(ck)
  const series = readForModel(ck, file)
  const { split, season, columns } = ck.data
  const own = series.rows === split.train + split.val + split.test
  if (!own)
    throw new UserError(`${file}: ${series.rows} rows, but the model was trained on ${split.train + split.val + split.test}; `
      + 'the file has changed')
  const T = ck.config.seq_len!, k = columns.length, start = series.rows - split.test
  const origins = Array.from({ length: split.test }, (_, i) => start + i)
  const f = forecasterOf(ck, model)
  const pred = rollingForecast(f, codecOf(ck), series.values, origins, T, 1) // original units
  const y = series.values.map((r) => r[0])
  const codec = codecOf(ck)
  const cal = calibrate(f, codec, T, series.values, start, 1, DEFAULT_LEVELS)
  const ets = fitEts(y.slice(0, start), season)
  const smooth = etsForecast(ets, y, origins, 1)
  const ev = evaluateSeries(model, ck, series, { testSize: split.test, horizon: Math.min(season, split.test), trainRows: split.train, ets })
  const date = series.date
  const dates = date === null ? null : origins.map((t) => formatDate(date.values[t], date.step))
  return {
    target: columns[0].name, season, first_row: start, dates,
    actual: origins.map((t) => y[t]),
    model: origins.map((_, b) => pred[b * k]),
    naive: origins.map((t) => y[t - 1]),
    seasonal_naive: origins.map((t) => y[t - season]),
    ets: Array.from(smooth),
    eval: ev,
    bands: cal === null ? [] : cal.levels.map((level, l) => {
      const b = origins.map((_, i) => band(cal, codec, l, 1, pred[i * k]))
      return { level, lower: b.map((x) => x[0]), upper: b.map((x) => x[1]) }
    }),
  }
}
