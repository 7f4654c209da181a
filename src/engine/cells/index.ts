/** The cell registry: kind → implementation. */
import type { Cell, CellKind } from './cell.ts'
import { gru } from './gru.ts'
import { lstm } from './lstm.ts'
import { rnnRelu, rnnTanh } from './rnn.ts'

export const CELLS: Record<CellKind, Cell> = { rnn_tanh: rnnTanh, rnn_relu: rnnRelu, lstm, gru }
