/**
 * `rnn sample [checkpoint]`: generate text from a trained model, streamed to stdout. With --explain, one
 * line per generated character instead: the most likely candidates as bars, the drawn one marked.
 */
import { Chalk, type ChalkInstance } from 'chalk'
import { Command, Option } from 'commander'
import { UserError } from '../../errors.ts'
import { showChars } from '../../data/vocab.ts'
import type { ExplainedStep } from '../../index.ts'
import { pickCheckpoint } from '../checkpoint-arg.ts'
import { int as parseInt_, num as parseNumber } from '../../options/parse.ts'
import { colour, json, log } from '../output.ts'

const EXPLAIN_TOP = 5

export function command(): Command {
  return new Command('sample')
    .description('generate text from a trained model')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .addOption(new Option('--temp <t>', 'temperature: lower is more conservative, higher more varied (> 0)').default(1).argParser(parseNumber))
    .addOption(new Option('--top-k <k>', 'sample only from the k most likely characters').argParser(parseInt_))
    .addOption(new Option('--top-p <p>', 'sample only from the smallest set with probability ≥ p, in (0, 1]').argParser(parseNumber))
    .option('--argmax', 'always take the most likely character (deterministic)')
    .option('--prime <text>', 'text fed to the network first, and echoed')
    .addOption(new Option('--length <n>', 'characters to generate').default(500).argParser(parseInt_))
    .addOption(new Option('--seed <n>', 'random seed: same seed, same text').default(1).argParser(parseInt_))
    .addOption(new Option('--horizon <n>', 'time-series models: forecast the next n rows (default: one season)').argParser(parseInt_))
    .option('--input <file.csv>', 'time-series models: continue this CSV instead of the training file')
    .option('--explain', 'instead of the text, one line per character: the most likely candidates with the probabilities drawn from (after --temp, --top-k, --top-p), the drawn one marked')
    .addOption(new Option('--explain-top <n>', `candidates per line (default: ${EXPLAIN_TOP}; implies --explain)`).argParser(parseInt_).implies({ explain: true }))
    .option('--json', 'print {"text", ...} (or {"forecast": [...]}) as one JSON object instead of streaming; with --explain also "steps"')
    .addHelpText('after', `
Examples:
  rnn sample --temp 0.8
  rnn sample checkpoints/corpus-lstm.json --prime "ROMEO:" --length 300 --top-p 0.9 --seed 7
  rnn sample --prime "Call me " --length 20 --temp 0.8 --explain     # why each character was chosen
  rnn sample checkpoints/airline-passengers-lstm.json --horizon 12      # a CSV forecast`)
    .action(run)
}

const MAX_HORIZON = 1_000_000

interface Opts { temp: number; topK?: number; topP?: number; argmax?: boolean; prime?: string; length: number; seed: number; json?: boolean; horizon?: number; input?: string; explain?: boolean; explainTop?: number }

