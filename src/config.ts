/**
 * Training configuration: one flat zod schema with every default and what it means. Precedence is
 * schema defaults < checkpoint's config (--resume) < --config file < command-line flags. Unknown keys and
 * wrong types are errors that name the key; nothing is coerced, so "lr": "0.1" in a file is an error.
 */
import { z } from 'zod'
import { didYouMean, UserError } from './errors.ts'
import { readRegularFile } from './files/read-file.ts'

export const TrainConfig = z.strictObject({
  // model
  cell: z.enum(['rnn_tanh', 'rnn_relu', 'lstm', 'gru']).default('lstm'),        // recurrent cell
  hidden_size: z.int().positive().default(128),                                    // units per layer
  num_layers: z.int().positive().default(1),                                       // stacked layers
  dropout: z.number().min(0).lt(1).default(0),                                     // between layers, training only
  forget_bias: z.number().nullable().default(null),                                // LSTM forget-gate bias at init (null: PyTorch's U(±1/√H))
  // data
  seq_len: z.int().positive().nullable().default(null),                           // BPTT window; null: 64 for text, 2 seasons (16..64) for CSV
  batch_size: z.int().positive().default(32),                                      // parallel streams
  val_frac: z.number().gt(0).lt(1).default(0.1),                                   // last fraction of the data held out
  // CSV time series
  target: z.string().min(1).nullable().default(null),                              // column to forecast (name or index); set: the file is a CSV
  features: z.array(z.string().min(1)).default([]),                                 // extra input columns
  delimiter: z.enum([',', ';', '\t']).nullable().default(null),                    // null: detected
  header: z.boolean().default(true),                                                // false: columns are 0, 1, ...
  fill: z.enum(['previous', 'linear', 'drop']).nullable().default(null),            // repair missing values/dates; null: they are errors
  decimal: z.enum(['.', ',']).default('.'),                                         // decimal mark of the numbers
  thousands: z.enum([',', '.', ' ', "'"]).nullable().default(null),                 // thousands separator; null: none
  test_size: z.int().positive().nullable().default(null),                           // rows held out for testing; null: max(10%, 2 seasons)
  season: z.int().positive().nullable().default(null),                              // null: from the date step or autocorrelation
  transform: z.enum(['difference', 'level']).default('difference'),                 // model the change from the last value, or the value
  // classification: a CSV of labelled texts
  text: z.string().min(1).nullable().default(null),                                // column of the texts
  label: z.string().min(1).nullable().default(null),                               // column of the labels; set: train a classifier
  pool: z.enum(['last', 'mean', 'max']).default('last'),                           // what the head reads: h at the last step, or mean/max over steps
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
  // run length and evaluation
  steps: z.int().positive().nullable().default(null),                             // optimizer steps (default 2000 if epochs is null too)
  epochs: z.number().positive().nullable().default(null),                          // passes over the training split
  max_seconds: z.number().positive().nullable().default(null),                     // stop after this much wall time
  max_memory: z.int().positive().nullable().default(null),                         // bytes training may estimate to need; null: half the RAM
  eval_every: z.int().positive().default(100),                                     // steps between validations (and checkpoints)
  patience: z.int().min(0).default(0),                                             // stop after this many evaluations without improvement; 0 = off
  on_nan: z.enum(['stop', 'skip']).default('stop'),                                // a non-finite loss or gradient: stop, or skip the batch
  seed: z.int().min(0).default(1),
  out: z.string().min(1).nullable().default(null),                                 // checkpoint path (default checkpoints/<corpus>-<cell>.json)
})
export type TrainConfig = z.infer<typeof TrainConfig>

/** Keys that fix the architecture: a resumed run may not change them. */
export const ARCHITECTURE_KEYS = ['cell', 'hidden_size', 'num_layers'] as const

export const DEFAULT_STEPS = 2000

/** One line per problem: `where: key "x": message`. */
export function formatZodError(where: string, err: z.ZodError, known: readonly string[]): string {
  const issue = err.issues[0]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]
    const hint = didYouMean(key, known)
    return `${where}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`
  }
  const key = issue.path.join('.')
  return `${where}: key "${key}": ${issue.message}`
}

/** Reads a JSON config file: syntax errors name the line, non-objects are refused. */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readRegularFile(path, 'config').toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new UserError(`${path}: ${jsonErrorWhere(text, e as Error)}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${path}: expected a JSON object of settings`)
  return value as Record<string, unknown>
}

/** "line N: message" for a JSON.parse error; V8 gives a position, or a quoted snippet around the error. */
export function jsonErrorWhere(text: string, e: Error): string {
  let pos = -1
  const at = /position (\d+)/.exec(e.message)
  const token = /Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(e.message)
  if (at !== null) pos = Number(at[1])
  else if (token !== null && text.includes(token[2])) pos = text.indexOf(token[2]) + token[2].indexOf(token[1])
  else if (/end of JSON input/.test(e.message)) pos = text.length
  const what = token !== null ? `unexpected ${JSON.stringify(token[1])}` : e.message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s+/g, ' ')
  if (pos < 0) return `invalid JSON: ${what}`
  const line = text.slice(0, pos).split('\n').length
  return `line ${line}: invalid JSON: ${what}`
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
  if (given.steps != null && given.epochs != null) throw new UserError('config: give either "steps" (--steps) or "epochs" (--epochs), not both')
  const merged: Record<string, unknown> = { ...(layers.base ?? {}), ...given }
  // a run length given now replaces the resumed one's, whichever unit it was in
  if (given.steps != null) merged.epochs = null
  if (given.epochs != null) merged.steps = null
  const parsed = TrainConfig.safeParse(merged)
  if (!parsed.success) throw new UserError(formatZodError('config', parsed.error, known))
  return parsed.data
}
