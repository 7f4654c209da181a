/**
 * Register-tiled f32x4 matrix products over raw byte addresses into the shared memory.
 *
 * One driver (block) serves every product shape the engine needs, because they differ only in strides:
 *
 *   C[r][c] += Σ_p A(r, p) · B[p][c]      A(r, p) at a + r·ars + p·aps, B row p at b + p·bps, C row r at c + r·ldc
 *
 *   nn: C[N][J] += A[N][P] · B[P][J]      (ars = 4P, aps = 4)   dx += dout · w, and out += x · wᵀ with wᵀ packed
 *   tn: C[M][K] += A[N][M]ᵀ · B[N][K]     (ars = 4,  aps = 4M)  dw += doutᵀ · x
 *
 * The micro-kernel holds a 4×8 tile of C in 8 v128 accumulators (plus 2 B vectors and a broadcast A
 * value: 11 of x64's 16 xmm registers; a 6×8 tile spills in V8 and runs at half speed), so each step is
 * 2 vector loads, 4 broadcast loads and 8 multiply-adds: fused (relaxed_madd → vfmadd) in
 * kernels-relaxed.wasm, a multiply and an add in kernels.wasm. Fringes: 4×4 and 1×8 / 1×4 tiles, then
 * scalar dot products for the last 1-3 columns.
 *
 * Packing (the *_packed entry points): B in 8-column panels [⌈J/8⌉][P][8], and for tn A in 4-row
 * blocks, so each tile reads contiguous streams. Unpacked, a tile walks rows 1-4 KB apart, which land
 * in the same few L1 sets and are refetched for every tile. The depth is cut into blocks of KC so the
 * B panel stays in L1 while every row block of A streams past it, and the C tile is reloaded once per
 * block (1/KC of the work).
 */

const KC: i32 = 256
/** Rows per block (a multiple of 4): see block(). */
const MC: i32 = 128

/** s + x·b: one fused multiply-add where relaxed-simd is enabled (kernels-relaxed.wasm), else two ops. */
@inline function madd(x: v128, b: v128, s: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, s)
  return f32x4.add(s, f32x4.mul(x, b))
}

@inline function k4x8(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, bps: usize, P: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc
  let s00 = v128.load(c), s01 = v128.load(c, 16)
  let s10 = v128.load(c1), s11 = v128.load(c1, 16)
  let s20 = v128.load(c2), s21 = v128.load(c2, 16)
  let s30 = v128.load(c3), s31 = v128.load(c3, 16)
  for (let p = 0; p < P; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16)
    let x = v128.load32_splat(a)
    s00 = madd(x, b0, s00); s01 = madd(x, b1, s01)
    x = v128.load32_splat(a + ars)
    s10 = madd(x, b0, s10); s11 = madd(x, b1, s11)
    x = v128.load32_splat(a + 2 * ars)
    s20 = madd(x, b0, s20); s21 = madd(x, b1, s21)
    x = v128.load32_splat(a + 3 * ars)
    s30 = madd(x, b0, s30); s31 = madd(x, b1, s31)
    a += aps; b += bps
  }
  v128.store(c, s00); v128.store(c, s01, 16)
  v128.store(c1, s10); v128.store(c1, s11, 16)
  v128.store(c2, s20); v128.store(c2, s21, 16)
  v128.store(c3, s30); v128.store(c3, s31, 16)
}

@inline function k4x4(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, bps: usize, P: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc
  let s0 = v128.load(c), s1 = v128.load(c1), s2 = v128.load(c2), s3 = v128.load(c3)
  for (let p = 0; p < P; p++) {
    const b0 = v128.load(b)
    s0 = madd(v128.load32_splat(a), b0, s0)
    s1 = madd(v128.load32_splat(a + ars), b0, s1)
    s2 = madd(v128.load32_splat(a + 2 * ars), b0, s2)
    s3 = madd(v128.load32_splat(a + 3 * ars), b0, s3)
    a += aps; b += bps
  }
  v128.store(c, s0); v128.store(c1, s1); v128.store(c2, s2); v128.store(c3, s3)
}

@inline function k1x8(c: usize, a: usize, aps: usize, b: usize, bps: usize, P: i32): void {
  let s0 = v128.load(c), s1 = v128.load(c, 16)
  for (let p = 0; p < P; p++) {
    const x = v128.load32_splat(a)
    s0 = madd(x, v128.load(b), s0)
    s1 = madd(x, v128.load(b, 16), s1)
    a += aps; b += bps
  }
  v128.store(c, s0); v128.store(c, s1, 16)
}

