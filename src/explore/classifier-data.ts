/**
 * What an explorer page carries for a classifier: its classes and pooling, the top layer's units ranked by
 * their correlation with the label over the held-out rows (what `rnn inspect-state --by-label` prints), and
 * the input the page starts with: `--text`, else the first held-out row the vocabulary can read.
 */
import { existsSync } from 'node:fs'
import { encodeTexts, Vocab } from '../data/vocab.ts'
import { UserError } from '../errors.ts'
import { unitsByLabel } from '../inspect/class-state.ts'
import type { Checkpoint, ClassifierMeta } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'
import { readClassifierData } from '../tasks/classify-source.ts'
import type { ClassifierInfo } from './page/data.ts'

/** Without the training CSV and without --text: a sentence of the example, if the vocabulary has its characters. */
const FALLBACK_TEXT = 'The food was cold and the waiter rude.'

export function classifierPage(ck: Checkpoint & { data: ClassifierMeta }, model: Model, text: string | undefined):
  { info: ClassifierInfo; input: string } {
  const vocab = new Vocab(ck.data.vocab), { classes } = ck.data
  if (text !== undefined) {
    const unknown = vocab.unknown(text)
    if (unknown.length > 0)
      throw new UserError(`--text: characters not in the model's vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`)
  }
  const source = ck.data.source
  const base = { classes: [...classes], pool: model.spec.pool ?? 'last' }
  if (source === null || !existsSync(source)) {
    if (text === undefined && vocab.unknown(FALLBACK_TEXT).length > 0)
      throw new UserError(`${source ?? 'the training CSV'}: not found; give the sentence to show with --text "…"`)
    return { info: { ...base, byLabel: null }, input: text ?? FALLBACK_TEXT }
  }
  const data = readClassifierData(source, ck.config, classes)
  // the test rows, or the validation rows of a model trained with --test-frac 0 (as inspect-state --by-label)
  const rows = data.split.test.length > 0 ? data.split.test : data.split.val
  const texts = rows.map((i) => data.rows.texts[i])
  const units = unitsByLabel(model, encodeTexts(texts, vocab), Int32Array.from(rows, (i) => data.ids[i]), classes)
  const first = texts.find((t) => vocab.unknown(t).length === 0) ?? FALLBACK_TEXT
  return { info: { ...base, byLabel: { rows: rows.length, units } }, input: text ?? first }
}
