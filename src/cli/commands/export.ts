/** `rnn export [checkpoint] --out model.safetensors`: the weights as a PyTorch state_dict in safetensors. */
import { Command } from 'commander'
import { EXPORT_FLAGS, ExportOptions } from '../../options/export.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { addFlags, readOptions } from '../flags.ts'
import { fmtInt, json, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('export')
    .description('write a checkpoint\'s weights as safetensors for PyTorch ({rnn: nn.LSTM/GRU/RNN, head: nn.Linear} state_dict)')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  return addFlags(cmd, EXPORT_FLAGS, ExportOptions)
    .addHelpText('after', `
Examples:
  rnn export checkpoints/corpus-lstm.json               # → checkpoints/corpus-lstm.safetensors
  rnn export --out model.safetensors

In PyTorch: model.load_state_dict(safetensors.torch.load_file("model.safetensors")) for
model = nn.Module with .rnn = nn.LSTM(V, H, L) and .head = nn.Linear(H, V); the vocabulary and config
are in the file's metadata (safetensors.safe_open(path, "pt").metadata()).`)
    .action(run)
}

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ExportOptions, EXPORT_FLAGS, raw)
  const path = pickCheckpoint(named)
  const { loadCheckpoint, defaultExportPath, exportTensors, writeSafetensors } = await import('../../index.ts')
  const { claimOutput } = await import('../../files/output-file.ts')
  const { EXPORT_FILE } = await import('../../interop/safetensors.ts')
  const ck = loadCheckpoint(path)
  const out = o.out ?? defaultExportPath(path)
  const { tensors, metadata } = exportTensors(ck, path)
  const claim = claimOutput(out, { kind: EXPORT_FILE, flag: '--out', inputs: [{ path, what: 'the checkpoint exported' }], force: o.force })
  let bytes: number
  try {
    bytes = writeSafetensors(out, tensors, metadata)
  } finally {
    claim.release()
  }
  if (o.json) { json({ out, tensors: tensors.length, bytes }); return }
  result(`wrote ${out}: ${tensors.length} tensors (${tensors.map((t) => t.name).join(', ')}), ${fmtInt(bytes)} bytes`)
}
