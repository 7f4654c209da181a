/**
 * `rnn train`'s options: one flat zod schema with every default and what it means, and the flag table
 * (flag, help text, parser per key) from which commander's options, the README's table (checked by a test)
 * and the flag names in messages come. Precedence is
 * schema defaults < checkpoint's config (--resume) < --config file < command-line flags. Unknown keys and
 * wrong types are errors that name the key; nothing is coerced, so "lr": "0.1" in a file is an error.
 */
import { z } from 'zod'
import { UserError } from '../errors.ts'
import { formatZodError, readConfigFile } from './config-file.ts'
import { delimiter, int, list, memorySize, num, oneOf, parseCell, str, thousands, type FlagRow } from './parse.ts'
import { TRANSFORMS } from '../data/codec.ts'
import { CELL_KINDS } from '../engine/cells/cell.ts'
import { LR_SCHEDULES } from '../engine/schedule.ts'

const TOKEN_KINDS = ['char', 'word'] as const

export const TrainConfig = z.strictObject({
  // model
  cell: z.enum(CELL_KINDS).default('lstm'),        // recurrent cell
  hidden_size: z.int().positive().nullable().default(null),                        // units per layer;
                                                                                   // null: DEFAULT_HIDDEN of the data's kind
  num_layers: z.int().positive().default(1),                                       // stacked layers
  dropout: z.number().min(0).lt(1).default(0),                                     // between layers, training only
  forget_bias: z.number().nullable().default(null),                                // LSTM forget-gate bias at init
                                                                                   // (null: PyTorch's U(±1/√H))
  embed: z.int().positive().nullable().default(null),                              // nn.Embedding width; null: one-hot chars, 128 words
  // data
  tokens: z.enum(TOKEN_KINDS).default('char'),                                     // what a text model reads and predicts
  vocab_size: z.int().positive().default(10_000),                                  // words: the most frequent kept, besides <unk>
  seq_len: z.int().positive().nullable().default(null),                           // BPTT window; null: 64 for text,
                                                                                   // 2 seasons (16..64) for CSV
  batch_size: z.int().positive().default(32),                                      // parallel streams
  val_frac: z.number().gt(0).lt(1).default(0.1),                                   // last fraction of the data held out
  // CSV time series
  target: z.string().min(1).nullable().default(null),                              // column to forecast (name or index);
                                                                                   // set: the file is a CSV
  features: z.array(z.string().min(1)).default([]),                                 // extra input columns
  delimiter: z.enum([',', ';', '\t']).nullable().default(null),                    // null: detected
  header: z.boolean().default(true),                                                // false: columns are 0, 1, ...
  fill: z.enum(['previous', 'linear', 'drop']).nullable().default(null),            // repair missing values/dates; null: they are errors
  decimal: z.enum(['.', ',']).default('.'),                                         // decimal mark of the numbers
  thousands: z.enum([',', '.', ' ', "'"]).nullable().default(null),                 // thousands separator; null: none
  test_size: z.int().positive().nullable().default(null),                           // rows held out for testing; null: max(10%, 2 seasons)
  season: z.int().positive().nullable().default(null),                              // null: from the date step or autocorrelation
  transform: z.enum([...TRANSFORMS, 'auto']).default('auto'),                    // see src/data/codec.ts; auto: tasks/auto-transform.ts
  ensemble: z.int().min(1).max(64).default(1),                                     // forecasters trained with seeds seed..seed+n-1;
                                                                                   // forecasts: their median
  // classification: a CSV of labelled texts
  text: z.string().min(1).nullable().default(null),                                // column of the texts
  label: z.string().min(1).nullable().default(null),                               // column of the labels; set: train a classifier
  pool: z.enum(['last', 'mean', 'max']).default('last'),                           // what the head reads: h at the last step,
                                                                                   // or mean/max over steps
  test_frac: z.number().min(0).lt(1).default(0.1),                                 // fraction of each class held out for testing
  balance: z.boolean().default(false),                                              // weight the loss by inverse class frequency
  init_from: z.string().min(1).nullable().default(null),                           // a language model to start the recurrent layers from
  // optimisation
  optimizer: z.enum(['sgd', 'adam', 'rmsprop', 'adagrad']).default('adam'),
  lr: z.number().positive().default(0.002),                                        // learning rate
  momentum: z.number().min(0).lt(1).default(0),                                    // sgd only
  clip: z.number().min(0).default(5),                                              // max global gradient norm; 0 = off
  clip_value: z.number().min(0).default(0),                                        // clamp each gradient to ±v; 0 = off
  lr_decay: z.number().gt(0).max(1).default(1),                                    // lr × lr_decay after every epoch
  lr_schedule: z.enum(LR_SCHEDULES).default('constant'),                           // see src/engine/schedule.ts
  warmup: z.int().min(0).default(0),                                               // steps of linear warm-up
  lr_floor: z.number().min(0).max(1).default(0.1),                                 // cosine/linear end, plateau's lowest: × lr
  // run length and evaluation
  steps: z.int().positive().nullable().default(null),                             // optimizer steps (default 2000 if epochs is null too)
  epochs: z.number().positive().nullable().default(null),                          // passes over the training split
  max_seconds: z.number().positive().nullable().default(null),                     // stop after this much wall time
  max_memory: z.int().positive().nullable().default(null),                         // bytes training may estimate to need;
                                                                                   // null: half the RAM
  eval_every: z.int().positive().default(100),                                     // steps between validations (and checkpoints)
  patience: z.int().min(0).nullable().default(null),                               // stop after this many evaluations
                                                                                   // without improvement; null: DEFAULT_PATIENCE
                                                                                   // without improvement; 0 = off
  on_nan: z.enum(['stop', 'skip']).default('stop'),                                // a non-finite loss or gradient: stop, or skip the batch
  seed: z.int().min(0).default(1),
  out: z.string().min(1).nullable().default(null),                                 // checkpoint path
                                                                                   // (default checkpoints/<corpus>-<cell>.json)
})
export type TrainConfig = z.infer<typeof TrainConfig>

