/** `rnn describe [checkpoint]`: a model's equations, parameter tensors and unrolled network. */
import { Chalk } from 'chalk'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { DESCRIBE_DEFAULTS as DEFAULTS, DESCRIBE_FLAGS, DescribeOptions } from '../../options/describe.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, json, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('describe')
    .description("print a model's cell equations, parameter tensors and the network unrolled over time")
    .argument('[checkpoint]', 'checkpoint file to describe (default: a model from the flags below)')
  return addFlags(cmd, DESCRIBE_FLAGS, DescribeOptions)
    .addHelpText('after', `
Examples:
  rnn describe                                   # an LSTM of 128 units over 65 characters
  rnn describe --cell gru --hidden 256 --layers 2
  rnn describe checkpoints/corpus-lstm.json --json`)
    .action(run)
}

async function run(path: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(DescribeOptions, DESCRIBE_FLAGS, raw)
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
    spec = {
      cell: o.cell ?? DEFAULTS.cell, input_size: V, hidden_size: hidden, num_layers: layers, output_size: V,
      input: 'one_hot', loss: 'cross_entropy',
    } as const
  }
  const d = describeModel(spec, classes)
  if (o.json) { json({ cell: d.cell, params: d.params, total: d.total, ...(d.head !== undefined ? { head: d.head } : {}) }); return }
  const { renderDescription } = await import('../../report/describe.ts')
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderDescription(spec, d, c, o.unroll)) result(line)
}
