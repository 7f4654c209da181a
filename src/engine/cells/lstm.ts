/**
 * LSTM over a whole sequence: PyTorch nn.LSTM, gate blocks i, f, g, o.
 *
 *   a   = xw_t + W_hh h_{t-1} + b_hh           [B][4H] = [a_i | a_f | a_g | a_o]
 *   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 *
 * Cache [T][B][4H]: the gate activations i, f, g, o (tanh(c_t) is recomputed in backward: H tanh per
 * position against 4H² multiply-adds of the recurrent product). Scratch [B][2H]: dh and dc from t+1.
 */
import { matmulAdd, matmulBackwardW, matmulBackwardX } from '../kernels.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

function forward(w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H, bhh = w.bias_hh
  for (let t = 0; t < T; t++) {
    const a = s.cacheAt[t], cPrev = s.cAt[t], c = s.cAt[t + 1], h = s.hAt[t + 1]
    a.set(s.xwAt[t])
    matmulAdd(a, s.hAt[t], w.weight_hh, B, H, H4)
    for (let b = 0; b < B; b++) {
      const ab = b * H4, hb = b * H
      for (let j = 0; j < H; j++) {
        const i = sigmoid(a[ab + j] + bhh[j])
        const f = sigmoid(a[ab + H + j] + bhh[H + j])
        const g = Math.tanh(a[ab + 2 * H + j] + bhh[2 * H + j])
        const o = sigmoid(a[ab + 3 * H + j] + bhh[3 * H + j])
        a[ab + j] = i; a[ab + H + j] = f; a[ab + 2 * H + j] = g; a[ab + 3 * H + j] = o
        const cv = f * cPrev[hb + j] + i * g
        c[hb + j] = cv
        h[hb + j] = o * Math.tanh(cv)
      }
    }
  }
}

function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H, BH = B * H
  const dhNext = s.scratch.subarray(0, BH), dcNext = s.scratch.subarray(BH, 2 * BH)
  dhNext.fill(0)
  dcNext.fill(0)
  for (let t = T - 1; t >= 0; t--) {
    const act = s.cacheAt[t], da = s.dxwAt[t], dh = s.dhAt[t], dc = s.dcAt[t]
    const c = s.cAt[t + 1], cPrev = s.cAt[t]
    for (let b = 0; b < B; b++) {
      const ab = b * H4, hb = b * H
      for (let j = 0; j < H; j++) {
        const k = hb + j
        const i = act[ab + j], f = act[ab + H + j], gg = act[ab + 2 * H + j], o = act[ab + 3 * H + j]
        const dhv = dh[k] + dhNext[k] // total dL/dh_t: direct + through step t+1
        dh[k] = dhv
        const tc = Math.tanh(c[k])
        const dcv = dcNext[k] + dhv * o * (1 - tc * tc) // total dL/dc_t
        dc[k] = dcv
        dcNext[k] = dcv * f
        da[ab + j] = dcv * gg * i * (1 - i)
        da[ab + H + j] = dcv * cPrev[k] * f * (1 - f)
        da[ab + 2 * H + j] = dcv * i * (1 - gg * gg)
        da[ab + 3 * H + j] = dhv * tc * o * (1 - o)
      }
    }
    dhNext.fill(0)
    matmulBackwardX(dhNext, da, w.weight_hh, B, H, H4)
  }
  s.dh0.set(dhNext)
  s.dc0.set(dcNext)
  matmulBackwardW(g.weight_hh, g.bias_hh, s.dxw, s.h, T * B, H, H4)
}

export const lstm: Cell = { kind: 'lstm', gates: 4, hasC: true, cacheWidth: (H) => 4 * H, scratchWidth: (H) => 2 * H, forward, backward }
