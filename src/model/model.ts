/**
 * The model: input projection + L recurrent layers + a linear head applied at every step + the loss.
 * llm.c's gpt2_forward / gpt2_backward shape: forward runs these calls in order, backward runs the
 * same calls in reverse.
 *
 *   xw_l   = W_ih_l x_l + b_ih_l for all T*B positions at once (a column gather for one-hot input,
 *            kernels' embedForward)
 *   h_l    = cell_l(xw_l, h0_l)                 x_{l+1} = h_l (⊙ dropout mask, training only)
 *   y      = head.weight · h_{L-1} + head.bias   [T][B][O]
 *   loss   = cross_entropy(y, targets) | mse(y, targets)
 *
 * The Jordan cell feeds ŷ_{t-1} back into every layer, so its time loop spans the layers and the head
 * (engine/cells/jordan.ts); the model still computes layer 0's projection and the W_ih gradients.
 *
 * A classifier (spec.pool) instead pools each sequence's h_1..h_len into one vector and applies the head
 * to that, [B][O], against one label per sequence (pool.ts).
 *
 * Buffers are allocated per (T, B) once and reused; nothing is allocated per step.
 */
import type { Cell, CellShape, LayerBuffers, Recurrent } from '../engine/cells/cell.ts'
import { CELLS } from '../engine/cells/index.ts'
import { jordan, jordanBackward, jordanForward, type JordanBuffers, type JordanGrads, type JordanWeights } from '../engine/cells/jordan.ts'
import { kernels, matmul, matmulBackwardW, matmulBackwardX } from '../engine/kernels/index.ts'
import { inputBackward, inputForward, type InputWeights } from './input.ts'
import { mse } from '../engine/loss.ts'
import { view, type Params } from '../engine/params.ts'
import type { Rng } from '../engine/rng.ts'
import type { ModelSpec } from './spec.ts'
import { classCrossEntropy, poolBackward, poolForward } from './pool.ts'
import { allocWorkspace, freeWorkspace, workspaceMemory, type Workspace, type WorkspaceMemory } from './workspace.ts'

export type { WorkspaceMemory }

/**
 * Recurrent state per layer, [L][B][H], like PyTorch's h_n / c_n; for the Jordan cell also the last
 * output ŷ [B][O], the only state its next step reads (h is kept for inspection).
 */
export interface State { readonly h: Float32Array; readonly c: Float32Array | null; readonly y?: Float32Array | null }

interface Layer {
  readonly w_ih: Float32Array; readonly b_ih: Float32Array; readonly w: Recurrent; readonly g: Recurrent
  readonly gw_ih: Float32Array; readonly gb_ih: Float32Array
}

export class Model {
  readonly cell: CellShape
  /** The cell's own time loop over one layer; null for the Jordan cell, whose loop spans the network. */
  private readonly layerCell: Cell | null
  private readonly layerParams: Layer[]
  private readonly input: InputWeights
  private readonly headW: Float32Array; private readonly headB: Float32Array
  private readonly gHeadW: Float32Array; private readonly gHeadB: Float32Array
  private ws: Workspace | null = null
  private spare: Workspace | null = null
  private x: Int32Array | Float32Array = new Float32Array(0)
  /** Training-time dropout between layers (PyTorch's `dropout` argument); needs `rng`. */
  dropout = 0
  rng: Rng | null = null
  /** Classifier: per-class loss weights (--balance); null: every sequence counts the same. */
  classWeights: Float32Array | null = null
  /** Called with layer l's direct dL/dh (head or layer above only) just before its BPTT: inspection (not Jordan). */
  onDirectGrad: ((layer: number, dh: Float32Array) => void) | null = null

