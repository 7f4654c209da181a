/**
 * The model's buffers for one (T, B): every layer's LayerBuffers plus what lies between and around them
 * (dropout copies and masks, logits and their gradient, dense input's gradient, the one-hot embedding's
 * scratch, a classifier's pooled state, a Jordan network's outputs fed back). Allocated once per shape
 * and reused; nothing is allocated per step. Also the byte accounting of `rnn train --verbose`.
 */
import { allocLayerBuffers, freeLayerBuffers, GATES, type CellShape, type LayerBuffers } from '../engine/cells/cell.ts'
import { allocF32, freeF32 } from '../engine/memory.ts'
import type { ModelSpec } from './spec.ts'

export interface Workspace {
  readonly T: number; readonly B: number
  readonly layers: LayerBuffers[]
  /** Input of layer l ≥ 1 after dropout ([T][B][H]); null where no dropout applies. */
  readonly dropped: (Float32Array | null)[]
  readonly masks: (Float32Array | null)[]
  readonly logits: Float32Array; readonly dlogits: Float32Array
  /** dL/dx for dense input, [T][B][I]. */
  readonly dx: Float32Array
  /** One-hot input only, [I][G*H]: scratch for W_ih0ᵀ and its gradient (kernels' embed*). */
  readonly embedT: Float32Array; readonly embedGradT: Float32Array
  /** With an embedding only, [T][B][E]: the embedded input and its gradient. */
  readonly emb: Float32Array; readonly demb: Float32Array
  /** Classifier only ([B][H], else empty): the pooled top-layer state, its gradient, the max's steps. */
  readonly pooled: Float32Array; readonly dpooled: Float32Array; readonly argmax: Int32Array
  /** Classifier only: each sequence's length (steps at or after it are padding). */
  readonly lengths: Int32Array
  /** Jordan only (else empty): ŷ [T+1][B][O], row 0 the carried ŷ_{-1}; dy [B][O], dL/dŷ_{-1} after backward. */
  readonly y: Float32Array; readonly dy: Float32Array
}

export function allocWorkspace(spec: ModelSpec, cell: CellShape, T: number, B: number, withDropout: boolean): Workspace {
  const { hidden_size: H, num_layers: L, output_size: O, input_size: I } = spec
  const E = spec.embedding_dim ?? 0
  const embed = spec.input === 'one_hot' && E === 0 ? I * GATES[spec.cell] * H : 0
  const pooled = spec.pool !== undefined ? B * H : 0
  const jordan = spec.cell === 'jordan'
  return {
    T, B,
    layers: Array.from({ length: L }, () => allocLayerBuffers(cell, T, B, H)),
    dropped: Array.from({ length: L }, (_, l) => (l > 0 && withDropout ? allocF32(T * B * H) : null)),
    masks: Array.from({ length: L }, (_, l) => (l < L - 1 && withDropout ? allocF32(T * B * H) : null)),
    logits: allocF32(T * B * O), dlogits: allocF32(T * B * O),
    dx: allocF32(spec.input === 'dense' ? T * B * I : 0),
    embedT: allocF32(embed), embedGradT: allocF32(embed), emb: allocF32(T * B * E), demb: allocF32(T * B * E),
    pooled: allocF32(pooled), dpooled: allocF32(pooled), argmax: new Int32Array(pooled), lengths: new Int32Array(B),
    y: allocF32(jordan ? (T + 1) * B * O : 0), dy: allocF32(jordan ? B * O : 0),
  }
}

/**
 * The bytes of one workspace by role. Every per-position figure is T × B × (bytes per position): the
 * buffers hold [T][B][*] rows; the carried-state rows h_0 / c_0 and whatever has no position axis are `fixed`.
 */
export interface WorkspaceMemory {
  readonly T: number; readonly B: number
  /** Per layer: the forward values kept for BPTT: h_1..h_T, c_1..c_T, the gate cache, dropout mask and output. */
  readonly activations: readonly number[]
  /** Per layer: the other per-position buffers: the input projection xw and backward's dh, dc, dxw (dhh). */
  readonly work: readonly number[]
  /** Per position outside the layers: logits, dlogits, (dense input) dL/dx, (embedding) x_t and its gradient, (Jordan) ŷ. */
  readonly io: number
  /** No position axis: h_0 / c_0, dh0 / dc0, step scratch, packed W_hh, embedding scratch. */
  readonly fixed: number
  /** Every array of the workspace, once. */
  readonly total: number
}

/** The model's own arrays of a workspace (outside the LayerBuffers). */
function ownArrays(ws: Workspace): Float32Array[] {
  const all = [...ws.dropped, ...ws.masks, ws.logits, ws.dlogits, ws.dx, ws.embedT, ws.embedGradT, ws.emb, ws.demb, ws.pooled, ws.dpooled]
  return [...all, ws.y, ws.dy].filter((a): a is Float32Array => a !== null)
}

/** Each distinct array of a workspace (views excluded): the LayerBuffers' own arrays and the model's. */
function workspaceArrays(ws: Workspace): Set<Float32Array> {
  const all = new Set<Float32Array>()
  for (const l of ws.layers) for (const v of Object.values(l)) if (v instanceof Float32Array) all.add(v)
  for (const a of ownArrays(ws)) all.add(a)
  return all
}

export function workspaceMemory(ws: Workspace, H: number): WorkspaceMemory {
  const bytes = (a: Float32Array | null) => (a === null ? 0 : a.byteLength)
  const row = ws.B * H * 4 // h_0 (c_0): the state carried in, not a position of this chunk
  const activations = ws.layers.map((l, i) =>
    bytes(l.h) - row + (l.c.length > 0 ? bytes(l.c) - row : 0) + bytes(l.cache) + bytes(ws.dropped[i]) + bytes(ws.masks[i]))
  const work = ws.layers.map((l) =>
    bytes(l.xw) + bytes(l.dh) + bytes(l.dc) + (l.dxw !== l.xw ? bytes(l.dxw) : 0) + (l.dhh !== l.dxw ? bytes(l.dhh) : 0))
  const yRow = ws.y.length > 0 ? ws.y.byteLength / (ws.T + 1) : 0 // ŷ_{-1}: carried in, not a position
  const io = bytes(ws.logits) + bytes(ws.dlogits) + bytes(ws.dx) + bytes(ws.emb) + bytes(ws.demb) + bytes(ws.y) - yRow
  let total = 0
  for (const a of workspaceArrays(ws)) total += a.byteLength
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  return { T: ws.T, B: ws.B, activations, work, io, fixed: total - sum(activations) - sum(work) - io, total }
}

/** Every array of a workspace goes back to the allocator (wasm memory is not garbage-collected). */
export function freeWorkspace(ws: Workspace): void {
  for (const l of ws.layers) freeLayerBuffers(l)
  for (const a of ownArrays(ws)) freeF32(a)
}