@inline function k1x4(c: usize, a: usize, aps: usize, b: usize, bps: usize, P: i32): void {
  let s0 = v128.load(c)
  for (let p = 0; p < P; p++) {
    s0 = madd(v128.load32_splat(a), v128.load(b), s0)
    a += aps; b += bps
  }
  v128.store(c, s0)
}

@inline function k1x1(c: usize, a: usize, aps: usize, b: usize, bps: usize, P: i32): void {
  let s: f32 = load<f32>(c)
  for (let p = 0; p < P; p++) {
    s += load<f32>(a) * load<f32>(b)
    a += aps; b += bps
  }
  store<f32>(c, s)
}

/** Where column j of B starts: b + 4j unpacked (bpanel = 32), or inside its 8-wide packed panel. */
@inline function colAt(b: usize, bpanel: usize, j: i32): usize {
  return b + <usize>(j >> 3) * bpanel + (<usize>(j & 7) << 2)
}

/** Where row r of A starts: a + r·ars unpacked (apanel = 4·ars), or inside its 4-row packed panel. */
@inline function rowAt(a: usize, ars: usize, apanel: usize, r: i32): usize {
  return a + <usize>(r >> 2) * apanel + <usize>(r & 3) * ars
}

/**
 * One depth block [p0, p0 + P) of the whole product; see the header for the stride convention. Rows go in
 * blocks of MC so that the A rows of a block (MC × KC floats, 128 KB) stay in L2 while every column panel
 * of B passes over them; with all rows at once a product of 2048 rows streamed A from L3 once per panel.
 * The order of the sums for each element is the same whatever the blocking.
 */
@inline function block(
  c: usize, ldc: usize, a: usize, ars: usize, aps: usize, apanel: usize, b: usize, bps: usize, bpanel: usize, R: i32, Cn: i32, P: i32,
): void {
  for (let r0 = 0; r0 < R; r0 += MC) rowBlock(c, ldc, a, ars, aps, apanel, b, bps, bpanel, r0, min(R, r0 + MC), Cn, P)
}

/** Rows [r0, r1) of block(), r0 a multiple of 4. */
@inline function rowBlock(
  c: usize, ldc: usize, a: usize, ars: usize, aps: usize, apanel: usize, b: usize, bps: usize, bpanel: usize,
  r0: i32, r1: i32, Cn: i32, P: i32,
): void {
  const R4 = r0 + ((r1 - r0) & ~3), C8 = Cn & ~7
  for (let j = 0; j < C8; j += 8) {
    const cj = c + (<usize>j << 2), bj = colAt(b, bpanel, j)
    let r = r0
    for (; r < R4; r += 4) k4x8(cj + <usize>r * ldc, ldc, rowAt(a, ars, apanel, r), ars, aps, bj, bps, P)
    for (; r < r1; r++) k1x8(cj + <usize>r * ldc, rowAt(a, ars, apanel, r), aps, bj, bps, P)
  }
  let j = C8
  if (Cn - j >= 4) {
    const cj = c + (<usize>j << 2), bj = colAt(b, bpanel, j)
    let r = r0
    for (; r < R4; r += 4) k4x4(cj + <usize>r * ldc, ldc, rowAt(a, ars, apanel, r), ars, aps, bj, bps, P)
    for (; r < r1; r++) k1x4(cj + <usize>r * ldc, rowAt(a, ars, apanel, r), aps, bj, bps, P)
    j += 4
  }
  for (; j < Cn; j++)
    for (let r = r0; r < r1; r++) k1x1(c + <usize>r * ldc + (<usize>j << 2), rowAt(a, ars, apanel, r), aps, colAt(b, bpanel, j), bps, P)
}

/** C[N][J] += A[N][P] · B[P][J]. */
export function gemm_nn(c: usize, a: usize, b: usize, N: i32, P: i32, J: i32): void {
  const ars = <usize>P << 2, bps = <usize>J << 2
  for (let p0 = 0; p0 < P; p0 += KC) {
    const kc = min(KC, P - p0)
    block(c, bps, a + (<usize>p0 << 2), ars, 4, ars << 2, b + <usize>p0 * bps, bps, 32, N, J, kc)
  }
}

