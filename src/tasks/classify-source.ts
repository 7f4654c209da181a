/**
 * A CSV of labelled texts as a training source: one sequence per row read from a zero state, a seeded
 * stratified split (train / validation / test), the vocabulary of the training texts, optional class
 * weights (--balance), and validation as the mean cross-entropy over the validation rows.
 */
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { classesOf, labelIds, readLabelled, stratifiedSplit, type LabelledRows, type Split } from '../data/labelled.ts'
import { longest, SequenceBatcher } from '../data/sequence-batches.ts'
import { printIds } from '../data/fingerprint.ts'
import type { TrainSource } from './train-source.ts'
import { corpusName } from '../data/text.ts'
import { encodeTexts, Vocab } from '../data/vocab.ts'
import { tokensOf, WORD_TOKENIZER, WordVocab, type Tokens } from '../data/tokens.ts'
import { buildWordVocab } from '../data/words.ts'
import { embedOf, type TrainConfig } from '../options/train.ts'
import { loadLanguageModel } from '../model/init-from.ts'
import type { Checkpoint, ClassifierMeta } from '../model/checkpoint/schema.ts'
import { predictRows } from './classify.ts'

export interface ClassifierSource extends TrainSource {
  readonly kind: 'classifier'
  readonly vocab: Tokens
  readonly classes: string[]
  readonly meta: ClassifierMeta
}

/** What both training and evaluation need: the rows, their class ids and the split of a classifier's CSV. */
interface ClassifierData {
  readonly rows: LabelledRows
  readonly classes: string[]
  readonly ids: Int32Array
  readonly split: Split
}

/** Reads and splits a classifier's CSV as `cfg` (or the checkpoint's config) says. */
export function readClassifierData(path: string, cfg: TrainConfig, classes?: readonly string[], bytes?: Buffer): ClassifierData {
  if (cfg.label === null) throw new UserError(`${path}: a classifier needs --label <column> (the column of the labels)`)
  if (cfg.text === null) throw new UserError(`${path}: a classifier needs --text <column> (the column of the texts)`)
  const rows = readLabelled(path, { text: cfg.text, label: cfg.label, delimiter: cfg.delimiter, header: cfg.header }, bytes)
  const cls = classes !== undefined ? [...classes] : classesOf(rows)
  const ids = labelIds(rows, cls)
  return { rows, classes: cls, ids, split: stratifiedSplit(path, ids, cls.length, cfg.val_frac, cfg.test_frac, cfg.seed) }
}

export function openClassifierSource(
  path: string, cfg: TrainConfig, from: Checkpoint | undefined, bytes: Buffer,
): { source: ClassifierSource; T: number } {
  const stored = from?.data.kind === 'classifier' ? from.data : undefined
  const data = readClassifierData(path, cfg, stored?.classes, bytes)
  const { rows, classes, ids, split } = data
  const B = cfg.batch_size
  if (split.train.length < B)
    throw new UserError(`${path}: ${split.train.length} training rows are fewer than --batch ${B}; lower --batch`)
  const vocab = stored !== undefined ? tokensOf(stored) : classifierTokens(cfg, split.train.map((i) => rows.texts[i]))
  const seqs = encodeTexts(rows.texts, vocab)
  const C = classes.length
  const embed = stored !== undefined ? from!.model.embedding_dim : embedOf(cfg)
  let classWeights: Float32Array | null = null
  if (cfg.balance) {
    // sklearn's "balanced": n / (C · n_c), so a balanced data set gets weights of 1
    const counts = new Array<number>(C).fill(0)
    for (const i of split.train) counts[ids[i]]++
    const missing = counts.findIndex((n) => n === 0)
    if (missing >= 0) throw new UserError(`${path}: --balance: class "${classes[missing]}" has no training rows`)
    classWeights = Float32Array.from(counts, (n) => split.train.length / (C * n))
  }
  const meta: ClassifierMeta = {
    kind: 'classifier', vocab: [...vocab.list], ...(vocab.kind === 'word' ? { tokenizer: WORD_TOKENIZER } : {}),
    classes, source: null, text_column: rows.textColumn, label_column: rows.labelColumn,
    split: { train: split.train.length, val: split.val.length, test: split.test.length },
  }
  const counts = classes.map((c, k) => `${c} ${split.train.filter((i) => ids[i] === k).length}`).join(', ')
  const source: ClassifierSource = {
    kind: 'classifier', tokens: vocab.kind, path, name: corpusName(path), vocab, classes, meta, classWeights,
    describe: `${rows.texts.length.toLocaleString('en-US')} rows `
      + `(train ${split.train.length}, val ${split.val.length}, test ${split.test.length}; `
      + `training classes: ${counts}), vocabulary ${vocab.size.toLocaleString('en-US')}${vocab.kind === 'word' ? ' words and marks' : ''}`,
    io: {
      input_size: vocab.size, output_size: C, input: 'one_hot', loss: 'cross_entropy',
      pool: stored !== undefined ? from!.model.pool : cfg.pool,
      ...(embed !== undefined ? { embedding_dim: embed } : {}),
    },
    batcher: (b, _T, cursor) => new SequenceBatcher(seqs, ids, split.train, b, cfg.seed, cursor),
    validate: (model, _T, b) => predictRows(model, seqs, split.val, b, ids).loss,
    fingerprint: () => ({ train: printRows(seqs, ids, split.train), val: printRows(seqs, ids, split.val) }),
    record: () => ({ ...meta, source: resolve(path) }),
  }
  return { source, T: longest(seqs, [...split.train, ...split.val]) }
}

/**
 * A new classifier's tokens: the characters of its training texts, or (--tokens word) <unk> and their
 * --vocab-size most frequent words and marks; starting from a word language model (--init-from), the
 * language model's words follow, so a word the classifier's training rows lack still has the embedding
 * the language model learned for it.
 */
function classifierTokens(cfg: TrainConfig, trainTexts: readonly string[]): Tokens {
  if (cfg.tokens !== 'word') return Vocab.fromText(trainTexts.join(''))
  // joined with a space: a token never spans two texts
  const own = buildWordVocab(trainTexts.join(' '), cfg.vocab_size).vocab
  if (cfg.init_from === null) return new WordVocab(own)
  const lm = loadLanguageModel(cfg.init_from)
  if (lm.data.tokenizer === undefined) return new WordVocab(own)
  const have = new Set(own)
  return new WordVocab([...own, ...lm.data.vocab.filter((w) => !have.has(w))])
}

/** Each row as its label, its length and its ids, hashed (size: the rows). */
function printRows(seqs: readonly Int32Array[], ids: Int32Array, rows: readonly number[]) {
  const flat: number[] = []
  for (const r of rows) flat.push(ids[r], seqs[r].length, ...seqs[r])
  return { ...printIds(Int32Array.from(flat)), size: rows.length }
}
