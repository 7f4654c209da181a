/**
 * Elman RNN over a whole sequence: PyTorch nn.RNN with nonlinearity 'tanh' or 'relu'.
 *
 *   h_t = act(xw_t + W_hh h_{t-1} + b_hh)        xw_t = W_ih x_t + b_ih, computed for all t by the model
 *
 * Nothing is cached: act'(a) is read back from h_t (tanh' = 1 - h², relu' = [h > 0]).
 * Scratch [B][H]: dL/dh_{t-1} arriving through the recurrence.
 */
import type { Kernels } from '../kernels/interface.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

// ---- the reference step (the 'js' kernels; the SIMD twin is src/engine/wasm/assembly/rnn.ts) ----

/** h [B][H] = act(h + b_hh) in place, act = relu or tanh. */
export function rnnForward(h: Float32Array, bhh: Float32Array, B: number, H: number, relu: boolean): void {
  for (let b = 0, k = 0; b < B; b++) {
    if (relu) for (let j = 0; j < H; j++, k++) { const a = h[k] + bhh[j]; h[k] = a > 0 ? a : 0 }
    else for (let j = 0; j < H; j++, k++) h[k] = Math.tanh(h[k] + bhh[j])
  }
}

/** Over n entries: dh += dhNext (making it the total dL/dh_t), da = dh · act'(a) read back from h. */
export function rnnBackward(h: Float32Array, dh: Float32Array, dhNext: Float32Array, da: Float32Array, n: number, relu: boolean): void {
  if (relu) for (let k = 0; k < n; k++) { dh[k] += dhNext[k]; da[k] = h[k] > 0 ? dh[k] : 0 }
  else for (let k = 0; k < n; k++) { dh[k] += dhNext[k]; da[k] = dh[k] * (1 - h[k] * h[k]) }
}

// ---- the time loop: the recurrent product, then the step on the active kernels ----

function makeElman(kind: 'rnn_tanh' | 'rnn_relu'): Cell {
  const relu = kind === 'rnn_relu'

  function forward(K: Kernels, w: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
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

  function backward(K: Kernels, w: Recurrent, g: Recurrent, s: LayerBuffers): void {
    const { T, B, H } = s
    const BH = B * H
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