/** gemm_nn with B packed by pack_rows / pack_cols. */
export function gemm_nn_packed(c: usize, a: usize, bp: usize, N: i32, P: i32, J: i32): void {
  gemm_nn_packed_cols(c, a, bp, N, P, J, 0, J)
}

/**
 * Columns [j0, j1) of gemm_nn_packed (j0 a multiple of 8: whole panels), for splitting one product
 * between threads. Every column meets the same tiles as in the whole product, so the bits are the same.
 */
export function gemm_nn_packed_cols(c: usize, a: usize, bp: usize, N: i32, P: i32, J: i32, j0: i32, j1: i32): void {
  const ars = <usize>P << 2, cj = c + (<usize>j0 << 2), bj = bp + <usize>(j0 >> 3) * (<usize>P << 5)
  for (let p0 = 0; p0 < P; p0 += KC) {
    const kc = min(KC, P - p0)
    block(cj, <usize>J << 2, a + (<usize>p0 << 2), ars, 4, ars << 2, bj + (<usize>p0 << 5), 32, <usize>P << 5, N, j1 - j0, kc)
  }
}

/** C[M][K] += A[N][M]ᵀ · B[N][K]: the sum runs over the rows of both. */
export function gemm_tn(c: usize, a: usize, b: usize, N: i32, M: i32, K: i32): void {
  const aps = <usize>M << 2, bps = <usize>K << 2
  for (let n0 = 0; n0 < N; n0 += KC) {
    const kc = min(KC, N - n0)
    block(c, bps, a + <usize>n0 * aps, 4, aps, 16, b + <usize>n0 * bps, bps, 32, M, K, kc)
  }
}

/**
 * gemm_tn with both operands packed: A by pack_a4(ap, a, N, M), B by pack_rows(bp, b, N, K). Unpacked,
 * the 4 A values of a step sit in rows 4·M bytes apart (1-4 KB: the same few L1 sets), re-read for
 * every column panel; packed, each row block of A is one contiguous stream.
 */
export function gemm_tn_packed(c: usize, ap: usize, bp: usize, N: i32, M: i32, K: i32): void {
  for (let n0 = 0; n0 < N; n0 += KC) {
    const kc = min(KC, N - n0)
    block(c, <usize>K << 2, ap + (<usize>n0 << 4), 4, 16, <usize>N << 4, bp + (<usize>n0 << 5), 32, <usize>N << 5, M, K, kc)
  }
}

/**
 * Packs A [N][M] into blocks of 4 columns, [⌈M/4⌉][N][4], the last one zero-padded (gemm_tn_packed).
 * Four blocks at a time, so each row is read a whole cache line (16 floats) at once.
 */
export function pack_a4(ap: usize, a: usize, N: i32, M: i32): void {
  const M16 = M & ~15, M4 = M & ~3, row = <usize>M << 2, blk = <usize>N << 4
  let m = 0
  for (; m < M16; m += 16) {
    let src = a + (<usize>m << 2), dst = ap + <usize>(m >> 2) * blk
    for (let n = 0; n < N; n++) {
      v128.store(dst, v128.load(src)); v128.store(dst + blk, v128.load(src, 16))
      v128.store(dst + 2 * blk, v128.load(src, 32)); v128.store(dst + 3 * blk, v128.load(src, 48))
      src += row; dst += 16
    }
  }
  for (; m < M4; m += 4) {
    let src = a + (<usize>m << 2), dst = ap + <usize>(m >> 2) * blk
    for (let n = 0; n < N; n++) { v128.store(dst, v128.load(src)); src += row; dst += 16 }
  }
  if (M4 < M) {
    let dst = ap + <usize>(M4 >> 2) * blk
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < 4; i++) store<f32>(dst + (<usize>i << 2), M4 + i < M ? load<f32>(a + <usize>n * row + (<usize>(M4 + i) << 2)) : 0)
      dst += 16
    }
  }
}

/**
 * Packs B [P][J] into panels of 8 columns, [⌈J/8⌉][P][8], the last one zero-padded: the micro-kernel
 * then reads its B panel as one contiguous stream (no L1 set conflicts from a row stride of 1-4 KB).
 */