/** Keys that fix the architecture: a resumed run may not change them. */
export const ARCHITECTURE_KEYS = ['cell', 'hidden_size', 'num_layers'] as const

/** The embedding width a word model gets when --embed is not given. */
const WORD_EMBED = 128

/** The width of the embedding the config asks for; undefined: one-hot input. */
export function embedOf(cfg: Pick<TrainConfig, 'embed' | 'tokens'>): number | undefined {
  return cfg.embed ?? (cfg.tokens === 'word' ? WORD_EMBED : undefined)
}

export const DEFAULT_STEPS = 2000
/**
 * Units per layer when --hidden is not given. A forecaster gets 32: on the bundled series (108 to 1,170
 * training rows) 128 units overfit them (one-step MAE on airline passengers 20.5 → 11.5 with 32 units and
 * the seasonal difference; BENCHMARKS.md, "Forecasts").
 */
export const DEFAULT_HIDDEN = { text: 128, classifier: 128, timeseries: 32 } as const
/**
 * Validations without improvement before a run stops, when --patience is not given (0: never). A forecaster's
 * few hundred training rows are learned long before 2,000 steps (the airline run's best validation loss
 * comes at step 100-300): the best model is kept either way, and the rest of the run is time lost, five
 * times over under --transform auto.
 */
export const DEFAULT_PATIENCE = { text: 0, classifier: 0, timeseries: 10 } as const

