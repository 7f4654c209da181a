/**
 * The four matrix products of a recurrent net, in PyTorch's Linear layout: a weight is [M][K]
 * (out_features × in_features) and the N rows of x / out are positions (T*B of them, or B for one step).
 *
 *   matmul           out  = x · wᵀ + b        [N][M]   forward of a Linear / input projection
 *   matmulAdd        out += x · wᵀ            [N][M]   recurrent term h_{t-1} W_hhᵀ
 *   matmulBackwardX  dx  += dout · w          [N][K]   gradient to a layer's input
 *   matmulBackwardW  dw  += doutᵀ · x         [M][K]   weight gradient, one product over all T*B rows
 *                    db  += Σ_n dout[n]
 *
 * Each is a 4×4 register tile (16 accumulators held in locals) with scalar loops for the fringe:
 * about 4× a plain triple loop in V8. The *Naive twins are the reference the tests compare against.
 * Backward kernels accumulate (+=); their callers own the zeroing.
 *
 * These are the portable implementation ('js' in kernels.ts) and the reference for the wasm one;
 * sums run in float64 (JS numbers), so they are also the more accurate of the two.
 */

export function matmul(out: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, N: number, K: number, M: number): void {
  if (b === null) out.fill(0, 0, N * M)
  else for (let n = 0; n < N; n++) out.set(b, n * M)
  matmulAdd(out, x, w, N, K, M)
}

export function matmulAdd(out: Float32Array, x: Float32Array, w: Float32Array, N: number, K: number, M: number): void {
  const N4 = N - (N % 4), M4 = M - (M % 4)
  for (let n = 0; n < N4; n += 4) {
    const x0 = n * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K
    for (let m = 0; m < M4; m += 4) {
      const w0 = m * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0
      for (let k = 0; k < K; k++) {
        const a0 = x[x0 + k], a1 = x[x1 + k], a2 = x[x2 + k], a3 = x[x3 + k]
        const b0 = w[w0 + k], b1 = w[w1 + k], b2 = w[w2 + k], b3 = w[w3 + k]
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3
      }
      let o = n * M + m
      out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03; o += M
      out[o] += s10; out[o + 1] += s11; out[o + 2] += s12; out[o + 3] += s13; o += M
      out[o] += s20; out[o + 1] += s21; out[o + 2] += s22; out[o + 3] += s23; o += M
      out[o] += s30; out[o + 1] += s31; out[o + 2] += s32; out[o + 3] += s33
    }
    for (let r = n; r < n + 4; r++) dotRange(out, x, w, r, M4, M, K, M)
  }
  for (let r = N4; r < N; r++) dotRange(out, x, w, r, 0, M, K, M)
}

/** out[r][m] += x[r] · w[m] for m in [m0, m1): the fringe of matmulAdd. */
function dotRange(out: Float32Array, x: Float32Array, w: Float32Array, r: number, m0: number, m1: number, K: number, M: number): void {
  const xr = r * K
  for (let m = m0; m < m1; m++) {
    const wm = m * K
    let s = 0
    for (let k = 0; k < K; k++) s += x[xr + k] * w[wm + k]
    out[r * M + m] += s
  }
}

export function matmulBackwardX(dx: Float32Array, dout: Float32Array, w: Float32Array, N: number, K: number, M: number): void {
  const N4 = N - (N % 4), K4 = K - (K % 4)
  for (let n = 0; n < N4; n += 4) {
    const d0 = n * M, d1 = d0 + M, d2 = d1 + M, d3 = d2 + M
    for (let k = 0; k < K4; k += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0
      for (let m = 0; m < M; m++) {
        const a0 = dout[d0 + m], a1 = dout[d1 + m], a2 = dout[d2 + m], a3 = dout[d3 + m]
        const wm = m * K + k
        const b0 = w[wm], b1 = w[wm + 1], b2 = w[wm + 2], b3 = w[wm + 3]
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3
      }
      let o = n * K + k
      dx[o] += s00; dx[o + 1] += s01; dx[o + 2] += s02; dx[o + 3] += s03; o += K
      dx[o] += s10; dx[o + 1] += s11; dx[o + 2] += s12; dx[o + 3] += s13; o += K
      dx[o] += s20; dx[o + 1] += s21; dx[o + 2] += s22; dx[o + 3] += s23; o += K
      dx[o] += s30; dx[o + 1] += s31; dx[o + 2] += s32; dx[o + 3] += s33
    }
    for (let r = n; r < n + 4; r++) axpyRange(dx, dout, w, r, K4, K, K, M)
  }
  for (let r = N4; r < N; r++) axpyRange(dx, dout, w, r, 0, K, K, M)
}

