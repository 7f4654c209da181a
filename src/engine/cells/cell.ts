/**
 * The contract between the model and a recurrent cell. A cell owns only the recurrence of one layer
 * over a whole sequence (torch-rnn's shape); the model computes the input projection xw = W_ih x + b_ih
 * for all steps at once before, and the W_ih gradient from dxw as one product after.
 *
 * Layout is time-major like PyTorch (batch_first = false). Every buffer of one layer for one (T, B) is
 * allocated once, views included, so nothing is allocated inside the time loop.
 */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru'
export const CELL_KINDS: readonly CellKind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru']

/** Gate blocks per cell, stacked along the first weight axis in PyTorch order (i,f,g,o / r,z,n). */
export const GATES: Record<CellKind, 1 | 3 | 4> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 }

/** A layer's recurrent weights, or their gradients (same shapes). */
export interface Recurrent { readonly weight_hh: Float32Array; readonly bias_hh: Float32Array }

export interface LayerBuffers {
  readonly T: number; readonly B: number; readonly H: number; readonly G: number
  /** [T][B][G*H] in: W_ih x_t + b_ih. */
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
  /** [T][B][G*H] out: dL/d(xw_t), from which the model gets dW_ih, db_ih and the input gradient. */
  readonly dxw: Float32Array; readonly dxwAt: readonly Float32Array[]
  /** [T][B][G*H] out: dL/d(W_hh h + b_hh). The same array as dxw except for GRU (r ⊙ in the n block). */
  readonly dhh: Float32Array; readonly dhhAt: readonly Float32Array[]
  /** [B][H] out: gradient to the initial state. */
  readonly dh0: Float32Array; readonly dc0: Float32Array
  /** [B][*] scratch for one step. */
  readonly scratch: Float32Array
}

export interface Cell {
  readonly kind: CellKind
  readonly gates: 1 | 3 | 4
  readonly hasC: boolean
  /** Width per (t, b) of `cache` and of `scratch`. */
  readonly cacheWidth: (H: number) => number
  readonly scratchWidth: (H: number) => number
  /** Fills h[1..T] (and c[1..T]) and cache from xw and h[0] (c[0]). */
  forward(w: Recurrent, s: LayerBuffers): void
  /** Turns dh (direct) into dh (total), fills dc, dxw, dhh, dh0, dc0; accumulates into g. */
  backward(w: Recurrent, g: Recurrent, s: LayerBuffers): void
}

function rows(buf: Float32Array, count: number, width: number): Float32Array[] {
  const out: Float32Array[] = []
  for (let i = 0; i < count; i++) out.push(buf.subarray(i * width, (i + 1) * width))
  return out
}

export function allocLayerBuffers(cell: Cell, T: number, B: number, H: number): LayerBuffers {
  const G = cell.gates, GH = G * H, BH = B * H
  const xw = new Float32Array(T * B * GH)
  const h = new Float32Array((T + 1) * BH)
  const c = new Float32Array(cell.hasC ? (T + 1) * BH : 0)
  const cw = cell.cacheWidth(H)
  const cache = new Float32Array(T * B * cw)
  const dh = new Float32Array(T * BH)
  const dc = new Float32Array(cell.hasC ? T * BH : 0)
  const dxw = new Float32Array(T * B * GH)
  const dhh = cell.kind === 'gru' ? new Float32Array(T * B * GH) : dxw
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
    dh0: new Float32Array(BH), dc0: new Float32Array(cell.hasC ? BH : 0),
    scratch: new Float32Array(B * cell.scratchWidth(H)),
  }
}
