/**
 * Jordan network (Jordan 1986): the recurrence runs through the network's output, not its hidden state.
 *
 *   h_t^l = tanh(xw_t^l + W_yh^l ŷ_{t-1} + b_hh^l)     xw_t^l = W_ih^l x_t^l + b_ih^l, x_t^0 = x_t, x_t^l = h_t^{l-1}
 *   y_t   = W_hy h_t^{L-1} + b_y                        (the head)
 *   ŷ_t   = softmax(y_t) (cross-entropy: a distribution over the next token) or y_t (MSE: the prediction)
 *
 * ŷ_{-1} is the state carried in (zero at the start of a stream, the last chunk's ŷ across truncated-BPTT
 * chunks). With several layers every layer reads the network's output ŷ_{t-1} through its own W_yh^l
 * [H][O] (weight_yh_l{k}): the only state is ŷ, so a deeper network stays a Jordan network, with every
 * layer conditioned on what was last predicted. Because ŷ_{t-1} needs the head at step t-1, the time loop
 * spans every layer and the head (unlike PyTorch's cells, which run one layer over all steps): this file
 * owns both passes. The layer-0 projection xw^0 for all steps and the W_ih gradients are the model's.
 *
 * Backward, per step from T-1 down: dŷ_t = Σ_l W_yh^lᵀ da_{t+1}^l arrives from the next step; through the
 * softmax dy_t += ŷ_t ⊙ (dŷ_t − ⟨dŷ_t, ŷ_t⟩) (identity for MSE); dh_t^{L-1} = W_hyᵀ dy_t; each layer's
 * da_t^l = dh_t^l ⊙ (1 − (h_t^l)²) and dh_t^{l-1} = W_ih^lᵀ da_t^l (⊙ the dropout mask). The weight
 * gradients are one product each after the loop. Nothing is cached: tanh' is read back from h, the
 * softmax's Jacobian from ŷ.
 */
import type { Kernels } from '../kernels/interface.ts'
import type { CellShape, LayerBuffers, Recurrent } from './cell.ts'

type F = Float32Array

export const jordan: CellShape = { kind: 'jordan', gates: 1, hasC: false, cacheWidth: () => 0, scratchWidth: (H) => H }

/** A Jordan network's weights: per layer W_ih, b_ih and w (W_yh in weight_hh's place, b_hh), then the head. */
export interface JordanWeights {
  readonly layers: readonly { readonly w_ih: F; readonly b_ih: F; readonly w: Recurrent }[]
  readonly headW: F; readonly headB: F
}

/** Gradients of what this file differentiates: per layer W_yh and b_hh, and the head (W_ih's are the model's). */
export interface JordanGrads { readonly layers: readonly Recurrent[]; readonly headW: F; readonly headB: F }

export interface JordanBuffers {
  readonly T: number; readonly B: number; readonly O: number
  /** Per layer; layer 0's xw holds W_ih x + b_ih for every step before forward. */
  readonly layers: readonly LayerBuffers[]
  /** Per layer: layer l's input after dropout [T][B][H] (filled here), and layer l's mask [T][B][H] (drawn before). */
  readonly dropped: readonly (F | null)[]; readonly masks: readonly (F | null)[]
  /** [T+1][B][O]: row 0 ŷ_{-1} (set before forward), row t+1 ŷ_t. */
  readonly y: F
  /** [T][B][O]: the head's outputs y_t. */
  readonly logits: F
  /** [T][B][O] in: dL/dy_t from the loss at step t; out: the total, through every later step too. */
  readonly dlogits: F
  /** [B][O] out: dL/dŷ_{-1}, the gradient to the carried output. */
  readonly dy: F
}

/** ŷ = softmax(y) row by row (B rows of O), in float64 then stored. */
function softmaxRows(out: F, y: F, B: number, O: number): void {
  for (let b = 0; b < B; b++) {
    const o = b * O
    let max = -Infinity
    for (let j = 0; j < O; j++) if (y[o + j] > max) max = y[o + j]
    let sum = 0
    for (let j = 0; j < O; j++) sum += Math.exp(y[o + j] - max)
    for (let j = 0; j < O; j++) out[o + j] = Math.exp(y[o + j] - max) / sum
  }
}

/** dy += J_softmaxᵀ dŷ = ŷ ⊙ (dŷ − ⟨dŷ, ŷ⟩), row by row. */
function softmaxBackward(dy: F, yhat: F, dyhat: F, B: number, O: number): void {
  for (let b = 0; b < B; b++) {
    const o = b * O
    let dot = 0
    for (let j = 0; j < O; j++) dot += dyhat[o + j] * yhat[o + j]
    for (let j = 0; j < O; j++) dy[o + j] += yhat[o + j] * (dyhat[o + j] - dot)
  }
}