  constructor(readonly spec: ModelSpec, readonly params: Params) {
    if (spec.cell === 'jordan' && spec.pool !== undefined) throw new Error('a Jordan network needs an output at every step')
    this.layerCell = spec.cell === 'jordan' ? null : CELLS[spec.cell]
    this.cell = this.layerCell ?? jordan
    // the recurrent weight: W_hh, or the Jordan cell's output feedback W_yh
    const rec = spec.cell === 'jordan' ? 'weight_yh' : 'weight_hh'
    const t = params.tensors, g = params.grads
    this.layerParams = []
    for (let k = 0; k < spec.num_layers; k++) {
      this.layerParams.push({
        w_ih: view(t, `weight_ih_l${k}`), b_ih: view(t, `bias_ih_l${k}`),
        gw_ih: view(g, `weight_ih_l${k}`), gb_ih: view(g, `bias_ih_l${k}`),
        w: { weight_hh: view(t, `${rec}_l${k}`), bias_hh: view(t, `bias_hh_l${k}`) },
        g: { weight_hh: view(g, `${rec}_l${k}`), bias_hh: view(g, `bias_hh_l${k}`) },
      })
    }
    this.headW = view(t, 'head.weight'); this.headB = view(t, 'head.bias')
    this.gHeadW = view(g, 'head.weight'); this.gHeadB = view(g, 'head.bias')
    const embedded = spec.embedding_dim !== undefined
    this.input = {
      ...this.layerParams[0], emb: embedded ? view(t, 'embedding.weight') : null, gEmb: embedded ? view(g, 'embedding.weight') : null,
    }
  }

  /** A zero state for B streams. */
  zeroState(B: number): State {
    const n = this.spec.num_layers * B * this.spec.hidden_size
    const y = this.spec.cell === 'jordan' ? new Float32Array(B * this.spec.output_size) : null
    return { h: new Float32Array(n), c: this.cell.hasC ? new Float32Array(n) : null, y }
  }

  /** Buffers for (T, B): the current ones, the previous shape's (train/eval alternate), or new. */
  private workspace(T: number, B: number): Workspace {
    if (this.ws !== null && this.ws.T === T && this.ws.B === B) return this.ws
    if (this.spare !== null && this.spare.T === T && this.spare.B === B) {
      const s = this.spare; this.spare = this.ws; this.ws = s
      return s
    }
    // the spare is dropped: free it first so its memory can be reused (and is not leaked)
    if (this.spare !== null) { freeWorkspace(this.spare); this.spare = null }
    const ws = allocWorkspace(this.spec, this.cell, T, B, this.dropout > 0)
    this.spare = this.ws
    this.ws = ws
    return ws
  }

  /** Allocates the buffers for (T, B) now instead of at the first forward (so memory() can report them). */
  reserve(T: number, B: number): void {
    this.workspace(T, B)
  }

  /** Bytes of the per-(T, B) buffers the model holds, by role: the current shape's first, then the other's if any. */
  memory(): WorkspaceMemory[] {
    return [this.ws, this.spare].filter((w): w is Workspace => w !== null).map((w) => workspaceMemory(w, this.spec.hidden_size))
  }

