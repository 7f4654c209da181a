/**
 * Word-token classifiers (--tokens word with --label) through the real CLI on the bundled reviews: the
 * vocabulary and embedding in the checkpoint, classify and eval reading words (unknown ones as <unk>),
 * resume bit for bit, and --init-from a word language model (its embedding rows copied word by word).
 */
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { UNK, wordTokens } from '../../src/data/words.ts'
import { DATA, readJson, runRnn } from '../helpers/cli.ts'

const CLS = ['--text', 'sentence', '--label', 'label']
const SMALL = ['--tokens', 'word', '--hidden', '16', '--embed', '8', '--batch', '16', '--eval-every', '10']

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-classify-words-'))
  copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
  copyFileSync(join(DATA, 'moby-dick.txt'), join(dir, 'moby.txt'))
  return dir
}

const f32 = (t: { data: string }) => new Float32Array(new Uint8Array(Buffer.from(t.data, 'base64')).buffer)

describe('a word classifier of the reviews', () => {
  const dir = temp()
  const ck = () => readJson(join(dir, 'c.json'))

  beforeAll(async () => {
    const r = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--vocab-size', '500', '--steps', '20', '--out', 'c.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/vocabulary 501 words and marks/)
    expect(r.stdout).toMatch(/words\/s/)
  })

  it('stores <unk> and the 500 most frequent words and marks, the tokenizer and an embedding', () => {
    const c = ck()
    expect(c.data.tokenizer).toEqual({ kind: 'word', lowercase: true, unk: UNK })
    expect(c.data.vocab).toHaveLength(501)
    expect(c.data.vocab[0]).toBe(UNK)
    expect(c.data.vocab.slice(1, 3)).toEqual(['.', 'the'])
    expect(c.model).toMatchObject({ input_size: 501, output_size: 2, embedding_dim: 8, pool: 'last' })
    expect(Object.keys(c.params)[0]).toBe('embedding.weight')
  })

  it('classify reads words: an unknown one as <unk>, counted on stderr; capitals and spacing do not matter', async () => {
    const text = 'The food was COLD , and the waiter zzyzzq rude.'
    const a = await runRnn(['classify', 'c.json', text, '--json'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    const unknown = wordTokens(text).filter((t) => !ck().data.vocab.includes(t))
    expect(unknown).toContain('zzyzzq')
    expect(a.stderr.trim()).toBe(`${unknown.length} word${unknown.length === 1 ? '' : 's'} outside the model's vocabulary read as <unk>`)
    const b = await runRnn(['classify', 'c.json', 'the food was cold, and the waiter qqxq rude .', '--json'], { cwd: dir })
    expect(JSON.parse(b.stdout).probabilities).toEqual(JSON.parse(a.stdout).probabilities)
    const p = JSON.parse(a.stdout).probabilities
    expect(p.negative + p.positive).toBeCloseTo(1, 12)
  })

  it('eval scores the test rows and counts the words read as <unk>', async () => {
    const r = await runRnn(['eval', 'c.json', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const e = JSON.parse(r.stdout)
    expect(e.test_rows).toBe(200)
    expect(e.unknown_words).toBeGreaterThan(0)
    expect(e.unknown_chars).toBeUndefined()
    expect(e.accuracy).toBeGreaterThanOrEqual(0)
    // the loss eval reports on the validation rows is the one training reported: same rows, same tokens
    expect(e.baselines.naive_bayes.accuracy).toBeGreaterThan(0.6)
  })

  it('inspect-gradients reads words of the held-out rows', async () => {
    const r = await runRnn(['inspect-gradients', 'c.json', '--seq-len', '8'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/reviews\.csv: window of 8 words from offset 0/)
    const j = await runRnn(['inspect-gradients', 'c.json', '--seq-len', '8', '--json'], { cwd: dir })
    expect(JSON.parse(j.stdout).series[0].dh_norm).toHaveLength(8)
  })

  it('resumes bit for bit', async () => {
    const args = ['reviews.csv', ...CLS, ...SMALL, '--vocab-size', '300', '--cell', 'gru']
    expect((await runRnn(['train', ...args, '--steps', '24', '--out', 'straight.json'], { cwd: dir })).code).toBe(0)
    expect((await runRnn(['train', ...args, '--steps', '12', '--out', 'split.json'], { cwd: dir })).code).toBe(0)
    const second = await runRnn(['train', '--resume', 'split.json', '--steps', '12'], { cwd: dir })
    expect(second.code, second.stderr).toBe(0)
    const a = readJson(join(dir, 'straight.json')), b = readJson(join(dir, 'split.json'))
    expect(b.progress.step).toBe(24)
    expect(b.resume.params ?? b.params).toEqual(a.resume.params ?? a.params)
    expect(b.resume.optimizer).toEqual(a.resume.optimizer)
    expect(b.data).toEqual(a.data)
  })
})

it('--init-from a word language model: its words and embedding, row by row; its words the reviews lack follow', async () => {
  const cwd = temp()
  const lm = await runRnn(['train', 'moby.txt', '--tokens', 'word', '--vocab-size', '2000', '--hidden', '12', '--embed', '6', '--cell', 'gru',
    '--batch', '4', '--seq-len', '16', '--steps', '3', '--out', 'lm.json'], { cwd })
  expect(lm.code, lm.stderr).toBe(0)
  // an lr so small that one step leaves every float32 weight as initialised; --tokens and --embed come from the LM
  const r = await runRnn(['train', 'reviews.csv', ...CLS, '--vocab-size', '400', '--batch', '16', '--init-from', 'lm.json', '--steps', '1',
    '--lr', '1e-30', '--out', 'c.json'], { cwd })
  expect(r.code, r.stderr).toBe(0)
  const a = readJson(join(cwd, 'lm.json')), c = readJson(join(cwd, 'c.json'))
  expect(c.data.tokenizer).toEqual(a.data.tokenizer)
  expect(c.model).toMatchObject({ cell: 'gru', hidden_size: 12, embedding_dim: 6 })
  // the reviews' 400 words first, then every word of the LM they lack
  const own = c.data.vocab.slice(0, 401), lmWords: string[] = a.data.vocab
  expect(c.data.vocab).toEqual([...own, ...lmWords.filter((w) => !own.includes(w))])
  expect(c.data.vocab).toContain('ishmael')
  const known = c.data.vocab.filter((w: string) => lmWords.includes(w)).length
  expect(r.stderr).toContain(`initialised from lm.json: recurrent layers, and input weights of ${known} of ${c.data.vocab.length} words and marks (fresh: `)
  for (const k of ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']) expect(c.params[k]).toEqual(a.params[k])
  const ea = f32(a.params['embedding.weight']), ec = f32(c.params['embedding.weight'])
  const row = (e: Float32Array, i: number) => Array.from(e.subarray(i * 6, (i + 1) * 6))
  for (const w of ['the', '.', 'ishmael', UNK]) expect(row(ec, c.data.vocab.indexOf(w))).toEqual(row(ea, lmWords.indexOf(w)))
  // "food" is a review word Moby-Dick's 2,000 lack: its row is the classifier's own
  const food = c.data.vocab.indexOf('food')
  expect(food).toBeGreaterThan(0)
  expect(lmWords).not.toContain('food')
  expect(row(ec, food).some((v) => v !== 0)).toBe(true)
  const bad = [
    [['--tokens', 'char'], "rnn: --init-from: lm.json reads words, the classifier characters (leave out --tokens to take the language model's)"],
    [['--embed', '4'], "rnn: --init-from: lm.json has an embedding of 6, the classifier one of 4 (leave out --embed to take the language model's)"],
  ] as const
  for (const [flags, message] of bad) {
    const b = await runRnn(['train', 'reviews.csv', ...CLS, '--init-from', 'lm.json', ...flags, '--steps', '1', '--out', 'd.json'], { cwd })
    expect(b.code).toBe(1)
    expect(b.stderr.trim()).toBe(message)
  }
})
