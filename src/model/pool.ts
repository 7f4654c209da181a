/**
 * The classifier's head: the top layer's h_1..h_len of each sequence pooled into one vector, then the
 * linear head and a (class-weighted) cross-entropy over the labels, all per sequence rather than per step.
 *
 *   last   p_b = h_{len_b}
 *   mean   p_b = (1/len_b) Σ_{t ≤ len_b} h_t
 *   max    p_b[j] = max_{t ≤ len_b} h_t[j]      (the gradient goes to the first step reaching the max)
 *   y_b    = head.weight · p_b + head.bias
 *   loss   = Σ_b w_{k_b} CE(y_b, k_b) / Σ_b w_{k_b}      (PyTorch's weighted mean; w = 1 without --balance)
 *
 * Steps at or after len_b (padding) are never read, and their dL/dh is 0, so a padded batch gives the
 * same pooled vectors and gradients as the sequences run one by one.
 */

export const POOLS = ['last', 'mean', 'max'] as const
export type Pool = (typeof POOLS)[number]

/**
 * h: [T+1][B][H] with row 0 the initial state (LayerBuffers.h); pooled [B][H] out; argmax [B][H] out
 * (the step t, 0-based, each max came from; max pooling only).
 */
export function poolForward(
  pool: Pool, h: Float32Array, lengths: Int32Array, T: number, B: number, H: number, pooled: Float32Array, argmax: Int32Array,
): void {
  const BH = B * H
  for (let b = 0; b < B; b++) {
    const len = lengths[b]
    if (len < 1 || len > T) throw new Error(`sequence ${b}: length ${len} outside 1..${T}`)
    const out = b * H
    if (pool === 'last') {
      const at = len * BH + b * H
      for (let j = 0; j < H; j++) pooled[out + j] = h[at + j]
    } else if (pool === 'mean') {
      for (let j = 0; j < H; j++) {
        let s = 0
        for (let t = 1; t <= len; t++) s += h[t * BH + b * H + j]
        pooled[out + j] = s / len
      }
    } else {
      for (let j = 0; j < H; j++) {
        let best = h[BH + b * H + j], at = 0
        for (let t = 2; t <= len; t++) {
          const v = h[t * BH + b * H + j]
          if (v > best) { best = v; at = t - 1 }
        }
        pooled[out + j] = best
        argmax[out + j] = at
      }
    }
  }
}

/** dh [T][B][H] (LayerBuffers.dh, direct gradient) gets dL/dh_t from dpooled [B][H]; every other entry 0. */
export function poolBackward(
  pool: Pool, dpooled: Float32Array, lengths: Int32Array, argmax: Int32Array, T: number, B: number, H: number, dh: Float32Array,
): void {
  const BH = B * H
  dh.fill(0, 0, T * BH)
  for (let b = 0; b < B; b++) {
    const len = lengths[b], from = b * H
    if (pool === 'last') {
      const at = (len - 1) * BH + b * H
      for (let j = 0; j < H; j++) dh[at + j] = dpooled[from + j]
    } else if (pool === 'mean') {
      for (let j = 0; j < H; j++) {
        const g = dpooled[from + j] / len
        for (let t = 0; t < len; t++) dh[t * BH + b * H + j] = g
      }
    } else {
      for (let j = 0; j < H; j++) dh[argmax[from + j] * BH + b * H + j] = dpooled[from + j]
    }
  }
}

/**
 * Weighted mean cross-entropy of B rows of C logits against labels (all ≥ 0); writes dlogits when given.
 * Sums run in float64.
 */
export function classCrossEntropy(
  logits: Float32Array, labels: Int32Array, B: number, C: number, weights: Float32Array | null, dlogits: Float32Array | null,
): number {
  let wsum = 0
  for (let b = 0; b < B; b++) wsum += weights === null ? 1 : weights[labels[b]]
  const e = new Float64Array(C)
  let total = 0
  for (let b = 0; b < B; b++) {
    const o = b * C, k = labels[b]
    if (k < 0 || k >= C) throw new Error(`label ${k} outside 0..${C - 1}`)
    const w = weights === null ? 1 : weights[k]
    let max = -Infinity
    for (let j = 0; j < C; j++) if (logits[o + j] > max) max = logits[o + j]
    let sum = 0
    for (let j = 0; j < C; j++) { e[j] = Math.exp(logits[o + j] - max); sum += e[j] }
    total += w * (Math.log(sum) + max - logits[o + k])
    if (dlogits !== null) {
      const scale = w / wsum / sum
      for (let j = 0; j < C; j++) dlogits[o + j] = e[j] * scale
      dlogits[o + k] -= w / wsum
    }
  }
  return total / wsum
}

/** Softmax of each row of C logits, in float64, into `out` (may be logits itself). */
export function softmaxRows(logits: Float32Array, rows: number, C: number, out: Float32Array | Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C
    let max = -Infinity
    for (let j = 0; j < C; j++) if (logits[o + j] > max) max = logits[o + j]
    let sum = 0
    for (let j = 0; j < C; j++) sum += Math.exp(logits[o + j] - max)
    for (let j = 0; j < C; j++) out[o + j] = Math.exp(logits[o + j] - max) / sum
  }
}
