/** `rnn inspect-gradients`'s options: the schema and the flag table. */
import { InvalidArgumentError } from 'commander'
import { z } from 'zod'
import { between, delimiter, int, list, num, parseCell, type FlagRow } from './parse.ts'
import { TRANSFORMS } from '../data/codec.ts'
import { CELL_KINDS, type CellKind } from '../engine/cells/cell.ts'

/** The fresh models' sizes and seed when --cell is given without them. */
export const FRESH_DEFAULTS = { hidden: 64, layers: 1, seed: 1 }

export const InspectGradientsOptions = z.strictObject({
  // one backward pass keeps every step's activations, and the report has a value per step
  seqLen: between(1, 10_000).default(100),
  offset: z.int().min(0).default(0),
  batches: between(1, 1_000).default(1),
  lossAt: z.enum(['last', 'all']).default('last'),
  // fresh models instead of a checkpoint
  cell: z.array(z.enum(CELL_KINDS)).optional(),
  hidden: z.int().min(1).optional(),
  layers: z.int().min(1).optional(),
  seed: z.int().min(0).optional(),
  forgetBias: z.number().optional(),
  // fresh models on a CSV: the columns and their encoding, as rnn train takes them
  target: z.string().optional(),
  features: z.array(z.string()).optional(),
  transform: z.enum(TRANSFORMS).optional(),
  fill: z.enum(['previous', 'linear', 'drop']).optional(),
  delimiter: z.string().optional(),
  header: z.boolean().default(true),
  json: z.boolean().default(false),
  csv: z.boolean().default(false),
})
export type InspectGradientsOptions = z.infer<typeof InspectGradientsOptions>

function parseCells(v: string): CellKind[] {
  const cells = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (cells.length === 0) throw new InvalidArgumentError('expected a list of cells, e.g. rnn_tanh,lstm,gru')
  return [...new Set(cells.map((s) => parseCell(s) as CellKind))]
}

const f = FRESH_DEFAULTS
export const INSPECT_GRADIENTS_FLAGS: FlagRow[] = [
  {
    key: 'seqLen', flag: '--seq-len', arg: '<n>', parse: int,
    help: 'steps (characters or CSV rows) in the window (one backward pass through all of them)',
  },
  {
    key: 'offset', flag: '--offset', arg: '<n>', parse: int,
    help: 'first character (or CSV row) of the window; the model starts from a zero state there',
  },
  { key: 'batches', flag: '--batches', arg: '<n>', help: 'average the norms over n consecutive windows', parse: int },
  {
    key: 'lossAt', flag: '--loss-at', arg: '<where>', choices: ['last', 'all'],
    help: 'S = the loss at the last step only, or the SUM of the per-step losses over all steps (the engine\'s mean × seq-len)',
  },
  {
    key: 'cell', flag: '--cell', arg: '<cells>', parse: parseCells,
    help: 'compare fresh models instead of a checkpoint: a list of rnn_tanh (alias rnn), rnn_relu, lstm, gru, jordan',
  },
  { key: 'hidden', flag: '--hidden', arg: '<n>', help: `units per layer of fresh models (default: ${f.hidden})`, parse: int },
  { key: 'layers', flag: '--layers', arg: '<n>', help: `layers of fresh models (default: ${f.layers})`, parse: int },
  { key: 'seed', flag: '--seed', arg: '<n>', help: `seed of the fresh models' PyTorch initialisation (default: ${f.seed})`, parse: int },
  { key: 'forgetBias', flag: '--forget-bias', arg: '<b>', help: 'LSTM forget-gate bias of fresh models', parse: num },
  { key: 'target', flag: '--target', arg: '<column>', help: 'fresh models on a CSV: the column to forecast (name or 0-based index)' },
  { key: 'features', flag: '--features', arg: '<a,b,...>', help: 'fresh models on a CSV: more columns to read as inputs', parse: list },
  {
    key: 'transform', flag: '--transform', arg: '<t>', choices: [...TRANSFORMS],
    help: 'fresh models on a CSV: inputs and targets as changes (difference), values (level), or either on the log of the target',
  },
  {
    key: 'fill', flag: '--fill', arg: '<how>', choices: ['previous', 'linear', 'drop'],
    help: 'fresh models on a CSV: repair missing values and dates',
  },
  { key: 'delimiter', flag: '--delimiter', arg: '<d>', help: 'fresh models on a CSV: , ; or tab (default: detected)', parse: delimiter },
  { key: 'header', flag: '--no-header', arg: '', help: 'fresh models on a CSV: the first line is data; name columns by index' },
  {
    key: 'json', flag: '--json', arg: '', conflicts: 'csv',
    help: 'print {"loss_at","seq_len","series":[{cell,layer,dh_norm,dc_norm,whh_contrib_norm,decay_per_step}]}',
  },
  { key: 'csv', flag: '--csv', arg: '', help: 'print one row per (cell, layer, step): cell,layer,t,dh_norm,dc_norm,whh_contrib_norm' },
]