  /**
   * Runs T steps for B streams from `state`, leaving h_T (c_T, ŷ_T) in `state` for the next chunk (truncated
   * BPTT carries values, not gradients). x: ids [T][B] (one-hot) or values [T][B][I]. With targets
   * (ids [T][B], -1 = ignore, or values [T][B][O]) returns the loss and prepares backward(); else NaN.
   * `train` turns dropout on. A classifier takes one label per sequence ([B]) and each sequence's length
   * (default T): steps at or after it are padding, which changes neither the result nor the gradients.
   */
  forward(x: Int32Array | Float32Array, targets: Int32Array | Float32Array | null, T: number, B: number, state: State, train = false,
    lengths?: Int32Array): number {
    const ws = this.workspace(T, B)
    if (this.spec.pool !== undefined) { if (lengths !== undefined) ws.lengths.set(lengths.subarray(0, B)); else ws.lengths.fill(T) }
    const { hidden_size: H, num_layers: L, output_size: O } = this.spec
    const N = T * B, BH = B * H
    this.x = x
    for (let l = 0; l < L; l++) {
      const buf = ws.layers[l]
      buf.hAt[0].set(state.h.subarray(l * BH, (l + 1) * BH))
      if (state.c !== null) buf.cAt[0].set(state.c.subarray(l * BH, (l + 1) * BH))
    }
    inputForward(this.spec, ws, this.input, x)
    if (this.layerCell === null) {
      for (let l = 0; l < L - 1; l++) if (ws.masks[l] !== null) this.drawMask(ws.masks[l]!, train)
      ws.y.set(state.y!.subarray(0, B * O))
      jordanForward(kernels(), this.jordanWeights(), this.jordanBuffers(ws), this.spec.loss === 'cross_entropy')
      state.y!.set(ws.y.subarray(T * B * O))
    }
    for (let l = 0; l < L; l++) {
      const buf = ws.layers[l], p = this.layerParams[l], GH = buf.G * H
      if (this.layerCell !== null) {
        if (l > 0) matmul(buf.xw, this.layerInput(ws, l), p.w_ih, p.b_ih, N, H, GH)
        this.layerCell.forward(kernels(), p.w, buf)
        if (l < L - 1 && ws.masks[l] !== null) this.applyDropout(ws, l, train)
      }
      state.h.set(buf.hAt[T], l * BH)
      if (state.c !== null) state.c.set(buf.cAt[T], l * BH)
    }
    const top = ws.layers[L - 1]
    if (this.spec.pool !== undefined) {
      poolForward(this.spec.pool, top.h, ws.lengths, T, B, H, ws.pooled, ws.argmax)
      matmul(ws.logits, ws.pooled, this.headW, this.headB, B, H, O)
      return targets === null ? NaN : classCrossEntropy(ws.logits, targets as Int32Array, B, O, this.classWeights, ws.dlogits)
    }
    if (this.layerCell !== null) matmul(ws.logits, top.h.subarray(BH), this.headW, this.headB, N, H, O)
    if (targets === null) return NaN
    return this.spec.loss === 'cross_entropy'
      ? kernels().crossEntropy(ws.logits, targets as Int32Array, N, O, ws.dlogits)
      : mse(ws.logits, targets as Float32Array, N * O, ws.dlogits)
  }

  private jordanWeights(): JordanWeights {
    return { layers: this.layerParams, headW: this.headW, headB: this.headB }
  }

  private jordanBuffers(ws: Workspace): JordanBuffers {
    const { T, B, layers, dropped, masks, y, logits, dlogits, dy } = ws
    return { T, B, O: this.spec.output_size, layers, dropped, masks, y, logits, dlogits, dy }
  }

  /** What layer l ≥ 1 reads: the layer below's h_1..h_T, or that after dropout. */
  private layerInput(ws: Workspace, l: number): Float32Array {
    return ws.dropped[l] ?? ws.layers[l - 1].h.subarray(ws.B * this.spec.hidden_size)
  }

  /** Inverted dropout's mask: entries 0 or 1/(1-p) while training; ones at eval. */
  private drawMask(mask: Float32Array, train: boolean): void {
    if (!train) { mask.fill(1); return }
    const rng = this.rng, p = this.dropout, keep = 1 / (1 - p)
    if (rng === null) throw new Error('dropout needs model.rng')
    for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : keep
  }

  /** Inverted dropout on layer l's output, a mask drawn now. */
  private applyDropout(ws: Workspace, l: number, train: boolean): void {
    const mask = ws.masks[l]!, out = ws.dropped[l + 1]!
    const h = ws.layers[l].h.subarray(ws.B * this.spec.hidden_size)
    this.drawMask(mask, train)
    for (let i = 0; i < mask.length; i++) out[i] = h[i] * mask[i]
  }

