/**
 * Gradient inspection: how far back in time does the loss reach? One forward and one backward pass over
 * a window, then per layer l and step t (symbols as in test/fixtures/golden/README.md):
 *
 *   dh_norm[t]           ‖∂S/∂h_t‖       the TOTAL state gradient (golden dh_total): direct + recurrent paths
 *   dc_norm[t]           ‖∂S/∂c_t‖       LSTM only (golden dc_total)
 *   whh_contrib_norm[t]  ‖Σ_b dhh_{t,b} ⊗ h_{t-1,b}‖_F   step t's term of ∂S/∂W_hh, dhh = ∂S/∂(W_hh h + b_hh)
 *                        (the Jordan cell: of ∂S/∂W_yh, with ŷ_{t-1} in place of h_{t-1})
 *
 * These are read straight from the engine's buffers after backward (LayerBuffers.dh, dc, dhh, hAt), so
 * what is shown is exactly what training uses; test/inspect/gradients.test.ts checks them against PyTorch.
 *
 * S is the loss of one window: its last step's loss (`last`) or the SUM of its per-step losses (`all`).
 * The engine's losses are means over the counted positions (cross-entropy) or elements (MSE), so the
 * gradients it leaves are those of S/scale and are multiplied back by `scale` here. B windows run as B
 * independent streams of one batch; each window's norms are per-example norms, and the series is their
 * mean over windows.
 *
 * This file is the maths only: it takes a model and ready-made inputs (ids or dense values) and never
 * reads files, so a CSV source only has to build a Window (see source.ts for text).
 */
import type { Model, State } from '../model/model.ts'

export type LossAt = 'last' | 'all'

/** B windows of T steps, time-major: ids [T][B] or values [T][B][I]; targets ids [T][B] or values [T][B][O]. */
export interface Window {
  readonly x: Int32Array | Float32Array
  readonly targets: Int32Array | Float32Array
  readonly T: number
  readonly B: number
}

/** One quantity's norms from one backward pass: over the whole batch [T] and per example [T][B]. */
interface Norms { readonly overBatch: Float64Array; readonly perExample: Float64Array }

interface LayerNorms { readonly dh: Norms; readonly dc: Norms | null; readonly whh: Norms }

/** One layer's series, averaged over the windows; numbers are plain arrays for JSON. */
export interface GradientSeries {
  layer: number
  dh_norm: number[]
  dc_norm: number[] | null
  whh_contrib_norm: number[]
  /** Fitted factor per step going BACK in time (< 1: gradients shrink); null if nothing to fit. */
  decay_per_step: number | null
}

export interface GradientInspection { loss: number; series: GradientSeries[] }

/**
 * Forward from `state` (left holding h_T, as in training), zeroed parameter gradients, backward, then
 * the norms of every layer's total state gradients. With the golden inputs, `overBatch` is the golden
 * `*_norm_over_batch` and `perExample` the golden `*_norm_per_example`.
 */
export function stateGradNorms(
  model: Model, x: Int32Array | Float32Array, targets: Int32Array | Float32Array, T: number, B: number, state: State,
): { loss: number; layers: LayerNorms[] } {
  return backwardNorms(model, model.forward(x, targets, T, B, state), T, B)
}

/** stateGradNorms after its forward pass (with targets, `loss` its result): the backward pass and the norms. */
function backwardNorms(model: Model, loss: number, T: number, B: number): { loss: number; layers: LayerNorms[] } {
  model.params.grad.fill(0) // backward accumulates; the parameter gradients themselves are not read here
  model.backward()
  const layers: LayerNorms[] = []
  for (let l = 0; l < model.spec.num_layers; l++) {
    const s = model.layer(l), H = s.H, GH = s.G * H, r = model.recurrentInput(l)
    layers.push({
      dh: rowNorms(s.dh, T, B, H),
      dc: model.cell.hasC ? rowNorms(s.dc, T, B, H) : null,
      whh: outerNorms(s.dhh, r.values, T, B, GH, r.width),
    })
  }
  return { loss, layers }
}

