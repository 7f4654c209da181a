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
 * All three run on one strided driver (product): a 4×4 register tile (16 accumulators held in locals)
 * with scalar loops for the fringe, about 4× a plain triple loop in V8. The *Naive twins are the reference the tests compare against.
 * Backward kernels accumulate (+=); their callers own the zeroing.
 *
 * These are the portable implementation ('js' in kernels/index.ts) and the reference for the wasm one;
 * sums run in float64 (JS numbers), so they are also the more accurate of the two. jsKernels below puts
 * them together with the one-hot input layer here, each cell's step (src/engine/cells/) and loss.ts.
 */
import { gruBackward, gruForward } from '../cells/gru.ts'
import { lstmBackward, lstmForward } from '../cells/lstm.ts'
import { rnnBackward, rnnForward } from '../cells/rnn.ts'
import { crossEntropy } from '../loss.ts'
import type { Kernels } from './interface.ts'

function matmul(out: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, N: number, K: number, M: number): void {
  if (b === null) out.fill(0, 0, N * M)
  else for (let n = 0; n < N; n++) out.set(b, n * M)
  matmulAdd(out, x, w, N, K, M)
}

function matmulAdd(out: Float32Array, x: Float32Array, w: Float32Array, N: number, K: number, M: number): void {
  // A(n, k) = x[n][k], B(k, m) = w[m][k]
  product(out, M, x, K, 1, w, 1, K, N, M, K)
}

function matmulBackwardX(dx: Float32Array, dout: Float32Array, w: Float32Array, N: number, K: number, M: number): void {
  // A(n, m) = dout[n][m], B(m, k) = w[m][k]
  product(dx, K, dout, M, 1, w, K, 1, N, K, M)
}

function matmulBackwardW(
  dw: Float32Array, db: Float32Array | null, dout: Float32Array, x: Float32Array, N: number, K: number, M: number,
): void {
  // A(m, n) = dout[n][m], B(n, k) = x[n][k]
  product(dw, K, dout, 1, M, x, K, 1, M, K, N)
  if (db !== null) {
    for (let m = 0; m < M; m++) {
      let s = 0
      for (let n = 0; n < N; n++) s += dout[n * M + m]
      db[m] += s
    }
  }
}

/**
 * C[r][c] += Σ_p A(r, p) · B(p, c) for r < R, c < Cn, p < P, the one driver of the three products: they
 * differ only in strides. A(r, p) is a[r·ars + p·aps], B(p, c) is b[p·bps + c·bcs], row r of C starts at
 * r·ldc. Each sum runs over p in order, in float64.
 */
function product(
  c: Float32Array, ldc: number, a: Float32Array, ars: number, aps: number, b: Float32Array, bps: number, bcs: number,
  R: number, Cn: number, P: number,
): void {
  const R4 = R - (R % 4), C4 = Cn - (Cn % 4)
  for (let r = 0; r < R4; r += 4) {
    const a0 = r * ars, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars
    for (let col = 0; col < C4; col += 4) {
      const b0 = col * bcs, b1 = b0 + bcs, b2 = b1 + bcs, b3 = b2 + bcs
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0
      for (let p = 0, ap = 0, bp = 0; p < P; p++, ap += aps, bp += bps) {
        const x0 = a[a0 + ap], x1 = a[a1 + ap], x2 = a[a2 + ap], x3 = a[a3 + ap]
        const y0 = b[b0 + bp], y1 = b[b1 + bp], y2 = b[b2 + bp], y3 = b[b3 + bp]
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3
      }
      let o = r * ldc + col
      c[o] += s00; c[o + 1] += s01; c[o + 2] += s02; c[o + 3] += s03; o += ldc
      c[o] += s10; c[o + 1] += s11; c[o + 2] += s12; c[o + 3] += s13; o += ldc
      c[o] += s20; c[o + 1] += s21; c[o + 2] += s22; c[o + 3] += s23; o += ldc
      c[o] += s30; c[o + 1] += s31; c[o + 2] += s32; c[o + 3] += s33
    }
    for (let rr = r; rr < r + 4; rr++) productRow(c, ldc, a, ars, aps, b, bps, bcs, rr, C4, Cn, P)
  }
  for (let rr = R4; rr < R; rr++) productRow(c, ldc, a, ars, aps, b, bps, bcs, rr, 0, Cn, P)
}

