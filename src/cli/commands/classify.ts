/**
 * `rnn classify [checkpoint] [text]`: a classifier's label and class probabilities for one text, each line
 * of --file, or each line of stdin (`-`).
 */
import { existsSync } from 'node:fs'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { CLASSIFY_FLAGS, ClassifyOptions } from '../../options/classify.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, json, log, result } from '../output.ts'

/** Bytes of texts read from --file or stdin. */
const MAX_INPUT = 64 * 2 ** 20

export function command(): Command {
  const cmd = new Command('classify')
    .description("a classifier's label and class probabilities for a text (or each line of a file, or of stdin with -)")
    .argument('[checkpoint]', 'classifier checkpoint (default: the most recent in ./checkpoints)')
    .argument('[text]', 'the text to classify; - reads one text per line from stdin')
  return addFlags(cmd, CLASSIFY_FLAGS, ClassifyOptions).addHelpText('after', `
Examples:
  rnn classify "The food was cold and the waiter rude."
  rnn classify checkpoints/reviews-amazon-yelp-lstm.json --file sentences.txt --json
  cat sentences.txt | rnn classify checkpoints/reviews-amazon-yelp-lstm.json -`).action(run)
}

async function run(first: string | undefined, second: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(ClassifyOptions, CLASSIFY_FLAGS, raw)
  // one argument: a checkpoint if it names a .json file that exists, else the text
  let named = first, text = second
  if (second === undefined && first !== undefined && !(first.endsWith('.json') && existsSync(first))) { named = undefined; text = first }
  if (o.file !== undefined && text !== undefined) throw new UserError(`--file: give either a text or --file, not both`)
  const texts = o.file !== undefined ? await linesOf(o.file) : text === '-' ? await linesOf('-') : text !== undefined ? [text] : null
  if (texts === null) throw new UserError('nothing to classify: give a text, --file <lines.txt>, or - to read lines from stdin')
  if (text !== undefined && text !== '-' && text.trim() === '') throw new UserError('the text is empty')
  const path = pickCheckpoint(named)
  const { loadModel } = await import('../../index.ts')
  const { model, vocab, checkpoint } = loadModel(path)
  if (checkpoint.data.kind !== 'classifier')
    throw new UserError(`${path}: a ${checkpoint.kind === 'text' ? 'language model' : 'time-series model'}, not a classifier; `
      + 'train one with rnn train file.csv --text <column> --label <column>')
  const { classes } = checkpoint.data
  const { classifyTexts, argmaxRows, unknownNote } = await import('../../tasks/classify.ts')
  const { probs, unknown } = classifyTexts(model, vocab!, texts)
  const labels = argmaxRows(probs, classes.length)
  const C = classes.length
  const unknownTotal = unknown.reduce((a, b) => a + b, 0)
  if (unknownTotal > 0) log(colour.yellow(unknownNote(unknownTotal, vocab!)))
  const rows = texts.map((t, i) => ({
    text: t, label: classes[labels[i]],
    probabilities: Object.fromEntries(classes.map((c, k) => [c, probs[i * C + k]])),
  }))
  if (o.json) { json(text !== undefined && text !== '-' ? rows[0] : rows); return }
  for (const r of rows) {
    const ps = classes.map((c) => `${c} ${r.probabilities[c].toFixed(3)}`).join('  ')
    result(texts.length === 1 && text !== '-' ? `${r.label}  (${ps})` : `${r.label}\t${ps}\t${r.text}`)
  }
}

/** Non-empty lines of a file or of stdin ("-"); an empty line in the middle is an error naming it. */
async function linesOf(file: string): Promise<string[]> {
  let content: string
  if (file === '-') {
    const chunks: Buffer[] = []
    let n = 0
    for await (const c of process.stdin) {
      n += (c as Buffer).length
      if (n > MAX_INPUT) throw new UserError(`stdin: more than ${MAX_INPUT / 2 ** 20} MB of text; classify it in parts`)
      chunks.push(c as Buffer)
    }
    content = Buffer.concat(chunks).toString('utf8')
  } else {
    const { readText } = await import('../../data/text.ts')
    content = readText(file)
  }
  const where = file === '-' ? 'stdin' : file
  const lines = content.replace(/\r?\n$/, '').split(/\r?\n/)
  if (content.trim() === '') throw new UserError(`${where}: no text to classify`)
  const empty = lines.findIndex((l) => l.trim() === '')
  if (empty >= 0) throw new UserError(`${where}:${empty + 1}: empty line (one text per line)`)
  return lines
}