/** Fills every layer's h[1..T], the logits and ŷ[1..T]; `softmax` for a cross-entropy model. */
export function jordanForward(K: Kernels, w: JordanWeights, s: JordanBuffers, softmax: boolean): void {
  const { T, B, O, layers } = s
  const L = layers.length, H = layers[0].H, BH = B * H, BO = B * O
  for (let t = 0; t < T; t++) {
    const yPrev = s.y.subarray(t * BO, (t + 1) * BO)
    for (let l = 0; l < L; l++) {
      const buf = layers[l], p = w.layers[l], h = buf.hAt[t + 1]
      if (l > 0) {
        const below = s.dropped[l]?.subarray(t * BH, (t + 1) * BH) ?? layers[l - 1].hAt[t + 1]
        K.matmul(buf.xwAt[t], below, p.w_ih, p.b_ih, B, H, H)
      }
      h.set(buf.xwAt[t])
      K.matmulAdd(h, yPrev, p.w.weight_hh, B, O, H)
      K.rnnForward(h, p.w.bias_hh, B, H, false)
      const mask = s.masks[l]
      if (mask !== null) {
        const out = s.dropped[l + 1]!
        for (let k = 0, i = t * BH; k < BH; k++, i++) out[i] = h[k] * mask[i]
      }
    }
    const logits = s.logits.subarray(t * BO, (t + 1) * BO), yhat = s.y.subarray((t + 1) * BO, (t + 2) * BO)
    K.matmul(logits, layers[L - 1].hAt[t + 1], w.headW, w.headB, B, H, O)
    if (softmax) softmaxRows(yhat, logits, B, O)
    else yhat.set(logits)
  }
}

/**
 * Full BPTT through ŷ over the last forward's T steps: dlogits becomes the total dL/dy_t, each layer's dh
 * the total dL/dh_t and dxw dL/d(xw_t) (also dL/d(W_yh ŷ_{t-1} + b_hh)); adds into the gradients of W_yh,
 * b_hh and the head. dh0 is zero: no h is carried, only ŷ (its gradient lands in s.dy).
 */
export function jordanBackward(K: Kernels, w: JordanWeights, g: JordanGrads, s: JordanBuffers, softmax: boolean): void {
  const { T, B, O, layers } = s
  const L = layers.length, H = layers[0].H, BH = B * H, BO = B * O, N = T * B
  const top = layers[L - 1], dyNext = s.dy, zero = layers[0].scratch
  dyNext.fill(0)
  zero.fill(0)
  for (let t = T - 1; t >= 0; t--) {
    const dy = s.dlogits.subarray(t * BO, (t + 1) * BO)
    if (softmax) softmaxBackward(dy, s.y.subarray((t + 1) * BO, (t + 2) * BO), dyNext, B, O)
    else for (let k = 0; k < BO; k++) dy[k] += dyNext[k]
    top.dhAt[t].fill(0)
    K.matmulBackwardX(top.dhAt[t], dy, w.headW, B, H, O)
    for (let l = L - 1; l >= 0; l--) {
      const buf = layers[l]
      K.rnnBackward(buf.hAt[t + 1], buf.dhAt[t], zero, buf.dxwAt[t], BH, false)
      if (l === 0) continue
      const below = layers[l - 1].dhAt[t]
      below.fill(0)
      K.matmulBackwardX(below, buf.dxwAt[t], w.layers[l].w_ih, B, H, H)
      const mask = s.masks[l - 1]
      if (mask !== null) for (let k = 0, i = t * BH; k < BH; k++, i++) below[k] *= mask[i]
    }
    dyNext.fill(0)
    for (let l = 0; l < L; l++) K.matmulBackwardX(dyNext, layers[l].dxwAt[t], w.layers[l].w.weight_hh, B, O, H)
  }
  K.matmulBackwardW(g.headW, g.headB, s.dlogits, top.h.subarray(BH), N, H, O)
  // rows 0..T-1 of y are ŷ_{-1}..ŷ_{T-2}, what each step read
  for (let l = 0; l < L; l++) {
    K.matmulBackwardW(g.layers[l].weight_hh, g.layers[l].bias_hh, layers[l].dxw, s.y, N, O, H)
    layers[l].dh0.fill(0)
  }
}
