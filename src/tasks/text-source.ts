/** The text corpus as a training source: char-rnn's parallel streams, state carried across chunks. */
import { resolve } from 'node:path'
import { WORD_TOKENIZER, type Tokens } from '../data/tokens.ts'
import { loadTextCorpus, StreamBatcher } from '../data/text.ts'
import { evaluateIds, validationStreams } from './evaluate.ts'
import type { TrainSource } from './train-source.ts'
import { printIds } from '../data/fingerprint.ts'

/**
 * Validation during training reads at most this many characters from the start of the split, so a large
 * corpus does not spend minutes per evaluation; `rnn eval` reads the whole split.
 */
export const VALIDATION_CHARS = 262_144

export interface TextSource extends TrainSource {
  readonly kind: 'text'
  readonly vocab: Tokens
  /** The splits' ids (what --engine torch hands to PyTorch). */
  readonly train: Int32Array
  readonly val: Int32Array
}

interface TextSourceOptions {
  valFrac: number; B: number; T: number; bytes?: Buffer
  /** A resumed model's tokens; else characters, or the words kept by words.vocabSize. */
  vocab?: Tokens
  words?: { vocabSize: number }
  /** Width of an nn.Embedding the ids are read through; absent: one-hot. */
  embed?: number
}

export function openTextSource(path: string, o: TextSourceOptions): TextSource {
  const corpus = loadTextCorpus(path, { ...o, minTrain: o.B * (o.T + 1), minVal: 2 })
  const { vocab } = corpus, V = vocab.size, fmt = (n: number) => n.toLocaleString('en-US')
  const size = fmt(corpus.train.length + corpus.val.length)
  const describe = vocab.kind === 'char'
    ? `${size} chars, vocabulary ${V}`
    : `${size} words and marks, vocabulary ${fmt(V)} (${wordCover(corpus)})`
  return {
    kind: 'text', tokens: vocab.kind, path, name: corpus.name, vocab, train: corpus.train, val: corpus.val, describe,
    io: { input_size: V, output_size: V, input: 'one_hot', loss: 'cross_entropy',
      ...(o.embed !== undefined ? { embedding_dim: o.embed } : {}) },
    batcher: (B, T, cursor) => new StreamBatcher(corpus.train, B, T, cursor),
    validate: (model, T, B) => {
      const val = corpus.val.subarray(0, VALIDATION_CHARS)
      // in a batch as wide as training's, so validation reuses the training buffers (no second workspace)
      return evaluateIds(model, val, validationStreams(val.length, B), T, B).loss
    },
    fingerprint: () => ({ train: printIds(corpus.train), val: printIds(corpus.val) }),
    record: () => ({
      kind: 'text', vocab: [...vocab.list], source: resolve(path), ...(vocab.kind === 'word' ? { tokenizer: WORD_TOKENIZER } : {}),
    }),
  }
}

/** "the 4,300 distinct of the training split; 0.0% of its tokens <unk>" */
function wordCover(corpus: { train: Int32Array; distinct: number; vocab: Tokens }): string {
  const unk = corpus.vocab.id('<unk>')
  let n = 0
  for (let i = 0; i < corpus.train.length; i++) if (corpus.train[i] === unk) n++
  const pct = ((100 * n) / Math.max(1, corpus.train.length)).toFixed(1)
  return `of ${corpus.distinct.toLocaleString('en-US')} distinct in the training split; ${pct}% of its tokens <unk>`
}