  /**
   * Full BPTT over the last forward's T steps: adds dL/dθ into params.grad (the caller zeroes it).
   * Afterwards layer(l).dh holds the total dL/dh_t, dc the total dL/dc_t, dh0/dc0 the gradient to the
   * initial state (outputStateGrad() the Jordan cell's, to ŷ_{-1}), and inputGrad() dL/dx for dense input.
   */
  backward(): void {
    const ws = this.ws
    if (ws === null) throw new Error('backward() before forward()')
    const { hidden_size: H, num_layers: L, output_size: O } = this.spec
    const { T, B } = ws
    const N = T * B, BH = B * H
    const top = ws.layers[L - 1]
    if (this.layerCell === null) {
      const g: JordanGrads = { layers: this.layerParams.map((p) => p.g), headW: this.gHeadW, headB: this.gHeadB }
      jordanBackward(kernels(), this.jordanWeights(), g, this.jordanBuffers(ws), this.spec.loss === 'cross_entropy')
    } else if (this.spec.pool !== undefined) {
      matmulBackwardW(this.gHeadW, this.gHeadB, ws.dlogits, ws.pooled, B, H, O)
      ws.dpooled.fill(0)
      matmulBackwardX(ws.dpooled, ws.dlogits, this.headW, B, H, O)
      poolBackward(this.spec.pool, ws.dpooled, ws.lengths, ws.argmax, T, B, H, top.dh)
    } else {
      matmulBackwardW(this.gHeadW, this.gHeadB, ws.dlogits, top.h.subarray(BH), N, H, O)
      top.dh.fill(0)
      matmulBackwardX(top.dh, ws.dlogits, this.headW, N, H, O)
    }
    for (let l = L - 1; l >= 0; l--) {
      const buf = ws.layers[l], p = this.layerParams[l], GH = buf.G * H
      if (this.layerCell !== null) {
        if (this.onDirectGrad !== null) this.onDirectGrad(l, buf.dh)
        this.layerCell.backward(kernels(), p.w, p.g, buf)
      }
      if (l === 0) { inputBackward(this.spec, ws, this.input, this.x); continue }
      matmulBackwardW(p.gw_ih, p.gb_ih, buf.dxw, this.layerInput(ws, l), N, H, GH)
      if (this.layerCell !== null) {
        const below = ws.layers[l - 1].dh
        below.fill(0)
        matmulBackwardX(below, buf.dxw, p.w_ih, N, H, GH)
        const mask = ws.masks[l - 1]
        if (mask !== null) for (let i = 0; i < below.length; i++) below[i] *= mask[i]
      }
    }
  }

  /**
   * The buffers of layer l from the last forward/backward (inspection, tests). Like outputs() and
   * inputGrad(), they stay valid while the model runs this (T, B) and one other; a third shape frees them.
   */
  layer(l: number): LayerBuffers {
    if (this.ws === null) throw new Error('no forward pass yet')
    return this.ws.layers[l]
  }

  /** Head output of the last forward, [T][B][O]; a classifier's [B][O]. */
  outputs(): Float32Array {
    if (this.ws === null) throw new Error('no forward pass yet')
    return this.spec.pool !== undefined ? this.ws.logits.subarray(0, this.ws.B * this.spec.output_size) : this.ws.logits
  }

  /** dL/d(head output) of the last forward with targets, [T][B][O]: what backward starts from. */
  outputGrad(): Float32Array {
    if (this.ws === null) throw new Error('no forward pass yet')
    return this.ws.dlogits
  }

  /** A classifier's pooled top-layer state of the last forward, [B][H]: what the head read. */
  pooled(): Float32Array {
    if (this.ws === null) throw new Error('no forward pass yet')
    return this.ws.pooled.subarray(0, this.ws.B * this.spec.hidden_size)
  }

  /** The Jordan cell's outputs fed back, [T+1][B][O]: ŷ_{-1} (carried in), ŷ_0 … ŷ_{T-1}; for any other cell h of layer l. */
  recurrentInput(l: number): { values: Float32Array; width: number } {
    if (this.ws === null) throw new Error('no forward pass yet')
    if (this.layerCell !== null) return { values: this.ws.layers[l].h, width: this.spec.hidden_size }
    return { values: this.ws.y, width: this.spec.output_size }
  }

  /** The Jordan cell's dL/dŷ_{-1} of the last backward, [B][O]: the gradient to the carried output. */
  outputStateGrad(): Float32Array {
    if (this.ws === null) throw new Error('no backward pass yet')
    return this.ws.dy
  }

  /** dL/dx of the last backward for dense input, [T][B][I]. */
  inputGrad(): Float32Array {
    if (this.ws === null) throw new Error('no backward pass yet')
    return this.ws.dx
  }
}

