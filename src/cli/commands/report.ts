/** `rnn report [checkpoint] --out report.html`: one self-contained HTML page about a trained model. */
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { REPORT_FLAGS, ReportOptions } from '../../options/report.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { addFlags, readOptions } from '../flags.ts'
import { fmtInt, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('report')
    .description('write a self-contained HTML report: loss, learning rate and gradient charts, a sample or forecast, the config')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  return addFlags(cmd, REPORT_FLAGS, ReportOptions)
    .addHelpText('after', `
Examples:
  rnn report                                   # the latest checkpoint → checkpoints/<name>.html
  rnn report checkpoints/corpus-lstm.json --out report.html
  rnn train corpus.txt --steps 2000 --report report.html   # the same page, written after training`)
    .action(run)
}

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ReportOptions, REPORT_FLAGS, raw)
  const path = pickCheckpoint(named)
  const { writeReport, loadCheckpoint } = await import('../../index.ts')
  const { claimOutput } = await import('../../files/output-file.ts')
  const { REPORT_FILE } = await import('../../report/html.ts')
  const out = o.out ?? path.replace(/\.json$/i, '') + '.html'
  if (!/\.html?$/i.test(out)) throw new UserError(`--report/--out: ${out}: the report is an HTML file; name it *.html`)
  // the report reads the training data too (samples, forecasts, gradients): none of it may be overwritten
  const ck = loadCheckpoint(path)
  const source = ck.data.source
  const inputs = [{ path, what: 'the checkpoint reported on' }, ...(source !== null ? [{ path: source, what: 'the training data' }] : [])]
  const claim = claimOutput(out, { kind: REPORT_FILE, flag: '--out', inputs, force: o.force })
  try {
    const r = writeReport(path, out, ck)
    result(`wrote ${r.out} (${fmtInt(r.bytes)} bytes)`)
  } finally {
    claim.release()
  }
}
