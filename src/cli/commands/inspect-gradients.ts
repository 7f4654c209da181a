/**
 * `rnn inspect-gradients [checkpoint] [file]`: per layer and step, the norm of the total state gradient
 * ∂S/∂h_t (and ∂S/∂c_t) after one backward pass over a window of text (or of CSV rows, for a time-series
 * checkpoint), charted on a log scale. With `--cell a,b,…` it compares freshly initialised models on the
 * same window of text (or of CSV rows, with --target) instead of a checkpoint.
 * Flags → GradientRequest → src/inspect/source.ts → render (src/report/gradients.ts), CSV or JSON.
 */
import { Chalk } from 'chalk'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { CellKind } from '../../engine/cells/cell.ts'
import type { Transform } from '../../data/codec.ts'
import type { Fill } from '../../data/csv.ts'
import { UserError } from '../../errors.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { parseCell, delimiter as parseDelimiter, int as parseInt_, list as parseList, num as parseNumber } from '../../options/parse.ts'
import { colour, json, log, result } from '../output.ts'

/** Flags that only make sense for fresh models, with their defaults (applied only with --cell). */
const FRESH_DEFAULTS = { hidden: 64, layers: 1, seed: 1 }

const MAX_STEPS = 10_000, MAX_BATCHES = 1_000

export function command(): Command {
  return new Command('inspect-gradients')
    .description('chart how the gradient of the loss flows back in time: ‖∂S/∂h_t‖ per layer and step')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints; not with --cell)')
    .argument('[file]', "text to read, or a CSV for a time-series checkpoint or with --cell and --target (default: the checkpoint's training file, or data/moby-dick.txt with --cell)")
    .addOption(new Option('--seq-len <n>', 'steps (characters or CSV rows) in the window (one backward pass through all of them)').default(100).argParser(parseInt_))
    .addOption(new Option('--offset <n>', 'first character (or CSV row) of the window; the model starts from a zero state there').default(0).argParser(parseInt_))
    .addOption(new Option('--batches <n>', 'average the norms over n consecutive windows').default(1).argParser(parseInt_))
    .addOption(new Option('--loss-at <where>', 'S = the loss at the last step only, or the SUM of the per-step losses over all steps (the engine\'s mean × seq-len)').default('last').choices(['last', 'all']))
    .addOption(new Option('--cell <cells>', 'compare fresh models instead of a checkpoint: a list of rnn_tanh (alias rnn), rnn_relu, lstm, gru').argParser(parseCells))
    .addOption(new Option('--hidden <n>', `units per layer of fresh models (default: ${FRESH_DEFAULTS.hidden})`).argParser(parseInt_))
    .addOption(new Option('--layers <n>', `layers of fresh models (default: ${FRESH_DEFAULTS.layers})`).argParser(parseInt_))
    .addOption(new Option('--seed <n>', `seed of the fresh models' PyTorch initialisation (default: ${FRESH_DEFAULTS.seed})`).argParser(parseInt_))
    .addOption(new Option('--forget-bias <b>', 'LSTM forget-gate bias of fresh models').argParser(parseNumber))
    .option('--target <column>', 'fresh models on a CSV: the column to forecast (name or 0-based index)')
    .addOption(new Option('--features <a,b,...>', 'fresh models on a CSV: more columns to read as inputs').argParser(parseList))
    .addOption(new Option('--transform <t>', 'fresh models on a CSV: inputs and targets as changes (difference) or values (level)').choices(['difference', 'level']))
    .addOption(new Option('--fill <how>', 'fresh models on a CSV: repair missing values and dates').choices(['previous', 'linear', 'drop']))
    .addOption(new Option('--delimiter <d>', 'fresh models on a CSV: , ; or tab (default: detected)').argParser(parseDelimiter))
    .option('--no-header', 'fresh models on a CSV: the first line is data; name columns by index')
    .addOption(new Option('--json', 'print {"loss_at","seq_len","series":[{cell,layer,dh_norm,dc_norm,whh_contrib_norm,decay_per_step}]}').conflicts('csv'))
    .option('--csv', 'print one row per (cell, layer, step): cell,layer,t,dh_norm,dc_norm,whh_contrib_norm')
    .addHelpText('after', `
Each chart shows ‖∂S/∂h_t‖, the total gradient of S with respect to the hidden state at step t (through
the head and every later step), for batch 1; under it ‖∂S/∂c_t‖ (LSTM) and the size of step t's term
of ∂S/∂W_hh. The summary fits norm_t ∝ factor^(T-1-t): the factor per step going back in time.

Examples:
  rnn inspect-gradients --cell rnn_tanh,lstm,gru --seq-len 40
  rnn inspect-gradients --cell lstm --forget-bias 1 --loss-at all
  rnn inspect-gradients --cell rnn_tanh,lstm data/seattle-weather.csv --target temp_max --seq-len 28
  rnn inspect-gradients checkpoints/corpus-lstm.json --offset 5000 --batches 8 --csv > grads.csv
  rnn inspect-gradients checkpoints/airline-passengers-lstm.json --seq-len 48     # a CSV forecaster`)
    .action(run)
}

