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
import { matmul, matmulBackwardW, matmulBackwardX } from '../kernels.ts'
import type { Cell, LayerBuffers, Recurrent } from './cell.ts'

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

function forward(w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H, H4 = 4 * H
  const v = s.scratch.subarray(0, B * H3)
  for (let t = 0; t < T; t++) {
    const u = s.xwAt[t], hPrev = s.hAt[t], h = s.hAt[t + 1], cache = s.cacheAt[t]
    matmul(v, hPrev, w.weight_hh, w.bias_hh, B, H, H3)
    for (let b = 0; b < B; b++) {
      const ub = b * H3, cb = b * H4, hb = b * H
      for (let j = 0; j < H; j++) {
        const r = sigmoid(u[ub + j] + v[ub + j])
        const z = sigmoid(u[ub + H + j] + v[ub + H + j])
        const vn = v[ub + 2 * H + j]
        const n = Math.tanh(u[ub + 2 * H + j] + r * vn)
        cache[cb + j] = r; cache[cb + H + j] = z; cache[cb + 2 * H + j] = n; cache[cb + 3 * H + j] = vn
        h[hb + j] = (1 - z) * n + z * hPrev[hb + j]
      }
    }
  }
}

function backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H, H4 = 4 * H
  const dhNext = s.scratch.subarray(0, B * H)
  dhNext.fill(0)
  for (let t = T - 1; t >= 0; t--) {
    const cache = s.cacheAt[t], hPrev = s.hAt[t], dh = s.dhAt[t], du = s.dxwAt[t], dv = s.dhhAt[t]
    for (let b = 0; b < B; b++) {
      const ub = b * H3, cb = b * H4, hb = b * H
      for (let j = 0; j < H; j++) {
        const k = hb + j
        const r = cache[cb + j], z = cache[cb + H + j], n = cache[cb + 2 * H + j], vn = cache[cb + 3 * H + j]
        const dhv = dh[k] + dhNext[k] // total dL/dh_t
        dh[k] = dhv
        const dan = dhv * (1 - z) * (1 - n * n)
        const dar = dan * vn * r * (1 - r)
        const daz = dhv * (hPrev[k] - n) * z * (1 - z)
        du[ub + j] = dar; du[ub + H + j] = daz; du[ub + 2 * H + j] = dan
        dv[ub + j] = dar; dv[ub + H + j] = daz; dv[ub + 2 * H + j] = dan * r
        dhNext[k] = dhv * z // the direct path h_{t-1} → h_t; the gate paths are added below
      }
    }
    matmulBackwardX(dhNext, dv, w.weight_hh, B, H, H3)
  }
  s.dh0.set(dhNext)
  matmulBackwardW(g.weight_hh, g.bias_hh, s.dhh, s.h, T * B, H, H3)
}

export const gru: Cell = { kind: 'gru', gates: 3, hasC: false, cacheWidth: (H) => 4 * H, scratchWidth: (H) => 4 * H, forward, backward }
