/**
 * Holt-Winters exponential smoothing, the classical forecaster `rnn eval` shows next to naive and seasonal
 * naive: level, optional additive trend, optional additive or multiplicative season of period m.
 *
 *   forecast    ŷ_t = (l + b) + s_{t-m}            (additive season;  (l + b) · s_{t-m} multiplicative)
 *   level       l_t = α (y_t − s_{t-m}) + (1 − α)(l + b)         (y_t / s_{t-m} multiplicative)
 *   trend       b_t = β (l_t − l) + (1 − β) b
 *   season      s_t = γ (y_t − l − b) + (1 − γ) s_{t-m}           (y_t / (l + b) multiplicative)
 *
 * with l, b the states after the previous row (statsmodels' ExponentialSmoothing recursions). α, β, γ and
 * the initial states are fitted together by least squares on the one-step errors of the fitting rows: the
 * sum of squares is differentiated by hand through the recursion (backpropagation through time, the same
 * idea as the RNN's, on a three-state linear recurrence) and minimised by L-BFGS. Of the variants, the one
 * with the lowest AICc wins. scripts/ets_reference.py checks the result against statsmodels.
 */
import { minimize } from './lbfgs.ts'

type EtsTrend = 'none' | 'add'
type EtsSeason = 'none' | 'add' | 'mul'
interface EtsSpec { trend: EtsTrend; season: EtsSeason; m: number }
export interface EtsFit extends EtsSpec {
  alpha: number; beta: number; gamma: number
  /** initial level and trend, and the m seasonal states before the first row (oldest first) */
  level: number; slope: number; seasonal: number[]
  /** least-squares AIC with the small-sample correction, as R's forecast::ets ranks its models */
  sse: number; aicc: number; rows: number
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u))
const logit = (p: number) => Math.log(p / (1 - p))

/** The variants worth trying on `y`: always without a season; a season needs two full periods, a multiplicative one positive values. */
export function etsCandidates(y: ArrayLike<number>, m: number): EtsSpec[] {
  let positive = true
  for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) positive = false
  const seasons: EtsSeason[] = m > 1 && y.length >= 2 * m ? (positive ? ['none', 'add', 'mul'] : ['none', 'add']) : ['none']
  return seasons.flatMap((season) => (['none', 'add'] as const).map((trend) => ({ trend, season, m: season === 'none' ? 1 : m })))
}

/** The variant with the lowest AICc among etsCandidates, fitted on `y`. */
export function fitEts(y: ArrayLike<number>, m: number): EtsFit {
  if (y.length < 3) throw new RangeError(`exponential smoothing needs at least 3 rows, got ${y.length}`)
  let best: EtsFit | null = null
  for (const spec of etsCandidates(y, m)) {
    const fit = fitEtsSpec(y, spec)
    if (best === null || fit.aicc < best.aicc) best = fit
  }
  return best!
}

/** One variant fitted by least squares; parameters packed as [logit α, logit β?, logit γ?, l0, b0?, s0...]. */
export function fitEtsSpec(y: ArrayLike<number>, spec: EtsSpec): EtsFit {
  // fitted in units of the mean absolute value, so that states and smoothing logits have similar scales
  let scale = 0
  for (let i = 0; i < y.length; i++) scale += Math.abs(y[i])
  scale = scale / y.length || 1
  const z = Float64Array.from(y as ArrayLike<number>, (v) => v / scale)
  const layout = new Layout(spec)
  const objective = (p: Float64Array, g: Float64Array) => sse(z, spec, layout, p, g)
  // the sum of squares has several local minima (and flat regions near α = 1): like statsmodels, start from
  // the best points of a coarse grid of smoothing values and keep the best result
  let x = layout.start(z, 0.5, 0.2, 0.2), best = Infinity
  for (const start of gridStarts(z, layout)) {
    const r = minimize(objective, start, { maxIter: 400 })
    if (r.f < best) { best = r.f; x = r.x }
  }
  const f = layout.unpack(x)
  const err = sse(z, spec, layout, x, null) * scale * scale
  const n = y.length
  // one seasonal state is redundant (a constant moves between level and season without changing a forecast)
  const k = x.length - (spec.season === 'none' ? 0 : 1)
  const mul = spec.season === 'mul'
  return {
    ...spec, alpha: f.alpha, beta: f.beta, gamma: f.gamma,
    level: f.level * scale, slope: f.slope * scale, seasonal: f.seasonal.map((s) => (mul ? s : s * scale)),
    sse: err, rows: n, aicc: aicc(err, n, k),
  }
}

function aicc(sse: number, n: number, k: number): number {
  const aic = n * Math.log(Math.max(sse, 1e-300) / n) + 2 * k
  return n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Infinity
}

