/**
 * The architecture, with PyTorch's constructor names, and the one list of parameter names, shapes and
 * order (PyTorch state_dict order: layer 0's four tensors, layer 1's, …, then the head). The Jordan cell
 * has no PyTorch module: it keeps the names of nn.RNN's tensors and calls its output feedback
 * weight_yh_l{k} [H][O], in weight_hh_l{k}'s place. A model with an embedding has nn.Embedding's
 * embedding.weight [V][E] first.
 */
import { CELL_KINDS, GATES, type CellKind } from '../engine/cells/cell.ts'
import type { TensorSpec } from '../engine/params.ts'
import type { Pool } from './pool.ts'

export interface ModelSpec {
  cell: CellKind
  input_size: number
  hidden_size: number
  num_layers: number
  output_size: number
  /** one_hot: input ids, layer 0's projection is a column gather of weight_ih_l0; dense: real vectors. */
  input: 'one_hot' | 'dense'
  /** With one_hot input: ids read through an nn.Embedding of this width (embedding.weight [input_size][E]). */
  embedding_dim?: number
  loss: 'cross_entropy' | 'mse'
  /** A classifier: the head reads h_1..h_len pooled this way, once per sequence (see pool.ts); absent: at every step. */
  pool?: Pool
}

export { CELL_KINDS }
export type { CellKind }

export function paramSpecs(spec: ModelSpec): TensorSpec[] {
  const G = GATES[spec.cell], H = spec.hidden_size
  const out: TensorSpec[] = []
  // nn.Embedding comes first in the module, so first in the state_dict
  if (spec.embedding_dim !== undefined) out.push({ name: 'embedding.weight', shape: [spec.input_size, spec.embedding_dim] })
  for (let k = 0; k < spec.num_layers; k++) {
    const I = k === 0 ? spec.embedding_dim ?? spec.input_size : H
    out.push({ name: `weight_ih_l${k}`, shape: [G * H, I] })
    if (spec.cell === 'jordan') out.push({ name: `weight_yh_l${k}`, shape: [H, spec.output_size] })
    else out.push({ name: `weight_hh_l${k}`, shape: [G * H, H] })
    out.push({ name: `bias_ih_l${k}`, shape: [G * H] })
    out.push({ name: `bias_hh_l${k}`, shape: [G * H] })
  }
  out.push({ name: 'head.weight', shape: [spec.output_size, H] })
  out.push({ name: 'head.bias', shape: [spec.output_size] })
  return out
}

/** Gate letters in PyTorch order, recorded in checkpoints for readers. */
export function gateOrder(cell: CellKind): string[] {
  return cell === 'lstm' ? ['i', 'f', 'g', 'o'] : cell === 'gru' ? ['r', 'z', 'n'] : []
}

/** Weights per layer and in the head, i.e. the multiply-adds per position of a forward pass. */
export function flopsPerPosition(spec: ModelSpec): number {
  const G = GATES[spec.cell], H = spec.hidden_size
  let macs = 0
  for (let k = 0; k < spec.num_layers; k++) {
    const I = k === 0 ? spec.embedding_dim ?? (spec.input === 'one_hot' ? 0 : spec.input_size) : H
    macs += G * H * (I + (spec.cell === 'jordan' ? spec.output_size : H))
  }
  macs += spec.output_size * H
  // forward 1×, backward 2× (input and weight gradients); 2 flops per multiply-add
  return 2 * 3 * macs
}
