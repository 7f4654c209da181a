/** `rnn explore [checkpoint]`: one offline HTML page that runs the model and animates how it works. */
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { EXPLORE_FLAGS, ExploreOptions } from '../../explore/options.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { fmtInt, log, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('explore')
    .description('write one offline HTML page that runs the model: unrolling, sharing, hidden state, generation, vanishing gradients, BPTT')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  const defaults = ExploreOptions.parse({})
  for (const f of EXPLORE_FLAGS) {
    const d = defaults[f.key]
    cmd.option(`${f.flag} ${f.arg}`.trim(), `${f.help}${d === undefined ? '' : ` (default: ${d})`}`)
  }
  return cmd.addHelpText('after', `
The page needs no network and no server: open it from disk in a browser. Its numbers come from rnn's own
engine, bundled into the page (the same wasm kernels as the CLI): the same as rnn inspect-state,
inspect-gradients and rnn sample.

Examples:
  rnn explore                                        # the latest checkpoint → checkpoints/<name>.explore.html
  rnn explore checkpoints/corpus-lstm.json --text "Call me Ishmael." --out ishmael.html
  rnn explore checkpoints/big.json --weights f16     # half the file size`).action(run)
}

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const given = EXPLORE_FLAGS.filter((f) => raw[f.key] !== undefined).map((f) => [f.key, raw[f.key]])
  const parsed = ExploreOptions.safeParse(Object.fromEntries(given))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = EXPLORE_FLAGS.find((f) => f.key === issue.path[0])?.flag ?? String(issue.path[0])
    const got = issue.code === 'invalid_value' ? ` (got ${JSON.stringify(raw[String(issue.path[0])])})` : ''
    throw new UserError(`${flag}: ${issue.message}${got}`)
  }
  const o = parsed.data
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
