/**
 * GRU over a whole sequence: PyTorch nn.GRU, gate blocks r, z, n.
 *
 *   u = xw_t = W_ih x_t + b_ih                   [B][3H] = [u_r | u_z | u_n]
 *   v = W_hh h_{t-1} + b_hh                      [B][3H] = [v_r | v_z | v_n]
 *   r = σ(u_r + v_r)   z = σ(u_z + v_z)
 *   n = tanh(u_n + r ⊙ v_n)
 *   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
 *
 * b_hn sits inside r ⊙ (W_hn h + b_hn), as in PyTorch and cuDNN, not outside as in Cho et al. or
 * char-rnn: the two n biases are not interchangeable, and dL/du differs from dL/dv in the n block
 * (dv_n = r ⊙ du_n). That is why GRU has its own dhh buffer.
 *
 * Cache [T][B][4H]: r, z, n and v_n. Scratch [B][4H]: v for one step (forward), dh from t+1 (backward).
 */
import { kernels } from '../kernels/index.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function forward(w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H, K = kernels()
  const v = s.scratch.subarray(0, B * H3)
  const prep = T > 1 // preparing W_hh pays over several steps, not for one (sampling)
  if (prep) K.prepareForward(s.wp, w.weight_hh, H3, H)
  for (let t = 0; t < T; t++) {
    if (prep) K.matmulPrepared(v, s.hAt[t], w.weight_hh, s.wp, w.bias_hh, B, H, H3)
    else K.matmul(v, s.hAt[t], w.weight_hh, w.bias_hh, B, H, H3)
    K.gruForward(s.xwAt[t], v, s.hAt[t], s.hAt[t + 1], s.cacheAt[t], B, H)
  }
}

function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H, K = kernels()
  const dhNext = s.scratch.subarray(0, B * H)
  dhNext.fill(0)
  const prep = T > 1
  if (prep) K.prepareBackward(s.wp, w.weight_hh, H3, H)
  for (let t = T - 1; t >= 0; t--) {
    const dv = s.dhhAt[t]
    // leaves dhNext = dh_total ⊙ z, the direct path h_{t-1} → h_t; the gate paths are added below
    K.gruBackward(s.cacheAt[t], s.hAt[t], s.dhAt[t], dhNext, s.dxwAt[t], dv, B, H)
    if (prep) K.matmulBackwardXPrepared(dhNext, dv, w.weight_hh, s.wp, B, H, H3)
    else K.matmulBackwardX(dhNext, dv, w.weight_hh, B, H, H3)
  }
  s.dh0.set(dhNext)
  K.matmulBackwardW(g.weight_hh, g.bias_hh, s.dhh, s.h, T * B, H, H3)
}

export const gru: Cell = { kind: 'gru', gates: 3, hasC: false, cacheWidth: (H) => 4 * H, scratchWidth: (H) => 4 * H, forward, backward }
