/** `rnn inspect-state [checkpoint] --text "…"`: a heatmap of one layer's hidden state while reading a text. */
import { Chalk } from 'chalk'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { INSPECT_STATE_FLAGS, InspectStateOptions } from '../../options/inspect-state.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, json, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('inspect-state')
    .description("show a layer's hidden state as a heatmap while the model reads a text")
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  return addFlags(cmd, INSPECT_STATE_FLAGS, InspectStateOptions)
    .addHelpText('after', `
Each row is one character (⏎ newline, ␣ space) and the state h_t right after reading it; each cell one
unit, red for positive and blue for negative values of h in [-1, 1].

Examples:
  rnn inspect-state --text "Call me Ishmael."
  rnn inspect-state checkpoints/corpus-lstm.json --text "ROMEO:" --units 3,17,42 --json
  rnn inspect-state checkpoints/reviews-amazon-yelp-lstm.json --by-label --units 5`)
    .action(run)
}

type Opts = InspectStateOptions

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(InspectStateOptions, INSPECT_STATE_FLAGS, raw)
  if (o.text === undefined && o.byLabel !== true) throw new UserError('--text <text> is required (or --by-label, for a classifier)')
  if (o.text !== undefined && o.byLabel === true) throw new UserError('--by-label: reads the test rows; give it without --text')
  const path = pickCheckpoint(named)
  const { loadModel } = await import('../../index.ts')
  const { traceState } = await import('../../index.ts')
  const { model, vocab, checkpoint } = loadModel(path)
  if (o.byLabel === true) { await byLabel(path, model, vocab, checkpoint, o); return }
  if (vocab === null) throw new UserError(`${path}: a time-series model; --text needs a text model`)
  const classes = checkpoint.data.kind === 'classifier' ? checkpoint.data.classes : undefined
  const trace = traceState(model, vocab, o.text!, { layer: o.layer, units: o.units }, classes)
  if (o.json) {
    const rows = vocab.kind === 'word' ? { tokens: trace.chars } : { chars: trace.chars }
    const probs = trace.probs ? { classes: trace.classes, probabilities: trace.probs } : {}
    json({ units: trace.units, ...rows, values: trace.values, ...probs })
    return
  }
  const { renderStateHeatmap } = await import('../../report/state.ts')
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderStateHeatmap(trace, c)) result(line)
}

type Loaded = Awaited<ReturnType<typeof import('../../index.ts')['loadModel']>>

async function byLabel(path: string, model: Loaded['model'], vocab: Loaded['vocab'], ck: Loaded['checkpoint'], o: Opts): Promise<void> {
  if (ck.data.kind !== 'classifier') throw new UserError(`${path}: --by-label needs a classifier (a model trained with --label)`)
  if (Array.isArray(o.units)) throw new UserError('--units: with --by-label, how many units to list (a count)')
  const source = ck.data.source
  if (source === null) throw new UserError(`${path}: no training file recorded to take the test rows from`)
  const { readClassifierData } = await import('../../tasks/classify-source.ts')
  const { encodeTexts } = await import('../../data/vocab.ts')
  const { unitsByLabel } = await import('../../inspect/class-state.ts')
  const data = readClassifierData(source, ck.config, ck.data.classes)
  // the test rows, or the validation rows of a model trained with --test-frac 0
  const rows = data.split.test.length > 0 ? data.split.test : data.split.val
  const texts = encodeTexts(rows.map((i) => data.rows.texts[i]), vocab!)
  const ranked = unitsByLabel(model, texts, Int32Array.from(rows, (i) => data.ids[i]), ck.data.classes)
  const top = ranked.slice(0, Math.max(1, o.units))
  if (o.json) { json({ rows: rows.length, units: top }); return }
  result(`units of the top layer by the correlation of their pooled value with the label, over ${rows.length} held-out rows:`)
  for (const u of top) result(`  unit ${String(u.unit).padStart(4)}  r = ${u.r >= 0 ? '+' : ''}${u.r.toFixed(3)}  (${u.class})`)
}