/** Where each parameter sits in the packed vector. */
class Layout {
  readonly iBeta: number; readonly iGamma: number; readonly iLevel: number; readonly iSlope: number; readonly iSeason: number
  readonly size: number
  constructor(readonly spec: EtsSpec) {
    let i = 1
    this.iBeta = spec.trend === 'add' ? i++ : -1
    this.iGamma = spec.season !== 'none' ? i++ : -1
    this.iLevel = i++
    this.iSlope = spec.trend === 'add' ? i++ : -1
    this.iSeason = i
    this.size = i + (spec.season !== 'none' ? spec.m : 0)
  }
  unpack(p: ArrayLike<number>) {
    const s = this.spec, alpha = sigmoid(p[0])
    return {
      // the usual region (Hyndman et al. 2008, and statsmodels' bounds): 0 < β < α, 0 < γ < 1 − α
      alpha, beta: this.iBeta >= 0 ? alpha * sigmoid(p[this.iBeta]) : 0,
      gamma: this.iGamma >= 0 ? (1 - alpha) * sigmoid(p[this.iGamma]) : 0,
      level: p[this.iLevel], slope: this.iSlope >= 0 ? p[this.iSlope] : 0,
      seasonal: s.season === 'none' ? [] : Array.from({ length: s.m }, (_, j) => p[this.iSeason + j]),
    }
  }
  /** statsmodels' heuristic start: the first season's mean, the change of means per row, ratios or differences. */
  start(z: Float64Array, alpha: number, betaShare: number, gammaShare: number): Float64Array {
    const s = this.spec, m = s.season === 'none' ? Math.min(z.length >> 1, 12) || 1 : s.m
    const mean = (a: number, b: number) => { let t = 0; for (let i = a; i < b; i++) t += z[i]; return t / (b - a) }
    const p = new Float64Array(this.size)
    const first = mean(0, m)
    p[0] = logit(alpha)
    if (this.iBeta >= 0) p[this.iBeta] = logit(betaShare)
    if (this.iGamma >= 0) p[this.iGamma] = logit(gammaShare)
    p[this.iLevel] = first
    if (this.iSlope >= 0) p[this.iSlope] = z.length >= 2 * m ? (mean(m, 2 * m) - first) / m : 0
    for (let j = 0; s.season !== 'none' && j < s.m; j++) p[this.iSeason + j] = s.season === 'mul' ? z[j] / first : z[j] - first
    return p
  }
}

/** The least-squares objective of one variant on `z` (exported for the finite-difference test). */
export function etsLoss(z: Float64Array, spec: EtsSpec): { size: number; value: (p: Float64Array, grad: Float64Array | null) => number } {
  const layout = new Layout(spec)
  return { size: layout.size, value: (p, grad) => sse(z, spec, layout, p, grad) }
}

/** The three best points of a grid over α, β/α and γ/(1 − α), initial states from the heuristic. */
function gridStarts(z: Float64Array, layout: Layout): Float64Array[] {
  const alphas = [0.1, 0.3, 0.5, 0.7, 0.9], betas = layout.iBeta >= 0 ? [0.05, 0.3] : [0.5]
  const gammas = layout.iGamma >= 0 ? [0.1, 0.5, 0.9] : [0.5]
  const points: { p: Float64Array; f: number }[] = []
  for (const a of alphas) for (const b of betas) for (const g of gammas) {
    const p = layout.start(z, a, b, g)
    points.push({ p, f: sse(z, layout.spec, layout, p, null) })
  }
  points.sort((u, v) => u.f - v.f)
  return points.slice(0, 3).map((q) => q.p)
}

