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
import type { Kernels } from '../kernels/interface.ts'
import { sigmoid, type Cell, type LayerBuffers, type Recurrent } from './cell.ts'

// ---- the reference step (the 'js' kernels; the SIMD twin is src/engine/wasm/assembly/lstm.ts) ----

/** pre [B][4H] = xw + W_hh h in; gates [B][4H] get i, f, g, o (may be pre itself); c, h [B][H] get c_t, h_t. */
export function lstmForward(
  pre: Float32Array, gates: Float32Array, bhh: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array, B: number, H: number,
): void {
  const H4 = 4 * H, a = pre
  for (let b = 0; b < B; b++) {
    const ab = b * H4, hb = b * H
    for (let j = 0; j < H; j++) {
      const i = sigmoid(a[ab + j] + bhh[j])
      const f = sigmoid(a[ab + H + j] + bhh[H + j])
      const g = Math.tanh(a[ab + 2 * H + j] + bhh[2 * H + j])
      const o = sigmoid(a[ab + 3 * H + j] + bhh[3 * H + j])
      gates[ab + j] = i; gates[ab + H + j] = f; gates[ab + 2 * H + j] = g; gates[ab + 3 * H + j] = o
      const cv = f * cPrev[hb + j] + i * g
      c[hb + j] = cv
      h[hb + j] = o * Math.tanh(cv)
    }
  }
}

/** dh direct in, total out; dhNext, dcNext from t+1 (dcNext becomes dc·f); dc, da out. */
export function lstmBackward(
  act: Float32Array, dh: Float32Array, dhNext: Float32Array, dcNext: Float32Array, c: Float32Array, cPrev: Float32Array,
  dc: Float32Array, da: Float32Array, B: number, H: number,
): void {
  const H4 = 4 * H
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
}

// ---- the time loop: the recurrent product, then the step on the active kernels ----

function forward(K: Kernels, w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H
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

function backward(K: Kernels, w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H4 = 4 * H, BH = B * H
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
