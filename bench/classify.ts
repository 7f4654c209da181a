/**
 * Sentiment accuracy on the bundled review sentences (a benchmark, not a test): a seeded stratified 80/20
 * split written as two CSVs, character- and word-level classifiers trained on the 80% through the real CLI
 * (from scratch, and fine-tuned from language models of the same tokens trained first on Moby-Dick and on
 * the training sentences themselves), scored by `rnn eval` on the 20%, next to the majority class, rnn eval's own naive
 * Bayes and scikit-learn's naive Bayes and character n-gram logistic regression on the same two files
 * (scripts/classify_baselines.py, Debian's python3-sklearn). Prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/classify.ts [--seed n] [--lm-steps n] [--word-lm-steps n] [--only name,name]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'csv-parse/sync'
import { createRng } from '../src/engine/rng.ts'

const ROOT = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
const seed = Number(opt('--seed', '1'))
const lmSteps = opt('--lm-steps', '2000')
// a word LM's step costs its whole vocabulary at the head (10,001 words: about 5 times a character LM's step)
const wordLmSteps = opt('--word-lm-steps', '600')
const only = opt('--only', '').split(',').filter(Boolean)
// the full novel when ../shared is there (1.2 MB), else the bundled excerpt
const mobyFull = resolve(ROOT, '../shared/data/moby-dick.txt')
const moby = existsSync(mobyFull) ? mobyFull : join(ROOT, 'data/moby-dick.txt')

const dir = mkdtempSync(join(tmpdir(), 'rnn-cls-'))
const rnn = (a: string[]) => execFileSync(process.execPath, [join(ROOT, 'bin/rnn'), ...a], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

// the split: each class shuffled with the seed, its first 20% held out
type Row = { source: string; sentence: string; label: string }
const rows = parse(readFileSync(join(ROOT, 'data/reviews-amazon-yelp.csv')), { columns: true }) as Row[]
const rng = createRng(seed)
const train: Row[] = [], test: Row[] = []
for (const label of [...new Set(rows.map((r) => r.label))].sort()) {
  const of = rows.filter((r) => r.label === label)
  for (let i = of.length - 1; i > 0; i--) { const j = rng.int(i + 1); [of[i], of[j]] = [of[j], of[i]] }
  const n = Math.round(of.length * 0.2)
  test.push(...of.slice(0, n)); train.push(...of.slice(n))
}
const quote = (s: string) => `"${s.replaceAll('"', '""')}"`
const csv = (rs: Row[]) => ['source,sentence,label', ...rs.map((r) => [r.source, quote(r.sentence), r.label].join(','))].join('\n') + '\n'
writeFileSync(join(dir, 'train.csv'), csv(train))
writeFileSync(join(dir, 'test.csv'), csv(test))
writeFileSync(join(dir, 'train-sentences.txt'), train.map((r) => r.sentence).join('\n') + '\n')
process.stderr.write(`${dir}: ${train.length} training rows, ${test.length} test rows\n`)

const CLS = ['--text', 'sentence', '--label', 'label', '--test-frac', '0', '--seed', String(seed), '--json']
const LM = ['--seed', String(seed), '--json']
const VARIANTS: { name: string; lm?: string[]; lmSteps?: string; flags: string[] }[] = [
  { name: 'char LSTM 128, max pool, from scratch', flags: ['--pool', 'max', '--hidden', '128', '--lr', '0.003', '--steps', '1500', '--patience', '5'] },
  { name: 'char GRU 128, max pool, from scratch', flags: ['--cell', 'gru', '--pool', 'max', '--hidden', '128', '--lr', '0.003', '--steps', '1500', '--patience', '5'] },
  { name: 'char LSTM 256 from an LM on Moby-Dick', lm: [moby, '--hidden', '256', '--lr', '0.003'],
    flags: ['--pool', 'max', '--lr', '0.001', '--steps', '1500', '--patience', '5'] },
  { name: 'char LSTM 256 from an LM on the training sentences', lm: ['train-sentences.txt', '--hidden', '256', '--lr', '0.003'],
    flags: ['--pool', 'max', '--lr', '0.001', '--steps', '1500', '--patience', '5'] },
  // word tokens (issue 17): the words of the 1,600 sentences (about 4,000) through an embedding
  { name: 'word LSTM 64, embedding 64, max pool, from scratch',
    flags: ['--tokens', 'word', '--embed', '64', '--pool', 'max', '--hidden', '64', '--lr', '0.003', '--steps', '1500', '--patience', '5'] },
  { name: 'word LSTM 128, embedding 128 (the defaults), max pool, from scratch',
    flags: ['--tokens', 'word', '--pool', 'max', '--steps', '1500', '--patience', '5'] },
  { name: 'word GRU 64, embedding 64, max pool, from scratch',
    flags: ['--tokens', 'word', '--embed', '64', '--cell', 'gru', '--pool', 'max', '--hidden', '64', '--lr', '0.003', '--steps', '1500',
      '--patience', '5'] },
  { name: 'word LSTM 128 from a word LM on Moby-Dick', lm: [moby, '--tokens', 'word', '--vocab-size', '10000', '--embed', '64', '--hidden', '128',
    '--lr', '0.003'], lmSteps: wordLmSteps, flags: ['--pool', 'max', '--lr', '0.001', '--steps', '1500', '--patience', '5'] },
  { name: 'word LSTM 128 from a word LM on the training sentences', lm: ['train-sentences.txt', '--tokens', 'word', '--embed', '64',
    '--hidden', '128', '--lr', '0.003', '--seq-len', '32'], lmSteps: wordLmSteps,
  flags: ['--pool', 'max', '--lr', '0.001', '--steps', '1500', '--patience', '5'] },
]

const table: string[] = []
const pct = (x: number) => `${(100 * x).toFixed(1)}%`
let baselines: { majority: { accuracy: number }; naive_bayes: { accuracy: number; macro_f1: number } } | undefined
VARIANTS.filter((v) => only.length === 0 || only.some((o) => v.name.includes(o))).forEach((v, i) => {
  const out = `model-${i}.json`
  let lmNote = '', seconds = 0
  if (v.lm) {
    const steps = v.lmSteps ?? lmSteps
    const lm = JSON.parse(rnn(['train', ...v.lm, ...LM, '--steps', steps, '--out', `lm-${i}.json`]))
    lmNote = ` (LM: ${lm.steps} steps, validation ${lm.best_val_loss.toFixed(3)} nats/${v.lm.includes('word') ? 'word' : 'char'})`
    seconds += lm.seconds
  }
  const t = JSON.parse(rnn(['train', 'train.csv', ...CLS, ...v.flags, ...(v.lm ? ['--init-from', `lm-${i}.json`] : []), '--out', out]))
  seconds += t.seconds
  const e = JSON.parse(rnn(['eval', out, 'test.csv', '--json']))
  baselines ??= e.baselines
  table.push(`| ${v.name}${lmNote} | ${pct(e.accuracy)} | ${e.macro_f1.toFixed(3)} | ${seconds.toFixed(0)} s |`)
  process.stderr.write(table.at(-1) + '\n')
})
const sk = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'scripts/classify_baselines.py'), join(dir, 'train.csv'), join(dir, 'test.csv')],
  { encoding: 'utf8' })) as Record<string, { accuracy: number; macro_f1: number }>

console.log(`${test.length} held-out rows of data/reviews-amazon-yelp.csv (seed ${seed}); rnn models trained on the other ${train.length}`)
console.log('| model | accuracy | macro-F1 | training time |')
console.log('| --- | --- | --- | --- |')
if (baselines) {
  console.log(`| majority class | ${pct(baselines.majority.accuracy)} | | |`)
  console.log(`| naive Bayes, word counts (rnn eval's baseline) | ${pct(baselines.naive_bayes.accuracy)} | ${baselines.naive_bayes.macro_f1.toFixed(3)} | |`)
}
console.log(`| naive Bayes, word counts (scikit-learn) | ${pct(sk.naive_bayes_words.accuracy)} | ${sk.naive_bayes_words.macro_f1.toFixed(3)} | |`)
console.log(`| logistic regression, tf-idf of char 1-4-grams (scikit-learn) | ${pct(sk.logreg_char_1_4.accuracy)} | ` +
  `${sk.logreg_char_1_4.macro_f1.toFixed(3)} | |`)
for (const r of table) console.log(r)