export const TRAIN_FLAGS: FlagRow[] = [
  { key: 'cell', flag: '--cell', arg: '<cell>', help: 'rnn_tanh (alias rnn), rnn_relu, lstm, gru or jordan', parse: parseCell },
  { key: 'hidden_size', flag: '--hidden', arg: '<n>', help: 'units per layer', parse: int },
  { key: 'num_layers', flag: '--layers', arg: '<n>', help: 'stacked recurrent layers', parse: int },
  { key: 'dropout', flag: '--dropout', arg: '<p>', help: 'dropout between layers while training, in [0, 1)', parse: num },
  { key: 'forget_bias', flag: '--forget-bias', arg: '<b>', help: 'LSTM forget-gate bias at initialisation', parse: num },
  {
    key: 'embed', flag: '--embed', arg: '<n>', parse: int,
    help: 'read tokens through an embedding of n dimensions (default: one-hot characters, 128 for words)',
  },
  { key: 'tokens', flag: '--tokens', arg: '<kind>', help: 'text: read and predict characters (char) or words', parse: oneOf(TOKEN_KINDS) },
  {
    key: 'vocab_size', flag: '--vocab-size', arg: '<n>', parse: int,
    help: 'words: keep the n most frequent of the training split, the rest read as <unk>',
  },
  { key: 'seq_len', flag: '--seq-len', arg: '<n>', help: 'BPTT window: characters per chunk', parse: int },
  { key: 'batch_size', flag: '--batch', arg: '<n>', help: 'parallel streams per step', parse: int },
  { key: 'val_frac', flag: '--val-frac', arg: '<f>', help: 'fraction at the end of the text held out for validation', parse: num },
  { key: 'target', flag: '--target', arg: '<column>', help: 'CSV: the column to forecast (name or 0-based index)', parse: str },
  { key: 'features', flag: '--features', arg: '<a,b,...>', help: 'CSV: more columns to read as inputs', parse: list },
  { key: 'delimiter', flag: '--delimiter', arg: '<c>', help: 'CSV: field separator: , ; or tab (default: detected)', parse: delimiter },
  { key: 'header', flag: '--no-header', arg: '', help: 'CSV: the first row is data; columns are named 0, 1, ...', parse: () => false },
  {
    key: 'fill', flag: '--fill', arg: '<how>', help: 'CSV: repair missing values and dates: previous, linear or drop',
    parse: oneOf(['previous', 'linear', 'drop']),
  },
  { key: 'decimal', flag: '--decimal', arg: '<c>', help: 'CSV: decimal mark of the numbers: . or , (1,5)', parse: oneOf(['.', ',']) },
  {
    key: 'thousands', flag: '--thousands', arg: '<c>', help: "CSV: thousands separator to read (1.234,5): , . space or ' (default: none)",
    parse: thousands,
  },
  {
    key: 'test_size', flag: '--test-size', arg: '<rows>', help: 'CSV: rows at the end held out for testing (default: max(10%, 2 seasons))',
    parse: int,
  },
  {
    key: 'transform', flag: '--transform', arg: '<t>',
    help: 'CSV: predict the change from the last value (difference), from one season back (seasonal-difference), '
      + 'the value (level), or any of them on the log of the target (log-difference, log-seasonal-difference, log); '
      + 'es: the target over its level and seasonal index; auto: the one with the lowest validation error',
    parse: oneOf([...TRANSFORMS, 'auto']),
  },
  {
    key: 'ensemble', flag: '--ensemble', arg: '<n>', help: 'CSV: train n forecasters (seeds seed, seed+1, ...) and forecast their median',
    parse: int,
  },
  {
    key: 'season', flag: '--season', arg: '<n>', help: 'CSV: season length in rows (default: from the date step or autocorrelation)',
    parse: int,
  },
  { key: 'text', flag: '--text', arg: '<column>', help: 'classifier: the CSV column holding the texts', parse: str },
  {
    key: 'label', flag: '--label', arg: '<column>', help: 'classifier: the CSV column holding the labels (given: train a classifier)',
    parse: str,
  },
  {
    key: 'pool', flag: '--pool', arg: '<how>',
    help: 'classifier: the head reads h at the last step (last), or its mean or max over the steps', parse: oneOf(['last', 'mean', 'max']),
  },
  { key: 'test_frac', flag: '--test-frac', arg: '<f>', help: 'classifier: fraction of each class held out for rnn eval', parse: num },
  { key: 'balance', flag: '--balance', arg: '', help: 'classifier: weight the loss by inverse class frequency', parse: () => true },
  {
    key: 'init_from', flag: '--init-from', arg: '<checkpoint>',
    help: 'classifier: start the recurrent layers and input weights from a language model', parse: str,
  },
  {
    key: 'optimizer', flag: '--optimizer', arg: '<name>', help: 'sgd, adam, rmsprop or adagrad',
    parse: oneOf(['sgd', 'adam', 'rmsprop', 'adagrad']),
  },
  { key: 'lr', flag: '--lr', arg: '<x>', help: 'learning rate', parse: num },
  { key: 'momentum', flag: '--momentum', arg: '<m>', help: 'momentum (sgd)', parse: num },
  { key: 'clip', flag: '--clip', arg: '<norm>', help: 'clip the global gradient norm to this (0: off)', parse: num },
  { key: 'clip_value', flag: '--clip-value', arg: '<v>', help: 'clamp each gradient entry to ±v (0: off)', parse: num },
  { key: 'lr_decay', flag: '--lr-decay', arg: '<f>', help: 'multiply the learning rate by this after every epoch', parse: num },
  {
    key: 'lr_schedule', flag: '--lr-schedule', arg: '<how>',
    help: 'constant, cosine or linear decay to --lr-floor over the run, or plateau (halve after 2 validations without improvement)',
    parse: oneOf([...LR_SCHEDULES]),
  },
  { key: 'warmup', flag: '--warmup', arg: '<steps>', help: 'raise the learning rate linearly from 0 over these first steps', parse: int },
  { key: 'lr_floor', flag: '--lr-floor', arg: '<f>', help: 'the lowest learning rate of a schedule, as a fraction of --lr', parse: num },
  { key: 'steps', flag: '--steps', arg: '<n>', help: 'optimizer steps to run (with --resume: more steps)', parse: int },
  { key: 'epochs', flag: '--epochs', arg: '<x>', help: 'passes over the training text instead of --steps', parse: num },
  { key: 'max_seconds', flag: '--max-seconds', arg: '<s>', help: 'stop after this much training time', parse: num },
  {
    key: 'max_memory', flag: '--max-memory', arg: '<size>',
    help: 'refuse a model estimated to need more memory than this (e.g. 4G; default: half the RAM)', parse: memorySize,
  },
  { key: 'eval_every', flag: '--eval-every', arg: '<n>', help: 'steps between validations and checkpoint saves', parse: int },
  {
    key: 'patience', flag: '--patience', arg: '<n>',
    help: 'stop after n validations without improvement (0: off; default: 10 for CSV series)',
    parse: int,
  },
  {
    key: 'on_nan', flag: '--on-nan', arg: '<what>', help: 'a NaN/Inf loss or gradient: stop, or skip the batch (stops after 10 in a row)',
    parse: oneOf(['stop', 'skip']),
  },
  { key: 'seed', flag: '--seed', arg: '<n>', help: 'random seed: same seed, same run', parse: int },
  { key: 'out', flag: '--out', arg: '<path>', help: 'checkpoint path (default checkpoints/<corpus>-<cell>.json)', parse: str },
]

