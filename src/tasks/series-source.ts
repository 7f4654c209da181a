/**
 * A CSV time series as a training source (the rows, split and codec of data/series.ts): random windows to
 * train on, and validation as the one-step forecast error on the validation rows. Loss: MSE on the
 * normalised scale.
 */
import { resolve } from 'node:path'
import type { Model } from '../model/model.ts'
import type { CsvOptions, Series } from '../data/csv.ts'
import { rowsOf, type ColumnStats, type SeriesCodec, type Transform } from '../data/codec.ts'
import { printRows } from '../data/fingerprint.ts'
import { readSeriesData, WindowBatcher, type Split } from '../data/series.ts'
import { corpusName } from '../data/text.ts'
import { rollingForecast } from './rolling-forecast.ts'
import type { TrainSource } from './train-source.ts'

export interface SeriesSource extends TrainSource {
  readonly kind: 'timeseries'
  readonly series: Series
  readonly split: Split
  readonly season: number
  readonly codec: SeriesCodec
  /** seq_len: given, or decided from the season (data/season.ts). */
  readonly T: number
}

export function openSeriesSource(
  path: string, csv: CsvOptions,
  o: {
    valFrac: number; T: number | null; testSize: number | null; season: number | null; transform: Transform
    stats?: ColumnStats[]; bytes?: Buffer
  },
): SeriesSource {
  const { series, split, season, found, codec, T } = readSeriesData(path, csv, o)
  const k = series.columns.length
  const columns = `${series.rows} rows × ${k} column${k > 1 ? 's' : ''} (${series.columns.join(', ')})`
  return {
    kind: 'timeseries', path, name: corpusName(path), series, split, season, codec, T,
    describe: `${columns}; train ${split.train}, validation ${split.val}, test ${split.test}; `
      + `season ${season}${found === null ? '' : SEASON_FROM[found.from]}`,
    io: { input_size: codec.inputSize, output_size: k, input: 'dense', loss: 'mse' },
    batcher: (B, T, cursor, rng) => new WindowBatcher(codec, series.values, split.train, B, T, cursor, rng),
    validate: (model, T) => validationLoss(model, codec, series.values, split.train, split.val, T),
    fingerprint: () => ({
      train: printRows(series.values, 0, split.train), val: printRows(series.values, split.train, split.train + split.val),
    }),
    record: () => ({
      kind: 'timeseries', source: resolve(path), columns: [...codec.stats], transform: codec.transform, season, split,
      date: series.date === null ? null : { column: series.date.column, step: series.date.step },
    }),
  }
}

const SEASON_FROM = {
  dates: ' (from the dates)', autocorrelation: ' (from the autocorrelation)', none: ' (no season found; --season sets one)',
}

/** Mean squared one-step error on the validation rows, on the normalised target scale, all columns. */
function validationLoss(
  model: Model, codec: SeriesCodec, values: readonly Float64Array[], trainRows: number, valRows: number, T: number,
): number {
  const k = codec.k
  const origins = Array.from({ length: valRows }, (_, i) => trainRows + i)
  const pred = rollingForecast(model, codec, values, origins, T, 1)
  const zp = new Float32Array(k), za = new Float32Array(k)
  let s = 0
  const rows = rowsOf(values)
  origins.forEach((r, b) => {
    codec.encodeTarget(zp, 0, rows, r - 1, pred.subarray(b * k, (b + 1) * k))
    codec.encodeTarget(za, 0, rows, r - 1)
    for (let j = 0; j < k; j++) s += (zp[j] - za[j]) ** 2
  })
  return s / (valRows * k)
}
