/**
 * `rnn inspect-gradients [checkpoint] [file]`: per layer and step, the norm of the total state gradient
 * ∂S/∂h_t (and ∂S/∂c_t) after one backward pass over a window of text (or of CSV rows, for a time-series
 * checkpoint), charted on a log scale. With `--cell a,b,…` it compares freshly initialised models on the
 * same window of text (or of CSV rows, with --target) instead of a checkpoint.
 * Flags → GradientRequest → src/inspect/source.ts → render (src/report/gradients.ts), CSV or JSON.
 */
import { Chalk } from 'chalk'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { FRESH_DEFAULTS, INSPECT_GRADIENTS_FLAGS, InspectGradientsOptions } from '../../options/inspect-gradients.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, json, log, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('inspect-gradients')
    .description('chart how the gradient of the loss flows back in time: ‖∂S/∂h_t‖ per layer and step')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints; not with --cell)')
    .argument('[file]', "text to read, or a CSV for a time-series checkpoint or with --cell and --target (default: the checkpoint's "
      + 'training file, or data/moby-dick.txt with --cell)')
  return addFlags(cmd, INSPECT_GRADIENTS_FLAGS, InspectGradientsOptions)
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

async function run(first: string | undefined, second: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(InspectGradientsOptions, INSPECT_GRADIENTS_FLAGS, raw)
  const { gradientReport } = await import('../../index.ts')
  let source: Parameters<typeof gradientReport>[0]['source'], file: string | undefined
  if (o.cell !== undefined) {
    if (second !== undefined) throw new UserError(`--cell: fresh models read one text or CSV file, got two arguments (${first} ${second})`)
    if (first?.endsWith('.json')) {
      throw new UserError(`--cell: ${first} looks like a checkpoint; fresh models read a text or CSV file `
        + '(drop --cell to inspect the checkpoint)')
    }
    const hidden = o.hidden ?? FRESH_DEFAULTS.hidden, layers = o.layers ?? FRESH_DEFAULTS.layers, seed = o.seed ?? FRESH_DEFAULTS.seed
    const csv = {
      target: o.target ?? null, features: o.features ?? [], transform: o.transform ?? 'difference', fill: o.fill ?? null,
      delimiter: o.delimiter ?? null, header: o.header,
    }
    source = { fresh: { cells: o.cell, hidden, layers, seed, forgetBias: o.forgetBias, csv } }
    file = first
  } else {
    const freshOnly = [['--hidden', o.hidden], ['--layers', o.layers], ['--seed', o.seed], ['--forget-bias', o.forgetBias],
      ['--target', o.target], ['--features', o.features], ['--transform', o.transform], ['--fill', o.fill],
      ['--delimiter', o.delimiter], ['--no-header', o.header ? undefined : false]] as const
    for (const [flag, v] of freshOnly)
      if (v !== undefined)
        throw new UserError(`${flag}: applies to fresh models only; add --cell (a checkpoint fixes its own architecture and columns)`)
    source = { checkpoint: pickCheckpointOrHint(first) }
    file = second
  }
  const report = await gradientReport({ source, file, seqLen: o.seqLen, offset: o.offset, batches: o.batches, lossAt: o.lossAt })
  if (o.json) {
    json({
      loss_at: report.loss_at, seq_len: report.seq_len,
      series: report.models.flatMap((m) => m.series.map((s) => ({
        cell: m.cell, layer: s.layer, dh_norm: s.dh_norm, dc_norm: s.dc_norm, whh_contrib_norm: s.whh_contrib_norm,
        decay_per_step: s.decay_per_step,
      }))),
    })
    return
  }
  const { gradientCsv, renderGradientReport } = await import('../../report/gradients.ts')
  if (o.csv) { for (const row of gradientCsv(report)) result(row); return }
  const windows = report.batches > 1 ? `${report.batches} windows` : 'window'
  log(colour.dim(`${report.file}: ${windows} of ${report.seq_len} ${report.unit} from offset ${report.offset}, zero initial state; `
    + report.models.map((m) => m.label).join(', ')))
  // charts are results on stdout: colour them only when stdout itself is a terminal
  const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
  for (const line of renderGradientReport(report, c)) result(line)
}

/** The named checkpoint, else the most recent; with none at all, point at --cell as well as training. */
function pickCheckpointOrHint(named: string | undefined): string {
  try {
    return pickCheckpoint(named)
  } catch (e) {
    if (e instanceof UserError && named === undefined)
      throw new UserError(`${e.message}; or compare fresh models with --cell rnn_tanh,lstm,gru`)
    throw e
  }
}
