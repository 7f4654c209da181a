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
import type { Kernels } from '../kernels/interface.ts'
import { sigmoid, type Cell, type LayerBuffers, type Recurrent } from './cell.ts'

// ---- the reference step (the 'js' kernels; the SIMD twin is src/engine/wasm/assembly/gru.ts) ----

/** u = xw_t, v = W_hh h + b_hh [B][3H]; cache [B][4H] gets r, z, n, v_n; h [B][H] gets h_t. */
export function gruForward(
  u: Float32Array, v: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, B: number, H: number,
): void {
  const H3 = 3 * H, H4 = 4 * H
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

/** dh direct in, total out; dhNext from t+1 in, the direct path dh·z out; du, dv [B][3H] out. */
export function gruBackward(
  cache: Float32Array, hPrev: Float32Array, dh: Float32Array, dhNext: Float32Array, du: Float32Array, dv: Float32Array,
  B: number, H: number,
): void {
  const H3 = 3 * H, H4 = 4 * H
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
      dhNext[k] = dhv * z // the direct path h_{t-1} → h_t; the gate paths are added by the caller
    }
  }
}

// ---- the time loop: the recurrent product, then the step on the active kernels ----

function forward(K: Kernels, w: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H
  const v = s.scratch.subarray(0, B * H3)
  const prep = T > 1 // preparing W_hh pays over several steps, not for one (sampling)
  if (prep) K.prepareForward(s.wp, w.weight_hh, H3, H)
  for (let t = 0; t < T; t++) {
    if (prep) K.matmulPrepared(v, s.hAt[t], w.weight_hh, s.wp, w.bias_hh, B, H, H3)
    else K.matmul(v, s.hAt[t], w.weight_hh, w.bias_hh, B, H, H3)
    K.gruForward(s.xwAt[t], v, s.hAt[t], s.hAt[t + 1], s.cacheAt[t], B, H)
  }
}

function backward(K: Kernels, w: Recurrent, g: Recurrent, s: LayerBuffers): void {
  const { T, B, H } = s
  const H3 = 3 * H
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
