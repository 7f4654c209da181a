/** The text corpus as a training source: char-rnn's parallel streams, state carried across chunks. */
import { resolve } from 'node:path'
import type { Vocab } from '../data/vocab.ts'
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
  readonly vocab: Vocab
  /** The splits' ids (what --engine torch hands to PyTorch). */
  readonly train: Int32Array
  readonly val: Int32Array
}

export function openTextSource(path: string, o: { valFrac: number; vocab?: Vocab; B: number; T: number; bytes?: Buffer }): TextSource {
  const corpus = loadTextCorpus(path, { valFrac: o.valFrac, vocab: o.vocab, minTrain: o.B * (o.T + 1), minVal: 2, bytes: o.bytes })
  const V = corpus.vocab.size
  return {
    kind: 'text', path, name: corpus.name, vocab: corpus.vocab, train: corpus.train, val: corpus.val,
    describe: `${(corpus.train.length + corpus.val.length).toLocaleString('en-US')} chars, vocabulary ${V}`,
    io: { input_size: V, output_size: V, input: 'one_hot', loss: 'cross_entropy' },
    batcher: (B, T, cursor) => new StreamBatcher(corpus.train, B, T, cursor),
    validate: (model, T, B) => {
      const val = corpus.val.subarray(0, VALIDATION_CHARS)
      // in a batch as wide as training's, so validation reuses the training buffers (no second workspace)
      return evaluateIds(model, val, validationStreams(val.length, B), T, B).loss
    },
    fingerprint: () => ({ train: printIds(corpus.train), val: printIds(corpus.val) }),
    record: () => ({ kind: 'text', vocab: [...corpus.vocab.chars], source: resolve(path) }),
  }
}
