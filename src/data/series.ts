/**
 * A CSV time series prepared for training: rows are split chronologically into train / validation / test
 * (the last test_size rows; never shuffled across the split); statistics for normalisation come from the
 * training rows only (see codec.ts for the transform). The model reads windows of T rows and predicts, at
 * every step, the next row of every used column (target first), so a forecast can roll forward by feeding
 * its own predictions back. Running a model over the rows is tasks/series-source.ts's.
 */
import { UserError } from '../errors.ts'
import type { Rng } from '../engine/rng.ts'
import { readSeries, type CsvOptions, type Series } from './csv.ts'
import { detectSeason, seqLenOfSeason, type Season } from './season.ts'
import { checkLogDomain, checkScale, firstRowOf, fitStats, rowsOf, SeriesCodec, type ColumnStats, type Transform } from './codec.ts'
import type { Batcher, Cursor } from './batcher.ts'

export interface Split { train: number; val: number; test: number }
export type { ColumnStats }

/** Rows held out for testing by default: the larger of 10% and two seasons. */
export function defaultTestSize(rows: number, season: number): number {
  return Math.max(Math.ceil(rows * 0.1), 2 * season)
}

export function splitRows(path: string, rows: number, o: { testSize: number; valFrac: number; T: number; first?: number }): Split {
  const test = o.testSize
  const val = Math.max(1, Math.floor((rows - test) * o.valFrac))
  const train = rows - test - val
  // a training window is T + 1 rows after the first usable one (a change needs the row `first` before)
  const window = o.T + 1 + (o.first ?? 1)
  if (train < window) {
    const need = window + test + Math.max(1, Math.ceil((window * o.valFrac) / (1 - o.valFrac)))
    throw new UserError(`${path}: ${rows} rows is too few: seq_len ${o.T} needs at least ${need} rows (${window} to train on, `
      + `plus validation and ${test} test rows); try a smaller --seq-len or --test-size`)
  }
  return { train, val, test }
}

/** The rows read, split, and the codec fitted on the training rows. */
interface SeriesData {
  readonly series: Series
  readonly split: Split
  readonly season: number
  /** Where the season came from; null when it was given. */
  readonly found: Season | null
  readonly codec: SeriesCodec
  /** seq_len: given, or decided from the season. */
  readonly T: number
}

export function readSeriesData(
  path: string, csv: CsvOptions,
  o: {
    valFrac: number; T: number | null; testSize: number | null; season: number | null; transform: Transform
    stats?: ColumnStats[]; bytes?: Buffer
  },
): SeriesData {
  const series = readSeries(path, csv, o.bytes)
  const found = o.season === null ? detectSeason(series, Math.floor(series.rows * 0.8)) : null
  const season = o.season ?? found!.season
  const T = o.T ?? seqLenOfSeason(season)
  const testSize = o.testSize ?? defaultTestSize(series.rows, season)
  const split = splitRows(path, series.rows, { testSize, valFrac: o.valFrac, T, first: Math.max(1, firstRowOf(o.transform, season)) })
  checkLogDomain(series, o.transform)
  const stats = o.stats ?? fitStats(series.columns, series.values, split.train, path, series.lines, o.transform, season)
  const codec = new SeriesCodec(stats, o.transform, season)
  checkScale(series, codec.stats, o.transform, season)
  return { series, split, season, found, codec, T }
}

/** B random windows of T+1 consecutive training rows per batch; each starts from zero state. */
export class WindowBatcher implements Batcher {
  readonly x: Float32Array
  readonly y: Float32Array
  readonly carry = false
  readonly chunksPerEpoch: number
  private readonly X: Float32Array
  private readonly Y: Float32Array
  private readonly windows: number

  constructor(
    private readonly codec: SeriesCodec, values: readonly Float64Array[], trainRows: number, readonly B: number, readonly T: number,
    readonly cursor: Cursor, private readonly rng: Rng,
  ) {
    const first = codec.firstRow, I = codec.inputSize, k = codec.k
    // inputs and targets of every training row, encoded once: a window is then two slices
    this.X = new Float32Array(trainRows * I)
    this.Y = new Float32Array(trainRows * k)
    const rows = rowsOf(values)
    for (let i = first; i < trainRows - 1; i++) {
      codec.encodeInput(this.X, i * I, rows, i)
      codec.encodeTarget(this.Y, i * k, rows, i)
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
