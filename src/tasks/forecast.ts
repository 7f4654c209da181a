/**
 * Using a time-series model: rolling forecasts past the end of a CSV, and evaluation on its held-out test
 * rows next to the two baselines every forecaster checks first, naive (the last value) and seasonal naive
 * (the value one season earlier), in RMSE, MAE, sMAPE and MASE, in the target's original units.
 */
import { UserError } from '../errors.ts'
import { readSeries, type Series } from '../data/csv.ts'
import { addSteps, formatDate } from '../data/dates.ts'
import { defaultTestSize } from '../data/series.ts'
import { rollingForecast, type Forecaster } from './rolling-forecast.ts'
import { ensembleOf } from '../model/checkpoint/load.ts'
import { etsForecast, fitEts, type EtsFit } from './ets.ts'
import { band, calibrate, DEFAULT_LEVELS, IntervalScore } from './intervals.ts'
import { checkScale, SeriesCodec } from '../data/codec.ts'
import type { Checkpoint, SeriesMeta } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'

type SeriesCheckpoint = Checkpoint & { data: SeriesMeta }

/** The CSV at `path` read with the options the model was trained with, columns checked against it. */
export function readForModel(ck: SeriesCheckpoint, path: string): Series {
  const c = ck.config
  const series = readSeries(path, {
    target: c.target!, features: c.features, delimiter: c.delimiter, header: c.header, fill: c.fill, decimal: c.decimal,
    thousands: c.thousands,
  })
  const want = ck.data.columns.map((x) => x.name).join(', ')
  if (series.columns.join(', ') !== want)
    throw new UserError(`${path}: columns ${series.columns.join(', ')} differ from the model's ${want}`)
  checkScale(series, ck.data.columns, ck.data.transform, ck.data.season)
  return series
}

export interface ForecastRow { date: string | null; step: number; value: number }

/** The codec the model was trained with. */
export function codecOf(ck: SeriesCheckpoint): SeriesCodec {
  return new SeriesCodec(ck.data.columns, ck.data.transform, ck.data.season)
}

/** What forecasts for a checkpoint: its model, or with an ensemble's other members, all of them. */
export function forecasterOf(ck: SeriesCheckpoint, model: Model): Forecaster {
  return ck.members === undefined ? model : ensembleOf(ck, model)
}

/** The next `horizon` values of the target after the last row of `series`, from its last seq_len rows. */
export function forecast(model: Model, ck: SeriesCheckpoint, series: Series, horizon: number): ForecastRow[] {
  const T = ck.config.seq_len!, codec = codecOf(ck), k = codec.k
  const need = T + codec.firstRow
  if (series.rows < need)
    throw new UserError(`${series.path}: ${series.rows} rows; the model reads ${need} rows of context to forecast (seq_len ${T})`)
  const pred = rollingForecast(forecasterOf(ck, model), codec, series.values, [series.rows], T, horizon)
  const last = series.date?.values[series.rows - 1]
  return Array.from({ length: horizon }, (_, h) => ({
    step: h + 1,
    date: series.date && last !== undefined ? formatDate(addSteps(last, series.date.step, h + 1), series.date.step) : null,
    value: pred[h * k],
  }))
}

export interface Metrics { rmse: number; mae: number; smape: number; mase: number }
interface Baselines { model: Metrics; naive: Metrics; seasonal_naive: Metrics; ets: Metrics }
/** The exponential smoothing variant eval chose, in the ETS(error, trend, season) naming (A additive, M multiplicative, N none). */
interface EtsSummary { name: string; trend: string; season: string; alpha: number; beta: number; gamma: number; fit_rows: number }
interface IntervalResult { level: number; coverage: number; interval_score: number }
export interface SeriesEval {
  season: number; horizon: number; test_rows: number
  one_step: Baselines
  multi_step: Baselines
  ets: EtsSummary
  /** the model's prediction intervals on the test rows (intervals.ts), null when too few rows precede them */
  intervals: { calibration_origins: number; one_step: IntervalResult[]; multi_step: IntervalResult[] } | null
}

function etsSummary(f: EtsFit): EtsSummary {
  const letter = (x: string) => (x === 'add' ? 'A' : x === 'mul' ? 'M' : 'N')
  return {
    name: `ETS(A,${letter(f.trend)},${letter(f.season)})`, trend: f.trend, season: f.season, alpha: f.alpha, beta: f.beta, gamma: f.gamma,
    fit_rows: f.rows,
  }
}

