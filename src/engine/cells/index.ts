/** The cell registry: kind → implementation (the Jordan cell's loop spans the network: jordan.ts). */
import type { Cell, CellShape, CellKind, LayerCellKind } from './cell.ts'
import { gru } from './gru.ts'
import { jordan } from './jordan.ts'
import { lstm } from './lstm.ts'
import { rnnRelu, rnnTanh } from './rnn.ts'

export const CELLS: Record<LayerCellKind, Cell> = { rnn_tanh: rnnTanh, rnn_relu: rnnRelu, lstm, gru }

/** What a layer's buffers need to know of any cell. */
export function cellShape(kind: CellKind): CellShape {
  return kind === 'jordan' ? jordan : CELLS[kind]
}
