/**
 * `rnn eval [checkpoint] [file]`: a text model's loss, perplexity and bits/char (a word model's per word and
 * per character); a time-series model's RMSE, MAE, sMAPE and MASE on the held-out test rows next to the
 * naive and seasonal-naive baselines; a classifier's accuracy, macro-F1 and confusion matrix next to the
 * majority-class and naive Bayes baselines.
 */
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { showChars } from '../../data/vocab.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { EVAL_FLAGS, EvalOptions } from '../../options/eval.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, fmt, fmtInt, json, log, result } from '../output.ts'
import { DEFAULT_LEVELS } from '../../tasks/intervals.ts'
import type { FileEval } from '../../tasks/evaluate-file.ts'

export function command(): Command {
  const cmd = new Command('eval')
    .description('measure a model: text loss (nats/char, perplexity, bits/char) or forecast errors against baselines')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .argument('[file]', 'text or CSV to evaluate '
      + "(default: the checkpoint's own data: its validation split for text, its test rows for CSV)")
  return addFlags(cmd, EVAL_FLAGS, EvalOptions)
    .addHelpText('after', `
Examples:
  rnn eval
  rnn eval checkpoints/corpus-lstm.json held-out.txt --json
  rnn eval checkpoints/airline-passengers-lstm.json --horizon 12`)
    .action(run)
}

async function run(named: string | undefined, file: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(EvalOptions, EVAL_FLAGS, raw)
  const path = pickCheckpoint(named)
  const { loadModel } = await import('../../index.ts')
  const { model, checkpoint, vocab } = loadModel(path)
  if (checkpoint.data.kind === 'classifier') {
    const { printClassifierEval } = await import('../eval-classifier.ts')
    await printClassifierEval(path, model, vocab!, checkpoint as Parameters<typeof printClassifierEval>[3], file, o)
    return
  }
  if (checkpoint.data.kind === 'timeseries') {
    const { printSeriesEval } = await import('../eval-series.ts')
    printSeriesEval(path, model, checkpoint as Parameters<typeof printSeriesEval>[2], file, { ...o, levels: o.level ?? DEFAULT_LEVELS })
    return
  }
  const { evaluateText: evaluateFile } = await import('../../index.ts')
  const { evalView } = await import('../progress.ts')
  const view = evalView()
  let r
  try { r = evaluateFile(path, file, view.update) } finally { view.stop() }
  if (r.words !== undefined) { printWordEval(r as typeof r & { words: object }, o.json); return }
  if (o.json) {
    json({ loss: r.loss, perplexity: r.perplexity, bits_per_char: r.bits_per_char, chars: r.chars, unknown_chars: r.unknown_chars })
    return
  }
  log(colour.dim(`${r.source}: ${fmtInt(r.chars)} characters predicted`))
  if (r.unknown_chars > 0)
    log(colour.yellow(`${fmtInt(r.unknown_chars)} characters outside the vocabulary were skipped (${showChars(r.unknown_list)})`))
  result(`loss ${fmt(r.loss)} nats/char  perplexity ${fmt(r.perplexity, 3)}  ${fmt(r.bits_per_char)} bits/char`)
}

/** A word model: per word, and per character of the same text (comparable with a character model's loss). */
function printWordEval(r: FileEval & { words: NonNullable<FileEval['words']> }, asJson: boolean): void {
  const w = r.words
  if (asJson) {
    json({
      tokens: 'word', loss: r.loss, perplexity: r.perplexity, bits_per_word: w.bits_per_word, words: w.words,
      unknown_words: w.unknown_words, loss_per_char: w.loss_per_char, perplexity_per_char: w.perplexity_per_char,
      bits_per_char: r.bits_per_char, chars: r.chars,
    })
    return
  }
  log(colour.dim(`${r.source}: ${fmtInt(w.words)} words and marks predicted, ${fmtInt(r.chars)} characters`))
  if (w.unknown_words > 0) {
    const some = r.unknown_list.map((t) => JSON.stringify(t)).join(' ')
    log(colour.yellow(`${fmtInt(w.unknown_words)} of them outside the vocabulary, predicted as <unk> (such as ${some})`))
  }
  result(`per word:      loss ${fmt(r.loss)} nats  perplexity ${fmt(r.perplexity, 3)}  ${fmt(w.bits_per_word)} bits`)
  result(`per character: loss ${fmt(w.loss_per_char)} nats  perplexity ${fmt(w.perplexity_per_char, 3)}  ${fmt(r.bits_per_char)} bits`)
}
