/**
 * Text data: a UTF-8 file → token ids (code points, or words: tokens.ts), split into train (first
 * 1 - val_frac of the characters) and validation (the rest), and read as B parallel streams in chunks of T
 * (char-rnn's batching): stream b is the b-th contiguous slice of the split, chunk k covers positions
 * [kT, (k+1)T) of every stream, and the target is the next token. Consecutive chunks continue each stream,
 * so the trainer carries hidden state across them (truncated BPTT) and learns context longer than T.
 */
import { basename, extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UserError } from '../errors.ts'
import { readRegularFile } from '../files/read-file.ts'
import { showChars, Vocab } from './vocab.ts'
import { WordVocab, type Tokens } from './tokens.ts'
import { buildWordVocab } from './words.ts'
import { wideEncoding, wideEncodingMessage } from './encoding.ts'
import type { Batcher, Cursor } from './batcher.ts'

/** The text `rnn train` learns when given none (and inspect-gradients --cell reads). */
export const BUNDLED_TEXT = fileURLToPath(new URL('../../data/moby-dick.txt', import.meta.url))

interface TextCorpus {
  readonly path: string
  readonly name: string
  readonly vocab: Tokens
  readonly train: Int32Array
  readonly val: Int32Array
  /** Distinct tokens of the training split (words: before the vocabulary kept the most frequent). */
  readonly distinct: number
}

/**
 * Reads a text file strictly: missing, not a regular file, over the size limit (src/files/read-file.ts), empty,
 * binary or invalid UTF-8 are UserErrors.
 */
export function readText(path: string, kind: 'text' | 'csv' = 'text'): string {
  return decodeText(path, readRegularFile(path, kind))
}

/** Empty, UTF-16/32, binary (a NUL byte) or invalid UTF-8 bytes are UserErrors; else the text, without a BOM. */
export function decodeText(path: string, buf: Buffer): string {
  if (buf.length === 0) throw new UserError(`${path}: file is empty`)
  const wide = wideEncoding(buf)
  if (wide !== null) throw new UserError(wideEncodingMessage(path, wide))
  const nul = buf.indexOf(0)
  if (nul >= 0) throw new UserError(`${path}: looks like a binary file (NUL byte at offset ${nul}), expected UTF-8 text`)
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    throw new UserError(`${path}: not valid UTF-8 (at ${lineOfInvalidByte(buf)}), expected UTF-8 text`)
  }
}

function lineOfInvalidByte(buf: Buffer): string {
  const dec = new TextDecoder('utf-8', { fatal: true })
  let lo = 0, hi = buf.length
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    try { dec.decode(buf.subarray(0, mid)); lo = mid } catch { hi = mid }
  }
  let line = 1
  for (let i = 0; i < lo; i++) if (buf[i] === 10) line++
  return `line ${line}, byte ${lo}`
}

/** Corpus name for default checkpoint paths: the file name without its extension. */
export function corpusName(path: string): string {
  return basename(path, extname(path)) || 'corpus'
}

/**
 * The text split where a model's validation split starts: the last floor(n · valFrac) of its n code points
 * (the same place for a character and a word model, so both are measured on the same validation text).
 */
export function splitText(text: string, valFrac: number): { train: string; val: string; chars: number } {
  let n = 0
  for (let i = 0; i < text.length; i++, n++) if (text.charCodeAt(i) >= 0xd800 && text.charCodeAt(i) < 0xdc00) i++
  let at = 0
  for (let k = n - Math.floor(n * valFrac); k > 0; k--) at += text.charCodeAt(at) >= 0xd800 && text.charCodeAt(at) < 0xdc00 ? 2 : 1
  return { train: text.slice(0, at), val: text.slice(at), chars: n }
}

interface CorpusOptions {
  valFrac: number; minTrain: number; minVal: number; bytes?: Buffer
  /** A resumed model's tokens; else built from the text: its characters, or (`words`) its most frequent words. */
  vocab?: Tokens
  words?: { vocabSize: number }
}

/**
 * Builds the corpus: the vocabulary (given one: a resumed model's), then the ids of the train and
 * validation splits. `minTrain` tokens of training data are required (one window of seq_len + 1 per stream).
 */
export function loadTextCorpus(path: string, opts: CorpusOptions): TextCorpus {
  const text = opts.bytes !== undefined ? decodeText(path, opts.bytes) : readText(path)
  const words = opts.words !== undefined || opts.vocab?.kind === 'word'
  let vocab: Tokens, ids: Int32Array, nTrain: number, distinct: number
  if (words) {
    const parts = splitText(text, opts.valFrac)
    const built = opts.vocab === undefined ? buildWordVocab(parts.train, opts.words!.vocabSize) : null
    vocab = opts.vocab ?? new WordVocab(built!.vocab)
    distinct = built?.distinct ?? vocab.size
    const train = vocab.encode(parts.train), val = vocab.encode(parts.val)
    ids = new Int32Array(train.length + val.length)
    ids.set(train)
    ids.set(val, train.length)
    nTrain = train.length
  } else {
    vocab = opts.vocab ?? Vocab.fromText(text)
    distinct = vocab.size
    ids = vocab.encode(text)
    nTrain = ids.length - Math.floor(ids.length * opts.valFrac)
  }
  const nVal = ids.length - nTrain, unit = words ? 'words' : 'characters'
  if (nTrain < opts.minTrain || nVal < opts.minVal) {
    const need = Math.ceil(Math.max(opts.minTrain / (1 - opts.valFrac), opts.minVal / opts.valFrac))
    const why = 'for seq_len, batch_size and val_frac (try a smaller --seq-len or --batch)'
    throw new UserError(`${path}: ${ids.length} ${unit} is too short: need at least ${need} ${why}`)
  }
  if (opts.vocab !== undefined && !words) {
    const unknown = vocab.unknown(text)
    if (unknown.length > 0) throw new UserError(`${path}: characters not in the model's vocabulary: ${showChars(unknown.slice(0, 10))}`)
  }
  return { path, name: corpusName(path), vocab, train: ids.subarray(0, nTrain), val: ids.subarray(nTrain), distinct }
}

/**
 * B streams of T-chunks over `ids`: x [T][B] and y [T][B] (the next ids), time-major.
 * `carry` is false on an epoch's first chunk: the model starts those streams from zero state.
 */
export class StreamBatcher implements Batcher {
  readonly streamLen: number
  readonly chunksPerEpoch: number
  readonly x: Int32Array
  readonly y: Int32Array
  carry = false

  constructor(private readonly ids: Int32Array, readonly B: number, readonly T: number, readonly cursor: Cursor = { epoch: 0, chunk: 0 }) {
    this.streamLen = Math.floor(ids.length / B)
    this.chunksPerEpoch = Math.floor((this.streamLen - 1) / T)
    if (this.chunksPerEpoch < 1) throw new Error(`too little data for ${B} streams of ${T + 1}`)
    this.x = new Int32Array(T * B)
    this.y = new Int32Array(T * B)
  }

  /** Fills x, y with the chunk at the cursor and advances it. */
  next(): void {
    const { B, T, ids, streamLen, cursor } = this
    const start = cursor.chunk * T
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) {
        const p = b * streamLen + start + t
        this.x[t * B + b] = ids[p]
        this.y[t * B + b] = ids[p + 1]
      }
    this.carry = cursor.chunk > 0
    cursor.chunk++
    if (cursor.chunk >= this.chunksPerEpoch) { cursor.chunk = 0; cursor.epoch++ }
  }
}
