/** `rnn import model.safetensors --out ckpt.json`: a checkpoint from PyTorch-trained weights. */
import { Command } from 'commander'
import type { Checkpoint } from '../../model/checkpoint/schema.ts'
import { IMPORT_FLAGS, ImportOptions } from '../../options/import.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, fmtInt, json, log, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('import')
    .description('make a checkpoint from safetensors weights (an rnn export, or a PyTorch state_dict of {rnn, head})')
    .argument('<file.safetensors>', 'weights: rnn.weight_ih_l0 … (or weight_ih_l0 …), head.weight, head.bias, float32')
  return addFlags(cmd, IMPORT_FLAGS, ImportOptions)
    .addHelpText('after', `
The cell is read from the shapes (weight_hh_l0 is [G·H, H]: G = 4 LSTM, 3 GRU, 1 RNN, tanh unless the
config says rnn_relu), and so are the hidden size, layers and vocabulary size.

Examples:
  rnn import checkpoints/corpus-lstm.safetensors --out imported.json
  rnn import torch-model.safetensors --vocab-from corpus.txt --out checkpoints/torch-lstm.json`)
    .action(run)
}

async function run(file: string, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ImportOptions, IMPORT_FLAGS, raw)
  const { importCheckpoint, loadCheckpoint, saveCheckpoint } = await import('../../index.ts')
  const { claimOutput, keepPrevious } = await import('../../files/output-file.ts')
  const { CHECKPOINT_FILE } = await import('../../model/checkpoint/format.ts')
  const inputs = [
    { path: file, what: 'the imported weights' }, { path: o.config, what: 'the --config file' },
    { path: o.vocab, what: 'the --vocab file' }, { path: o.vocabFrom, what: 'the --vocab-from text' },
  ].filter((i): i is { path: string; what: string } => i.path !== undefined)
  const claim = claimOutput(o.out, { kind: CHECKPOINT_FILE, flag: '--out', inputs, force: o.force })
  let ck: Checkpoint
  try {
    ck = importCheckpoint({ file, out: o.out, config: o.config, vocab: o.vocab, vocabFrom: o.vocabFrom })
    if (claim.existing === 'same-kind') log(colour.dim(`kept the previous ${o.out} as ${keepPrevious(claim.target, CHECKPOINT_FILE)}`))
    // read back with every rule `rnn sample`/`eval` apply before it replaces anything, so an import never
    // leaves a checkpoint that other commands would refuse
    saveCheckpoint(o.out, ck, { verify: (tmp) => { loadCheckpoint(tmp) } })
  } finally {
    claim.release()
  }
  const m = ck.model
  const params = Object.values(ck.params).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)
  if (o.json) {
    json({
      out: o.out, cell: m.cell, hidden_size: m.hidden_size, num_layers: m.num_layers, input_size: m.input_size,
      output_size: m.output_size, params,
    })
    return
  }
  result(`wrote ${o.out}: ${m.cell}, ${m.num_layers} × ${m.hidden_size} units, ${m.input_size} inputs → ${m.output_size} outputs, `
    + `${fmtInt(params)} parameters`)
}
