/**
 * `rnn train`'s options that are not training settings (so not in the config or the checkpoint): where the
 * settings come from, what to print and what to write besides the checkpoint. The settings are train.ts's.
 */
import { z } from 'zod'
import { int, oneOf, type FlagRow } from './parse.ts'

export const TrainRunOptions = z.strictObject({
  config: z.string().optional(),
  resume: z.string().optional(),
  printConfig: z.boolean().default(false),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
  report: z.string().optional(),
  force: z.boolean().default(false),
  allowChanges: z.boolean().default(false),
  // who takes the steps: this process, or PyTorch (src/torch/) on --nproc processes per machine
  engine: z.enum(['builtin', 'torch']).default('builtin'),
  nproc: z.int().positive().default(1),
  device: z.enum(['cpu', 'cuda']).default('cpu'),
  printLaunch: z.boolean().default(false),
  nnodes: z.int().positive().default(1),
  rdzvEndpoint: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
})
export type TrainRunOptions = z.infer<typeof TrainRunOptions>

export const TRAIN_RUN_FLAGS: FlagRow[] = [
  { key: 'config', flag: '--config', arg: '<file.json>', help: 'JSON config file (flags override it)' },
  {
    key: 'resume', flag: '--resume', arg: '<checkpoint>',
    help: 'continue training from a checkpoint (--steps then counts additional steps)',
  },
  { key: 'printConfig', flag: '--print-config', arg: '', help: 'print the effective config as JSON and exit' },
  { key: 'json', flag: '--json', arg: '', help: 'print the result as one JSON object on stdout' },
  {
    key: 'verbose', flag: '--verbose', arg: '',
    help: 'report memory on stderr: parameters, optimizer state, BPTT activations before training, peak RSS after',
  },
  { key: 'report', flag: '--report', arg: '<file.html>', help: 'after training, write an HTML report of the run (as rnn report)' },
  {
    key: 'force', flag: '--force', arg: '',
    help: 'replace an --out (or --report) file that exists and is not an rnn checkpoint (or report)',
  },
  {
    key: 'allowChanges', flag: '--allow-changes', arg: '',
    help: 'resume although the data, --batch, --seq-len, --val-frac or a CSV option changed '
      + '(not bit-exact; the best validation loss restarts)',
  },
  {
    key: 'engine', flag: '--engine', arg: '<name>', help: 'who takes the steps: builtin, or torch (PyTorch through torchrun, DDP)',
    parse: oneOf(['builtin', 'torch']),
  },
  { key: 'nproc', flag: '--nproc', arg: '<n>', help: 'torch: processes per machine, each taking --batch / n of the streams', parse: int },
  {
    key: 'device', flag: '--device', arg: '<cpu|cuda>', help: 'torch: cpu (gloo) or cuda (NCCL, one GPU per process)',
    parse: oneOf(['cpu', 'cuda']),
  },
  {
    key: 'printLaunch', flag: '--print-launch', arg: '',
    help: 'torch: write the run folder and print the torchrun command for a scheduler instead of training',
  },
  { key: 'nnodes', flag: '--nnodes', arg: '<n>', help: 'torch, with --print-launch: machines taking part', parse: int },
  {
    key: 'rdzvEndpoint', flag: '--rdzv-endpoint', arg: '<host:port>',
    help: 'torch, with --print-launch: the rendezvous every machine reaches',
  },
]

/** The engine options given without --engine torch would be silently ignored. */
export const TORCH_ONLY = ['nproc', 'device', 'printLaunch', 'nnodes', 'rdzvEndpoint'] as const
