/**
 * The point-wise part of one LSTM time step (the recurrent product is gemm_nn), over [B][*] rows: the same
 * formulas, in the same order of terms, as its reference in src/engine/cells/lstm.ts, with math.ts's
 * exp/σ/tanh. Columns go 4 at a time, the H % 4 fringe one at a time with the scalar twins, which give
 * the same bits. Pointers are byte addresses; every array is f32.
 */
import { one4, sigmoid1, sigmoid4, tanh1, tanh4 } from './math'
import { ld, st, ld1, st1, add, sub, mul } from './lanes'

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
export function lstm_bwd(
  act: usize, dh: usize, dhNext: usize, dcNext: usize, c: usize, cPrev: usize, dc: usize, da: usize, B: i32, H: i32,
): void {
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
