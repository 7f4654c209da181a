/**
 * Word models (--tokens word) through the real CLI on Moby-Dick: train, sample a number of words with
 * sensible spacing, a prime tokenised the same way, eval per word and per character, resume bit for bit,
 * the inspection commands showing words, export → import with the embedding, and the options that do
 * not apply refused in one line.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { isWord, UNK, wordTokens } from '../../src/data/words.ts'
import { readSafetensors } from '../../src/interop/safetensors.ts'
import { readJson, runRnn, tempWithText } from '../helpers/cli.ts'

const SMALL = ['--tokens', 'word', '--hidden', '32', '--embed', '16', '--seq-len', '16', '--batch', '8', '--lr', '0.01']

function oneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  expect(r.code).toBe(1)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  expect(r.stderr.trim()).toMatch(re)
}

describe('a word model of Moby-Dick', () => {
  const { dir, file, text } = tempWithText(60_000)
  const ck = () => join(dir, 'checkpoints/text-lstm.json')
  let summary: any

  beforeAll(async () => {
    const r = await runRnn(['train', file, ...SMALL, '--vocab-size', '1500', '--steps', '120', '--eval-every', '40', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    summary = JSON.parse(r.stdout)
  })

  it('stores the vocabulary (<unk> first), the tokenizer and the embedding', () => {
    const c = readJson(ck())
    expect(c.data.tokenizer).toEqual({ kind: 'word', lowercase: true, unk: UNK })
    expect(c.data.vocab[0]).toBe(UNK)
    expect(c.data.vocab).toHaveLength(1501)
    expect(c.data.vocab.slice(1, 4)).toEqual(['\n', ',', 'the'])
    expect(c.model).toMatchObject({ input_size: 1501, output_size: 1501, embedding_dim: 16, input: 'one_hot' })
    expect(Object.keys(c.params)[0]).toBe('embedding.weight')
    expect(c.params['embedding.weight'].shape).toEqual([1501, 16])
    expect(c.params.weight_ih_l0.shape).toEqual([4 * 32, 16])
    // the unigram entropy of the words is about 6.3 nats: the model learns more than their frequencies
    expect(summary.best_val_loss).toBeLessThan(6.5)
  })

  it('samples --length words, spaced as text, the same for the same seed', async () => {
    const a = await runRnn(['sample', '--length', '50', '--seed', '4'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    const tokens = wordTokens(a.stdout)
    expect(tokens.filter(isWord)).toHaveLength(50)
    expect(a.stdout).not.toMatch(/ [.,;:!?]/)
    expect(a.stdout).toBe(a.stdout.toLowerCase())
    expect((await runRnn(['sample', '--length', '50', '--seed', '4'], { cwd: dir })).stdout).toBe(a.stdout)
    const j = JSON.parse((await runRnn(['sample', '--length', '50', '--seed', '4', '--json'], { cwd: dir })).stdout)
    expect(j.text + '\n').toBe(a.stdout)
    expect(j.tokens).toBe('word')
  })

  it('tokenises the prime the same way and echoes it; unknown words are an error naming them', async () => {
    const r = await runRnn(['sample', '--prime', 'Call me  Ishmael ,said', '--length', '5'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.startsWith('call me ishmael, said ')).toBe(true)
    oneLine(await runRnn(['sample', ck(), '--prime', 'Call me Zorblax and Quux', '--length', '5'], { cwd: dir }),
      /^rnn: --prime: words not in the model's vocabulary: "zorblax" "quux"$/)
  })

  it('eval reports the loss per word and per character of the validation text', async () => {
    const r = await runRnn(['eval', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const e = JSON.parse(r.stdout)
    expect(e.tokens).toBe('word')
    expect(e.loss).toBeCloseTo(summary.best_val_loss, 3)
    const val = [...text].slice(text.length - Math.floor([...text].length * 0.1))
    expect(e.chars).toBe(val.length - 1)
    expect(e.words).toBe(wordTokens(val.join('')).length - 1)
    expect(e.loss_per_char).toBeCloseTo((e.loss * e.words) / e.chars, 10)
    expect(e.bits_per_char).toBeCloseTo(e.loss_per_char / Math.LN2, 10)
    expect(e.unknown_words).toBeGreaterThan(0)
    const t = await runRnn(['eval'], { cwd: dir })
    expect(t.stdout).toMatch(/^per word: +loss [\d.]+ nats +perplexity [\d.]+ +[\d.]+ bits\nper character: loss [\d.]+ nats/m)
    expect(t.stderr).toMatch(/outside the vocabulary, predicted as <unk>/)
  })

  it('inspect-state, inspect-gradients, describe and report show words', async () => {
    const s = JSON.parse((await runRnn(['inspect-state', '--text', 'The whale, the sea.', '--units', '3', '--json'], { cwd: dir })).stdout)
    expect(s.tokens).toEqual(['the', 'whale', ',', 'the', 'sea', '.'])
    expect(s.values).toHaveLength(6)
    const h = await runRnn(['inspect-state', '--text', 'The whale.', '--units', '3'], { cwd: dir })
    expect(h.stdout).toMatch(/^ {2}whale /m)
    const g = await runRnn(['inspect-gradients', '--seq-len', '20'], { cwd: dir })
    expect(g.code, g.stderr).toBe(0)
    expect(g.stderr).toContain('window of 20 words from offset 0')
    const d = await runRnn(['describe', ck()], { cwd: dir })
    expect(d.stdout).toContain('1501 inputs (words through a 16-dimensional embedding)')
    expect(d.stdout).toMatch(/embedding\.weight +\[1501, 16\] +24,016 +E: one row per word \(nn\.Embedding\)/)
    expect(d.stdout).toContain('loss: cross-entropy of softmax(y_t) and the next word')
    const dj = JSON.parse((await runRnn(['describe', ck(), '--json'], { cwd: dir })).stdout)
    expect(dj).toMatchObject({ tokens: 'word', embedding_dim: 16 })
    const r = await runRnn(['report', '--out', 'r.html'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const html = (await import('node:fs')).readFileSync(join(dir, 'r.html'), 'utf8')
    expect(html).toContain('word-level language model')
    expect(html).toContain('100 words, temperature 1')
  })

  it('exports embedding.weight before the rnn.* tensors and imports it back exactly', async () => {
    const e = await runRnn(['export', ck(), '--out', 'w.safetensors'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    const f = readSafetensors(join(dir, 'w.safetensors'))
    expect([...f.tensors.keys()].slice(0, 2)).toEqual(['embedding.weight', 'rnn.weight_ih_l0'])
    expect(JSON.parse(f.metadata.tokenizer)).toEqual({ kind: 'word', lowercase: true, unk: UNK })
    const i = await runRnn(['import', 'w.safetensors', '--out', 'back.json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    const a = readJson(ck()), b = readJson(join(dir, 'back.json'))
    expect(b.params).toEqual(a.params)
    expect(b.data).toEqual(a.data)
    expect(b.model).toEqual(a.model)
    const s1 = await runRnn(['sample', 'back.json', '--length', '20'], { cwd: dir })
    expect(s1.stdout).toBe((await runRnn(['sample', ck(), '--length', '20'], { cwd: dir })).stdout)
  })

  it('explore refuses a word model in one line', async () => {
    oneLine(await runRnn(['explore', ck()], { cwd: dir }), /^rnn: .*text-lstm\.json: rnn explore shows models of one-hot characters, not word models/)
    expect(existsSync(join(dir, 'checkpoints/text-lstm.explore.html'))).toBe(false)
  })
})

it('a word model resumes bit for bit, and keeps its vocabulary', async () => {
  const { dir, file } = tempWithText(30_000, 2_000)
  const args = [...SMALL, '--vocab-size', '800', '--cell', 'gru', '--eval-every', '20']
  const straight = await runRnn(['train', file, ...args, '--steps', '50', '--out', 'straight.json'], { cwd: dir })
  expect(straight.code, straight.stderr).toBe(0)
  expect((await runRnn(['train', file, ...args, '--steps', '30', '--out', 'split.json'], { cwd: dir })).code).toBe(0)
  const second = await runRnn(['train', '--resume', 'split.json', '--steps', '20'], { cwd: dir })
  expect(second.code, second.stderr).toBe(0)
  const a = readJson(join(dir, 'straight.json')), b = readJson(join(dir, 'split.json'))
  expect(b.progress.step).toBe(50)
  expect(b.resume.params ?? b.params).toEqual(a.resume.params ?? a.params)
  expect(b.resume.optimizer).toEqual(a.resume.optimizer)
  expect(b.data).toEqual(a.data)
  oneLine(await runRnn(['train', '--resume', 'split.json', '--vocab-size', '900', '--steps', '1'], { cwd: dir }),
    /^rnn: --vocab-size: cannot change vocab_size of a resumed model \(checkpoint has 800, got 900\)/)
})

it('imports PyTorch weights with an nn.Embedding (a golden case, written by an independent writer) with a word list', async () => {
  const { spawnSync } = await import('node:child_process')
  const { writeFileSync } = await import('node:fs')
  const { resolve } = await import('node:path')
  const { GOLDEN_DIR, loadCase, f32 } = await import('../helpers/golden.ts')
  const { dir } = tempWithText(10)
  const c = loadCase('embed_lstm_L1.json')
  const writer = resolve(import.meta.dirname, '../fixtures/write_safetensors.py')
  const w = spawnSync('python3', [writer, 'golden', join(GOLDEN_DIR, 'embed_lstm_L1.json'), join(dir, 'e.safetensors')], { encoding: 'utf8' })
  expect(w.status, w.stderr).toBe(0)
  const V = c.config.num_embeddings
  writeFileSync(join(dir, 'words.json'), JSON.stringify([UNK, ...Array.from({ length: V - 1 }, (_, i) => `w${i}`)]))
  const r = await runRnn(['import', 'e.safetensors', '--vocab', 'words.json', '--out', 'e.json', '--json'], { cwd: dir })
  expect(r.code, r.stderr).toBe(0)
  const ck = readJson(join(dir, 'e.json'))
  expect(ck.model).toMatchObject({ cell: 'lstm', input_size: V, embedding_dim: c.config.embedding_dim, hidden_size: c.config.hidden_size })
  expect(ck.data.tokenizer).toEqual({ kind: 'word', lowercase: true, unk: UNK })
  const { decodeTensor } = await import('../../src/model/checkpoint/tensor.ts')
  for (const [name, v] of Object.entries(c.params)) expect(Array.from(decodeTensor(ck.params[name])), name).toEqual(Array.from(f32(v)))
  const s = await runRnn(['sample', 'e.json', '--prime', 'w3 w4', '--length', '5'], { cwd: dir })
  expect(s.code, s.stderr).toBe(0)
  expect(wordTokens(s.stdout).filter(isWord)).toHaveLength(7)
})

describe('options that do not apply are refused in one line', () => {
  const { dir, file } = tempWithText(5_000)
  it.each([
    ['--vocab-size without --tokens word', [file, '--vocab-size', '100'], /^rnn: --vocab-size: applies to word tokens; add --tokens word$/],
    ['--tokens word on a CSV series', ['air.csv', '--target', 'passengers', '--tokens', 'word'], /^rnn: --tokens: applies to text; a forecaster reads/],
    ['--vocab-size on a character classifier', ['reviews.csv', '--text', 'sentence', '--label', 'label', '--vocab-size', '100'],
      /^rnn: --vocab-size: applies to word tokens; add --tokens word$/],
    ['an unknown kind of token', [file, '--tokens', 'bytes'], /--tokens.*expected one of char, word, got "bytes"/],
  ])('%s', async (_what, args, re) => {
    const { copyFileSync } = await import('node:fs')
    const { DATA } = await import('../helpers/cli.ts')
    copyFileSync(join(DATA, 'airline-passengers.csv'), join(dir, 'air.csv'))
    copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
    const r = await runRnn(['train', ...args, '--steps', '1'], { cwd: dir })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr.trim()).toMatch(re)
  })
})
