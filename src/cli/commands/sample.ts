/**
 * `rnn sample [checkpoint]`: generate text from a trained model, streamed to stdout (a word model's words
 * spaced as text, data/words.ts). With --explain, one line per generated token instead: the most likely
 * candidates as bars, the drawn one marked.
 */
import { Chalk, type ChalkInstance } from 'chalk'
import { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { unknownMessage } from '../../data/tokens.ts'
import type { ExplainedStep } from '../../index.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { EXPLAIN_TOP, SAMPLE_FLAGS, SampleOptions } from '../../options/sample.ts'
import { addFlags, readOptions } from '../flags.ts'
import { colour, json, log } from '../output.ts'
import { DEFAULT_LEVELS } from '../../tasks/intervals.ts'

export function command(): Command {
  const cmd = new Command('sample')
    .description('generate text from a trained model')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
  return addFlags(cmd, SAMPLE_FLAGS, SampleOptions)
    .addHelpText('after', `
Examples:
  rnn sample --temp 0.8
  rnn sample checkpoints/corpus-lstm.json --prime "ROMEO:" --length 300 --top-p 0.9 --seed 7
  rnn sample --prime "Call me " --length 20 --temp 0.8 --explain     # why each character was chosen
  rnn sample checkpoints/airline-passengers-lstm.json --horizon 12      # a CSV forecast`)
    .action(run)
}

async function run(named: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const o = readOptions(SampleOptions, SAMPLE_FLAGS, raw)
  const path = pickCheckpoint(named)
  const { loadModel, createRng, sampleText, explainText } = await import('../../index.ts')
  const { model, vocab, checkpoint } = loadModel(path)
  if (checkpoint.data.kind === 'classifier')
    throw new UserError(`${path}: a classifier (it labels sentences); use rnn classify or rnn eval`)
  if (checkpoint.data.kind === 'timeseries') {
    if (o.explain) throw new UserError(`${path}: a time-series model; --explain shows the candidates of a text model's characters`)
    const { printForecast } = await import('../forecast-output.ts')
    printForecast(path, model, checkpoint as Parameters<typeof printForecast>[2], { ...o, levels: o.level ?? DEFAULT_LEVELS })
    return
  }
  if (vocab === null) throw new Error('text checkpoint without vocabulary')
  if (o.horizon !== undefined || o.input !== undefined || o.level !== undefined) {
    throw new UserError(`${path}: a text model; --horizon, --input and --level are for time-series models (use --length)`)
  }
  const prime = vocab.inVocabForm(o.prime ?? '')
  const unknown = vocab.unknown(prime)
  if (unknown.length > 0) throw new UserError(`--prime: ${unknownMessage(vocab, unknown)}`)
  const options = { temperature: o.temp, topK: o.topK ?? null, topP: o.topP ?? null, argmax: !!o.argmax, prime, length: o.length }
  // a word model's text is spaced as its tokens stream out, the prime's first (words.ts); characters go as they are
  const join = vocab.joiner()
  const echo = vocab.split(prime).map(join).join('')
  const meta = {
    prime: echo, length: o.length, seed: o.seed, temperature: o.temp, top_k: o.topK ?? null, top_p: o.topP ?? null, argmax: !!o.argmax,
    checkpoint: path, ...(vocab.kind === 'word' ? { tokens: 'word' } : {}),
  }
  if (o.explain) {
    const steps = explainText(model, vocab, options, createRng(o.seed), o.explainTop ?? EXPLAIN_TOP)
    if (o.json) {
      let text = echo
      const out: { drawn: string; p: number; candidates: { char: string; p: number }[] }[] = []
      for (const s of steps) { text += join(s.char); out.push({ drawn: s.char, p: s.p, candidates: s.candidates }) }
      json({ text, ...meta, steps: out })
      return
    }
    if (prime !== '') log(colour.dim(`after the prime ${JSON.stringify(echo)}:`))
    const { showChar } = await import('../../report/state.ts')
    const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
    for (const s of steps) process.stdout.write(explainLine(s, c, showChar) + '\n')
    return
  }
  const gen = sampleText(model, vocab, options, createRng(o.seed))
  if (o.json) {
    let text = echo
    for (const token of gen) text += join(token)
    json({ text, ...meta })
    return
  }
  process.stdout.write(echo)
  let buf = ''
  for (const token of gen) {
    const piece = join(token)
    buf += piece
    if (buf.length >= 64 || piece.endsWith('\n')) { process.stdout.write(buf); buf = '' }
  }
  process.stdout.write(buf + '\n')
}

/** Horizontal bar of p in eighths of a cell, BAR_CELLS cells for p = 1; any p > 0 shows at least ▏. */
const BAR_CELLS = 6
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

function probBar(p: number): string {
  const n = p > 0 ? Math.max(1, Math.round(p * BAR_CELLS * 8)) : 0
  return '█'.repeat(Math.floor(n / 8)) + EIGHTHS[n % 8]
}

/**
 * "  'e' ██▌ 0.412 ← drawn   'a' ▋ 0.120   …": the candidates, most likely first; a drawn character
 * outside them is appended after "…". `show` escapes a character (report/state.ts: ⏎ ⇥ ␣ for newline,
 * tab, space).
 */
function explainLine(s: ExplainedStep, c: ChalkInstance, show: (ch: string) => string): string {
  const one = (char: string, p: number) => {
    const text = `'${show(char)}' ${probBar(p)} ${p.toFixed(3)}`
    return char === s.char ? c.bold(`${text} ← drawn`) : text
  }
  const parts = s.candidates.map((k) => one(k.char, k.p))
  if (!s.candidates.some((k) => k.char === s.char)) parts.push(`… ${one(s.char, s.p)}`)
  return `  ${parts.join('   ')}`
}