/** L2 norm of each [B][W] slice (over the batch) and of each row (per example) of a [T][B][W] buffer. */
function rowNorms(v: Float32Array, T: number, B: number, W: number): Norms {
  const overBatch = new Float64Array(T), perExample = new Float64Array(T * B)
  for (let t = 0; t < T; t++) {
    let tot = 0
    for (let b = 0; b < B; b++) {
      const s = dot(v, v, (t * B + b) * W, (t * B + b) * W, W)
      perExample[t * B + b] = Math.sqrt(s)
      tot += s
    }
    overBatch[t] = Math.sqrt(tot)
  }
  return { overBatch, perExample }
}

/**
 * Step t's term of dW_hh = Σ_t Σ_b a_{t,b} ⊗ u_{t,b}, with a = dhh [T][B][GH] and u = h_{t-1}, i.e. rows
 * 0..T-1 of h [T+1][B][H] (for the Jordan cell's W_yh, of ŷ [T+1][B][O]: H is the width of u). Its
 * Frobenius norm² is Σ_b Σ_b' (a_b·a_b')(u_b·u_b') without forming the matrix; per example it is ‖a_b‖·‖u_b‖.
 */
function outerNorms(a: Float32Array, u: Float32Array, T: number, B: number, GH: number, H: number): Norms {
  const overBatch = new Float64Array(T), perExample = new Float64Array(T * B)
  for (let t = 0; t < T; t++) {
    let tot = 0
    for (let b = 0; b < B; b++) {
      const ab = (t * B + b) * GH, ub = (t * B + b) * H
      perExample[t * B + b] = Math.sqrt(dot(a, a, ab, ab, GH) * dot(u, u, ub, ub, H))
      for (let b2 = 0; b2 < B; b2++)
        tot += dot(a, a, ab, (t * B + b2) * GH, GH) * dot(u, u, ub, (t * B + b2) * H, H)
    }
    overBatch[t] = Math.sqrt(Math.max(0, tot))
  }
  return { overBatch, perExample }
}

function dot(p: Float32Array, q: Float32Array, i: number, j: number, n: number): number {
  let s = 0
  for (let k = 0; k < n; k++) s += p[i + k] * q[j + k]
  return s
}

/**
 * The targets the engine sees so that only the chosen steps carry a loss. Cross-entropy: ids of -1 are
 * ignored (src/engine/loss.ts). MSE has no ignore value, so masked steps get the model's own prediction
 * as target (zero residual, zero gradient), which needs one extra forward pass from the same state.
 */
function lossTargets(model: Model, w: Window, lossAt: LossAt): Int32Array | Float32Array {
  // a classifier's loss is at its head, once per sequence: its targets are the B labels
  if (lossAt === 'all' || model.spec.pool !== undefined) return w.targets
  const { T, B } = w
  const last = (T - 1) * B
  if (model.spec.loss === 'cross_entropy') {
    const t = Int32Array.from(w.targets as Int32Array)
    t.fill(-1, 0, last)
    return t
  }
  const O = model.spec.output_size
  model.forward(w.x, null, T, B, model.zeroState(B))
  const t = Float32Array.from(w.targets as Float32Array)
  t.set(model.outputs().subarray(0, last * O))
  return t
}

/**
 * `scale` turns the engine's mean loss L into the per-window losses: L = Σ_b S_b / scale. Cross-entropy
 * divides by the counted positions; MSE by T·B·O elements, and a window's S is then the sum over its
 * steps of the per-step mean over the O outputs (PyTorch's MSELoss per step), so scale = T·B.
 */
function lossScale(model: Model, targets: Int32Array | Float32Array, T: number, B: number): number {
  if (model.spec.loss === 'mse' || model.spec.pool !== undefined) return model.spec.pool !== undefined ? B : T * B
  let counted = 0
  for (let i = 0; i < targets.length; i++) if (targets[i] >= 0) counted++
  return counted
}

