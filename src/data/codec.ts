/**
 * How rows of a CSV series become model inputs and targets, and predictions become values again.
 *
 *   level                    input z(v_t)                        target z(v_{t+1})             z(v) = (v - mean) / std
 *   difference               input [z(v_t), d(v_t - v_{t-1})]    target d(v_{t+1} - v_t)       d(Δ) = (Δ - Δmean) / Δstd
 *   seasonal-difference      difference at lag m (the season): target d(v_{t+1} - v_{t+1-m})
 *   log, log-difference, log-seasonal-difference: the same with the target column read as ln v
 *   es                       on u = ln v: input [z(u_t - a_t), d(u_t - b_t)]         target d(u_{t+1} - b_{t+1})
 *                            a_t: the mean of u over the season ending at t (the level); s_t: the mean of
 *                            u_q - a_q at q = t - m, t - 2m, t - 3m (the seasonal index); b_t = a_{t-1} + s_t
 *
 * With `difference` (the default) the model predicts the change from the last value, so a trend carries on
 * past the range seen in training (a tanh network cannot output levels it never saw), while the level input
 * keeps mean reversion learnable. The seasonal difference predicts the change from the same point one
 * season earlier, so a repeating pattern costs the model nothing to carry on (Box and Jenkins' seasonal
 * differencing). The log transforms turn a season whose swing grows with the level (airline passengers) into
 * one of constant size; they need a positive target and leave the feature columns as they are. `es` divides
 * the target by a smoothed level and a multiplicative seasonal index, as Smyl's ES-RNN (M4, 2018) normalises
 * each series, so the network learns only what the level and season leave over; both are read from the rows
 * before (so forecasts fed back extend them, on any file, whatever season it starts in), the features take
 * first differences. All statistics come from the training rows only, on the transformed values.
 */
import { UserError } from '../errors.ts'
import type { Series } from './csv.ts'

export const TRANSFORMS = [
  'difference', 'level', 'log', 'log-difference', 'seasonal-difference', 'log-seasonal-difference', 'es',
] as const
export type Transform = (typeof TRANSFORMS)[number]
export interface ColumnStats { name: string; mean: number; std: number; diff_mean: number; diff_std: number }

/** Whether a transform models changes, and whether it reads the target column as its logarithm. */
export const differences = (t: Transform): boolean => t !== 'level' && t !== 'log'
export const logsTarget = (t: Transform): boolean => t.startsWith('log') || t === 'es'
/** The lag of a transform's changes: the season for the seasonal ones, else 1 (es: the features'). */
export const lagOf = (t: Transform, season: number): number => (t.endsWith('seasonal-difference') ? season : 1)
/** The first row with a full input vector: a change needs the row `lag` before; es needs two seasons of rows. */
export const firstRowOf = (t: Transform, season: number): number =>
  (t === 'es' ? 2 * season : differences(t) ? lagOf(t, season) : 0)
/** es: seasonal indices are averaged over up to this many earlier seasons. */
const ES_SEASONS = 3

/** Row i of a series, wherever it comes from: the CSV, or forecasts fed back past the last known row. */
export type Rows = (i: number) => ArrayLike<number>
export const rowsOf = (values: readonly ArrayLike<number>[]): Rows => (i) => values[i]

export class SeriesCodec {
  readonly k: number
  readonly inputSize: number
  /** First row that has a full input vector. */
  readonly firstRow: number
  readonly lag: number
  private readonly diff: boolean
  private readonly log: boolean
  private readonly es: boolean
  private readonly season: number

  /** `season` sets the lag of the seasonal transforms and es's season (the checkpoint's data.season). */
  constructor(readonly stats: readonly ColumnStats[], readonly transform: Transform, season = 1) {
    this.k = stats.length
    this.diff = differences(transform)
    this.log = logsTarget(transform)
    this.es = transform === 'es'
    this.season = season
    this.lag = lagOf(transform, season)
    this.inputSize = this.diff ? 2 * this.k : this.k
    this.firstRow = firstRowOf(transform, season)
  }

  /** Column j's value on the scale the model works in. */
  private g(j: number, v: number): number { return j === 0 && this.log ? Math.log(v) : v }
  private gInv(j: number, u: number): number { return j === 0 && this.log ? Math.exp(u) : u }

  /** es: ln of the level at row i, the mean of the log target over the season that ends there. */
  private lnLevel(rows: Rows, i: number): number {
    let s = 0
    for (let q = i - this.season + 1; q <= i; q++) s += Math.log(rows(q)[0])
    return s / this.season
  }

