/**
 * The point-wise part of one time step of each cell (the recurrent product is gemm_nn), over [B][*]
 * rows: the same formulas, in the same order of terms, as src/engine/cells-js.ts, with this module's
 * exp/σ/tanh. Columns go 4 at a time, the H % 4 fringe one at a time with the scalar twins, which
 * give the same bits. Pointers are byte addresses; every array is f32.
 */
import { one4, sigmoid1, sigmoid4, tanh1, tanh4 } from './math'

@inline function ld(p: usize, j: i32): v128 { return v128.load(p + (<usize>j << 2)) }
@inline function st(p: usize, j: i32, v: v128): void { v128.store(p + (<usize>j << 2), v) }
@inline function ld1(p: usize, j: i32): f32 { return load<f32>(p + (<usize>j << 2)) }
@inline function st1(p: usize, j: i32, v: f32): void { store<f32>(p + (<usize>j << 2), v) }
@inline function add(a: v128, b: v128): v128 { return f32x4.add(a, b) }
@inline function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b) }
@inline function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b) }

/** pre [B][4H] holds xw + W_hh h; gates [B][4H] (may be pre) get i, f, g, o; c, h [B][H] get c_t, h_t. */
export function lstm_fwd(pre: usize, gates: usize, bhh: usize, cPrev: usize, c: usize, h: usize, B: i32, H: i32): void {
  const H4 = H & ~3, hs = <usize>H << 2
  for (let b = 0; b < B; b++) {
    const ab = <usize>(b * 4 * H) << 2, hb = <usize>(b * H) << 2
    const ai = pre + ab, af = ai + hs, ag = af + hs, ao = ag + hs
    const gi = gates + ab, gf = gi + hs, gg = gf + hs, go = gg + hs
    const bi = bhh, bf = bhh + (<usize>H << 2), bg = bf + (<usize>H << 2), bo = bg + (<usize>H << 2)
    let j = 0
    for (; j < H4; j += 4) {
      const i = sigmoid4(add(ld(ai, j), ld(bi, j))), f = sigmoid4(add(ld(af, j), ld(bf, j)))
      const g = tanh4(add(ld(ag, j), ld(bg, j))), o = sigmoid4(add(ld(ao, j), ld(bo, j)))
      st(gi, j, i); st(gf, j, f); st(gg, j, g); st(go, j, o)
      const cv = add(mul(f, ld(cPrev + hb, j)), mul(i, g))
      st(c + hb, j, cv)
      st(h + hb, j, mul(o, tanh4(cv)))
    }
    for (; j < H; j++) {
      const i = sigmoid1(ld1(ai, j) + ld1(bi, j)), f = sigmoid1(ld1(af, j) + ld1(bf, j))
      const g = tanh1(ld1(ag, j) + ld1(bg, j)), o = sigmoid1(ld1(ao, j) + ld1(bo, j))
      st1(gi, j, i); st1(gf, j, f); st1(gg, j, g); st1(go, j, o)
      const cv = f * ld1(cPrev + hb, j) + i * g
      st1(c + hb, j, cv)
      st1(h + hb, j, o * tanh1(cv))
    }
  }
}

/**
 * act [B][4H] the gates; dh [B][H] direct in, total out; dhNext, dcNext [B][H] from step t+1 (dcNext is
 * replaced by dc·f); c, cPrev [B][H]; dc [B][H] out; da [B][4H] out.
 */
export function lstm_bwd(act: usize, dh: usize, dhNext: usize, dcNext: usize, c: usize, cPrev: usize, dc: usize, da: usize, B: i32, H: i32): void {
  const H4 = H & ~3, one = one4()
  for (let b = 0; b < B; b++) {
    const hb = <usize>(b * H) << 2, ab = <usize>(b * 4 * H) << 2, hs = <usize>H << 2
    const pi = act + ab, pf = pi + hs, pg = pf + hs, po = pg + hs
    const di = da + ab, df = di + hs, dg = df + hs, dO = dg + hs
    let j = 0
    for (; j < H4; j += 4) {
      const i = ld(pi, j), f = ld(pf, j), g = ld(pg, j), o = ld(po, j)
      const dhv = add(ld(dh + hb, j), ld(dhNext + hb, j))
      st(dh + hb, j, dhv)
      const tc = tanh4(ld(c + hb, j))
      const dcv = add(ld(dcNext + hb, j), mul(mul(dhv, o), sub(one, mul(tc, tc))))
      st(dc + hb, j, dcv)
      st(dcNext + hb, j, mul(dcv, f))
      st(di, j, mul(mul(mul(dcv, g), i), sub(one, i)))
      st(df, j, mul(mul(mul(dcv, ld(cPrev + hb, j)), f), sub(one, f)))
      st(dg, j, mul(mul(dcv, i), sub(one, mul(g, g))))
      st(dO, j, mul(mul(mul(dhv, tc), o), sub(one, o)))
    }
    for (; j < H; j++) {
      const i = ld1(pi, j), f = ld1(pf, j), g = ld1(pg, j), o = ld1(po, j)
      const dhv = ld1(dh + hb, j) + ld1(dhNext + hb, j)
      st1(dh + hb, j, dhv)
      const tc = tanh1(ld1(c + hb, j))
      const dcv = ld1(dcNext + hb, j) + dhv * o * (1 - tc * tc)
      st1(dc + hb, j, dcv)
      st1(dcNext + hb, j, dcv * f)
      st1(di, j, dcv * g * i * (1 - i))
      st1(df, j, dcv * ld1(cPrev + hb, j) * f * (1 - f))
      st1(dg, j, dcv * i * (1 - g * g))
      st1(dO, j, dhv * tc * o * (1 - o))
    }
  }
}

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
