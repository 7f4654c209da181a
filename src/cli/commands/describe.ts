/** `rnn describe [checkpoint]`: a model's equations, parameter tensors and unrolled network. */
import { Chalk } from 'chalk'
import { Command, Option } from 'commander'
import type { CellKind } from '../../engine/cells/cell.ts'
import { UserError } from '../../errors.ts'
import { parseCell, int as parseInt_ } from '../../options/parse.ts'
import { colour, json, result } from '../output.ts'

const DEFAULTS = { cell: 'lstm' as CellKind, hidden: 128, layers: 1, vocabSize: 65 }

export function command(): Command {
  return new Command('describe')
    .description("print a model's cell equations, parameter tensors and the network unrolled over time")
    .argument('[checkpoint]', 'checkpoint file to describe (default: a model from the flags below)')
    .addOption(new Option('--cell <cell>', `rnn_tanh (alias rnn), rnn_relu, lstm or gru (default: ${DEFAULTS.cell})`).argParser(parseCell))
    .addOption(new Option('--hidden <n>', `units per layer (default: ${DEFAULTS.hidden})`).argParser(parseInt_))
    .addOption(new Option('--layers <n>', `stacked layers (default: ${DEFAULTS.layers})`).argParser(parseInt_))
    .addOption(new Option('--vocab-size <n>', `characters in the vocabulary: inputs and outputs (default: ${DEFAULTS.vocabSize})`).argParser(parseInt_))
    .addOption(new Option('--unroll <n>', 'steps drawn in the unrolled diagram').default(4).argParser(parseInt_))
    .option('--json', 'print {"cell","params":[{"name","shape","count"}],"total"} (and "head":{"pool","classes"} for a classifier)')
    .addHelpText('after', `
Examples:
  rnn describe                                   # an LSTM of 128 units over 65 characters
  rnn describe --cell gru --hidden 256 --layers 2
  rnn describe checkpoints/corpus-lstm.json --json`)
    .action(run)
}

const MAX_UNROLL = 32

interface Opts { cell?: CellKind; hidden?: number; layers?: number; vocabSize?: number; unroll: number; json?: boolean }

async function run(path: string | undefined, o: Opts): Promise<void> {
  const { describeModel } = await import('../../index.ts')
  let spec, classes: string[] | undefined
  if (path !== undefined) {
    for (const [flag, v] of [['--cell', o.cell], ['--hidden', o.hidden], ['--layers', o.layers], ['--vocab-size', o.vocabSize]] as const)
      if (v !== undefined) throw new UserError(`${flag}: describes a model without a checkpoint; ${path} fixes its own architecture`)
    const { loadCheckpoint, specOf } = await import('../../index.ts')
    const ck = loadCheckpoint(path)
    spec = specOf(ck)
    if (ck.data.kind === 'classifier') classes = ck.data.classes
  } else {
    const hidden = o.hidden ?? DEFAULTS.hidden, layers = o.layers ?? DEFAULTS.layers, V = o.vocabSize ?? DEFAULTS.vocabSize
    for (const [flag, v] of [['--hidden', hidden], ['--layers', layers], ['--vocab-size', V]] as const)
      if (v < 1) throw new UserError(`${flag}: must be ≥ 1, got ${v}`)
    spec = { cell: o.cell ?? DEFAULTS.cell, input_size: V, hidden_size: hidden, num_layers: layers, output_size: V, input: 'one_hot', loss: 'cross_entropy' } as const
  }
  // a diagram for the terminal, one column of boxes per step
  if (o.unroll < 1 || o.unroll > MAX_UNROLL) throw new UserError(`--unroll: must be from 1 to ${MAX_UNROLL}, got ${o.unroll}`)
  const d = describeModel(spec, classes)
  if (o.json) { json({ cell: d.cell, params: d.params, total: d.total, ...(d.head !== undefined ? { head: d.head } : {}) }); return }
  const { renderDescription } = await import('../../report/describe.ts')
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderDescription(spec, d, c, o.unroll)) result(line)
}
