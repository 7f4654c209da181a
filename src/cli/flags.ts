/**
 * The training option table: one row per config key, with its flag, help text and parser. Commander's
 * options, the README's flag table (checked by a test) and the flag names in error messages all come
 * from here. Parsers only turn strings into typed values; ranges are checked once, by the zod schema.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parseMemorySize } from '../model/memory-size.ts'

export interface FlagRow { key: string; flag: string; arg: string; help: string; parse: (v: string) => unknown }

const int = (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer, got "${v}"`)
  return Number(v)
}
const num = (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${v}"`)
  return n
}
const oneOf = (names: readonly string[], aliases: Record<string, string> = {}) => (v: string): string => {
  const name = aliases[v] ?? v
  if (!names.includes(name)) throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got "${v}"`)
  return name
}
const str = (v: string): string => v
const memorySize = (v: string): number => {
  const n = parseMemorySize(v)
  if (n === null) throw new InvalidArgumentError(`expected a size such as 4G, 500M or a number of bytes, got "${v}"`)
  return n
}
const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '')
const delimiter = (v: string): string => {
  const d = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';' }[v] ?? v
  if (![',', ';', '\t'].includes(d)) throw new InvalidArgumentError(`expected , ; or tab, got "${v}"`)
  return d
}

const thousands = (v: string): string => {
  const t = { space: ' ', comma: ',', dot: '.', apostrophe: "'" }[v] ?? v
  if (![',', '.', ' ', "'"].includes(t)) throw new InvalidArgumentError(`expected , . space or ', got "${v}"`)
  return t
}

export const CELL_ALIASES: Record<string, string> = { rnn: 'rnn_tanh', tanh: 'rnn_tanh', relu: 'rnn_relu' }
export const parseCell = oneOf(['rnn_tanh', 'rnn_relu', 'lstm', 'gru'], CELL_ALIASES)
export const parseInt_ = int
export const parseNumber = num
export const parseList = list
export const parseDelimiter = delimiter

export const TRAIN_FLAGS: FlagRow[] = [
  { key: 'cell', flag: '--cell', arg: '<cell>', help: 'rnn_tanh (alias rnn), rnn_relu, lstm or gru', parse: parseCell },
  { key: 'hidden_size', flag: '--hidden', arg: '<n>', help: 'units per layer', parse: int },
  { key: 'num_layers', flag: '--layers', arg: '<n>', help: 'stacked recurrent layers', parse: int },
  { key: 'dropout', flag: '--dropout', arg: '<p>', help: 'dropout between layers while training, in [0, 1)', parse: num },
  { key: 'forget_bias', flag: '--forget-bias', arg: '<b>', help: 'LSTM forget-gate bias at initialisation', parse: num },
  { key: 'seq_len', flag: '--seq-len', arg: '<n>', help: 'BPTT window: characters per chunk', parse: int },
  { key: 'batch_size', flag: '--batch', arg: '<n>', help: 'parallel streams per step', parse: int },
  { key: 'val_frac', flag: '--val-frac', arg: '<f>', help: 'fraction at the end of the text held out for validation', parse: num },
  { key: 'target', flag: '--target', arg: '<column>', help: 'CSV: the column to forecast (name or 0-based index)', parse: str },
  { key: 'features', flag: '--features', arg: '<a,b,...>', help: 'CSV: more columns to read as inputs', parse: list },
  { key: 'delimiter', flag: '--delimiter', arg: '<c>', help: 'CSV: field separator: , ; or tab (default: detected)', parse: delimiter },
  { key: 'header', flag: '--no-header', arg: '', help: 'CSV: the first row is data; columns are named 0, 1, ...', parse: () => false },
  { key: 'fill', flag: '--fill', arg: '<how>', help: 'CSV: repair missing values and dates: previous, linear or drop', parse: oneOf(['previous', 'linear', 'drop']) },
  { key: 'decimal', flag: '--decimal', arg: '<c>', help: 'CSV: decimal mark of the numbers: . or , (1,5)', parse: oneOf(['.', ',']) },
  { key: 'thousands', flag: '--thousands', arg: '<c>', help: "CSV: thousands separator to read (1.234,5): , . space or ' (default: none)", parse: thousands },
  { key: 'test_size', flag: '--test-size', arg: '<rows>', help: 'CSV: rows at the end held out for testing (default: max(10%, 2 seasons))', parse: int },
  { key: 'transform', flag: '--transform', arg: '<t>', help: 'CSV: predict the change from the last value (difference) or the value (level)', parse: oneOf(['difference', 'level']) },
  { key: 'season', flag: '--season', arg: '<n>', help: 'CSV: season length in rows (default: from the date step or autocorrelation)', parse: int },
  { key: 'text', flag: '--text', arg: '<column>', help: 'classifier: the CSV column holding the texts', parse: str },
  { key: 'label', flag: '--label', arg: '<column>', help: 'classifier: the CSV column holding the labels (given: train a classifier)', parse: str },
  { key: 'pool', flag: '--pool', arg: '<how>', help: 'classifier: the head reads h at the last step (last), or its mean or max over the steps', parse: oneOf(['last', 'mean', 'max']) },
  { key: 'test_frac', flag: '--test-frac', arg: '<f>', help: 'classifier: fraction of each class held out for rnn eval', parse: num },
  { key: 'balance', flag: '--balance', arg: '', help: 'classifier: weight the loss by inverse class frequency', parse: () => true },
  { key: 'init_from', flag: '--init-from', arg: '<checkpoint>', help: 'classifier: start the recurrent layers and input weights from a language model', parse: str },
  { key: 'optimizer', flag: '--optimizer', arg: '<name>', help: 'sgd, adam, rmsprop or adagrad', parse: oneOf(['sgd', 'adam', 'rmsprop', 'adagrad']) },
  { key: 'lr', flag: '--lr', arg: '<x>', help: 'learning rate', parse: num },
  { key: 'momentum', flag: '--momentum', arg: '<m>', help: 'momentum (sgd)', parse: num },
  { key: 'clip', flag: '--clip', arg: '<norm>', help: 'clip the global gradient norm to this (0: off)', parse: num },
  { key: 'clip_value', flag: '--clip-value', arg: '<v>', help: 'clamp each gradient entry to ±v (0: off)', parse: num },
  { key: 'lr_decay', flag: '--lr-decay', arg: '<f>', help: 'multiply the learning rate by this after every epoch', parse: num },
  { key: 'steps', flag: '--steps', arg: '<n>', help: 'optimizer steps to run (with --resume: more steps)', parse: int },
  { key: 'epochs', flag: '--epochs', arg: '<x>', help: 'passes over the training text instead of --steps', parse: num },
  { key: 'max_seconds', flag: '--max-seconds', arg: '<s>', help: 'stop after this much training time', parse: num },
  { key: 'max_memory', flag: '--max-memory', arg: '<size>', help: 'refuse a model estimated to need more memory than this (e.g. 4G; default: half the RAM)', parse: memorySize },
  { key: 'eval_every', flag: '--eval-every', arg: '<n>', help: 'steps between validations and checkpoint saves', parse: int },
  { key: 'patience', flag: '--patience', arg: '<n>', help: 'stop after n validations without improvement (0: off)', parse: int },
  { key: 'on_nan', flag: '--on-nan', arg: '<what>', help: 'a NaN/Inf loss or gradient: stop, or skip the batch (stops after 10 in a row)', parse: oneOf(['stop', 'skip']) },
  { key: 'seed', flag: '--seed', arg: '<n>', help: 'random seed: same seed, same run', parse: int },
  { key: 'out', flag: '--out', arg: '<path>', help: 'checkpoint path (default checkpoints/<corpus>-<cell>.json)', parse: str },
]

/** Commander's property name for a flag: --seq-len → seqLen. */
export function optionName(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

export function addFlags(cmd: Command, rows: FlagRow[], defaults: Record<string, unknown>): Command {
  for (const r of rows) {
    const d = defaults[r.key]
    if (r.arg === '') { cmd.addOption(new Option(r.flag, r.help)); continue }
    const shown = d !== null && d !== undefined && !(Array.isArray(d) && d.length === 0) ? ` (default: ${d})` : ''
    cmd.addOption(new Option(`${r.flag} ${r.arg}`, `${r.help}${shown}`).argParser(r.parse))
  }
  return cmd
}

/** Only the flags actually given, keyed by config key. */
export function pickFlags(rows: FlagRow[], opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    // a negatable flag (--no-header) reads as true unless given; a plain switch (--balance) as false
    if (r.arg === '' && r.flag.startsWith('--no-')) { if (opts[optionName(r.flag.replace(/^--no-/, '--'))] === false) out[r.key] = false; continue }
    if (r.arg === '') { if (opts[optionName(r.flag)] === true) out[r.key] = true; continue }
    const v = opts[optionName(r.flag)]
    if (v !== undefined) out[r.key] = v
  }
  return out
}

export function flagOf(key: string): string | undefined {
  return TRAIN_FLAGS.find((r) => r.key === key)?.flag
}
