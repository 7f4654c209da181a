/** `rnn import-run <folder>`: the checkpoint of a run of `rnn train --engine torch --print-launch` run elsewhere. */
import { Command } from 'commander'
import { IMPORT_RUN_FLAGS, ImportRunOptions } from '../../options/import-run.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, fmt, fmtInt, json, log, result } from '../output.ts'

export function command(): Command {
  const cmd = new Command('import-run')
    .description('make a checkpoint from the folder of an --engine torch run (its latest saved state)')
    .argument('<folder>', 'the run folder rnn train --engine torch --print-launch wrote')
  return addFlags(cmd, IMPORT_RUN_FLAGS, ImportRunOptions)
    .addHelpText('after', `
The run saves its state at every validation and at its end, so a run still going (or stopped) imports
as far as it got. The checkpoint is the one rnn train would have written: it samples, evaluates and resumes
(rnn train --resume) with either engine.

Examples:
  rnn import-run checkpoints/corpus-lstm.torch
  rnn import-run /shared/runs/corpus-lstm.torch --out corpus-lstm.json`)
    .action(run)
}

async function run(folder: string, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ImportRunOptions, IMPORT_RUN_FLAGS, raw)
  const { importRun } = await import('../../torch/import-run.ts')
  const { loadCheckpoint, saveCheckpoint } = await import('../../index.ts')
  const { claimOutput, keepPrevious } = await import('../../files/output-file.ts')
  const { CHECKPOINT_FILE } = await import('../../model/checkpoint/format.ts')
  const imported = importRun(folder)
  const out = o.out ?? imported.description.checkpoint.out
  const claim = claimOutput(out, { kind: CHECKPOINT_FILE, flag: '--out', inputs: [], force: o.force })
  try {
    if (claim.existing === 'same-kind') log(colour.dim(`kept the previous ${out} as ${keepPrevious(claim.target, CHECKPOINT_FILE)}`))
    // read back with every rule of the other commands before it replaces anything (a diverged run's NaN is refused)
    saveCheckpoint(out, imported.checkpoint, { verify: (tmp) => { loadCheckpoint(tmp) } })
  } finally {
    claim.release()
  }
  const { progress } = imported.state
  if (o.json) {
    json({ checkpoint: out, steps: progress.step, val_loss: imported.state.val_loss, best_val_loss: progress.best_val_loss })
    return
  }
  const best = progress.best_val_loss === null ? '' : `, best validation loss ${fmt(progress.best_val_loss)} (step ${progress.best_step})`
  // a time budget's run ends at the horizon it measured (the state's), or at the time limit
  const end = imported.description.target ?? imported.state.horizon ?? null
  const of = end === null ? ` (--max-seconds ${imported.description.max_seconds})` : ` of ${fmtInt(end)}`
  result(`wrote ${out}: step ${fmtInt(progress.step)}${of}${best}`)
}
