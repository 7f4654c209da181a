/** `rnn describe`'s options: the schema and the flag table. */
import { z } from 'zod'
import { between, int, parseCell, type FlagRow } from './parse.ts'
import { CELL_KINDS, type CellKind } from '../engine/cells/cell.ts'

/** The model described without a checkpoint, where a flag does not say otherwise. */
export const DESCRIBE_DEFAULTS = { cell: 'lstm' as CellKind, hidden: 128, layers: 1, vocabSize: 65 }

export const DescribeOptions = z.strictObject({
  cell: z.enum(CELL_KINDS).optional(),
  hidden: z.int().min(1).optional(),
  layers: z.int().min(1).optional(),
  vocabSize: z.int().min(1).optional(),
  embed: z.int().min(1).optional(),
  // a diagram for the terminal, one column of boxes per step
  unroll: between(1, 32).default(4),
  json: z.boolean().default(false),
})
export type DescribeOptions = z.infer<typeof DescribeOptions>

const d = DESCRIBE_DEFAULTS
export const DESCRIBE_FLAGS: FlagRow[] = [
  {
    key: 'cell', flag: '--cell', arg: '<cell>', help: `rnn_tanh (alias rnn), rnn_relu, lstm, gru or jordan (default: ${d.cell})`,
    parse: parseCell,
  },
  { key: 'hidden', flag: '--hidden', arg: '<n>', help: `units per layer (default: ${d.hidden})`, parse: int },
  { key: 'layers', flag: '--layers', arg: '<n>', help: `stacked layers (default: ${d.layers})`, parse: int },
  {
    key: 'vocabSize', flag: '--vocab-size', arg: '<n>', help: `characters in the vocabulary: inputs and outputs (default: ${d.vocabSize})`,
    parse: int,
  },
  { key: 'embed', flag: '--embed', arg: '<n>', help: 'inputs through an embedding of n dimensions (default: one-hot)', parse: int },
  { key: 'unroll', flag: '--unroll', arg: '<n>', help: 'steps drawn in the unrolled diagram', parse: int },
  {
    key: 'json', flag: '--json', arg: '',
    help: 'print {"cell","params":[{"name","shape","count"}],"total"} (and "head":{"pool","classes"} for a classifier)',
  },
]
