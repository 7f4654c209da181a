/**
 * Finite-difference gradient checking: the analytic gradient of backward() against central differences
 * of the loss, entry by entry, for any flat float32 buffer the loss reads (parameters, inputs, state).
 *
 *   numeric = (L(p + ε) − L(p − ε)) / (fl(p + ε) − fl(p − ε))
 *
 * The denominator is the step the float32 buffer actually took, not 2ε: p ± ε is rounded to float32 on
 * store, which changes the step by up to ulp(p): 0.002% at |p| ≈ 1 but 0.5% at |p| ≈ 256 (ε = 3e-3). And
 * the difference of two float32 values is exact in float64, so the realised step costs nothing.
 */
import type { Rng } from './rng.ts'

interface GradCheckOptions {
  /** The buffer being perturbed; the loss must read it on every call. */
  params: Float32Array
  /** dL/dparams in the same layout, from one backward() at the unperturbed point. */
  grad: Float32Array
  /**
   * Recomputes the loss from scratch at the current contents of params (no backward needed). Must be a
   * deterministic function of params: reset any state the forward consumes (carried h/c, a dropout RNG).
   */
  lossAt: () => number
  indices: readonly number[]
  /**
   * Half-step. Truncation error grows as ε², float32 rounding noise in the loss as 1/ε; on small models
   * their sum bottoms out between 3e-3 and 1e-2, and the smaller end crosses fewer ReLU kinks.
   */
  eps?: number
}

export interface GradCheckResult {
  index: number
  analytic: number
  numeric: number
  absErr: number
  /** absErr / max(|analytic|, |numeric|); 0 when both are 0. */
  relErr: number
}

export function gradCheck(opts: GradCheckOptions): GradCheckResult[] {
  const { params, grad, lossAt, indices } = opts
  const eps = opts.eps ?? 3e-3
  // lossAt() usually reruns forward, which may reuse buffers that grad is a view of (dh0, dx): read every
  // analytic value before the first perturbation.
  const analytic = indices.map((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= params.length) throw new Error(`gradCheck: index ${i} outside [0, ${params.length})`)
    return grad[i]
  })
  const out: GradCheckResult[] = []
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    const p = params[i]
    params[i] = p + eps
    const up = params[i]
    const lossUp = lossAt()
    params[i] = p - eps
    const down = params[i]
    const lossDown = lossAt()
    // p came out of the float32 buffer, so writing it back restores the exact bits
    params[i] = p
    const numeric = (lossUp - lossDown) / (up - down)
    const a = analytic[k]
    const absErr = Math.abs(numeric - a)
    const scale = Math.max(Math.abs(a), Math.abs(numeric))
    out.push({ index: i, analytic: a, numeric, absErr, relErr: scale === 0 ? 0 : absErr / scale })
  }
  return out
}

/**
 * Up to k distinct indices in [offset, offset + n), ascending, drawn with `rng` so a failing check can be
 * rerun on the same entries. Returns all n of them when k ≥ n.
 */
export function sampleIndices(rng: Rng, n: number, k: number, offset = 0): number[] {
  const all = Array.from({ length: n }, (_, i) => offset + i)
  if (k >= n) return all
  // partial Fisher-Yates: the first k slots end up a uniform sample without replacement
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i)
    const t = all[i]; all[i] = all[j]; all[j] = t
  }
  return all.slice(0, k).sort((a, b) => a - b)
}

/**
 * The entries that fail |numeric − analytic| ≤ atol + rtol·|analytic|. NaN counts as a failure, so a loss
 * that blows up under perturbation is not silently accepted.
 */
export function gradCheckFailures(results: readonly GradCheckResult[], atol: number, rtol: number): GradCheckResult[] {
  return results.filter((r) => !(r.absErr <= atol + rtol * Math.abs(r.analytic)))
}
