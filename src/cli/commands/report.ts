/** `rnn report [checkpoint] --out report.html`: one self-contained HTML page about a trained model. */
import { Command } from 'commander'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { fmtInt, result } from '../output.ts'

export function command(): Command {
  return new Command('report')
    .description('write a self-contained HTML report: loss, learning rate and gradient charts, a sample or forecast, the config')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .option('--out <report.html>', 'output file (default: the checkpoint\'s name with .html, same folder)')
    .addHelpText('after', `
Examples:
  rnn report                                   # the latest checkpoint → checkpoints/<name>.html
  rnn report checkpoints/corpus-lstm.json --out report.html
  rnn train corpus.txt --steps 2000 --report report.html   # the same page, written after training`)
    .action(run)
}

async function run(named: string | undefined, o: { out?: string }): Promise<void> {
  const path = pickCheckpoint(named)
  const { writeReport } = await import('../../index.ts')
  const r = writeReport(path, o.out ?? path.replace(/\.json$/i, '') + '.html')
  result(`wrote ${r.out} (${fmtInt(r.bytes)} bytes)`)
}
