/**
 * How rows of a CSV series become model inputs and targets, and predictions become values again.
 *
 *   level                    input z(v_t)                        target z(v_{t+1})             z(v) = (v - mean) / std
 *   difference               input [z(v_t), d(v_t - v_{t-1})]    target d(v_{t+1} - v_t)       d(Δ) = (Δ - Δmean) / Δstd
 *   seasonal-difference      difference at lag m (the season): target d(v_{t+1} - v_{t+1-m})
 *   log, log-difference, log-seasonal-difference: the same with the target column read as ln v
 *
 * With `difference` (the default) the model predicts the change from the last value, so a trend carries on
 * past the range seen in training (a tanh network cannot output levels it never saw), while the level input
 * keeps mean reversion learnable. The seasonal difference predicts the change from the same point one
 * season earlier, so a repeating pattern costs the model nothing to carry on (Box and Jenkins' seasonal
 * differencing). The log transforms turn a season whose swing grows with the level (airline passengers) into
 * one of constant size; they need a positive target and leave the feature columns as they are. All
 * statistics come from the training rows only, on the transformed values.
 */
import { UserError } from '../errors.ts'
import type { Series } from './csv.ts'

export const TRANSFORMS = ['difference', 'level', 'log', 'log-difference', 'seasonal-difference', 'log-seasonal-difference'] as const
export type Transform = (typeof TRANSFORMS)[number]
export interface ColumnStats { name: string; mean: number; std: number; diff_mean: number; diff_std: number }

/** Whether a transform models changes, and whether it reads the target column as its logarithm. */
export const differences = (t: Transform): boolean => t !== 'level' && t !== 'log'
export const logsTarget = (t: Transform): boolean => t.startsWith('log')
/** The lag of a transform's changes: the season for the seasonal ones, else 1. */
export const lagOf = (t: Transform, season: number): number => (t.endsWith('seasonal-difference') ? season : 1)

/** Row i of a series, wherever it comes from: the CSV, or forecasts fed back past the last known row. */
export type Rows = (i: number) => ArrayLike<number>
export const rowsOf = (values: readonly ArrayLike<number>[]): Rows => (i) => values[i]

export class SeriesCodec {
  readonly k: number
  readonly inputSize: number
  /** First row that has a full input vector (a change needs the row `lag` before). */
  readonly firstRow: number
  readonly lag: number
  private readonly diff: boolean
  private readonly log: boolean

  /** `season` sets the lag of the seasonal transforms (the checkpoint's data.season). */
  constructor(readonly stats: readonly ColumnStats[], readonly transform: Transform, season = 1) {
    this.k = stats.length
    this.diff = differences(transform)
    this.log = logsTarget(transform)
    this.lag = lagOf(transform, season)
    this.inputSize = this.diff ? 2 * this.k : this.k
    this.firstRow = this.diff ? this.lag : 0
  }

  /** Column j's value on the scale the model works in. */
  private g(j: number, v: number): number { return j === 0 && this.log ? Math.log(v) : v }
  private gInv(j: number, u: number): number { return j === 0 && this.log ? Math.exp(u) : u }

  /** The input of the step that reads row i. */
  encodeInput(out: Float32Array, o: number, rows: Rows, i: number): void {
    const s = this.stats, k = this.k, v = rows(i)
    for (let j = 0; j < k; j++) out[o + j] = (this.g(j, v[j]) - s[j].mean) / s[j].std
    if (!this.diff) return
    const p = rows(i - this.lag)
    for (let j = 0; j < k; j++) out[o + k + j] = (this.g(j, v[j]) - this.g(j, p[j]) - s[j].diff_mean) / s[j].diff_std
  }

  /** The target of the step that reads row i: row `next` (row i + 1 unless given) encoded relative to rows ≤ i. */
  encodeTarget(out: Float32Array, o: number, rows: Rows, i: number, next: ArrayLike<number> = rows(i + 1)): void {
    const s = this.stats
    const base = this.diff ? rows(i + 1 - this.lag) : null
    for (let j = 0; j < this.k; j++) {
      const n = this.g(j, next[j])
      out[o + j] = base !== null ? (n - this.g(j, base[j]) - s[j].diff_mean) / s[j].diff_std : (n - s[j].mean) / s[j].std
    }
  }

