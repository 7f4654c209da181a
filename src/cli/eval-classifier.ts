/** `rnn eval` on a classifier: the scores on stdout (a table, or --json), where the rows came from on stderr. */
import type { Model } from '../model/model.ts'
import type { Tokens } from '../data/tokens.ts'
import type { ClassifierCheckpoint } from '../tasks/classify-eval.ts'
import { colour, fmt, fmtInt, json, log, result } from './output.ts'

export async function printClassifierEval(
  path: string, model: Model, vocab: Tokens, ck: ClassifierCheckpoint, file: string | undefined, o: { json?: boolean },
): Promise<void> {
  const { evaluateClassifier } = await import('../tasks/classify-eval.ts')
  const { unknownNote } = await import('../tasks/classify.ts')
  const r = evaluateClassifier(path, ck, model, vocab, file)
  if (o.json) {
    json({
      test_rows: r.rows, classes: r.classes, accuracy: r.accuracy, macro_f1: r.macro_f1, loss: r.loss, per_class: r.per_class,
      confusion: r.confusion, baselines: r.baselines,
      ...(vocab.kind === 'word' ? { unknown_words: r.unknown_tokens } : { unknown_chars: r.unknown_tokens }),
    })
    return
  }
  log(colour.dim(`${r.source}: ${fmtInt(r.rows)} rows`))
  if (r.unknown_tokens > 0) log(colour.yellow(unknownNote(r.unknown_tokens, vocab)))
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  result(`accuracy ${pct(r.accuracy)}  macro-F1 ${fmt(r.macro_f1, 3)}  loss ${fmt(r.loss)} nats/text`)
  if (r.baselines !== null) {
    result(`baselines on the same training rows: majority class ("${r.baselines.majority.class}") ${pct(r.baselines.majority.accuracy)}, `
      + `naive Bayes (word counts) ${pct(r.baselines.naive_bayes.accuracy)} (macro-F1 ${fmt(r.baselines.naive_bayes.macro_f1, 3)})`)
  } else log(colour.yellow('no baselines: the training file is not there to fit them on'))
  const width = Math.max(5, ...r.classes.map((c) => c.length))
  result('')
  result(`${'class'.padEnd(width)}  precision  recall  F1     support`)
  for (const c of r.classes) {
    const s = r.per_class[c]
    result(`${c.padEnd(width)}  ${fmt(s.precision, 3).padEnd(9)}  ${fmt(s.recall, 3).padEnd(6)}  ${fmt(s.f1, 3).padEnd(5)}  ${s.support}`)
  }
  result('')
  result(`confusion (rows: true class, columns: predicted)`)
  const cell = Math.max(width, ...r.confusion.flat().map((n) => String(n).length))
  result(`${''.padEnd(width)}  ${r.classes.map((c) => c.padStart(cell)).join('  ')}`)
  r.confusion.forEach((row, i) => result(`${r.classes[i].padEnd(width)}  ${row.map((n) => String(n).padStart(cell)).join('  ')}`))
}
