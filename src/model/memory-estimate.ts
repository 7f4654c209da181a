/**
 * What training a model will hold in memory, estimated from the spec and the config before anything is
 * allocated, so an impossible size (--hidden 20000: 6.4 GB of parameters, ×4 with gradients, best copy
 * and Adam) is refused in one line instead of allocating until the kernel kills the process. The figures
 * follow the buffers the model allocates (src/engine/cells/cell.ts allocLayerBuffers, src/model/model.ts)
 * and the checkpoint's base64 copies at a save; `rnn train --verbose` prints the exact ones.
 */
import { totalmem } from 'node:os'
import { cellShape } from '../engine/cells/index.ts'
import { preparedSize } from '../engine/kernels/index.ts'
import { sizeOf } from '../engine/params.ts'
import { UserError } from '../errors.ts'
import { fmtSize } from '../files/read-file.ts'
import { paramSpecs, type ModelSpec } from './spec.ts'

/** The default --max-memory: this fraction of the machine's RAM. */
const DEFAULT_MEMORY_FRACTION = 0.5

interface MemoryEstimate {
  parameters: number; parameter_bytes: number; per_position_bytes: number; positions: number; total_bytes: number
}

const OPTIMIZER_BUFFERS = { sgd: 0, adam: 2, rmsprop: 1, adagrad: 1 } as const

export function estimateTraining(
  spec: ModelSpec,
  o: { optimizer: keyof typeof OPTIMIZER_BUFFERS; momentum: number; dropout: number; T: number; B: number; extraPositions?: number },
): MemoryEstimate {
  const cell = cellShape(spec.cell), H = spec.hidden_size, G = cell.gates
  const P = paramSpecs(spec).reduce((n, s) => n + sizeOf(s.shape), 0)
  const optBuffers = OPTIMIZER_BUFFERS[o.optimizer] + (o.optimizer === 'sgd' && o.momentum > 0 ? 1 : 0)
  // parameters, gradient, best copy, optimizer state; at a save, base64 (4/3 bytes per byte) of the best and latest
  // parameters and the optimizer state
  const parameter_bytes = 4 * P * (3 + optBuffers) + (4 * P * (2 + optBuffers) * 4) / 3
  // per position (one of T × B): per layer xw (then dxw), h, c, the gate cache, dh, dc, GRU's dhh, dropout's copy and mask
  const perLayer = G * H + H + (cell.hasC ? 2 * H : 0) + cell.cacheWidth(H) + H + (cell.kind === 'gru' ? G * H : 0)
    + (o.dropout > 0 ? 2 * H : 0)
  // per position outside the layers: logits and dlogits, dense input's gradient, the embedded input and its
  // gradient, the Jordan cell's outputs fed back
  const E = spec.embedding_dim ?? 0
  const io = 2 * spec.output_size + (spec.input === 'dense' ? spec.input_size : 0) + 2 * E + (spec.cell === 'jordan' ? spec.output_size : 0)
  const per_position_bytes = 4 * (spec.num_layers * perLayer + io)
  // no position axis: packed W_hh per layer, the one-hot embedding's transposed scratch and its gradient
  const fixed = 4 * (spec.num_layers * preparedSize(G * H, H) + (spec.input === 'one_hot' && E === 0 ? 2 * spec.input_size * G * H : 0))
  const positions = o.T * o.B + (o.extraPositions ?? 0)
  const total_bytes = parameter_bytes + per_position_bytes * positions + fixed
  return { parameters: P, parameter_bytes, per_position_bytes, positions, total_bytes }
}

/** --max-memory's default: a fraction of the machine's RAM. */
function defaultMaxMemory(): number {
  return Math.floor(totalmem() * DEFAULT_MEMORY_FRACTION)
}

/** A UserError stating the estimate when it is above `limit` (null: the default). */
export function checkMemory(e: MemoryEstimate, limit: number | null): void {
  const max = limit ?? defaultMaxMemory()
  if (e.total_bytes <= max) return
  const why = limit === null
    ? `the default --max-memory, ${Math.round(DEFAULT_MEMORY_FRACTION * 100)}% of this machine's ${fmtSize(totalmem())} of RAM`
    : `--max-memory ${fmtSize(max)}`
  throw new UserError(`training this model needs about ${fmtSize(e.total_bytes)} (${e.parameters.toLocaleString('en-US')} parameters: `
    + `${fmtSize(e.parameter_bytes)} with gradients, optimizer state and checkpoint copies; `
    + `${e.positions.toLocaleString('en-US')} positions × ${fmtSize(e.per_position_bytes)}), above ${why}; `
    + 'use a smaller --hidden, --layers, --seq-len or --batch, or raise --max-memory')
}
