/**
 * Losses with their gradients fused into the same pass, as PyTorch defines them (golden README §2):
 *
 *   cross_entropy  loss = (1/N) Σ_n (logsumexp(y_n) - y_n[k_n])     ∂/∂y_n = (softmax(y_n) - onehot(k_n)) / N
 *   mse            loss = (1/n) Σ_i (y_i - t_i)²                    ∂/∂y_i = 2 (y_i - t_i) / n
 *
 * N counts positions (T*B); a target of -1 is ignored (an out-of-vocabulary character in eval) and not
 * counted. Sums run in float64 so a long sequence's mean does not drift.
 */

/** exp(y_j - max) of the current row, kept in float64 so dlogits gets the same bits as recomputing it. */
let rowExp = new Float64Array(0)

/** Mean cross-entropy over the counted positions; writes dlogits when given. Returns NaN if none count. */
export function crossEntropy(logits: Float32Array, targets: Int32Array, N: number, V: number, dlogits: Float32Array | null): number {
  let counted = 0
  for (let n = 0; n < N; n++) if (targets[n] >= 0) counted++
  let total = 0
  const inv = 1 / counted
  if (rowExp.length < V) rowExp = new Float64Array(V)
  const e = rowExp
  for (let n = 0; n < N; n++) {
    const o = n * V, k = targets[n]
    if (k < 0) {
      if (dlogits !== null) dlogits.fill(0, o, o + V)
      continue
    }
    let max = -Infinity
    for (let j = 0; j < V; j++) if (logits[o + j] > max) max = logits[o + j]
    let sum = 0
    for (let j = 0; j < V; j++) { const v = Math.exp(logits[o + j] - max); e[j] = v; sum += v }
    total += Math.log(sum) + max - logits[o + k]
    if (dlogits !== null) {
      const scale = inv / sum
      for (let j = 0; j < V; j++) dlogits[o + j] = e[j] * scale
      dlogits[o + k] -= inv
    }
  }
  return total / counted
}

/** Mean squared error over n elements; writes dpred when given. */
export function mse(pred: Float32Array, target: Float32Array, n: number, dpred: Float32Array | null): number {
  let total = 0
  const scale = 2 / n
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i]
    total += d * d
    if (dpred !== null) dpred[i] = scale * d
  }
  return total / n
}
