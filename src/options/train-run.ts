/**
 * `rnn train`'s options that are not training settings (so not in the config or the checkpoint): where the
 * settings come from, what to print and what to write besides the checkpoint. The settings are train.ts's.
 */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const TrainRunOptions = z.strictObject({
  config: z.string().optional(),
  resume: z.string().optional(),
  printConfig: z.boolean().default(false),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
  report: z.string().optional(),
  force: z.boolean().default(false),
  allowChanges: z.boolean().default(false),
})
export type TrainRunOptions = z.infer<typeof TrainRunOptions>

export const TRAIN_RUN_FLAGS: FlagRow[] = [
  { key: 'config', flag: '--config', arg: '<file.json>', help: 'JSON config file (flags override it)' },
  { key: 'resume', flag: '--resume', arg: '<checkpoint>', help: 'continue training from a checkpoint (--steps then counts additional steps)' },
  { key: 'printConfig', flag: '--print-config', arg: '', help: 'print the effective config as JSON and exit' },
  { key: 'json', flag: '--json', arg: '', help: 'print the result as one JSON object on stdout' },
  {
    key: 'verbose', flag: '--verbose', arg: '',
    help: 'report memory on stderr: parameters, optimizer state, BPTT activations before training, peak RSS after',
  },
  { key: 'report', flag: '--report', arg: '<file.html>', help: 'after training, write an HTML report of the run (as rnn report)' },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out (or --report) file that exists and is not an rnn checkpoint (or report)' },
  {
    key: 'allowChanges', flag: '--allow-changes', arg: '',
    help: 'resume although the data, --batch, --seq-len, --val-frac or a CSV option changed (not bit-exact; the best validation loss restarts)',
  },
]
