/**
 * The point-wise part of one Elman RNN time step (the recurrent product is gemm_nn), over [B][*] rows:
 * the same formulas, in the same order of terms, as its reference in src/engine/cells/rnn.ts, with math.ts's
 * exp/σ/tanh. Columns go 4 at a time, the H % 4 fringe one at a time with the scalar twins, which give
 * the same bits. Pointers are byte addresses; every array is f32.
 */
import { one4, tanh1, tanh4 } from './math'
import { ld, st, ld1, st1, add, sub, mul } from './lanes'

/** h [B][H] = act(h + b_hh) in place; relu when relu ≠ 0, else tanh. */
export function rnn_fwd(h: usize, bhh: usize, B: i32, H: i32, relu: i32): void {
  const H4 = H & ~3, zero = f32x4.splat(0)
  for (let b = 0; b < B; b++) {
    const hb = h + (<usize>(b * H) << 2)
    let j = 0
    if (relu) {
      for (; j < H4; j += 4) st(hb, j, f32x4.max(add(ld(hb, j), ld(bhh, j)), zero))
      for (; j < H; j++) { const a = ld1(hb, j) + ld1(bhh, j); st1(hb, j, a > 0 ? a : 0) }
    } else {
      for (; j < H4; j += 4) st(hb, j, tanh4(add(ld(hb, j), ld(bhh, j))))
      for (; j < H; j++) st1(hb, j, tanh1(ld1(hb, j) + ld1(bhh, j)))
    }
  }
}

/** Over n = B·H entries: dh += dhNext (total dL/dh_t), da = dh · act'(a) read back from h. */
export function rnn_bwd(h: usize, dh: usize, dhNext: usize, da: usize, n: i32, relu: i32): void {
  const n4 = n & ~3, one = one4(), zero = f32x4.splat(0)
  let k = 0
  for (; k < n4; k += 4) {
    const d = add(ld(dh, k), ld(dhNext, k))
    st(dh, k, d)
    const hv = ld(h, k)
    st(da, k, relu ? v128.and(d, f32x4.gt(hv, zero)) : mul(d, sub(one, mul(hv, hv))))
  }
  for (; k < n; k++) {
    const d = ld1(dh, k) + ld1(dhNext, k)
    st1(dh, k, d)
    const hv = ld1(h, k)
    st1(da, k, relu ? (hv > 0 ? d : 0) : d * (1 - hv * hv))
  }
}