/**
 * Metrics on the last `testSize` rows. One step: row t is predicted from rows t-T..t-1 (naive: row t-1,
 * seasonal naive: row t-s). Multi-step: from every origin o in the test rows with o+n-1 inside them, the
 * model forecasts rows o..o+n-1 feeding its own predictions back (naive: row o-1 for all of them, seasonal
 * naive: row o+h-1 - s·ceil(h/s) at step h); errors are pooled over every origin and step.
 * Exponential smoothing (ets.ts) is fitted on every row before the test rows, then run through them with its
 * parameters fixed, forecasting from the same origins.
 * MASE divides the MAE by the mean absolute seasonal difference of the training rows.
 */
export function evaluateSeries(
  model: Model, ck: SeriesCheckpoint, series: Series,
  o: { testSize: number | null; horizon: number; trainRows: number | null; ets?: EtsFit; levels?: readonly number[] },
): SeriesEval {
  const T = ck.config.seq_len!, codec = codecOf(ck), k = codec.k, s = ck.data.season, n = o.horizon
  const test = o.testSize ?? defaultTestSize(series.rows, s)
  const start = series.rows - test
  const trainRows = o.trainRows ?? start
  const need = Math.max(T + codec.firstRow, s)
  if (start < need) {
    throw new UserError(`${series.path}: ${series.rows} rows leave ${start} before the ${test} test rows; `
      + `at least ${need} are needed (seq_len ${T}, season ${s})`)
  }
  if (n > test) throw new UserError(`--horizon: ${n} is longer than the ${test} test rows`)
  const y = series.values.map((r) => r[0])
  let scale = 0
  for (let t = s; t < trainRows; t++) scale += Math.abs(y[t] - y[t - s])
  scale /= Math.max(1, trainRows - s)
  const ets = o.ets ?? fitEts(y.slice(0, start), s)
  // bands calibrated on the forecasts from origins before the test rows only
  const f = forecasterOf(ck, model)
  const cal = calibrate(f, codec, T, series.values, start, n, o.levels ?? DEFAULT_LEVELS)

  const run = (h: number) => {
    const origins = Array.from({ length: test - h + 1 }, (_, i) => start + i)
    const pred = rollingForecast(f, codec, series.values, origins, T, h)
    // errors pooled as they come: no per-prediction arrays (origins × h of them)
    const smooth = etsForecast(ets, y, origins, h)
    const m = new ErrorSums(), nv = new ErrorSums(), sn = new ErrorSums(), es = new ErrorSums()
    const bands = cal === null ? [] : cal.levels.map((L) => new IntervalScore(L))
    origins.forEach((org, b) => {
      for (let step = 1; step <= h; step++) {
        const row = org + step - 1, p = pred[((step - 1) * origins.length + b) * k]
        m.add(y[row], p)
        bands.forEach((score, l) => score.add(y[row], ...band(cal!, codec, l, step, p)))
        es.add(y[row], smooth[(step - 1) * origins.length + b])
        nv.add(y[row], y[org - 1])
        sn.add(y[row], y[row - s * Math.ceil(step / s)])
      }
    })
    return {
      metrics: { model: m.metrics(scale), naive: nv.metrics(scale), seasonal_naive: sn.metrics(scale), ets: es.metrics(scale) },
      bands: bands.map((x) => x.result()),
    }
  }
  const one = run(1), multi = run(n)
  return {
    season: s, horizon: n, test_rows: test, one_step: one.metrics, multi_step: multi.metrics, ets: etsSummary(ets),
    intervals: cal === null ? null : { calibration_origins: cal.origins, one_step: one.bands, multi_step: multi.bands },
  }
}

export function metrics(actual: readonly number[], pred: readonly number[], scale: number): Metrics {
  const sums = new ErrorSums()
  for (let i = 0; i < actual.length; i++) sums.add(actual[i], pred[i])
  return sums.metrics(scale)
}

/** Running sums of squared, absolute and symmetric-percentage errors, in the order the pairs are added. */
class ErrorSums {
  private se = 0; private ae = 0; private sm = 0; private n = 0
  add(actual: number, pred: number): void {
    const e = pred - actual
    this.se += e * e
    this.ae += Math.abs(e)
    const d = Math.abs(actual) + Math.abs(pred)
    this.sm += d === 0 ? 0 : (2 * Math.abs(e)) / d
    this.n++
  }
  metrics(scale: number): Metrics {
    const N = this.n
    return { rmse: Math.sqrt(this.se / N), mae: this.ae / N, smape: (100 * this.sm) / N, mase: this.ae / N / scale }
  }
}
