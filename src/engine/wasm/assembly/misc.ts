/**
 * Data movement around the products: transposes (a weight read as wᵀ by gemm_nn), bias rows and
 * column sums, and the one-hot input layer as row gathers/scatters on a transposed W_ih.
 * Pointers are byte addresses; ids are i32, everything else f32.
 */

const TB: i32 = 8 // transpose tile: 8 rows × 8 columns touch 8 + 8 cache lines

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2) }

/** dst[C][R] = src[R][C]ᵀ, or dst += srcᵀ when add ≠ 0. */
export function transpose(dst: usize, src: usize, R: i32, C: i32, add: i32): void {
  for (let r0 = 0; r0 < R; r0 += TB) {
    const r1 = min(r0 + TB, R)
    for (let c0 = 0; c0 < C; c0 += TB) {
      const c1 = min(c0 + TB, C)
      for (let r = r0; r < r1; r++)
        for (let c = c0; c < c1; c++) {
          const d = at(dst, c * R + r), v = load<f32>(at(src, r * C + c))
          store<f32>(d, add ? load<f32>(d) + v : v)
        }
    }
  }
}

/** out[n][:] = b for N rows of M. */
export function fill_rows(out: usize, b: usize, N: i32, M: i32): void {
  const bytes = <usize>M << 2
  for (let n = 0; n < N; n++) memory.copy(out + <usize>n * bytes, b, bytes)
}

/** dst[:n] += src[:n]. */
@inline function addRow(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3
  let k = 0
  for (; k < n4; k += 4) v128.store(at(dst, k), f32x4.add(v128.load(at(dst, k)), v128.load(at(src, k))))
  for (; k < n; k++) store<f32>(at(dst, k), load<f32>(at(dst, k)) + load<f32>(at(src, k)))
}

/**
 * db[m] += Σ_n a[n][m]. Rows are streamed in order, each added into db (which stays in L1): one pass
 * over a, where a column-at-a-time sum would walk it with a stride of M floats.
 */
export function colsum_add(db: usize, a: usize, N: i32, M: i32): void {
  const row = <usize>M << 2
  for (let n = 0; n < N; n++) addRow(db, a + <usize>n * row, M)
}

/** xw[n] = wT[id_n] + b over GH columns (wT = W_ihᵀ, [V][GH]); an id < 0 (unknown character) gives b. */
export function embed_fwd(xw: usize, ids: usize, wT: usize, b: usize, N: i32, GH: i32): void {
  const row = <usize>GH << 2
  for (let n = 0; n < N; n++) {
    const id = load<i32>(ids + (<usize>n << 2)), o = xw + <usize>n * row
    memory.copy(o, b, row)
    if (id >= 0) addRow(o, wT + <usize>id * row, GH)
  }
}

/** embed_fwd reading W_ih [GH][V] by columns: for a few positions (sampling), where transposing it costs more. */
export function embed_fwd_cols(xw: usize, ids: usize, w: usize, b: usize, N: i32, V: i32, GH: i32): void {
  const row = <usize>GH << 2, stride = <usize>V << 2
  for (let n = 0; n < N; n++) {
    const id = load<i32>(ids + (<usize>n << 2)), o = xw + <usize>n * row
    memory.copy(o, b, row)
    if (id < 0) continue
    let src = w + (<usize>id << 2)
    for (let m = 0; m < GH; m++) { store<f32>(at(o, m), load<f32>(at(o, m)) + load<f32>(src)); src += stride }
  }
}

/** gT[id_n] += dxw[n] for every n with id_n ≥ 0, and gb += dxw[n] for every n (xw = b for an unknown id). */
export function embed_bwd(gT: usize, gb: usize, dxw: usize, ids: usize, N: i32, GH: i32): void {
  const row = <usize>GH << 2
  for (let n = 0; n < N; n++) {
    const id = load<i32>(ids + (<usize>n << 2))
    const d = dxw + <usize>n * row
    if (id >= 0) addRow(gT + <usize>id * row, d, GH)
    addRow(gb, d, GH)
  }
}
