/** `rnn explore [checkpoint]`: one offline HTML page that runs the model and animates how it works. */
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { EXPLORE_FLAGS, ExploreOptions } from '../../options/explore.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { addFlags, readOptions } from '../flags.ts'
import { fmtInt, log, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('explore')
    .description('write one offline HTML page that runs the model: unrolling, sharing, hidden state, generation (a classifier: '
      + 'classification), vanishing gradients, BPTT')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  return addFlags(cmd, EXPLORE_FLAGS, ExploreOptions).addHelpText('after', `
The page needs no network and no server: open it from disk in a browser. Its numbers come from rnn's own
engine, bundled into the page (the same wasm kernels as the CLI): the same as rnn inspect-state,
inspect-gradients and rnn sample.

Examples:
  rnn explore                                        # the latest checkpoint → checkpoints/<name>.explore.html
  rnn explore checkpoints/corpus-lstm.json --text "Call me Ishmael." --out ishmael.html
  rnn explore checkpoints/big.json --weights f16     # half the file size
  rnn explore checkpoints/reviews-lstm.json --text "Not good at all."   # a classifier reading a sentence`).action(run)
}

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ExploreOptions, EXPLORE_FLAGS, raw)
  const path = pickCheckpoint(named)
  const { writeExplorer, defaultExplorePath } = await import('../../explore/write-explore.ts')
  const { loadCheckpoint } = await import('../../model/checkpoint/file.ts')
  const { claimOutput } = await import('../../files/output-file.ts')
  const { EXPLORER_FILE } = await import('../../explore/html.ts')
  const ck = loadCheckpoint(path)
  const out = o.out ?? defaultExplorePath(path)
  // the page reads the training data for its default input: neither it nor the checkpoint may be overwritten
  const source = ck.data.source
  const inputs = [{ path, what: 'the checkpoint explored' }, ...(source !== null ? [{ path: source, what: 'the training data' }] : [])]
  const claim = claimOutput(out, { kind: EXPLORER_FILE, flag: '--out', inputs, force: o.force })
  try {
    const r = await writeExplorer(path, out, { text: o.text, weights: o.weights }, ck)
    if (o.weights === 'f16') log(`float16 weights: largest rounding error ${r.maxError.toExponential(2)}`)
    result(`wrote ${r.out} (${fmtInt(r.bytes)} bytes; page code ${fmtInt(r.script)} bytes) — open it in a browser`)
  } finally {
    claim.release()
  }
}
