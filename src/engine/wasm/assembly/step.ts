/**
 * The training step's loops outside the model's products: cross-entropy with its gradient, and Adam.
 * Pointers are byte addresses; ids are i32.
 */
import { exp1, exp4 } from './math'

/**
 * Softmax cross-entropy per row of logits [N][V] with targets [N] (-1: ignored). For a counted row it
 * writes rows[2n] = Σ exp(y - max) and rows[2n+1] = max, from which the caller forms the loss in
 * float64 (log needs no wasm), and unless dlogits is 0, dlogits = softmax · inv - inv at the target
 * (inv = 1 / counted rows). An ignored row gets zeros.
 */
export function xent(logits: usize, targets: usize, dlogits: usize, rows: usize, N: i32, V: i32, inv: f32): void {
  const V4 = V & ~3, row = <usize>V << 2
  for (let n = 0; n < N; n++) {
    const y = logits + <usize>n * row, d = dlogits + <usize>n * row
    const k = load<i32>(targets + (<usize>n << 2))
    if (k < 0) {
      if (dlogits != 0) memory.fill(d, 0, row)
      store<f32>(rows + (<usize>n << 3), 1)
      store<f32>(rows + (<usize>n << 3), 0, 4)
      continue
    }
    let mx = load<f32>(y)
    for (let j = 1; j < V; j++) mx = max(mx, load<f32>(y + (<usize>j << 2)))
    const mv = f32x4.splat(mx)
    let sv = f32x4.splat(0), s: f32 = 0
    let j = 0
    for (; j < V4; j += 4) {
      const e = exp4(f32x4.sub(v128.load(y + (<usize>j << 2)), mv))
      sv = f32x4.add(sv, e)
      if (dlogits != 0) v128.store(d + (<usize>j << 2), e)
    }
    for (; j < V; j++) {
      const e = exp1(load<f32>(y + (<usize>j << 2)) - mx)
      s += e
      if (dlogits != 0) store<f32>(d + (<usize>j << 2), e)
    }
    const sum = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3) + s
    store<f32>(rows + (<usize>n << 3), sum)
    store<f32>(rows + (<usize>n << 3), mx, 4)
    if (dlogits == 0) continue
    const scale = inv / sum, sc = f32x4.splat(scale)
    for (j = 0; j < V4; j += 4) v128.store(d + (<usize>j << 2), f32x4.mul(v128.load(d + (<usize>j << 2)), sc))
    for (; j < V; j++) store<f32>(d + (<usize>j << 2), load<f32>(d + (<usize>j << 2)) * scale)
    const dk = d + (<usize>k << 2)
    store<f32>(dk, load<f32>(dk) - inv)
  }
}

/**
 * torch.optim.Adam over n entries, in float64 exactly as src/engine/optim.ts computes it in JS (same
 * operations in the same order, each rounded to float32 where JS stores to a Float32Array), so both
 * give the same bits: m = β1·m + c1·g, v = β2·v + c2·g·g, p -= stepSize·m / (√v / bc2Sqrt + eps).
 */
export function adam(
  p: usize, g: usize, m: usize, v: usize, n: i32, b1: f64, c1: f64, b2: f64, c2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64,
): void {
  const B1 = f64x2.splat(b1), C1 = f64x2.splat(c1), B2 = f64x2.splat(b2), C2 = f64x2.splat(c2)
  const S = f64x2.splat(stepSize), Q = f64x2.splat(bc2Sqrt), E = f64x2.splat(eps)
  const n2 = n & ~1
  let i = 0
  for (; i < n2; i += 2) {
    const o = <usize>i << 2
    const gi = f64x2.promote_low_f32x4(v128.load64_zero(g + o))
    const mi = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(B1, f64x2.promote_low_f32x4(v128.load64_zero(m + o))), f64x2.mul(C1, gi)))
    const vi = f32x4.demote_f64x2_zero(
      f64x2.add(f64x2.mul(B2, f64x2.promote_low_f32x4(v128.load64_zero(v + o))), f64x2.mul(f64x2.mul(C2, gi), gi)))
    v128.store64_lane(m + o, mi, 0)
    v128.store64_lane(v + o, vi, 0)
    const upd = f64x2.div(f64x2.mul(S, f64x2.promote_low_f32x4(mi)), f64x2.add(f64x2.div(f64x2.sqrt(f64x2.promote_low_f32x4(vi)), Q), E))
    const pi = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p + o)), upd))
    v128.store64_lane(p + o, pi, 0)
  }
  for (; i < n; i++) {
    const o = <usize>i << 2
    const gi = <f64>load<f32>(g + o)
    const mi = <f32>(b1 * <f64>load<f32>(m + o) + c1 * gi)
    const vi = <f32>(b2 * <f64>load<f32>(v + o) + c2 * gi * gi)
    store<f32>(m + o, mi)
    store<f32>(v + o, vi)
    store<f32>(p + o, <f32>(<f64>load<f32>(p + o) - (stepSize * <f64>mi) / (Math.sqrt(<f64>vi) / bc2Sqrt + eps)))
  }
}
