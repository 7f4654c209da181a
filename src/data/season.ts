/**
 * The season of a series: from the date step when the CSV has dates (12 monthly, 7 daily, 24 hourly),
 * else from the target's autocorrelation. The ACF is read on the last WINDOW training values (bounded
 * work: at most WINDOW × MAX_LAG products per transform, ~20 ms), after removing the linear trend and,
 * separately, after differencing: a trend makes the raw ACF decay slowly and its largest value sit at the
 * smallest lag, which is why the maximum over all lags is not the season. The season is the first lag
 * whose ACF is a clear peak: a local maximum, the largest within a quarter of its lag either side (daily
 * noise makes small ripples), above max(0.2, 2.5/√n), and at least 0.1 above the lowest value at smaller
 * lags. Of the two transforms the one with the higher peak wins; none: no season.
 */
import { seasonOfStep } from './dates.ts'
import type { Series } from './csv.ts'

const WINDOW = 8192
const MAX_LAG = 1000

/**
 * Calendar periods. A long period seen over a few cycles is measured a few percent off (the ACF of four
 * years of daily temperatures peaks at 358-361 days), while a season of that length is almost always the
 * calendar's; a peak within 3% of one is taken to be it.
 */
const CALENDAR = [7, 12, 24, 52, 168, 365]

/** seq_len when the config leaves it to the data: two seasons, within 16..64 steps. */
export function seqLenOfSeason(season: number): number {
  return Math.min(64, Math.max(16, 2 * season))
}

export interface Season { season: number; from: 'dates' | 'autocorrelation' | 'none' }

export function detectSeason(series: Series, trainRows: number): Season {
  const fromDate = series.date ? seasonOfStep(series.date.step) : null
  if (fromDate !== null && fromDate * 2 < trainRows) return { season: fromDate, from: 'dates' }
  const start = Math.max(0, trainRows - WINDOW - 1)
  const x = new Float64Array(trainRows - start)
  for (let i = start; i < trainRows; i++) x[i - start] = series.values[i][0]
  const p = acfSeason(x)
  return p === null ? { season: 1, from: 'none' } : { season: p, from: 'autocorrelation' }
}

/** The season of `x` by its autocorrelation (see the file comment), or null when there is no clear one. */
function acfSeason(x: Float64Array): number | null {
  if (x.length < 8) return null
  let best: { lag: number; r: number } | null = null
  for (const y of [detrend(x), difference(x)]) {
    const peak = firstPeak(acf(y, Math.min(MAX_LAG, Math.floor(y.length / 2))), y.length)
    if (peak !== null && (best === null || peak.r > best.r)) best = peak
  }
  if (best === null) return null
  const lag = best.lag
  return CALENDAR.find((c) => Math.abs(lag - c) <= 0.03 * c) ?? lag
}

/** r[0..L]: autocovariance at each lag over its n - lag pairs, divided by the variance (no decay with the lag). */
function acf(y: Float64Array, L: number): Float64Array {
  const n = y.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += y[i]
  mean /= n
  const d = y.map((v) => v - mean)
  let c0 = 0
  for (let i = 0; i < n; i++) c0 += d[i] * d[i]
  const r = new Float64Array(L + 1)
  if (!(c0 > 0)) return r
  for (let lag = 0; lag <= L; lag++) {
    let c = 0
    for (let i = lag; i < n; i++) c += d[i] * d[i - lag]
    r[lag] = c / (n - lag) / (c0 / n)
  }
  return r
}

function firstPeak(r: Float64Array, n: number): { lag: number; r: number } | null {
  const L = r.length - 1, floor = Math.max(0.2, 2.5 / Math.sqrt(n))
  let low = r[1]
  for (let p = 2; p < L; p++) {
    low = Math.min(low, r[p - 1])
    if (!(r[p] >= r[p - 1] && r[p] >= r[p + 1] && r[p] > floor && r[p] - low >= 0.1)) continue
    const rad = Math.max(1, p >> 2)
    let highest = true
    for (let q = Math.max(2, p - rad); q <= Math.min(L, p + rad) && highest; q++) if (r[q] > r[p]) highest = false
    if (highest) return { lag: p, r: r[p] }
  }
  return null
}

/** x minus its least-squares line. */
function detrend(x: Float64Array): Float64Array {
  const n = x.length
  let sx = 0, sy = 0, sxx = 0, sxy = 0
  for (let i = 0; i < n; i++) { sx += i; sy += x[i]; sxx += i * i; sxy += i * x[i] }
  const b = (n * sxy - sx * sy) / (n * sxx - sx * sx), a = (sy - b * sx) / n
  return x.map((v, i) => v - a - b * i)
}

function difference(x: Float64Array): Float64Array {
  return x.subarray(1).map((v, i) => v - x[i])
}
