/**
 * The contract between the model and a recurrent cell. A cell owns only the recurrence of one layer
 * over a whole sequence (torch-rnn's shape); the model computes the input projection xw = W_ih x + b_ih
 * for all steps at once before, and the W_ih gradient from dxw as one product after.
 *
 * Layout is time-major like PyTorch (batch_first = false). Every buffer of one layer for one (T, B) is
 * allocated once, views included, so nothing is allocated inside the time loop.
 */
import { preparedSize, type Kernels } from '../kernels/interface.ts'
import { allocF32, freeF32 } from '../memory.ts'

/**
 * PyTorch's cells, whose recurrence stays inside a layer (h_{t-1} → h_t), and Jordan's (1986), whose
 * recurrence runs through the network's output (ŷ_{t-1} → h_t) and so spans every layer and the head
 * (jordan.ts).
 */
export const CELL_KINDS = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'jordan'] as const
export type CellKind = (typeof CELL_KINDS)[number]
export type LayerCellKind = Exclude<CellKind, 'jordan'>

/** Gate blocks per cell, stacked along the first weight axis in PyTorch order (i,f,g,o / r,z,n). */
export const GATES: Record<CellKind, 1 | 3 | 4> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3, jordan: 1 }

/**
 * A layer's recurrent weights, or their gradients (same shapes): W_hh [G·H][H] and b_hh, or for the Jordan
 * cell its output feedback W_yh [H][O] (weight_yh_l{k}) in weight_hh's place.
 */
export interface Recurrent { readonly weight_hh: Float32Array; readonly bias_hh: Float32Array }

export interface LayerBuffers {
  readonly T: number; readonly B: number; readonly H: number; readonly G: number
  /** [T][B][G*H] in: W_ih x_t + b_ih. LSTM forward adds W_hh h_{t-1} into it (the pre-activation). */
  readonly xw: Float32Array; readonly xwAt: readonly Float32Array[]
  /** [T+1][B][H]: h[0] = h0 (the carried state), h[t+1] = h_t. Rows 0..T-1 are one block for dW_hh. */
  readonly h: Float32Array; readonly hAt: readonly Float32Array[]
  /** [T+1][B][H], LSTM only, laid out like h. */
  readonly c: Float32Array; readonly cAt: readonly Float32Array[]
  /** [T][B][*]: what backward needs from forward (gate activations), cell-specific width. */
  readonly cache: Float32Array; readonly cacheAt: readonly Float32Array[]
  /** [T][B][H] in: direct dL/dh_t (head or layer above); out: TOTAL dL/dh_t (golden dh_total). */
  readonly dh: Float32Array; readonly dhAt: readonly Float32Array[]
  /** [T][B][H] out: total dL/dc_t (LSTM). */
  readonly dc: Float32Array; readonly dcAt: readonly Float32Array[]
  /**
   * [T][B][G*H] out: dL/d(xw_t), from which the model gets dW_ih, db_ih and the input gradient. The same
   * array as xw, which the backward pass overwrites.
   */
  readonly dxw: Float32Array; readonly dxwAt: readonly Float32Array[]
  /** [T][B][G*H] out: dL/d(W_hh h + b_hh). The same array as dxw except for GRU (r ⊙ in the n block). */
  readonly dhh: Float32Array; readonly dhhAt: readonly Float32Array[]
  /** [B][H] out: gradient to the initial state. */
  readonly dh0: Float32Array; readonly dc0: Float32Array
  /** [B][*] scratch for one step. */
  readonly scratch: Float32Array
  /** W_hh prepared for the per-step products (kernels' prepareForward / prepareBackward), refilled
   *  at the start of forward and of backward. */
  readonly wp: Float32Array
}

/** What a layer's buffers need to know of its cell. */
export interface CellShape {
  readonly kind: CellKind
  readonly gates: 1 | 3 | 4
  readonly hasC: boolean
  /** Width per (t, b) of `cache` and of `scratch`. */
  readonly cacheWidth: (H: number) => number
  readonly scratchWidth: (H: number) => number
}

/** A cell whose recurrence stays inside its layer: it owns the time loop of that layer. */
export interface Cell extends CellShape {
  readonly kind: LayerCellKind
  /** Fills h[1..T] (and c[1..T]) and cache from xw and h[0] (c[0]), on kernels K. */
  forward(K: Kernels, w: Recurrent, s: LayerBuffers): void
  /** Turns dh (direct) into dh (total), fills dc, dxw, dhh, dh0, dc0; accumulates into g. */
  backward(K: Kernels, w: Recurrent, g: Recurrent, s: LayerBuffers): void
}

/** The logistic function, as the cells' reference steps compute it. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

function rows(buf: Float32Array, count: number, width: number): Float32Array[] {
  const out: Float32Array[] = []
  for (let i = 0; i < count; i++) out.push(buf.subarray(i * width, (i + 1) * width))
  return out
}

/** Every buffer comes from allocF32: in wasm memory when the wasm kernels are active (see memory.ts). */
export function allocLayerBuffers(cell: CellShape, T: number, B: number, H: number): LayerBuffers {
  const G = cell.gates, GH = G * H, BH = B * H
  const xw = allocF32(T * B * GH)
  const h = allocF32((T + 1) * BH)
  const c = allocF32(cell.hasC ? (T + 1) * BH : 0)
  const cw = cell.cacheWidth(H)
  const cache = allocF32(T * B * cw)
  const dh = allocF32(T * BH)
  const dc = allocF32(cell.hasC ? T * BH : 0)
  // dL/d(xw) overwrites xw: after the forward pass no cell reads xw again (the backward passes read the
  // gate cache and h), and each backward step writes its whole dxw_t. One [T][B][G·H] array less per layer.
  const dxw = xw
  const dhh = cell.kind === 'gru' ? allocF32(T * B * GH) : dxw
  return {
    T, B, H, G,
    xw, xwAt: rows(xw, T, B * GH),
    h, hAt: rows(h, T + 1, BH),
    c, cAt: cell.hasC ? rows(c, T + 1, BH) : [],
    cache, cacheAt: rows(cache, T, B * cw),
    dh, dhAt: rows(dh, T, BH),
    dc, dcAt: cell.hasC ? rows(dc, T, BH) : [],
    dxw, dxwAt: rows(dxw, T, B * GH),
    dhh, dhhAt: rows(dhh, T, B * GH),
    dh0: allocF32(BH), dc0: allocF32(cell.hasC ? BH : 0),
    scratch: allocF32(B * cell.scratchWidth(H)),
    wp: allocF32(preparedSize(GH, H)),
  }
}

/** Returns a layer's buffers to the allocator; none of them may be used afterwards. */
export function freeLayerBuffers(s: LayerBuffers): void {
  for (const a of new Set([s.xw, s.h, s.c, s.cache, s.dh, s.dc, s.dxw, s.dhh, s.dh0, s.dc0, s.scratch, s.wp])) freeF32(a)
}
