/**
 * A CSV time series as a training source. Rows are split chronologically into train / validation / test
 * (the last test_size rows; never shuffled across the split); every used column is z-scored with the mean
 * and standard deviation of the training rows only. The model reads windows of T rows and predicts, at
 * every step, the next row of every used column (target first), so a forecast can roll forward by
 * feeding its own predictions back. Loss: MSE on the normalised scale.
 */
import { UserError } from '../errors.ts'
import type { Model } from '../model/model.ts'
import type { Rng } from '../engine/rng.ts'
import { corpusName, type Cursor } from './text.ts'
import { readSeries, type CsvOptions, type Series } from './csv.ts'
import { seasonOfStep } from './dates.ts'
import type { Batcher, TrainSource } from './source.ts'

export interface Split { train: number; val: number; test: number }
export interface ColumnStats { name: string; mean: number; std: number }

export interface SeriesSource extends TrainSource {
  readonly kind: 'timeseries'
  readonly series: Series
  readonly split: Split
  readonly season: number
  readonly stats: ColumnStats[]
  /** [rows][k] normalised values. */
  readonly z: Float32Array
}

/** Rows held out for testing by default: the larger of 10% and two seasons. */
export function defaultTestSize(rows: number, season: number): number {
  return Math.max(Math.ceil(rows * 0.1), 2 * season)
}

export function splitRows(path: string, rows: number, o: { testSize: number; valFrac: number; T: number }): Split {
  const test = o.testSize
  const val = Math.max(1, Math.floor((rows - test) * o.valFrac))
  const train = rows - test - val
  if (train < o.T + 1) {
    const need = o.T + 1 + test + Math.max(1, Math.ceil(((o.T + 1) * o.valFrac) / (1 - o.valFrac)))
    throw new UserError(`${path}: ${rows} rows is too few: seq_len ${o.T} needs at least ${need} rows (${o.T + 1} to train on, plus validation and ${test} test rows); try a smaller --seq-len or --test-size`)
  }
  return { train, val, test }
}

/** Season: given, else from the date step (12 monthly, 7 daily, 24 hourly), else the autocorrelation peak. */
export function detectSeason(series: Series, trainRows: number): number {
  const fromDate = series.date ? seasonOfStep(series.date.step) : null
  if (fromDate !== null && fromDate * 2 < trainRows) return fromDate
  const x = series.values.slice(0, trainRows).map((r) => r[0])
  const n = x.length, mean = x.reduce((a, b) => a + b, 0) / n
  const c0 = x.reduce((a, v) => a + (v - mean) ** 2, 0)
  let best = 1, bestR = 0.2 // below this no lag counts as a season
  for (let lag = 2; lag <= Math.floor(n / 3); lag++) {
    let c = 0
    for (let i = lag; i < n; i++) c += (x[i] - mean) * (x[i - lag] - mean)
    const r = c / c0
    if (r > bestR) { best = lag; bestR = r }
  }
  return best
}

export function columnStats(series: Series, trainRows: number): ColumnStats[] {
  return series.columns.map((name, j) => {
    let s = 0
    for (let i = 0; i < trainRows; i++) s += series.values[i][j]
    const mean = s / trainRows
    let v = 0
    for (let i = 0; i < trainRows; i++) v += (series.values[i][j] - mean) ** 2
    const std = Math.sqrt(v / trainRows)
    if (!(std > 1e-12 * Math.max(1, Math.abs(mean)))) throw new UserError(`${series.path}: column "${name}" is constant over the training rows (${mean}); it cannot be normalised or learned`)
    return { name, mean, std }
  })
}

export function normalise(series: Series, stats: ColumnStats[]): Float32Array {
  const k = stats.length
  const z = new Float32Array(series.rows * k)
  for (let i = 0; i < series.rows; i++) for (let j = 0; j < k; j++) z[i * k + j] = (series.values[i][j] - stats[j].mean) / stats[j].std
  return z
}