/** Every layer's per-step gradient norms for the loss of each window, from a zero state, averaged over windows. */
export function inspectGradients(model: Model, w: Window, lossAt: LossAt): GradientInspection {
  return forwardForInspection(model, w, lossAt).finish()
}

/**
 * inspectGradients in two halves: its forward pass now (the model's buffers then hold the window's
 * activations and `state` the state after its last step: the explorer's views read them), the backward
 * pass and the norms on finish(), which needs the model's buffers as the forward left them.
 */
export function forwardForInspection(model: Model, w: Window, lossAt: LossAt): { state: State; finish(): GradientInspection } {
  const { T, B } = w
  const targets = lossTargets(model, w, lossAt)
  const scale = lossScale(model, targets, T, B)
  const state = model.zeroState(B), loss = model.forward(w.x, targets, T, B, state)
  return { state, finish: () => seriesOf(backwardNorms(model, loss, T, B), T, B, scale) }
}

function seriesOf(r: ReturnType<typeof backwardNorms>, T: number, B: number, scale: number): GradientInspection {
  const mean = (n: Norms): number[] => {
    const out: number[] = []
    for (let t = 0; t < T; t++) {
      let s = 0
      for (let b = 0; b < B; b++) s += n.perExample[t * B + b]
      out.push((s / B) * scale)
    }
    return out
  }
  const series = r.layers.map((l, layer): GradientSeries => {
    const dh = mean(l.dh)
    return {
      layer, dh_norm: dh, dc_norm: l.dc === null ? null : mean(l.dc), whh_contrib_norm: mean(l.whh),
      decay_per_step: fitDecay(dh)?.factor ?? null,
    }
  })
  return { loss: (r.loss * scale) / B, series }
}

/** Exponential fit of a norm series: log(norm_t) ≈ a + slope·t by least squares. */
interface DecayFit {
  /** exp(-slope): the factor per step going back in time (< 1 vanishing, > 1 growing). */
  readonly factor: number
  readonly slope: number
  /** Steps for the norm to halve (factor < 1) or double (factor > 1) going back; Infinity if flat. */
  readonly steps: number
  /** Points used: the finite, positive norms (an exact 0 has no logarithm and is left out). */
  readonly points: number
}

export function fitDecay(norms: ArrayLike<number>): DecayFit | null {
  let n = 0, st = 0, sy = 0, stt = 0, sty = 0
  for (let t = 0; t < norms.length; t++) {
    const v = norms[t]
    if (!(v > 0) || !Number.isFinite(v)) continue
    const y = Math.log(v)
    n++; st += t; sy += y; stt += t * t; sty += t * y
  }
  const den = n * stt - st * st
  if (n < 2 || den === 0) return null
  const slope = (n * sty - st * sy) / den
  const factor = Math.exp(-slope)
  return { factor, slope, steps: slope === 0 ? Infinity : Math.LN2 / Math.abs(slope), points: n }
}

/** Below this ratio of first-step to last-step norm, gradients count as vanished. */
export const VANISHING_RATIO = 1e-6

export interface SeriesSummary {
  first: number; last: number
  /** first / last: how much of the last step's gradient survives back to step 0. */
  ratio: number
  fit: DecayFit | null
  vanishing: boolean
  /** Growing going back in time (factor > 1), or a non-finite value anywhere. */
  exploding: boolean
  nonFinite: boolean
}

export function summarize(norms: readonly number[]): SeriesSummary {
  const first = norms[0], last = norms[norms.length - 1]
  const nonFinite = norms.some((v) => !Number.isFinite(v))
  const fit = fitDecay(norms)
  const ratio = first / last
  return {
    first, last, ratio, fit, nonFinite,
    vanishing: Number.isFinite(ratio) && ratio < VANISHING_RATIO,
    exploding: nonFinite || (fit !== null && fit.factor > 1),
  }
}
