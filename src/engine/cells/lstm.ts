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
import { kernels } from '../kernels/index.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function forward(w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H, K = kernels()
  const prep = T > 1 // preparing W_hh pays over several steps, not for one (sampling)
  if (prep) K.prepareForward(s.wp, w.weight_hh, H4, H)
  for (let t = 0; t < T; t++) {
    // xw_t becomes the pre-activation xw_t + W_hh h_{t-1} in place (no copy); the gates go to the cache
    const pre = s.xwAt[t]
    if (prep) K.matmulAddPrepared(pre, s.hAt[t], w.weight_hh, s.wp, B, H, H4)
    else K.matmulAdd(pre, s.hAt[t], w.weight_hh, B, H, H4)
    K.lstmForward(pre, s.cacheAt[t], w.bias_hh, s.cAt[t], s.cAt[t + 1], s.hAt[t + 1], B, H)
  }
}

function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H, BH = B * H, K = kernels()
  const dhNext = s.scratch.subarray(0, BH), dcNext = s.scratch.subarray(BH, 2 * BH)
  dhNext.fill(0)
  dcNext.fill(0)
  const prep = T > 1
  if (prep) K.prepareBackward(s.wp, w.weight_hh, H4, H)
  for (let t = T - 1; t >= 0; t--) {
    const da = s.dxwAt[t]
    K.lstmBackward(s.cacheAt[t], s.dhAt[t], dhNext, dcNext, s.cAt[t + 1], s.cAt[t], s.dcAt[t], da, B, H)
    dhNext.fill(0)
    if (prep) K.matmulBackwardXPrepared(dhNext, da, w.weight_hh, s.wp, B, H, H4)
    else K.matmulBackwardX(dhNext, da, w.weight_hh, B, H, H4)
  }
  s.dh0.set(dhNext)
  s.dc0.set(dcNext)
  K.matmulBackwardW(g.weight_hh, g.bias_hh, s.dxw, s.h, T * B, H, H4)
}

export const lstm: Cell = { kind: 'lstm', gates: 4, hasC: true, cacheWidth: (H) => 4 * H, scratchWidth: (H) => 2 * H, forward, backward }
