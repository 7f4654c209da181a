/**
 * Choosing and opening the training data: a CSV time series when a target column is given or the file
 * ends in .csv/.tsv, else text. A resumed model reuses its vocabulary or normalisation.
 */
import { extname } from 'node:path'
import { embedOf, flagOf, TrainConfig } from '../options/train.ts'
import { UserError } from '../errors.ts'
import { abortError, readRegularFileAsync } from '../files/read-file.ts'
import { tokensOf } from '../data/tokens.ts'
import { openTextSource } from './text-source.ts'
import { openSeriesSource } from './series-source.ts'
import type { TrainSource } from './train-source.ts'
import type { Checkpoint } from '../model/checkpoint/schema.ts'
import { openClassifierSource } from './classify-source.ts'

const TEXT_SEQ_LEN = 64

export function isCsvPath(path: string): boolean {
  return ['.csv', '.tsv'].includes(extname(path).toLowerCase())
}

/**
 * The source, and seq_len when the config left it to the data. The file is read a chunk per turn of the
 * event loop, so a signal during a long read is handled; an abort of `signal` before the source is ready
 * throws its reason.
 */
export async function openTrainSource(
  path: string, cfg: TrainConfig, from?: Checkpoint, signal?: AbortSignal, onRead?: (bytes: number) => void,
): Promise<{ source: TrainSource; T: number }> {
  checkOptionsApply(cfg, cfg.label !== null || from?.kind === 'classifier', from)
  if (cfg.label !== null || from?.kind === 'classifier') {
    if (from !== undefined && from.kind !== 'classifier')
      throw new UserError(`${path}: the checkpoint is a ${from.kind} model; it cannot train a classifier`)
    const bytes = await readRegularFileAsync(path, 'csv', signal, onRead)
    const r = openClassifierSource(path, cfg, from, bytes)
    await new Promise<void>((done) => setImmediate(done))
    if (signal?.aborted) throw abortError(signal)
    return r
  }
  const csv = cfg.target !== null || isCsvPath(path) || from?.kind === 'timeseries'
  if (from !== undefined && (from.kind === 'timeseries') !== csv)
    throw new UserError(`${path}: the checkpoint is a ${from.kind} model; it cannot train on ${csv ? 'CSV' : 'text'} data`)
  const bytes = await readRegularFileAsync(path, csv ? 'csv' : 'text', signal, onRead)
  const r = openSource(path, cfg, from, csv, bytes)
  // decoding and encoding ran synchronously: a signal that came meanwhile is handled now
  await new Promise<void>((done) => setImmediate(done))
  if (signal?.aborted) throw abortError(signal)
  return r
}

/** Options of the other kinds of model, given a value other than their default, would be silently ignored. */
const SERIES_ONLY = ['seq_len', 'target', 'features', 'fill', 'decimal', 'thousands', 'test_size', 'season', 'transform'] as const
const CLASSIFIER_ONLY = ['text', 'pool', 'test_frac', 'balance', 'init_from'] as const
/** How a text becomes tokens: language models and classifiers. */
const TOKEN_OPTIONS = ['tokens', 'vocab_size', 'embed'] as const
const DEFAULTS = TrainConfig.parse({})

function checkOptionsApply(cfg: TrainConfig, classifier: boolean, from: Checkpoint | undefined): void {
  // a classifier's checkpoint records its longest text as seq_len (the size of its buffers), not a choice
  const recorded = (k: keyof TrainConfig) => k === 'seq_len' && from !== undefined && cfg.seq_len === from.config.seq_len
  const set = (k: keyof TrainConfig) => JSON.stringify(cfg[k]) !== JSON.stringify(DEFAULTS[k]) && !recorded(k)
  if (classifier) {
    if (cfg.cell === 'jordan')
      throw new UserError('--cell jordan: feeds back an output at every step, and a classifier has one per text; use rnn_tanh, lstm or gru')
    const k = SERIES_ONLY.find(set)
    if (k === 'seq_len')
      throw new UserError('--seq-len: does not apply to a classifier (each text is read whole, as one sequence from a zero state)')
    if (k !== undefined) throw new UserError(`${flagOf(k)}: applies to CSV time series; a classifier reads --text and --label`)
    if (set('vocab_size') && cfg.tokens !== 'word') throw new UserError('--vocab-size: applies to word tokens; add --tokens word')
  } else {
    const k = CLASSIFIER_ONLY.find(set)
    if (k !== undefined)
      throw new UserError(`${flagOf(k)}: applies to a classifier only; add --label <column> (and --text <column>) to train one`)
    if (set('vocab_size') && cfg.tokens !== 'word') throw new UserError('--vocab-size: applies to word tokens; add --tokens word')
  }
}

/** CSV series read numbers: the text options given a value would be silently ignored. */
function checkSeriesOptions(cfg: TrainConfig): void {
  const k = TOKEN_OPTIONS.find((key) => JSON.stringify(cfg[key]) !== JSON.stringify(DEFAULTS[key]))
  if (k !== undefined) throw new UserError(`${flagOf(k)}: applies to text; a forecaster reads the numbers of its CSV columns`)
}

function openSource(
  path: string, cfg: TrainConfig, from: Checkpoint | undefined, csv: boolean, bytes: Buffer,
): { source: TrainSource; T: number } {
  if (!csv) {
    const T = cfg.seq_len ?? TEXT_SEQ_LEN
    const vocab = from?.data.kind === 'text' ? tokensOf(from.data) : undefined
    const words = cfg.tokens === 'word' ? { vocabSize: cfg.vocab_size } : undefined
    return { source: openTextSource(path, { valFrac: cfg.val_frac, vocab, words, embed: embedOf(cfg), B: cfg.batch_size, T, bytes }), T }
  }
  checkSeriesOptions(cfg)
  if (cfg.target === null) throw new UserError(`${path}: a CSV file needs --target <column> (the column to forecast)`)
  const meta = from?.data.kind === 'timeseries' ? from.data : undefined
  const csvOpts = {
    target: cfg.target, features: cfg.features, delimiter: cfg.delimiter, header: cfg.header, fill: cfg.fill, decimal: cfg.decimal,
    thousands: cfg.thousands,
  }
  // auto is settled before a run starts (auto-transform.ts trains one run per transform)
  const transform = meta?.transform ?? cfg.transform
  if (transform === 'auto') throw new UserError('--transform auto: settled before a run (rnn train); give a transform here')
  // seq_len null: decided from the season once it is known
  const source = openSeriesSource(path, csvOpts, {
    valFrac: cfg.val_frac, testSize: cfg.test_size, season: cfg.season ?? meta?.season ?? null, stats: meta?.columns,
    transform, T: cfg.seq_len, bytes,
  })
  if (meta !== undefined && meta.columns.map((c) => c.name).join() !== source.series.columns.join())
    throw new UserError(`${path}: columns ${source.series.columns.join(', ')} differ from the checkpoint's `
      + meta.columns.map((c) => c.name).join(', '))
  return { source, T: source.T }
}