  /** es: ln of row r's seasonal index, the log ratio to the level at the same point of earlier seasons. */
  private lnSeasonal(rows: Rows, r: number): number {
    let s = 0, n = 0
    for (let q = r - this.season; q >= this.season - 1 && n < ES_SEASONS; q -= this.season, n++)
      s += Math.log(rows(q)[0]) - this.lnLevel(rows, q)
    return s / n
  }

  /** The value of column j at row i on the input's level channel (es: the log target relative to its level). */
  level(j: number, rows: Rows, i: number): number {
    const u = this.g(j, rows(i)[j])
    return j === 0 && this.es ? u - this.lnLevel(rows, i) : u
  }

  /**
   * What column j's change at row r is measured from, read from rows before r only: the row `lag` back, or for
   * es's target the level at r - 1 times r's seasonal index (a Holt-Winters-like forecast of row r).
   */
  base(j: number, rows: Rows, r: number): number {
    if (j === 0 && this.es) return this.lnLevel(rows, r - 1) + this.lnSeasonal(rows, r)
    return this.g(j, rows(r - this.lag)[j])
  }

  /** Column j's change at row i (its value on the model's scale less its base). */
  change(j: number, rows: Rows, i: number): number { return this.g(j, rows(i)[j]) - this.base(j, rows, i) }

  /** The first rows with a level and with a change of column j. */
  levelFrom(j: number): number { return j === 0 && this.es ? this.season - 1 : 0 }
  changeFrom(j: number): number { return j === 0 && this.es ? 2 * this.season : this.lag }

  /** The input of the step that reads row i. */
  encodeInput(out: Float32Array, o: number, rows: Rows, i: number): void {
    const s = this.stats, k = this.k
    for (let j = 0; j < k; j++) out[o + j] = (this.level(j, rows, i) - s[j].mean) / s[j].std
    if (!this.diff) return
    for (let j = 0; j < k; j++) out[o + k + j] = (this.change(j, rows, i) - s[j].diff_mean) / s[j].diff_std
  }

  /** The target of the step that reads row i: row `next` (row i + 1 unless given) encoded relative to rows ≤ i. */
  encodeTarget(out: Float32Array, o: number, rows: Rows, i: number, next: ArrayLike<number> = rows(i + 1)): void {
    const s = this.stats
    for (let j = 0; j < this.k; j++) {
      const n = this.g(j, next[j])
      out[o + j] = this.diff ? (n - this.base(j, rows, i + 1) - s[j].diff_mean) / s[j].diff_std : (n - s[j].mean) / s[j].std
    }
  }

  /** Row i + 1 in original units from the model's output y[o..o+k) at the step that read row i. */
  decode(out: Float64Array, y: Float32Array, o: number, rows: Rows, i: number): void {
    const s = this.stats
    for (let j = 0; j < this.k; j++)
      out[j] = this.gInv(j, this.diff
        ? this.base(j, rows, i + 1) + y[o + j] * s[j].diff_std + s[j].diff_mean
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

/**
 * Mean and standard deviation of every column's two input channels over the training rows [0, trainRows): its
 * level and its change, each from the first row that has one.
 */
export function fitStats(
  names: readonly string[], values: readonly Float64Array[], trainRows: number, where: string, lines?: readonly number[],
  transform: Transform = 'difference', season = 1,
): ColumnStats[] {
  const raw = new SeriesCodec(names.map((name) => ({ name, mean: 0, std: 1, diff_mean: 0, diff_std: 1 })), transform, season)
  const rows = rowsOf(values)
  return names.map((name, j) => {
    const lv = meanStd(raw.levelFrom(j), trainRows, (i) => raw.level(j, rows, i))
    const df = meanStd(raw.changeFrom(j), trainRows, (i) => raw.change(j, rows, i))
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
export function checkScale(series: Series, stats: readonly ColumnStats[], transform: Transform, season = 1): void {
  checkLogDomain(series, transform)
  const codec = new SeriesCodec(stats, transform, season), rows = rowsOf(series.values), v = series.values
  const ok = (z: number) => Number.isFinite(Math.fround(z))
  for (let i = 0; i < series.rows; i++)
    for (let j = 0; j < stats.length; j++) {
      const s = stats[j]
      if ((i < codec.levelFrom(j) || ok((codec.level(j, rows, i) - s.mean) / s.std))
        && (i < codec.changeFrom(j) || ok((codec.change(j, rows, i) - s.diff_mean) / s.diff_std))) continue
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