  /** Row i + 1 in original units from the model's output y[o..o+k) at the step that read row i. */
  decode(out: Float64Array, y: Float32Array, o: number, rows: Rows, i: number): void {
    const s = this.stats
    const base = this.diff ? rows(i + 1 - this.lag) : null
    for (let j = 0; j < this.k; j++)
      out[j] = this.gInv(j, base !== null
        ? this.g(j, base[j]) + y[o + j] * s[j].diff_std + s[j].diff_mean
        : y[o + j] * s[j].std + s[j].mean)
  }
}

/**
 * A log transform needs a positive target on every row it reads: the first row that is not names its line.
 */
export function checkLogDomain(series: Series, transform: Transform): void {
  if (!logsTarget(transform)) return
  const v = series.values
  for (let i = 0; i < series.rows; i++)
    if (!(v[i][0] > 0)) {
      throw new UserError(`${series.path}:${series.lines[i]}: column "${series.columns[0]}" is ${v[i][0]}; `
        + `--transform ${transform} needs a positive target (use difference or level)`)
    }
}

/** Mean and standard deviation of every column and of its differences at `lag` over rows [0, trainRows). */
export function fitStats(
  names: readonly string[], values: readonly Float64Array[], trainRows: number, where: string, lines?: readonly number[],
  transform: Transform = 'difference', lag = 1,
): ColumnStats[] {
  const log = logsTarget(transform)
  return names.map((name, j) => {
    const at = j === 0 && log ? (i: number) => Math.log(values[i][j]) : (i: number) => values[i][j]
    const lv = meanStd(0, trainRows, at)
    const df = meanStd(lag, trainRows, (i) => at(i) - at(i - lag))
    if (![lv.mean, lv.std, df.mean, df.std].every(Number.isFinite)) {
      let big = 0
      for (let i = 1; i < trainRows; i++) if (Math.abs(values[i][j]) > Math.abs(values[big][j])) big = i
      const at = `${where}${lines ? `:${lines[big]}` : ''}`
      throw new UserError(`${at}: column "${name}": ${values[big][j]} is too large to normalise (the column's variance overflows); `
        + 'rescale the column')
    }
    if (!(lv.std > 1e-12 * Math.max(1, Math.abs(lv.mean)))) {
      throw new UserError(`${where}: column "${name}" is constant over the training rows (${lv.mean}); `
        + 'it cannot be normalised or learned')
    }
    return { name, mean: lv.mean, std: lv.std, diff_mean: df.mean, diff_std: df.std > 0 ? df.std : lv.std }
  })
}

/**
 * Every value of `series` encodes to a finite float32 with these statistics: a value far outside the
 * training rows' scale (1e302 among numbers near 1, say) would become ±Infinity in the model's input and a
 * NaN in every result after it.
 */
export function checkScale(series: Series, stats: readonly ColumnStats[], transform: Transform, lag = 1): void {
  checkLogDomain(series, transform)
  const v = series.values, log = logsTarget(transform)
  const bad = (z: number) => !Number.isFinite(Math.fround(z))
  const g = (i: number, j: number) => (j === 0 && log ? Math.log(v[i][j]) : v[i][j])
  for (let i = 0; i < series.rows; i++)
    for (let j = 0; j < stats.length; j++) {
      const s = stats[j]
      if (!bad((g(i, j) - s.mean) / s.std) && (i < lag || !bad((g(i, j) - g(i - lag, j) - s.diff_mean) / s.diff_std))) continue
      const scale = `the training rows' mean ${s.mean} and standard deviation ${s.std}`
      throw new UserError(`${series.path}:${series.lines[i]}: column "${s.name}": ${v[i][j]} is out of range: `
        + `normalised by ${scale} it overflows a 32-bit float; rescale the column`)
    }
}

function meanStd(from: number, to: number, at: (i: number) => number): { mean: number; std: number } {
  let s = 0
  for (let i = from; i < to; i++) s += at(i)
  const n = Math.max(1, to - from), mean = s / n
  let v = 0
  for (let i = from; i < to; i++) v += (at(i) - mean) ** 2
  return { mean, std: Math.sqrt(v / n) }
}
