/**
 * Prediction intervals for a forecaster from its own past errors (empirical, split-conformal style): the
 * model forecasts `h` rows ahead from every earlier origin whose targets are known, and the quantiles of its
 * errors at step k give the band around a new forecast's step k. No distribution is assumed; the errors are
 * those of the very model and transform being used, so a band widens with the horizon by itself.
 *
 * `rnn sample --horizon` calibrates on every origin of the file it forecasts from; `rnn eval` on the origins
 * before the test rows only, then reports how often the test rows fell inside (coverage) and the mean
 * interval score (Gneiting & Raftery 2007: width plus 2/α times each miss; lower is better).
 */
import { logsTarget, type SeriesCodec } from '../data/codec.ts'
import { rollingForecast, type Forecaster } from './rolling-forecast.ts'

export const DEFAULT_LEVELS = [80, 95]
/** Latest origins calibrated on: bounds the work on long files; recent errors describe the model best. */
const MAX_ORIGINS = 1000
/** Fewer errors than this at a step give no band (a 95% band needs at least a few dozen to mean much). */
export const MIN_ERRORS = 10

interface Calibration {
  levels: number[]
  /** origins forecast from */
  origins: number
  /** errors per step (steps 1..h), sorted ascending */
  errors: Float64Array[]
  /** residual quantiles per level and step: the band is forecast + [lower, upper] */
  lower: number[][]
  upper: number[][]
}

/**
 * Calibrates on the forecasts from every origin o in [first, end) whose step-k target o+k-1 is before
 * `end` (the latest MAX_ORIGINS of them); null when a step has fewer than MIN_ERRORS errors.
 */
export function calibrate(
  model: Forecaster, codec: SeriesCodec, T: number, values: readonly ArrayLike<number>[], end: number, h: number, levels: readonly number[],
): Calibration | null {
  const k = codec.k, scale = errorScale(codec)
  const first = Math.max(T + codec.firstRow, end - MAX_ORIGINS)
  if (end - first < MIN_ERRORS + h - 1) return null
  const origins = Array.from({ length: end - first }, (_, i) => first + i)
  const pred = rollingForecast(model, codec, values, origins, T, h)
  const N = origins.length
  const errors: Float64Array[] = []
  for (let step = 1; step <= h; step++) {
    const usable = N - (step - 1) // origins whose step-k row lies before end
    const e = new Float64Array(usable)
    for (let b = 0; b < usable; b++) e[b] = scale.to(values[origins[b] + step - 1][0]) - scale.to(pred[((step - 1) * N + b) * k])
    errors.push(e.sort())
  }
  return {
    levels: [...levels], origins: N, errors,
    lower: levels.map((L) => errors.map((e) => quantile(e, (1 - L / 100) / 2))),
    upper: levels.map((L) => errors.map((e) => quantile(e, (1 + L / 100) / 2))),
  }
}

/**
 * Errors are taken where the model works: in logs for the log transforms (so a band is a ratio and grows with
 * the level), in the target's units otherwise.
 */
function errorScale(codec: SeriesCodec): { to: (v: number) => number; from: (u: number) => number } {
  return logsTarget(codec.transform) ? { to: Math.log, from: Math.exp } : { to: (v) => v, from: (u) => u }
}

/** The band of level index l around forecast p at step k (1-based). */
export function band(cal: Calibration, codec: SeriesCodec, l: number, step: number, p: number): [number, number] {
  const s = errorScale(codec), u = s.to(p)
  return [s.from(u + cal.lower[l][step - 1]), s.from(u + cal.upper[l][step - 1])]
}

/** The p-quantile of sorted values, linearly interpolated between order statistics (R's type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  const x = (n - 1) * p, i = Math.floor(x), f = x - i
  return i + 1 < n ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[n - 1]
}

/** Running coverage and interval score of one level's bands. */
export class IntervalScore {
  private inside = 0; private score = 0; private n = 0
  constructor(readonly level: number) {}
  add(actual: number, lo: number, hi: number): void {
    const alpha = 1 - this.level / 100
    if (actual >= lo && actual <= hi) this.inside++
    this.score += hi - lo + (2 / alpha) * (Math.max(0, lo - actual) + Math.max(0, actual - hi))
    this.n++
  }
  result(): { level: number; coverage: number; interval_score: number } {
    return { level: this.level, coverage: this.inside / this.n, interval_score: this.score / this.n }
  }
}
