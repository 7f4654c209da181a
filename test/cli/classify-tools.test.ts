/**
 * A classifier through the other commands, as a new user meets them: the README's classification example,
 * `rnn describe` showing the head, options of other kinds of model refused in one line, and the commands
 * that do not take a classifier saying so before doing any work.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATA, ROOT, runRnn } from '../helpers/cli.ts'

const CLS = ['--text', 'sentence', '--label', 'label']

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-classify-'))
  copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
  return dir
}

/** The words of a shell line: plain words and double-quoted strings (all the README's examples use). */
function words(line: string): string[] {
  return [...line.replace(/\s+#.*$/, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2])
}

it('the README\'s classification example runs from a fresh folder (fewer steps) and prints what it says', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Classification'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1].trim().split('\n').map(words)
  expect(block.map((w) => w.slice(0, 2).join(' '))).toEqual(['rnn train', 'rnn eval', 'rnn classify', 'rnn inspect-state', 'rnn inspect-state'])
  const cwd = mkdtempSync(join(tmpdir(), 'rnn-readme-'))
  mkdirSync(join(cwd, 'data'))
  copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(cwd, 'data/reviews-amazon-yelp.csv'))
  const out: string[] = []
  for (const [rnn, ...args] of block) {
    expect(rnn).toBe('rnn')
    // the README trains 1,500 steps (about a minute); 30 show the same commands work
    const i = args.indexOf('--steps')
    if (i >= 0) args.splice(i, 2, '--steps', '30', '--eval-every', '10')
    const r = await runRnn(args, { cwd })
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    out.push(r.stdout)
  }
  expect(out[1]).toMatch(/^accuracy [\d.]+%  macro-F1 [\d.]+/)
  expect(out[2]).toMatch(/^(negative|positive)  \(negative [\d.]+  positive [\d.]+\)\n$/)
  expect(out[3].split('\n').filter((l) => /negative [\d.]+ positive [\d.]+$/.test(l))).toHaveLength('Not good at all.'.length)
  expect(out[4]).toMatch(/over 200 held-out rows/)
})