async function run(named: string | undefined, o: Opts): Promise<void> {
  if (!(o.temp > 0)) throw new UserError(`--temp: must be > 0, got ${o.temp}`)
  if (o.topK !== undefined && o.topK < 1) throw new UserError(`--top-k: must be ≥ 1, got ${o.topK}`)
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new UserError(`--top-p: must be in (0, 1], got ${o.topP}`)
  if (o.length < 0) throw new UserError(`--length: must be ≥ 0, got ${o.length}`)
  if (o.seed < 0) throw new UserError(`--seed: must be ≥ 0, got ${o.seed}`)
  // every forecast row is kept (8 bytes per column) and printed: bounded like the rows of a CSV
  if (o.horizon !== undefined && (o.horizon < 1 || o.horizon > MAX_HORIZON)) throw new UserError(`--horizon: must be from 1 to ${MAX_HORIZON.toLocaleString('en-US')}, got ${o.horizon}`)
  if (o.explainTop !== undefined && o.explainTop < 1) throw new UserError(`--explain-top: must be ≥ 1, got ${o.explainTop}`)
  const path = pickCheckpoint(named)
  const { loadModel, createRng, sampleText, explainText } = await import('../../index.ts')
  const { model, vocab, checkpoint } = loadModel(path)
  if (checkpoint.data.kind === 'classifier') throw new UserError(`${path}: a classifier (it labels sentences); use rnn classify or rnn eval`)
  if (checkpoint.data.kind === 'timeseries') {
    if (o.explain) throw new UserError(`${path}: a time-series model; --explain shows the candidates of a text model's characters`)
    const { printForecast } = await import('../forecast-output.ts')
    printForecast(path, model, checkpoint as Parameters<typeof printForecast>[2], o)
    return
  }
  if (vocab === null) throw new Error('text checkpoint without vocabulary')
  if (o.horizon !== undefined || o.input !== undefined) throw new UserError(`${path}: a text model; --horizon and --input are for time-series models (use --length)`)
  const prime = vocab.inVocabForm(o.prime ?? '')
  const unknown = vocab.unknown(prime)
  if (unknown.length > 0) throw new UserError(`--prime: characters not in the model's vocabulary: ${showChars(unknown)}`)
  const options = { temperature: o.temp, topK: o.topK ?? null, topP: o.topP ?? null, argmax: !!o.argmax, prime, length: o.length }
  const meta = { prime, length: o.length, seed: o.seed, temperature: o.temp, top_k: o.topK ?? null, top_p: o.topP ?? null, argmax: !!o.argmax, checkpoint: path }
  if (o.explain) {
    const steps = explainText(model, vocab, options, createRng(o.seed), o.explainTop ?? EXPLAIN_TOP)
    if (o.json) {
      let text = ''
      const out: { drawn: string; p: number; candidates: { char: string; p: number }[] }[] = []
      for (const s of steps) { text += s.char; out.push({ drawn: s.char, p: s.p, candidates: s.candidates }) }
      json({ text: prime + text, ...meta, steps: out })
      return
    }
    if (prime !== '') log(colour.dim(`after the prime ${JSON.stringify(prime)}:`))
    const { showChar } = await import('../../report/state.ts')
    const c = process.stdout.isTTY === true ? colour : new Chalk({ level: 0 })
    for (const s of steps) process.stdout.write(explainLine(s, c, showChar) + '\n')
    return
  }
  const gen = sampleText(model, vocab, options, createRng(o.seed))
  if (o.json) {
    let text = ''
    for (const ch of gen) text += ch
    json({ text: prime + text, ...meta })
    return
  }
  process.stdout.write(prime)
  let buf = ''
  for (const ch of gen) {
    buf += ch
    if (buf.length >= 64 || ch === '\n') { process.stdout.write(buf); buf = '' }
  }
  process.stdout.write(buf + '\n')
}

/** Horizontal bar of p in eighths of a cell, BAR_CELLS cells for p = 1; any p > 0 shows at least ▏. */
const BAR_CELLS = 6
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

export function probBar(p: number): string {
  const n = p > 0 ? Math.max(1, Math.round(p * BAR_CELLS * 8)) : 0
  return '█'.repeat(Math.floor(n / 8)) + EIGHTHS[n % 8]
}

/**
 * "  'e' ██▌ 0.412 ← drawn   'a' ▋ 0.120   …": the candidates, most likely first; a drawn character
 * outside them is appended after "…". `show` escapes a character (report/state.ts: ⏎ ⇥ ␣ for newline,
 * tab, space).
 */
export function explainLine(s: ExplainedStep, c: ChalkInstance, show: (ch: string) => string): string {
  const one = (char: string, p: number) => {
    const text = `'${show(char)}' ${probBar(p)} ${p.toFixed(3)}`
    return char === s.char ? c.bold(`${text} ← drawn`) : text
  }
  const parts = s.candidates.map((k) => one(k.char, k.p))
  if (!s.candidates.some((k) => k.char === s.char)) parts.push(`… ${one(s.char, s.p)}`)
  return `  ${parts.join('   ')}`
}