function parseCells(v: string): CellKind[] {
  const cells = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (cells.length === 0) throw new InvalidArgumentError('expected a list of cells, e.g. rnn_tanh,lstm,gru')
  return [...new Set(cells.map((s) => parseCell(s) as CellKind))]
}

interface Opts {
  seqLen: number; offset: number; batches: number; lossAt: 'last' | 'all'
  cell?: CellKind[]; hidden?: number; layers?: number; seed?: number; forgetBias?: number
  target?: string; features?: string[]; transform?: Transform; fill?: Fill; delimiter?: string; header: boolean
  json?: boolean; csv?: boolean
}

async function run(first: string | undefined, second: string | undefined, o: Opts): Promise<void> {
  // one backward pass keeps every step's activations, and the report has a value per step
  if (o.seqLen < 1 || o.seqLen > MAX_STEPS) throw new UserError(`--seq-len: must be from 1 to ${MAX_STEPS.toLocaleString('en-US')}, got ${o.seqLen}`)
  if (o.offset < 0) throw new UserError(`--offset: must be ≥ 0, got ${o.offset}`)
  if (o.batches < 1 || o.batches > MAX_BATCHES) throw new UserError(`--batches: must be from 1 to ${MAX_BATCHES.toLocaleString('en-US')}, got ${o.batches}`)
  const { gradientReport } = await import('../../index.ts')
  let source: Parameters<typeof gradientReport>[0]['source'], file: string | undefined
  if (o.cell !== undefined) {
    if (second !== undefined) throw new UserError(`--cell: fresh models read one text or CSV file, got two arguments (${first} ${second})`)
    if (first?.endsWith('.json')) throw new UserError(`--cell: ${first} looks like a checkpoint; fresh models read a text or CSV file (drop --cell to inspect the checkpoint)`)
    const hidden = o.hidden ?? FRESH_DEFAULTS.hidden, layers = o.layers ?? FRESH_DEFAULTS.layers, seed = o.seed ?? FRESH_DEFAULTS.seed
    if (hidden < 1) throw new UserError(`--hidden: must be ≥ 1, got ${hidden}`)
    if (layers < 1) throw new UserError(`--layers: must be ≥ 1, got ${layers}`)
    if (seed < 0) throw new UserError(`--seed: must be ≥ 0, got ${seed}`)
    const csv = { target: o.target ?? null, features: o.features ?? [], transform: o.transform ?? 'difference', fill: o.fill ?? null, delimiter: o.delimiter ?? null, header: o.header }
    source = { fresh: { cells: o.cell, hidden, layers, seed, forgetBias: o.forgetBias, csv } }
    file = first
  } else {
    const freshOnly = [['--hidden', o.hidden], ['--layers', o.layers], ['--seed', o.seed], ['--forget-bias', o.forgetBias],
      ['--target', o.target], ['--features', o.features], ['--transform', o.transform], ['--fill', o.fill], ['--delimiter', o.delimiter], ['--no-header', o.header ? undefined : false]] as const
    for (const [flag, v] of freshOnly)
      if (v !== undefined) throw new UserError(`${flag}: applies to fresh models only; add --cell (a checkpoint fixes its own architecture and columns)`)
    source = { checkpoint: pickCheckpointOrHint(first) }
    file = second
  }
  const report = await gradientReport({ source, file, seqLen: o.seqLen, offset: o.offset, batches: o.batches, lossAt: o.lossAt })
  if (o.json) {
    json({
      loss_at: report.loss_at, seq_len: report.seq_len,
      series: report.models.flatMap((m) => m.series.map((s) => ({ cell: m.cell, layer: s.layer, dh_norm: s.dh_norm, dc_norm: s.dc_norm, whh_contrib_norm: s.whh_contrib_norm, decay_per_step: s.decay_per_step }))),
    })
    return
  }
  const { gradientCsv, renderGradientReport } = await import('../../report/gradients.ts')
  if (o.csv) { for (const row of gradientCsv(report)) result(row); return }
  log(colour.dim(`${report.file}: ${report.batches > 1 ? `${report.batches} windows` : 'window'} of ${report.seq_len} ${report.unit} from offset ${report.offset}, zero initial state; ${report.models.map((m) => m.label).join(', ')}`))
  // charts are results on stdout: colour them only when stdout itself is a terminal
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderGradientReport(report, c)) result(line)
}

/** The named checkpoint, else the most recent; with none at all, point at --cell as well as training. */
function pickCheckpointOrHint(named: string | undefined): string {
  try {
    return pickCheckpoint(named)
  } catch (e) {
    if (e instanceof UserError && named === undefined) throw new UserError(`${e.message}; or compare fresh models with --cell rnn_tanh,lstm,gru`)
    throw e
  }
}