export function openSeriesSource(path: string, csv: CsvOptions, o: { valFrac: number; T: (season: number) => number; testSize: number | null; season: number | null; stats?: ColumnStats[] }): SeriesSource {
  const series = readSeries(path, csv)
  // the season decides the default test size, which decides the training rows the season is read from
  const guess = o.season ?? detectSeason(series, Math.floor(series.rows * 0.8))
  const season = guess
  const split = splitRows(path, series.rows, { testSize: o.testSize ?? defaultTestSize(series.rows, season), valFrac: o.valFrac, T: o.T(season) })
  const stats = o.stats ?? columnStats(series, split.train)
  const z = normalise(series, stats)
  const k = series.columns.length
  return {
    kind: 'timeseries', path, name: corpusName(path), series, split, season, stats, z,
    describe: `${series.rows} rows × ${k} column${k > 1 ? 's' : ''} (${series.columns.join(', ')}); train ${split.train}, validation ${split.val}, test ${split.test}; season ${season}`,
    io: { input_size: k, output_size: k, input: 'dense', loss: 'mse' },
    batcher: (B, T, cursor, rng) => new WindowBatcher(z, k, split.train, B, T, cursor, rng),
    validate: (model, T) => validationLoss(model, z, k, split.train, split.val, T),
  }
}

/** B random windows of T+1 consecutive training rows per batch; each starts from zero state. */
class WindowBatcher implements Batcher {
  readonly x: Float32Array
  readonly y: Float32Array
  readonly carry = false
  readonly chunksPerEpoch: number
  private readonly windows: number

  constructor(private readonly z: Float32Array, private readonly k: number, trainRows: number, readonly B: number, readonly T: number, readonly cursor: Cursor, private readonly rng: Rng) {
    this.windows = trainRows - T
    this.chunksPerEpoch = Math.max(1, Math.ceil(this.windows / B))
    this.x = new Float32Array(T * B * k)
    this.y = new Float32Array(T * B * k)
  }

  next(): void {
    const { B, T, k, z } = this
    for (let b = 0; b < B; b++) {
      const start = this.rng.int(this.windows)
      for (let t = 0; t < T; t++) {
        const o = (t * B + b) * k
        this.x.set(z.subarray((start + t) * k, (start + t + 1) * k), o)
        this.y.set(z.subarray((start + t + 1) * k, (start + t + 2) * k), o)
      }
    }
    this.cursor.chunk++
    if (this.cursor.chunk >= this.chunksPerEpoch) { this.cursor.chunk = 0; this.cursor.epoch++ }
  }
}

/**
 * Rolling forecasts for B origins at once: origin b reads rows [origins[b] - T, origins[b]) as context
 * and predicts `horizon` rows, feeding each prediction back as the next input. Returns [horizon][B][k]
 * on the normalised scale.
 */
export function rollingForecast(model: Model, z: Float32Array, k: number, origins: number[], T: number, horizon: number): Float32Array {
  const B = origins.length
  const x = new Float32Array(T * B * k)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) x.set(z.subarray((origins[b] - T + t) * k, (origins[b] - T + t + 1) * k), (t * B + b) * k)
  const state = model.zeroState(B)
  model.forward(x, null, T, B, state)
  const out = new Float32Array(horizon * B * k)
  out.set(model.outputs().subarray((T - 1) * B * k, T * B * k), 0)
  for (let h = 1; h < horizon; h++) {
    model.forward(out.subarray((h - 1) * B * k, h * B * k), null, 1, B, state)
    out.set(model.outputs().subarray(0, B * k), h * B * k)
  }
  return out
}

/** Mean squared one-step error (normalised, all columns) on the validation rows. */
function validationLoss(model: Model, z: Float32Array, k: number, trainRows: number, valRows: number, T: number): number {
  const origins = Array.from({ length: valRows }, (_, i) => trainRows + i)
  const pred = rollingForecast(model, z, k, origins, T, 1)
  let s = 0
  for (let b = 0; b < valRows; b++)
    for (let j = 0; j < k; j++) s += (pred[b * k + j] - z[origins[b] * k + j]) ** 2
  return s / (valRows * k)
}
