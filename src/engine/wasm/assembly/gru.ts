/**
 * The point-wise part of one GRU time step (the recurrent product is gemm_nn), over [B][*] rows: the same
 * formulas, in the same order of terms, as its reference in src/engine/cells/gru.ts, with math.ts's
 * exp/σ/tanh. Columns go 4 at a time, the H % 4 fringe one at a time with the scalar twins, which give
 * the same bits. Pointers are byte addresses; every array is f32.
 */
import { one4, sigmoid1, sigmoid4, tanh1, tanh4 } from './math'
import { ld, st, ld1, st1, add, sub, mul } from './lanes'

/** u = xw_t, v = W_hh h + b_hh [B][3H]; cache [B][4H] gets r, z, n, v_n; h [B][H] gets h_t. */
export function gru_fwd(u: usize, v: usize, hPrev: usize, h: usize, cache: usize, B: i32, H: i32): void {
  const H4 = H & ~3, one = one4(), hs = <usize>H << 2
  for (let b = 0; b < B; b++) {
    const ub = <usize>(b * 3 * H) << 2, cb = cache + (<usize>(b * 4 * H) << 2), hb = <usize>(b * H) << 2
    const ur = u + ub, uz = ur + hs, un = uz + hs, vr = v + ub, vz = vr + hs, vnp = vz + hs
    let j = 0
    for (; j < H4; j += 4) {
      const r = sigmoid4(add(ld(ur, j), ld(vr, j))), z = sigmoid4(add(ld(uz, j), ld(vz, j)))
      const vn = ld(vnp, j)
      const n = tanh4(add(ld(un, j), mul(r, vn)))
      st(cb, j, r); st(cb + hs, j, z); st(cb + 2 * hs, j, n); st(cb + 3 * hs, j, vn)
      st(h + hb, j, add(mul(sub(one, z), n), mul(z, ld(hPrev + hb, j))))
    }
    for (; j < H; j++) {
      const r = sigmoid1(ld1(ur, j) + ld1(vr, j)), z = sigmoid1(ld1(uz, j) + ld1(vz, j))
      const vn = ld1(vnp, j)
      const n = tanh1(ld1(un, j) + r * vn)
      st1(cb, j, r); st1(cb + hs, j, z); st1(cb + 2 * hs, j, n); st1(cb + 3 * hs, j, vn)
      st1(h + hb, j, (1 - z) * n + z * ld1(hPrev + hb, j))
    }
  }
}

/** dh in direct, out total; dhNext [B][H] in from t+1, out the direct path dh·z; du, dv [B][3H] out. */
export function gru_bwd(cache: usize, hPrev: usize, dh: usize, dhNext: usize, du: usize, dv: usize, B: i32, H: i32): void {
  const H4 = H & ~3, one = one4(), hs = <usize>H << 2
  for (let b = 0; b < B; b++) {
    const ub = <usize>(b * 3 * H) << 2, cb = cache + (<usize>(b * 4 * H) << 2), hb = <usize>(b * H) << 2
    const dur = du + ub, duz = dur + hs, dun = duz + hs, dvr = dv + ub, dvz = dvr + hs, dvn = dvz + hs
    let j = 0
    for (; j < H4; j += 4) {
      const r = ld(cb, j), z = ld(cb + hs, j), n = ld(cb + 2 * hs, j), vn = ld(cb + 3 * hs, j)
      const dhv = add(ld(dh + hb, j), ld(dhNext + hb, j))
      st(dh + hb, j, dhv)
      const dan = mul(mul(dhv, sub(one, z)), sub(one, mul(n, n)))
      const dar = mul(mul(mul(dan, vn), r), sub(one, r))
      const daz = mul(mul(mul(dhv, sub(ld(hPrev + hb, j), n)), z), sub(one, z))
      st(dur, j, dar); st(duz, j, daz); st(dun, j, dan)
      st(dvr, j, dar); st(dvz, j, daz); st(dvn, j, mul(dan, r))
      st(dhNext + hb, j, mul(dhv, z))
    }
    for (; j < H; j++) {
      const r = ld1(cb, j), z = ld1(cb + hs, j), n = ld1(cb + 2 * hs, j), vn = ld1(cb + 3 * hs, j)
      const dhv = ld1(dh + hb, j) + ld1(dhNext + hb, j)
      st1(dh + hb, j, dhv)
      const dan = dhv * (1 - z) * (1 - n * n)
      const dar = dan * vn * r * (1 - r)
      const daz = dhv * (ld1(hPrev + hb, j) - n) * z * (1 - z)
      st1(dur, j, dar); st1(duz, j, daz); st1(dun, j, dan)
      st1(dvr, j, dar); st1(dvz, j, daz); st1(dvn, j, dan * r)
      st1(dhNext + hb, j, dhv * z)
    }
  }
}
