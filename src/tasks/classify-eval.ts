/**
 * `rnn eval` on a classifier: the model's predictions on the test rows of its training CSV (re-split as
 * training split it: same seed and fractions) or on every row of another CSV, scored, next to the
 * majority-class and naive Bayes baselines fitted on the model's own training rows.
 */
import { existsSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { labelIds, readLabelled } from '../data/labelled.ts'
import { encodeTexts } from '../data/vocab.ts'
import type { Tokens } from '../data/tokens.ts'
import type { Checkpoint, ClassifierMeta } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'
import { argmaxRows, predictRows, unknownTokens } from './classify.ts'
import { readClassifierData } from './classify-source.ts'
import { classMetrics, fitNaiveBayes, majorityClass, naiveBayesPredict, type ClassMetrics } from './classify-metrics.ts'

export type ClassifierCheckpoint = Checkpoint & { data: ClassifierMeta }

interface ClassifierEval extends ClassMetrics {
  /** Where the rows came from: "<file>: test rows" or "<file>". */
  readonly source: string
  readonly classes: string[]
  /** Mean cross-entropy of the model on these rows (nats per text). */
  readonly loss: number
  /** Tokens outside the model's vocabulary (characters: read as the zero vector; words: as <unk>). */
  readonly unknown_tokens: number
  readonly baselines: { majority: { accuracy: number; class: string }; naive_bayes: { accuracy: number; macro_f1: number } } | null
}

const EVAL_BATCH = 64

export function evaluateClassifier(path: string, ck: ClassifierCheckpoint, model: Model, vocab: Tokens, file?: string): ClassifierEval {
  const { classes } = ck.data
  const source = ck.data.source
  const haveSource = source !== null && existsSync(source)
  if (file === undefined && !haveSource)
    throw new UserError(`${path}: its training file ${source ?? '(none recorded)'} is not there to take the test rows from; `
      + 'name a CSV file to evaluate')
  const train = haveSource ? readClassifierData(source, ck.config, classes) : null
  if (train !== null && train.split.train.length !== ck.data.split.train)
    throw new UserError(`${source}: ${train.split.train.length} training rows where the model was trained on ${ck.data.split.train}; `
      + 'the file changed since')
  let texts: string[], truth: Int32Array, where: string
  if (file === undefined) {
    const test = train!.split.test
    if (test.length === 0)
      throw new UserError(`${path}: trained with --test-frac 0, so there are no test rows; name a CSV file to evaluate`)
    texts = test.map((i) => train!.rows.texts[i]); truth = Int32Array.from(test, (i) => train!.ids[i]); where = `${source}: test rows`
  } else {
    const rows = readLabelled(file, {
      text: ck.data.text_column, label: ck.data.label_column, delimiter: ck.config.delimiter, header: ck.config.header,
    })
    texts = rows.texts; truth = labelIds(rows, classes); where = file
  }
  const seqs = encodeTexts(texts, vocab)
  const unknown = unknownTokens(seqs, vocab).reduce((a, b) => a + b, 0)
  const all = seqs.map((_, i) => i)
  const p = predictRows(model, seqs, all, EVAL_BATCH, truth)
  const metrics = classMetrics(truth, argmaxRows(p.probs, classes.length), classes)
  let baselines: ClassifierEval['baselines'] = null
  if (train !== null) {
    const trainLabels = Int32Array.from(train.split.train, (i) => train.ids[i])
    const major = majorityClass(trainLabels, classes.length)
    const nb = fitNaiveBayes(train.split.train.map((i) => train.rows.texts[i]), trainLabels, classes.length)
    const nbMetrics = classMetrics(truth, texts.map((t) => naiveBayesPredict(nb, t)), classes)
    baselines = {
      majority: { accuracy: classMetrics(truth, new Array<number>(truth.length).fill(major), classes).accuracy, class: classes[major] },
      naive_bayes: { accuracy: nbMetrics.accuracy, macro_f1: nbMetrics.macro_f1 },
    }
  }
  return { ...metrics, source: where, classes: [...classes], loss: p.loss, unknown_tokens: unknown, baselines }
}
