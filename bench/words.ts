/**
 * Word against character language models on one text (a benchmark, not a test): each variant trained through
 * the real CLI on the same file with the same seed, then `rnn eval` on the validation split they share (the
 * last --val-frac of the characters), per token and per character of that text. A word model's nats per
 * character are its nats over the words divided by the characters a character model predicts there, so the two
 * compare on one file (with the caveats printed under the table). Prints a Markdown table for BENCHMARKS.md.
 *
 * Each run gets the same time (--seconds, default 500) rather than the same steps: a word step reads ~4 times the
 * text of a character step through a 10,001-way softmax, so equal steps would not be a fair race.
 *
 *   npx tsx bench/words.ts [--file path] [--seconds s] [--seed n] [--only name,name]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
// the full novel when ../shared is there (1.2 MB), else the bundled excerpt
const mobyFull = resolve(ROOT, '../shared/data/moby-dick.txt')
const file = resolve(opt('--file', existsSync(mobyFull) ? mobyFull : join(ROOT, 'data/moby-dick.txt')))
const seconds = opt('--seconds', '500'), seed = opt('--seed', '1')
const only = opt('--only', '').split(',').filter(Boolean)

const dir = mkdtempSync(join(tmpdir(), 'rnn-words-'))
const rnn = (a: string[]) => execFileSync(process.execPath, [join(ROOT, 'bin/rnn'), ...a],
  { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

const VARIANTS: { name: string; flags: string[] }[] = [
  { name: 'char LSTM 128 (defaults)', flags: [] },
  { name: 'word LSTM 128, embedding 128 (defaults)', flags: ['--tokens', 'word'] },
]

const f3 = (x: number) => x.toFixed(3)
const rows: string[] = []
VARIANTS.filter((v) => only.length === 0 || only.some((o) => v.name.includes(o))).forEach((v, i) => {
  const out = `model-${i}.json`
  const load0 = loadavg()[0]
  const t = JSON.parse(rnn(['train', file, ...v.flags, '--steps', '1000000', '--max-seconds', seconds, '--seed', seed, '--out', out, '--json']))
  const load = `${load0.toFixed(1)}-${loadavg()[0].toFixed(1)}`
  const e = JSON.parse(rnn(['eval', out, '--json']))
  const word = e.tokens === 'word'
  const perToken = word ? `${f3(e.loss)} (${e.words} words, ${e.unknown_words} unknown)` : '—'
  const perChar = word ? e.loss_per_char : e.loss
  rows.push(`| ${v.name} | ${t.steps} | ${Math.round(t.seconds)} s (load ${load}) | ${perToken} | **${f3(perChar)}** |`)
  process.stderr.write(rows.at(-1) + '\n')
})
console.log(`${file}, seed ${seed}, ${seconds} s of training each, validation split of rnn train's default --val-frac\n`)
console.log('| model | steps | training time | validation nats per word | validation nats per character |')
console.log('|---|---|---|---|---|')
for (const r of rows) console.log(r)