/** dx[r][k] += Σ_m dout[r][m] w[m][k] for k in [k0, k1): the fringe of matmulBackwardX. */
function axpyRange(dx: Float32Array, dout: Float32Array, w: Float32Array, r: number, k0: number, k1: number, K: number, M: number): void {
  for (let k = k0; k < k1; k++) {
    let s = 0
    for (let m = 0; m < M; m++) s += dout[r * M + m] * w[m * K + k]
    dx[r * K + k] += s
  }
}

export function matmulBackwardW(dw: Float32Array, db: Float32Array | null, dout: Float32Array, x: Float32Array, N: number, K: number, M: number): void {
  const M4 = M - (M % 4), K4 = K - (K % 4)
  for (let m = 0; m < M4; m += 4) {
    for (let k = 0; k < K4; k += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0
      for (let n = 0; n < N; n++) {
        const dn = n * M + m, xn = n * K + k
        const a0 = dout[dn], a1 = dout[dn + 1], a2 = dout[dn + 2], a3 = dout[dn + 3]
        const b0 = x[xn], b1 = x[xn + 1], b2 = x[xn + 2], b3 = x[xn + 3]
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3
      }
      let o = m * K + k
      dw[o] += s00; dw[o + 1] += s01; dw[o + 2] += s02; dw[o + 3] += s03; o += K
      dw[o] += s10; dw[o + 1] += s11; dw[o + 2] += s12; dw[o + 3] += s13; o += K
      dw[o] += s20; dw[o + 1] += s21; dw[o + 2] += s22; dw[o + 3] += s23; o += K
      dw[o] += s30; dw[o + 1] += s31; dw[o + 2] += s32; dw[o + 3] += s33
    }
    for (let r = m; r < m + 4; r++) outerRange(dw, dout, x, r, K4, K, N, K, M)
  }
  for (let r = M4; r < M; r++) outerRange(dw, dout, x, r, 0, K, N, K, M)
  if (db !== null) {
    for (let m = 0; m < M; m++) {
      let s = 0
      for (let n = 0; n < N; n++) s += dout[n * M + m]
      db[m] += s
    }
  }
}

/** dw[r][k] += Σ_n dout[n][r] x[n][k] for k in [k0, k1): the fringe of matmulBackwardW. */
function outerRange(dw: Float32Array, dout: Float32Array, x: Float32Array, r: number, k0: number, k1: number, N: number, K: number, M: number): void {
  for (let k = k0; k < k1; k++) {
    let s = 0
    for (let n = 0; n < N; n++) s += dout[n * M + r] * x[n * K + k]
    dw[r * K + k] += s
  }
}

// ---- naive references (tests only) ----

export function matmulNaive(out: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, N: number, K: number, M: number): void {
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      let s = b === null ? 0 : b[m]
      for (let k = 0; k < K; k++) s += x[n * K + k] * w[m * K + k]
      out[n * M + m] = s
    }
}

export function matmulBackwardXNaive(dx: Float32Array, dout: Float32Array, w: Float32Array, N: number, K: number, M: number): void {
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      let s = 0
      for (let m = 0; m < M; m++) s += dout[n * M + m] * w[m * K + k]
      dx[n * K + k] += s
    }
}

export function matmulBackwardWNaive(dw: Float32Array, db: Float32Array | null, dout: Float32Array, x: Float32Array, N: number, K: number, M: number): void {
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      let s = 0
      for (let n = 0; n < N; n++) s += dout[n * M + m] * x[n * K + k]
      dw[m * K + k] += s
    }
    if (db !== null) for (let n = 0; n < N; n++) db[m] += dout[n * M + m]
  }
}