describe('one trained classifier through describe, inspect-gradients and report', () => {
  let dir = ''
  const trained = async () => {
    if (dir !== '') return dir
    dir = temp()
    const r = await runRnn(['train', 'reviews.csv', ...CLS, '--hidden', '8', '--layers', '2', '--batch', '16', '--pool', 'mean', '--steps', '3', '--out', 'c.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    return dir
  }

  it('describe shows the pooled head once per text, its equations and the classes', async () => {
    const cwd = await trained()
    const r = await runRnn(['describe', 'c.json', '--unroll', '3'], { cwd })
    expect(r.code, r.stderr).toBe(0)
    const s = r.stdout
    expect(s).toMatch(/^lstm: 2 layers × 8 units, \d+ inputs \(one-hot characters\), 2 classes: negative, positive\n/)
    expect(s).toContain('Classifier head (--pool mean), once per text of T characters, on the top layer:')
    expect(s).toContain('p = (1/T) Σ_t h_t')
    expect(s).toContain('y = W_hy p + b_y')
    expect(s).toContain('P(class | text) = softmax(y)')
    expect(s).not.toContain('next character')
    expect(s).toMatch(/head\.weight +\[2, 8\] +16 +W_hy: mean of top h_t → class logits/)
    // the unrolled diagram: ŷ and W_hy once, above a bar gathering h₀, h₁, h₂
    const diagram = s.slice(s.indexOf('Unrolled over 3 steps:'))
    expect(diagram.match(/ŷ/g)).toHaveLength(1)
    expect(diagram.match(/↑W_hy/g)).toHaveLength(1)
    expect(diagram).toMatch(/┌─ mean ─+┬─+┤\n +│h₀ +│h₁ +│h₂\n/)
    const j = await runRnn(['describe', 'c.json', '--json'], { cwd })
    expect(JSON.parse(j.stdout).head).toEqual({ pool: 'mean', classes: ['negative', 'positive'] })
    // a language model's description is unchanged: a head at every step
    const lm = await runRnn(['describe', '--unroll', '2'], { cwd })
    expect(lm.stdout).toContain('head, at every step on the top layer: y_t = W_hy h_t + b_y')
    expect(lm.stdout.match(/ŷ/g)).toHaveLength(2)
  })

  it('inspect-gradients: the loss at the head; --loss-at all is one line', async () => {
    const cwd = await trained()
    const g = await runRnn(['inspect-gradients', 'c.json', '--seq-len', '20', '--json'], { cwd })
    expect(g.code, g.stderr).toBe(0)
    const j = JSON.parse(g.stdout)
    expect(j.loss_at).toBe('last')
    expect(j.series.map((s: any) => s.dh_norm.length)).toEqual([20, 20])
    const all = await runRnn(['inspect-gradients', 'c.json', '--loss-at', 'all'], { cwd })
    expect(all.code).toBe(1)
    expect(all.stderr.trim()).toBe('rnn: --loss-at all: c.json is a classifier, with one loss per text at its head after the last step (leave out --loss-at)')
  })

  it('report says in one line that it does not take a classifier; train --report says so before training', async () => {
    const cwd = await trained()
    const r = await runRnn(['report', 'c.json'], { cwd })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('rnn: c.json: a classifier; rnn report shows language models and forecasters (rnn eval scores a classifier, rnn explore shows it read)')
    const t = await runRnn(['train', 'reviews.csv', ...CLS, '--hidden', '8', '--steps', '2', '--out', 'd.json', '--report', 'd.html'], { cwd })
    expect(t.code).toBe(1)
    expect(t.stderr.trim()).toBe('rnn: --report: rnn report shows language models and forecasters, not classifiers (rnn eval scores a classifier, rnn explore shows it read)')
    expect(existsSync(join(cwd, 'd.json'))).toBe(false)
  })

  it('--seq-len on resume is refused too; the longest text it recorded is no choice of the user\'s', async () => {
    const cwd = await trained()
    const ok = await runRnn(['train', '--resume', 'c.json', '--steps', '1'], { cwd })
    expect(ok.code, ok.stderr).toBe(0)
    const r = await runRnn(['train', '--resume', 'c.json', '--steps', '1', '--seq-len', '40'], { cwd })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('rnn: --seq-len: does not apply to a classifier (each text is read whole, as one sequence from a zero state)')
  })
})

describe('options of another kind of model: one line naming the flag, nothing written', () => {
  const cases: [string, string[], string][] = [
    ['--seq-len with --label', ['reviews.csv', ...CLS, '--seq-len', '50'],
      'rnn: --seq-len: does not apply to a classifier (each text is read whole, as one sequence from a zero state)'],
    ['--target with --label', ['reviews.csv', ...CLS, '--target', 'label'], 'rnn: --target: applies to CSV time series; a classifier reads --text and --label'],
    ['--season with --label', ['reviews.csv', ...CLS, '--season', '7'], 'rnn: --season: applies to CSV time series; a classifier reads --text and --label'],
    ['--pool on text', ['text.txt', '--pool', 'max'], 'rnn: --pool: applies to a classifier only; add --label <column> (and --text <column>) to train one'],
    ['--balance on text', ['text.txt', '--balance'], 'rnn: --balance: applies to a classifier only; add --label <column> (and --text <column>) to train one'],
    ['--text on a forecaster', ['air.csv', '--target', 'passengers', '--text', 'month'],
      'rnn: --text: applies to a classifier only; add --label <column> (and --text <column>) to train one'],
  ]
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const cwd = temp()
      copyFileSync(join(DATA, 'airline-passengers.csv'), join(cwd, 'air.csv'))
      copyFileSync(join(DATA, 'moby-dick.txt'), join(cwd, 'text.txt'))
      const r = await runRnn(['train', ...args, '--steps', '1', '--out', 'x.json'], { cwd })
      expect(r.code).toBe(1)
      expect(r.stderr.trim()).toBe(message)
      expect(existsSync(join(cwd, 'x.json'))).toBe(false)
    })
  }
})