/** Sum of squared one-step errors over `z`; with `grad`, its gradient with respect to the packed parameters. */
function sse(z: Float64Array, spec: EtsSpec, L: Layout, p: ArrayLike<number>, grad: Float64Array | null): number {
  const n = z.length, m = spec.m, hasTrend = spec.trend === 'add', season = spec.season, mul = season === 'mul'
  const { alpha: a, beta: bt, gamma: g, level, slope, seasonal } = L.unpack(p)
  const lv = new Float64Array(n + 1), tr = new Float64Array(n + 1), ss = new Float64Array(n + m)
  lv[0] = level; tr[0] = slope
  for (let j = 0; j < seasonal.length; j++) ss[j] = seasonal[j]
  let total = 0
  for (let t = 0; t < n; t++) {
    const l = lv[t], b = tr[t], P = l + b, S = season === 'none' ? (mul ? 1 : 0) : ss[t], y = z[t]
    const e = y - (mul ? P * S : P + S)
    total += e * e
    const l1 = mul ? a * (y / S) + (1 - a) * P : a * (y - S) + (1 - a) * P
    lv[t + 1] = l1
    tr[t + 1] = hasTrend ? bt * (l1 - l) + (1 - bt) * b : 0
    if (season !== 'none') ss[t + m] = mul ? g * (y / P) + (1 - g) * S : g * (y - P) + (1 - g) * S
  }
  if (!Number.isFinite(total)) return Infinity
  if (grad === null) return total
  // backward through the recursion, last row first; gl, gb, gs hold the adjoints of the states
  grad.fill(0)
  const gs = new Float64Array(n + m)
  let gl = 0, gb = 0, ga = 0, gB = 0, gG = 0
  for (let t = n - 1; t >= 0; t--) {
    const l = lv[t], b = tr[t], P = l + b, S = season === 'none' ? (mul ? 1 : 0) : ss[t], y = z[t], l1 = lv[t + 1]
    const e = y - (mul ? P * S : P + S), gy = -2 * e
    let gl1 = gl, gL = 0, gP = 0, gS = 0
    if (hasTrend) { gl1 += bt * gb; gL -= bt * gb; gB += gb * (l1 - l - b) }
    const gbOld = hasTrend ? (1 - bt) * gb : 0
    if (mul) {
      ga += gl1 * (y / S - P); gS -= a * (y / (S * S)) * gl1; gP += (1 - a) * gl1
    } else {
      ga += gl1 * (y - S - P); gS -= a * gl1; gP += (1 - a) * gl1
    }
    if (season !== 'none') {
      const gs1 = gs[t + m]
      if (mul) { gG += gs1 * (y / P - S); gP -= g * (y / (P * P)) * gs1; gS += (1 - g) * gs1 }
      else { gG += gs1 * (y - P - S); gP -= g * gs1; gS += (1 - g) * gs1 }
    }
    if (mul) { gP += gy * S; gS += gy * P } else { gP += gy; gS += gy }
    gl = gL + gP
    gb = gbOld + gP
    if (season !== 'none') gs[t] += gS
  }
  // through the packing: β = α·σ(u_β), γ = (1 − α)·σ(u_γ)
  const da = a * (1 - a)
  grad[0] = ga * da
  if (L.iBeta >= 0) { const r = bt / a; grad[0] += gB * r * da; grad[L.iBeta] = gB * a * r * (1 - r) }
  if (L.iGamma >= 0) { const r = g / (1 - a); grad[0] -= gG * r * da; grad[L.iGamma] = gG * (1 - a) * r * (1 - r) }
  grad[L.iLevel] = gl
  if (L.iSlope >= 0) grad[L.iSlope] = gb
  for (let j = 0; j < seasonal.length; j++) grad[L.iSeason + j] = gs[j]
  return total
}

/**
 * Runs a fitted model through `y` with its parameters fixed and returns, for each origin o (0 < o ≤ y.length),
 * the forecasts of rows o..o+h-1 made from the states after row o-1: out[(k-1)·origins.length + i] for step k
 * of origin i (the layout rollingForecast uses).
 */
export function etsForecast(fit: EtsFit, y: ArrayLike<number>, origins: readonly number[], h: number): Float64Array {
  const { m, alpha: a, beta: bt, gamma: g, season } = fit
  const mul = season === 'mul', hasTrend = fit.trend === 'add'
  const last = Math.max(...origins)
  const lv = new Float64Array(last + 1), tr = new Float64Array(last + 1), ss = new Float64Array(last + m)
  lv[0] = fit.level; tr[0] = fit.slope
  for (let j = 0; j < fit.seasonal.length; j++) ss[j] = fit.seasonal[j]
  for (let t = 0; t < last; t++) {
    const l = lv[t], b = tr[t], P = l + b, S = season === 'none' ? (mul ? 1 : 0) : ss[t]
    const l1 = mul ? a * (y[t] / S) + (1 - a) * P : a * (y[t] - S) + (1 - a) * P
    lv[t + 1] = l1
    tr[t + 1] = hasTrend ? bt * (l1 - l) + (1 - bt) * b : 0
    if (season !== 'none') ss[t + m] = mul ? g * (y[t] / P) + (1 - g) * S : g * (y[t] - P) + (1 - g) * S
  }
  const out = new Float64Array(origins.length * h)
  origins.forEach((o, i) => {
    for (let k = 1; k <= h; k++) {
      const base = lv[o] + k * tr[o]
      // the latest seasonal state of row o+k-1's phase that row o-1 has seen
      const S = season === 'none' ? 0 : ss[o + k - 1 - m * Math.ceil(k / m) + m]
      out[(k - 1) * origins.length + i] = season === 'none' ? base : mul ? base * S : base + S
    }
  })
  return out
}