export function pack_rows(bp: usize, b: usize, P: i32, J: i32): void {
  const J16 = J & ~15, J8 = J & ~7, row = <usize>J << 2, pan = <usize>P << 5
  let j = 0
  // two panels per pass: each row is read a whole cache line at once
  for (; j < J16; j += 16) {
    let src = b + (<usize>j << 2), dst = bp + <usize>(j >> 3) * pan
    for (let p = 0; p < P; p++) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16)
      v128.store(dst + pan, v128.load(src, 32)); v128.store(dst + pan, v128.load(src, 48), 16)
      src += row; dst += 32
    }
  }
  for (; j < J8; j += 8) {
    let src = b + (<usize>j << 2), dst = bp + <usize>(j >> 3) * pan
    for (let p = 0; p < P; p++) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16)
      src += row; dst += 32
    }
  }
  if (J8 < J) {
    let dst = bp + <usize>(J8 >> 3) * pan
    for (let p = 0; p < P; p++) {
      for (let jj = 0; jj < 8; jj++) store<f32>(dst + (<usize>jj << 2), J8 + jj < J ? load<f32>(b + ((<usize>p * J + J8 + jj) << 2)) : 0)
      dst += 32
    }
  }
}

/** Packs B = wᵀ, w [J][P], into the same panels as pack_rows (a transposing pack). */
export function pack_cols(bp: usize, w: usize, J: i32, P: i32): void {
  for (let j0 = 0; j0 < J; j0 += 8) {
    const panel = bp + <usize>(j0 >> 3) * (<usize>P << 5)
    for (let jj = 0; jj < 8; jj++) {
      const j = j0 + jj
      let dst = panel + (<usize>jj << 2)
      if (j < J) {
        let src = w + <usize>j * (<usize>P << 2)
        for (let p = 0; p < P; p++) { store<f32>(dst, load<f32>(src)); src += 4; dst += 32 }
      } else for (let p = 0; p < P; p++) { store<f32>(dst, 0); dst += 32 }
    }
  }
}

/**
 * C[N][M] += A[N][K] · W[M][K]ᵀ as dot products along K, for a few rows (sampling: N = 1): packing W
 * would cost more than the product. Four rows of W share each load of A; horizontal sums at the end.
 */
export function gemm_nt_small(c: usize, a: usize, w: usize, N: i32, K: i32, M: i32): void {
  gemm_nt_small_rows(c, a, w, N, K, M, 0, M)
}

/** Outputs [m0, m1) of gemm_nt_small (rows m0.. of W; m0 a multiple of 4), for splitting between threads. */
export function gemm_nt_small_rows(c: usize, a: usize, w: usize, N: i32, K: i32, M: i32, m0: i32, m1: i32): void {
  const K4 = K & ~3, M4 = m0 + ((m1 - m0) & ~3), wr = <usize>K << 2
  for (let n = 0; n < N; n++) {
    const an = a + <usize>n * wr, cn = c + <usize>n * (<usize>M << 2)
    let m = m0
    for (; m < M4; m += 4) {
      const w0 = w + <usize>m * wr, w1 = w0 + wr, w2 = w1 + wr, w3 = w2 + wr
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0
      let k = 0
      for (; k < K4; k += 4) {
        const o = <usize>k << 2, x = v128.load(an + o)
        s0 = madd(x, v128.load(w0 + o), s0); s1 = madd(x, v128.load(w1 + o), s1)
        s2 = madd(x, v128.load(w2 + o), s2); s3 = madd(x, v128.load(w3 + o), s3)
      }
      let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3)
      for (; k < K; k++) {
        const o = <usize>k << 2, x = load<f32>(an + o)
        t0 += x * load<f32>(w0 + o); t1 += x * load<f32>(w1 + o); t2 += x * load<f32>(w2 + o); t3 += x * load<f32>(w3 + o)
      }
      const cm = cn + (<usize>m << 2)
      store<f32>(cm, load<f32>(cm) + t0); store<f32>(cm, load<f32>(cm, 4) + t1, 4)
      store<f32>(cm, load<f32>(cm, 8) + t2, 8); store<f32>(cm, load<f32>(cm, 12) + t3, 12)
    }
    for (; m < m1; m++) {
      const wm = w + <usize>m * wr
      let t: f32 = 0
      for (let k = 0; k < K; k++) t += load<f32>(an + (<usize>k << 2)) * load<f32>(wm + (<usize>k << 2))
      const cm = cn + (<usize>m << 2)
      store<f32>(cm, load<f32>(cm) + t)
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)
}
