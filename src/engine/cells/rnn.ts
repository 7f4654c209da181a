/**
 * Elman RNN over a whole sequence: PyTorch nn.RNN with nonlinearity 'tanh' or 'relu'.
 *
 *   h_t = act(xw_t + W_hh h_{t-1} + b_hh)        xw_t = W_ih x_t + b_ih, computed for all t by the model
 *
 * Nothing is cached: act'(a) is read back from h_t (tanh' = 1 - h², relu' = [h > 0]).
 * Scratch [B][H]: dL/dh_{t-1} arriving through the recurrence.
 */
import { matmulAdd, matmulBackwardW, matmulBackwardX } from '../kernels.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function makeElman(kind: 'rnn_tanh' | 'rnn_relu'): Cell {
  const relu = kind === 'rnn_relu'

  function forward(w: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
    const bhh = w.bias_hh
    for (let t = 0; t < T; t++) {
      const h = s.hAt[t + 1]
      h.set(s.xwAt[t])
      matmulAdd(h, s.hAt[t], w.weight_hh, B, H, H)
      for (let b = 0, k = 0; b < B; b++) {
        if (relu) for (let j = 0; j < H; j++, k++) { const a = h[k] + bhh[j]; h[k] = a > 0 ? a : 0 }
        else for (let j = 0; j < H; j++, k++) h[k] = Math.tanh(h[k] + bhh[j])
      }
    }
  }

  function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
    const BH = B * H
    const dhNext = s.scratch
    dhNext.fill(0)
    for (let t = T - 1; t >= 0; t--) {
      const h = s.hAt[t + 1], dh = s.dhAt[t], da = s.dxwAt[t]
      // dh arrives holding the direct gradient; adding the recurrent one makes it the total dL/dh_t
      if (relu) for (let k = 0; k < BH; k++) { dh[k] += dhNext[k]; da[k] = h[k] > 0 ? dh[k] : 0 }
      else for (let k = 0; k < BH; k++) { dh[k] += dhNext[k]; da[k] = dh[k] * (1 - h[k] * h[k]) }
      dhNext.fill(0)
      matmulBackwardX(dhNext, da, w.weight_hh, B, H, H)
    }
    s.dh0.set(dhNext)
    // one product over all T*B rows: rows 0..T-1 of h are h_{-1}..h_{T-2}, the states each step read
    matmulBackwardW(g.weight_hh, g.bias_hh, s.dxw, s.h, T * B, H, H)
  }

  return { kind, gates: 1, hasC: false, cacheWidth: () => 0, scratchWidth: (H) => H, forward, backward }
}

export const rnnTanh = makeElman('rnn_tanh')
export const rnnRelu = makeElman('rnn_relu')
