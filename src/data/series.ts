/**
 * A CSV time series as a training source. Rows are split chronologically into train / validation / test
 * (the last test_size rows; never shuffled across the split); statistics for normalisation come from the
 * training rows only (see codec.ts for the transform). The model reads windows of T rows and predicts, at
 * every step, the next row of every used column (target first), so a forecast can roll forward by feeding
 * its own predictions back. Loss: MSE on the normalised scale.
 */
import { UserError } from '../errors.ts'
import type { Model } from '../model/model.ts'
import type { Rng } from '../engine/rng.ts'
import { corpusName, type Cursor } from './text.ts'
import { readSeries, type CsvOptions, type Series } from './csv.ts'
import { detectSeason } from './season.ts'
import { checkScale, fitStats, SeriesCodec, type ColumnStats, type Transform } from './codec.ts'
import type { Batcher, TrainSource } from './source.ts'
import { printRows } from './fingerprint.ts'
import { rollingForecast } from '../tasks/rolling-forecast.ts'

export interface Split { train: number; val: number; test: number }
export type { ColumnStats }

export interface SeriesSource extends TrainSource {
  readonly kind: 'timeseries'
  readonly series: Series
  readonly split: Split
  readonly season: number
  readonly codec: SeriesCodec
}

/** Rows held out for testing by default: the larger of 10% and two seasons. */
export function defaultTestSize(rows: number, season: number): number {
  return Math.max(Math.ceil(rows * 0.1), 2 * season)
}

export function splitRows(path: string, rows: number, o: { testSize: number; valFrac: number; T: number }): Split {
  const test = o.testSize
  const val = Math.max(1, Math.floor((rows - test) * o.valFrac))
  const train = rows - test - val
  // a training window is T + 1 rows after the first usable one (differences need the row before)
  if (train < o.T + 2) {
    const need = o.T + 2 + test + Math.max(1, Math.ceil(((o.T + 2) * o.valFrac) / (1 - o.valFrac)))
    throw new UserError(`${path}: ${rows} rows is too few: seq_len ${o.T} needs at least ${need} rows (${o.T + 2} to train on, plus validation and ${test} test rows); try a smaller --seq-len or --test-size`)
  }
  return { train, val, test }
}

export function openSeriesSource(path: string, csv: CsvOptions, o: { valFrac: number; T: (season: number) => number; testSize: number | null; season: number | null; transform: Transform; stats?: ColumnStats[]; bytes?: Buffer }): SeriesSource {
  const series = readSeries(path, csv, o.bytes)
  const found = o.season === null ? detectSeason(series, Math.floor(series.rows * 0.8)) : null
  const season = o.season ?? found!.season
  const T = o.T(season)
  const split = splitRows(path, series.rows, { testSize: o.testSize ?? defaultTestSize(series.rows, season), valFrac: o.valFrac, T })
  const codec = new SeriesCodec(o.stats ?? fitStats(series.columns, series.values, split.train, path, series.lines), o.transform)
  checkScale(series, codec.stats)
  const k = series.columns.length
  return {
    kind: 'timeseries', path, name: corpusName(path), series, split, season, codec,
    describe: `${series.rows} rows × ${k} column${k > 1 ? 's' : ''} (${series.columns.join(', ')}); train ${split.train}, validation ${split.val}, test ${split.test}; season ${season}${found === null ? '' : SEASON_FROM[found.from]}`,
    io: { input_size: codec.inputSize, output_size: k, input: 'dense', loss: 'mse' },
    batcher: (B, T, cursor, rng) => new WindowBatcher(codec, series.values, split.train, B, T, cursor, rng),
    validate: (model, T) => validationLoss(model, codec, series.values, split.train, split.val, T),
    fingerprint: () => ({ train: printRows(series.values, 0, split.train), val: printRows(series.values, split.train, split.train + split.val) }),
  }
}

const SEASON_FROM = { dates: ' (from the dates)', autocorrelation: ' (from the autocorrelation)', none: ' (no season found; --season sets one)' }

/** B random windows of T+1 consecutive training rows per batch; each starts from zero state. */
class WindowBatcher implements Batcher {
  readonly x: Float32Array
  readonly y: Float32Array
  readonly carry = false
  readonly chunksPerEpoch: number
  private readonly X: Float32Array
  private readonly Y: Float32Array
  private readonly windows: number

  constructor(private readonly codec: SeriesCodec, values: readonly Float64Array[], trainRows: number, readonly B: number, readonly T: number, readonly cursor: Cursor, private readonly rng: Rng) {
    const first = codec.firstRow, I = codec.inputSize, k = codec.k
    // inputs and targets of every training row, encoded once: a window is then two slices
    this.X = new Float32Array(trainRows * I)
    this.Y = new Float32Array(trainRows * k)
    for (let i = first; i < trainRows - 1; i++) {
      codec.encodeInput(this.X, i * I, values[i], i > 0 ? values[i - 1] : null)
      codec.encodeTarget(this.Y, i * k, values[i + 1], values[i])
    }
    this.windows = trainRows - 1 - first - T + 1
    this.chunksPerEpoch = Math.max(1, Math.ceil(this.windows / B))
    this.x = new Float32Array(T * B * I)
    this.y = new Float32Array(T * B * k)
  }

  next(): void {
    const { B, T, codec } = this
    const I = codec.inputSize, k = codec.k
    for (let b = 0; b < B; b++) {
      const start = codec.firstRow + this.rng.int(this.windows)
      for (let t = 0; t < T; t++) {
        const row = start + t, o = t * B + b
        this.x.set(this.X.subarray(row * I, (row + 1) * I), o * I)
        this.y.set(this.Y.subarray(row * k, (row + 1) * k), o * k)
      }
    }
    this.cursor.chunk++
    if (this.cursor.chunk >= this.chunksPerEpoch) { this.cursor.chunk = 0; this.cursor.epoch++ }
  }
}

/** Mean squared one-step error on the validation rows, on the normalised target scale, all columns. */
function validationLoss(model: Model, codec: SeriesCodec, values: readonly Float64Array[], trainRows: number, valRows: number, T: number): number {
  const k = codec.k
  const origins = Array.from({ length: valRows }, (_, i) => trainRows + i)
  const pred = rollingForecast(model, codec, values, origins, T, 1)
  const zp = new Float32Array(k), za = new Float32Array(k)
  let s = 0
  origins.forEach((r, b) => {
    const cur = values[r - 1]
    codec.encodeTarget(zp, 0, pred.subarray(b * k, (b + 1) * k), cur)
    codec.encodeTarget(za, 0, values[r], cur)
    for (let j = 0; j < k; j++) s += (zp[j] - za[j]) ** 2
  })
  return s / (valRows * k)
}