/** The flag that sets a config key, for messages (the key itself if no flag does). */
export function flagOf(key: string): string {
  return TRAIN_FLAGS.find((r) => r.key === key)?.flag ?? key
}

/**
 * Lays the layers over the schema defaults and validates the result. `base` is a resumed checkpoint's
 * config, `file` a --config path, `flags` the flags given on the command line (already typed).
 */
export function resolveTrainConfig(layers: { base?: Record<string, unknown>; file?: string; flags: Record<string, unknown> }): TrainConfig {
  const known = Object.keys(TrainConfig.shape)
  const fromFile = layers.file !== undefined ? readConfigFile(layers.file) : {}
  if (layers.file !== undefined) {
    const partial = TrainConfig.partial().safeParse(fromFile)
    if (!partial.success) throw new UserError(formatZodError(layers.file, partial.error, known))
  }
  const given = { ...fromFile, ...layers.flags }
  if (given.steps != null && given.epochs != null)
    throw new UserError('config: give either "steps" (--steps) or "epochs" (--epochs), not both')
  const merged: Record<string, unknown> = { ...(layers.base ?? {}), ...given }
  // a run length given now replaces the resumed one's, whichever unit it was in
  if (given.steps != null) merged.epochs = null
  if (given.epochs != null) merged.steps = null
  const parsed = TrainConfig.safeParse(merged)
  if (!parsed.success) throw new UserError(formatZodError('config', parsed.error, known))
  return parsed.data
}
