/**
 * The memory report of a training run (rnn train --verbose, --json's "memory"): read off the arrays
 * actually allocated, not computed from a formula.
 */
import { heapStats, inHeap } from '../engine/memory.ts'
import type { Optimizer } from '../engine/optim.ts'
import type { Model } from '../model/model.ts'

/**
 * What training holds in memory, in bytes, from the arrays actually allocated (not from a formula). The
 * per-(T, B) buffers are `positions` = seq_len × batch_size rows each, so activation_bytes and
 * bptt_buffer_bytes are positions × their bytes per position: linear in seq_len × batch_size.
 */
export interface TrainMemory {
  parameters: number
  parameter_bytes: number
  gradient_bytes: number
  optimizer: string
  /** The optimizer's state buffers (Adam: exp_avg and exp_avg_sq). */
  optimizer_bytes: number
  /** The best-so-far parameters (what the checkpoint's `params` holds). */
  best_bytes: number
  seq_len: number
  batch_size: number
  positions: number
  /** Forward values kept for BPTT: h_1..h_T, c_1..c_T, gate activations, dropout masks and outputs. */
  activation_bytes: number
  activation_bytes_per_layer: number[]
  activation_bytes_per_position: number
  /** The other per-position buffers: input projections xw, backward's dh, dc, dxw, the head's logits and dlogits. */
  bptt_buffer_bytes: number
  bptt_buffer_bytes_per_position: number
  /** Workspace arrays without a position axis: initial state rows, dh0/dc0, step scratch, packed W_hh, embedding scratch. */
  fixed_workspace_bytes: number
  /** Buffers for another (T, B) the model keeps, e.g. a validation of another shape (none for text). */
  other_workspace_bytes: number
  /** The sum of the above: the engine's float32 buffers. */
  engine_bytes: number
  /** WebAssembly memory in use (engine buffers in it plus kernel scratch), null with the js kernels. */
  wasm_bytes: number | null
  /** The process's peak resident set size so far. */
  peak_rss_bytes: number
}

/** process.resourceUsage().maxRSS is in kibibytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}

/** The memory report of a training run: its model's workspaces, parameters, gradient and optimizer state. */
export function trainMemory(model: Model, opt: Optimizer, best: Float32Array, T: number, B: number): TrainMemory {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)
  const all = model.memory()
  const ws = all.find((w) => w.T === T && w.B === B), others = all.filter((w) => w !== ws)
  if (ws === undefined) throw new Error(`trainMemory: the model holds no buffers for (${T}, ${B}); call model.reserve first`)
  const positions = T * B
  const activation_bytes = sum(ws.activations)
  const bptt_buffer_bytes = sum(ws.work) + ws.io
  const params = model.params
  const optimizer_bytes = sum(Object.values(opt.state.buffers).map((b) => b.byteLength))
  const other_workspace_bytes = sum(others.map((w) => w.total))
  return {
    parameters: params.data.length,
    parameter_bytes: params.data.byteLength,
    gradient_bytes: params.grad.byteLength,
    optimizer: opt.state.name,
    optimizer_bytes,
    best_bytes: best.byteLength,
    seq_len: T, batch_size: B, positions,
    activation_bytes,
    activation_bytes_per_layer: [...ws.activations],
    activation_bytes_per_position: activation_bytes / positions,
    bptt_buffer_bytes,
    bptt_buffer_bytes_per_position: bptt_buffer_bytes / positions,
    fixed_workspace_bytes: ws.fixed,
    other_workspace_bytes,
    engine_bytes: params.data.byteLength + params.grad.byteLength + optimizer_bytes + best.byteLength + ws.total + other_workspace_bytes,
    wasm_bytes: inHeap(params.data) ? heapStats().usedBytes : null,
    peak_rss_bytes: peakRssBytes(),
  }
}
