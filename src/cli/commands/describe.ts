/** `rnn describe [checkpoint]`: a model's equations, parameter tensors and unrolled network. */
import { Chalk } from 'chalk'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import type { ModelSpec } from '../../model/spec.ts'
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
  let spec: ModelSpec, classes: string[] | undefined, tokens: 'char' | 'word' = 'char'
  if (path !== undefined) {
    const given = [
      ['--cell', o.cell], ['--hidden', o.hidden], ['--layers', o.layers], ['--vocab-size', o.vocabSize], ['--embed', o.embed],
    ] as const
    for (const [flag, v] of given)
      if (v !== undefined) throw new UserError(`${flag}: describes a model without a checkpoint; ${path} fixes its own architecture`)
    const { loadCheckpoint, specOf } = await import('../../index.ts')
    const ck = loadCheckpoint(path)
    spec = specOf(ck)
    if (ck.data.kind === 'classifier') classes = ck.data.classes
    if (ck.data.kind === 'text' && ck.data.tokenizer !== undefined) tokens = 'word'
  } else {
    const hidden = o.hidden ?? DEFAULTS.hidden, layers = o.layers ?? DEFAULTS.layers, V = o.vocabSize ?? DEFAULTS.vocabSize
    const cell = o.cell ?? DEFAULTS.cell
    spec = { cell, input_size: V, hidden_size: hidden, num_layers: layers, output_size: V, input: 'one_hot', loss: 'cross_entropy' }
    if (o.embed !== undefined) spec.embedding_dim = o.embed
  }
  const d = describeModel(spec, classes, tokens)
  if (o.json) {
    const embedding = spec.embedding_dim !== undefined ? { embedding_dim: spec.embedding_dim } : {}
    const input = { ...(d.tokens !== undefined ? { tokens: d.tokens } : {}), ...embedding }
    json({ cell: d.cell, ...input, params: d.params, total: d.total, ...(d.head !== undefined ? { head: d.head } : {}) })
    return
  }
  const { renderDescription } = await import('../../report/describe.ts')
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderDescription(spec, d, c, o.unroll)) result(line)
}