/**
 * Columns [c0, c1) of row r of product(): its fringe, and every row when there are fewer than 4 (one
 * position: sampling, the explorer page). Four columns at a time share each read of A(r, p); every sum
 * still runs over p in order, so the bits are those of one column at a time.
 */
function productRow(
  c: Float32Array, ldc: number, a: Float32Array, ars: number, aps: number, b: Float32Array, bps: number, bcs: number,
  r: number, c0: number, c1: number, P: number,
): void {
  const ar = r * ars, cr = r * ldc
  let col = c0
  for (; col + 4 <= c1; col += 4) {
    const b0 = col * bcs, b1 = b0 + bcs, b2 = b1 + bcs, b3 = b2 + bcs
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0
    for (let p = 0, ap = ar, bp = 0; p < P; p++, ap += aps, bp += bps) {
      const x = a[ap]
      s0 += x * b[b0 + bp]; s1 += x * b[b1 + bp]; s2 += x * b[b2 + bp]; s3 += x * b[b3 + bp]
    }
    c[cr + col] += s0; c[cr + col + 1] += s1; c[cr + col + 2] += s2; c[cr + col + 3] += s3
  }
  for (; col < c1; col++) {
    let s = 0
    for (let p = 0; p < P; p++) s += a[ar + p * aps] * b[p * bps + col * bcs]
    c[cr + col] += s
  }
}

// ---- the one-hot input layer ----

/** One-hot input times W_ih [GH][V] is a column of W_ih: xw[n] = W_ih[:, id_n] + b_ih (id < 0: just b). */
function embedForward(xw: Float32Array, ids: Int32Array, w: Float32Array, b: Float32Array, N: number, V: number, GH: number): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n], o = n * GH
    if (id < 0) xw.set(b, o) // an unknown character (eval) reads as the zero vector
    else for (let m = 0; m < GH; m++) xw[o + m] = w[m * V + id] + b[m]
  }
}

/**
 * The gather's backward: each position with id ≥ 0 adds its dxw into the column of its id; every position,
 * an unknown id included (its xw is b itself), adds it into gb.
 */
function embedBackward(
  gw: Float32Array, gb: Float32Array, dxw: Float32Array, ids: Int32Array, N: number, V: number, GH: number,
): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n], o = n * GH
    for (let m = 0; m < GH; m++) {
      const d = dxw[o + m]
      if (id >= 0) gw[m * V + id] += d
      gb[m] += d
    }
  }
}

export const jsKernels: Kernels = {
  name: 'js',
  matmul, matmulAdd, matmulBackwardX, matmulBackwardW,
  prepareForward() { /* js reads w directly */ },
  prepareBackward() { /* js reads w directly */ },
  matmulPrepared: (out, x, w, _wp, b, N, K, M) => matmul(out, x, w, b, N, K, M),
  matmulAddPrepared: (out, x, w, _wp, N, K, M) => matmulAdd(out, x, w, N, K, M),
  matmulBackwardXPrepared: (dx, dout, w, _wp, N, K, M) => matmulBackwardX(dx, dout, w, N, K, M),
  lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward,
  embedForward: (xw, ids, w, b, _wT, N, V, GH) => embedForward(xw, ids, w, b, N, V, GH),
  embedBackward: (gw, gb, dxw, ids, _gT, N, V, GH) => embedBackward(gw, gb, dxw, ids, N, V, GH),
  crossEntropy,
  adam: () => false,
}

// ---- naive references (tests only) ----

export function matmulNaive(
  out: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, N: number, K: number, M: number,
): void {
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

export function matmulBackwardWNaive(
  dw: Float32Array, db: Float32Array | null, dout: Float32Array, x: Float32Array, N: number, K: number, M: number,
): void {
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      let s = 0
      for (let n = 0; n < N; n++) s += dout[n * M + m] * x[n * K + k]
      dw[m * K + k] += s
    }
    if (db !== null) for (let n = 0; n < N; n++) db[m] += dout[n * M + m]
  }
}
