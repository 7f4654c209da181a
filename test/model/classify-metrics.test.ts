/** Classification metrics and the naive Bayes baseline against hand-computed tiny cases. */
import { expect, it } from 'vitest'
import { classMetrics, fitNaiveBayes, majorityClass, naiveBayesPredict, naiveBayesScores, wordTokens } from '../../src/tasks/classify-metrics.ts'

it('confusion matrix, per-class precision/recall/F1, accuracy and macro-F1 of a hand-computed case', () => {
  // truth a a a b b c, predicted a b a b c c
  const m = classMetrics([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 2, 2], ['a', 'b', 'c'])
  expect(m.confusion).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]])
  expect(m.accuracy).toBeCloseTo(4 / 6, 12)
  // a: P 2/2 R 2/3 F1 0.8; b: P 1/2 R 1/2 F1 0.5; c: P 1/2 R 1 F1 2/3
  expect(m.per_class.a).toMatchObject({ precision: 1, recall: 2 / 3, support: 3 })
  expect(m.per_class.a.f1).toBeCloseTo(0.8, 12)
  expect(m.per_class.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })
  expect(m.per_class.c.f1).toBeCloseTo(2 / 3, 12)
  expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12)
})

it('a class never predicted: precision 0, F1 0', () => {
  const m = classMetrics([0, 1, 1], [0, 0, 0], ['x', 'y'])
  expect(m.per_class.y).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 })
  expect(m.per_class.x.precision).toBeCloseTo(1 / 3, 12)
  expect(m.macro_f1).toBeCloseTo(0.5 / 2, 12)
})

it('majority class: the most frequent, the first on a tie', () => {
  expect(majorityClass([1, 1, 0], 2)).toBe(1)
  expect(majorityClass([1, 0], 2)).toBe(0)
})

it('word tokens are lowercased words (apostrophes inside a word kept)', () => {
  expect(wordTokens("Don't buy it: GREAT, not 5 stars!")).toEqual(["don't", 'buy', 'it', 'great', 'not', '5', 'stars'])
})

it('multinomial naive Bayes with Laplace smoothing, a hand-computed case', () => {
  // pos: "good good fun", neg: "bad fun"; V = {good, fun, bad} (3); pos has 3 tokens, neg 2
  const nb = fitNaiveBayes(['Good good fun', 'bad FUN'], [1, 0], 2)
  // P(good|pos) = (2+1)/(3+3) = 1/2, P(good|neg) = (0+1)/(2+3) = 1/5; priors 1/2 each
  expect(nb.logLikelihood.get('good')).toEqual([Math.log(1 / 5), Math.log(1 / 2)])
  expect(nb.logLikelihood.get('fun')).toEqual([Math.log(2 / 5), Math.log(2 / 6)])
  // "fun unseen": the unseen word is skipped; neg: ln(1/2) + ln(2/5), pos: ln(1/2) + ln(1/3)
  const s = naiveBayesScores(nb, 'fun unseen')
  expect(s[0]).toBeCloseTo(Math.log(0.5) + Math.log(0.4), 12)
  expect(s[1]).toBeCloseTo(Math.log(0.5) + Math.log(1 / 3), 12)
  expect(naiveBayesPredict(nb, 'fun unseen')).toBe(0)
  expect(naiveBayesPredict(nb, 'good')).toBe(1)
})
