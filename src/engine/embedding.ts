/**
 * nn.Embedding: each position reads the row of its id from W [V][E] (PyTorch's embedding.weight), and the
 * backward pass adds each position's gradient into that row. An id of -1 (a character outside the
 * vocabulary, at eval) reads the zero vector and adds nothing.
 *
 *   out[n] = W[ids[n]]                 [N][E]
 *   gW[ids[n]] += dout[n]
 */

export function embeddingForward(out: Float32Array, ids: Int32Array, W: Float32Array, N: number, E: number): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n]
    if (id < 0) out.fill(0, n * E, (n + 1) * E)
    else out.set(W.subarray(id * E, (id + 1) * E), n * E)
  }
}

/** Accumulates (+=) into gW; positions are added in order, so the result does not depend on the kernels. */
export function embeddingBackward(gW: Float32Array, dout: Float32Array, ids: Int32Array, N: number, E: number): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n]
    if (id < 0) continue
    const o = n * E, r = id * E
    for (let k = 0; k < E; k++) gW[r + k] += dout[o + k]
  }
}
