/**
 * How good a classifier is: accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix,
 * and the two baselines it is measured against, fitted on the same training rows: the majority class and
 * a multinomial naive Bayes over lowercased word tokens with Laplace (add-one) smoothing.
 */

interface ClassScores { precision: number; recall: number; f1: number; support: number }

export interface ClassMetrics {
  rows: number
  accuracy: number
  macro_f1: number
  per_class: Record<string, ClassScores>
  /** confusion[true][predicted], in the order of the class list. */
  confusion: number[][]
}

/** A class never predicted has precision 0, one never present recall 0, and F1 0 when both are 0 (scikit-learn's zero_division=0). */
export function classMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, classes: readonly string[]): ClassMetrics {
  const C = classes.length
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0))
  let right = 0
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][pred[i]]++
    if (truth[i] === pred[i]) right++
  }
  const per_class: Record<string, ClassScores> = {}
  let f1Sum = 0
  classes.forEach((name, c) => {
    const tp = confusion[c][c]
    let predicted = 0, support = 0
    for (let k = 0; k < C; k++) { predicted += confusion[k][c]; support += confusion[c][k] }
    const precision = predicted === 0 ? 0 : tp / predicted, recall = support === 0 ? 0 : tp / support
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    per_class[name] = { precision, recall, f1, support }
    f1Sum += f1
  })
  return { rows: truth.length, accuracy: truth.length === 0 ? NaN : right / truth.length, macro_f1: f1Sum / C, per_class, confusion }
}

/** The most frequent class of the training labels (the first in class order on a tie). */
export function majorityClass(trainLabels: ArrayLike<number>, C: number): number {
  const counts = new Array<number>(C).fill(0)
  for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i]]++
  let best = 0
  for (let c = 1; c < C; c++) if (counts[c] > counts[best]) best = c
  return best
}

/** Lowercased word tokens: runs of letters, digits and apostrophes inside a word ("don't", "5"). */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? []
}

interface NaiveBayes {
  /** log P(c) */
  readonly logPrior: number[]
  /** log P(w | c) per known word; words never seen in training are skipped when scoring. */
  readonly logLikelihood: Map<string, number[]>
}

/**
 * Multinomial naive Bayes with add-alpha smoothing over the training vocabulary V:
 * P(w | c) = (count(w, c) + α) / (Σ_w count(w, c) + α|V|), P(c) = n_c / n.
 */
export function fitNaiveBayes(texts: readonly string[], labels: ArrayLike<number>, C: number, alpha = 1): NaiveBayes {
  const counts = new Map<string, number[]>()
  const total = new Array<number>(C).fill(0), docs = new Array<number>(C).fill(0)
  texts.forEach((t, i) => {
    const c = labels[i]
    docs[c]++
    for (const w of wordTokens(t)) {
      let row = counts.get(w)
      if (row === undefined) { row = new Array<number>(C).fill(0); counts.set(w, row) }
      row[c]++
      total[c]++
    }
  })
  const V = counts.size
  const logLikelihood = new Map<string, number[]>()
  for (const [w, row] of counts) logLikelihood.set(w, row.map((n, c) => Math.log((n + alpha) / (total[c] + alpha * V))))
  return { logPrior: docs.map((n) => Math.log(n / texts.length)), logLikelihood }
}

/** Each class's log P(c) + Σ log P(w | c) over the text's known tokens. */
export function naiveBayesScores(nb: NaiveBayes, text: string): number[] {
  const s = [...nb.logPrior]
  for (const w of wordTokens(text)) {
    const l = nb.logLikelihood.get(w)
    if (l !== undefined) for (let c = 0; c < s.length; c++) s[c] += l[c]
  }
  return s
}

export function naiveBayesPredict(nb: NaiveBayes, text: string): number {
  const s = naiveBayesScores(nb, text)
  let best = 0
  for (let c = 1; c < s.length; c++) if (s[c] > s[best]) best = c
  return best
}
