/**
 * Elman RNN over a whole sequence: PyTorch nn.RNN with nonlinearity 'tanh' or 'relu'.
 *
 *   h_t = act(xw_t + W_hh h_{t-1} + b_hh)        xw_t = W_ih x_t + b_ih, computed for all t by the model
 *
 * Nothing is cached: act'(a) is read back from h_t (tanh' = 1 - h², relu' = [h > 0]).
 * Scratch [B][H]: dL/dh_{t-1} arriving through the recurrence.
 */
import { kernels } from '../kernels/index.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function makeElman(kind: 'rnn_tanh' | 'rnn_relu'): Cell {
  const relu = kind === 'rnn_relu'

  function forward(w: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
    const K = kernels()
    const prep = T > 1 // preparing W_hh pays over several steps, not for one (sampling)
    if (prep) K.prepareForward(s.wp, w.weight_hh, H, H)
    for (let t = 0; t < T; t++) {
      const h = s.hAt[t + 1]
      h.set(s.xwAt[t])
      if (prep) K.matmulAddPrepared(h, s.hAt[t], w.weight_hh, s.wp, B, H, H)
      else K.matmulAdd(h, s.hAt[t], w.weight_hh, B, H, H)
      K.rnnForward(h, w.bias_hh, B, H, relu)
    }
  }

  function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
    const BH = B * H, K = kernels()
    const dhNext = s.scratch
    dhNext.fill(0)
    const prep = T > 1
    if (prep) K.prepareBackward(s.wp, w.weight_hh, H, H)
    for (let t = T - 1; t >= 0; t--) {
      // dh arrives holding the direct gradient; adding the recurrent one makes it the total dL/dh_t
      K.rnnBackward(s.hAt[t + 1], s.dhAt[t], dhNext, s.dxwAt[t], BH, relu)
      dhNext.fill(0)
      if (prep) K.matmulBackwardXPrepared(dhNext, s.dxwAt[t], w.weight_hh, s.wp, B, H, H)
      else K.matmulBackwardX(dhNext, s.dxwAt[t], w.weight_hh, B, H, H)
    }
    s.dh0.set(dhNext)
    // one product over all T*B rows: rows 0..T-1 of h are h_{-1}..h_{T-2}, the states each step read
    K.matmulBackwardW(g.weight_hh, g.bias_hh, s.dxw, s.h, T * B, H, H)
  }

  return { kind, gates: 1, hasC: false, cacheWidth: () => 0, scratchWidth: (H) => H, forward, backward }
}

export const rnnTanh = makeElman('rnn_tanh')
export const rnnRelu = makeElman('rnn_relu')
