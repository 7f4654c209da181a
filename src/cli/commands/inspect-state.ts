/** `rnn inspect-state [checkpoint] --text "…"`: a heatmap of one layer's hidden state while reading a text. */
import { Chalk } from 'chalk'
import { Command, InvalidArgumentError, Option } from 'commander'
import { UserError } from '../../errors.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { parseInt_ } from '../flags.ts'
import { colour, json, result } from '../output.ts'

export function command(): Command {
  return new Command('inspect-state')
    .description("show a layer's hidden state as a heatmap while the model reads a text")
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .requiredOption('--text <text>', 'the text to feed through the model, from a zero state')
    .addOption(new Option('--layer <n>', 'layer to show (default: the top layer)').argParser(parseInt_))
    .addOption(new Option('--units <n|list>', 'the n most active units (by mean |h|), or a list such as 3,17,42').default(16).argParser(parseUnits))
    .option('--json', 'print {"units":[…],"chars":[…],"values":[[…]]} (values[row][k]: unit units[k] after chars[row])')
    .addHelpText('after', `
Each row is one character (⏎ newline, ␣ space) and the state h_t right after reading it; each cell one
unit, red for positive and blue for negative values of h in [-1, 1].

Examples:
  rnn inspect-state --text "Call me Ishmael."
  rnn inspect-state checkpoints/corpus-lstm.json --text "ROMEO:" --units 3,17,42 --json`)
    .action(run)
}

/** "16": that many of the most active units; "3,17,42" (or "7," for one unit): exactly those. */
function parseUnits(v: string): number | number[] {
  if (/^\s*\d+\s*$/.test(v)) return Number(v)
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError(`expected a count or a list of unit indices such as 3,17,42, got "${v}"`)
  return parts.map(Number)
}

async function run(named: string | undefined, o: { text: string; layer?: number; units: number | number[]; json?: boolean }): Promise<void> {
  const path = pickCheckpoint(named)
  const { loadModel } = await import('../../index.ts')
  const { traceState } = await import('../../index.ts')
  const { model, vocab } = loadModel(path)
  if (vocab === null) throw new UserError(`${path}: a time-series model; --text needs a text model`)
  const trace = traceState(model, vocab, o.text, { layer: o.layer, units: o.units })
  if (o.json) { json({ units: trace.units, chars: trace.chars, values: trace.values }); return }
  const { renderStateHeatmap } = await import('../../report/state.ts')
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderStateHeatmap(trace, c)) result(line)
}
