/**
 * Sequence classification through the real CLI on the bundled reviews (data/reviews-amazon-yelp.csv):
 * bad input as one-line errors, resume bit for bit, classify and eval.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { DATA, readJson, ROOT, runRnn } from '../helpers/cli.ts'

const SMALL = ['--hidden', '16', '--batch', '16', '--eval-every', '10']
const CLS = ['--text', 'sentence', '--label', 'label']

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-classify-'))
  copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
  return dir
}

describe('bad input: one line naming the file, line and field', () => {
  const cases: [string, string, string[], RegExp][] = [
    ['a --label column that does not exist', 'sentence,label\nGood.,positive\nBad.,negative\n', ['--text', 'sentence', '--label', 'stars'],
      /^rnn: bad\.csv:1: --label: column "stars" not found \(columns: sentence, label\)$/],
    ['one class only', 'sentence,label\nGood.,positive\nFine.,positive\nNice.,positive\n', CLS,
      /^rnn: bad\.csv: label column "label" has one class only \("positive"\); a classifier needs at least two$/],
    ['an empty text', 'sentence,label\nGood.,positive\n"",negative\nBad.,negative\n', CLS,
      /^rnn: bad\.csv:3: text column "sentence" is empty \(every row needs a text\)$/],
    ['an empty label', 'sentence,label\nGood.,positive\nBad.,\n', CLS,
      /^rnn: bad\.csv:3: label column "label" is empty \(every row needs a label\)$/],
    ['--label without --text', 'sentence,label\nGood.,positive\nBad.,negative\n', ['--label', 'label'],
      /^rnn: bad\.csv: a classifier needs --text <column> \(the column of the texts\)$/],
  ]
  for (const [name, csv, flags, message] of cases) {
    it(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rnn-classify-'))
      writeFileSync(join(dir, 'bad.csv'), csv)
      const r = await runRnn(['train', 'bad.csv', ...flags, '--steps', '2', '--batch', '1'], { cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stderr.trim()).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    })
  }
})

describe('training a classifier', () => {
  it('N steps, save, resume for M steps equals N+M steps straight, bit for bit (max pool, --balance, dropout)', async () => {
    const dir = temp()
    const args = ['reviews.csv', ...CLS, ...SMALL, '--pool', 'max', '--balance', '--layers', '2', '--dropout', '0.1', '--cell', 'gru']
    const straight = await runRnn(['train', ...args, '--steps', '130', '--out', 'straight.json'], { cwd: dir })
    expect(straight.code, straight.stderr).toBe(0)
    const first = await runRnn(['train', ...args, '--steps', '70', '--out', 'split.json'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    const second = await runRnn(['train', '--resume', 'split.json', '--steps', '60'], { cwd: dir })
    expect(second.code, second.stderr).toBe(0)
    const a = readJson(join(dir, 'straight.json')), b = readJson(join(dir, 'split.json'))
    expect(b.progress.step).toBe(130)
    // 130 steps of 16 cross the epoch boundary (1,600 training rows: 100 batches)
    expect(b.resume.cursor.epoch).toBe(1)
    const latest = (ck: any) => ck.resume.params ?? ck.params
    expect(latest(b)).toEqual(latest(a))
    expect(b.params).toEqual(a.params)
    expect(b.resume.optimizer).toEqual(a.resume.optimizer)
    expect(b.resume.rng).toEqual(a.resume.rng)
    expect(a.kind).toBe('classifier')
    expect(a.model.pool).toBe('max')
    expect(a.data.classes).toEqual(['negative', 'positive'])
    expect(a.data.split).toEqual({ train: 1600, val: 200, test: 200 })
  })

  it('refuses to change --pool of a resumed classifier', async () => {
    const dir = temp()
    const r1 = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--steps', '2', '--out', 'a.json'], { cwd: dir })
    expect(r1.code, r1.stderr).toBe(0)
    const r2 = await runRnn(['train', '--resume', 'a.json', '--pool', 'mean', '--steps', '2'], { cwd: dir })
    expect(r2.code).toBe(1)
    expect(r2.stderr.trim()).toBe('rnn: --pool: cannot change pool of a resumed model (checkpoint has last, got mean): the head was trained on that pooling')
  })

  it('a checkpoint whose class list does not match its head is refused at load', async () => {
    const dir = temp()
    const r1 = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--steps', '2', '--out', 'a.json'], { cwd: dir })
    expect(r1.code, r1.stderr).toBe(0)
    const ck = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))
    ck.data.classes.push('neutral')
    writeFileSync(join(dir, 'b.json'), JSON.stringify(ck))
    const r2 = await runRnn(['train', '--resume', 'b.json', '--steps', '1'], { cwd: dir })
    expect(r2.code).toBe(1)
    expect(r2.stderr.trim()).toMatch(/^rnn: b\.json: data\.vocab has \d+ entries and data\.classes 3 but the model's input_size\/output_size are \d+\/2$/)
  })
})

describe('rnn eval and rnn classify on a trained classifier', () => {
  let dir = ''
  const trained = async () => {
    if (dir !== '') return dir
    dir = temp()
    const r = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--pool', 'max', '--steps', '60', '--lr', '0.005', '--out', 'c.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/best validation loss [\d.]+ \(cross-entropy per text/)
    return dir
  }

  it('eval --json: the issue\'s shape, consistent figures, baselines on the same training rows', async () => {
    const cwd = await trained()
    const r = await runRnn(['eval', 'c.json', '--json'], { cwd })
    expect(r.code, r.stderr).toBe(0)
    const e = JSON.parse(r.stdout)
    expect(e.test_rows).toBe(200)
    expect(e.classes).toEqual(['negative', 'positive'])
    const flat = e.confusion.flat() as number[]
    expect(flat.reduce((a, b) => a + b, 0)).toBe(200)
    expect(e.accuracy).toBeCloseTo((e.confusion[0][0] + e.confusion[1][1]) / 200, 12)
    expect(e.macro_f1).toBeCloseTo((e.per_class.negative.f1 + e.per_class.positive.f1) / 2, 12)
    expect(e.per_class.negative.support).toBe(100)
    // the stratified split holds out 100 of each class: the majority baseline is exactly a coin
    expect(e.baselines.majority.accuracy).toBe(0.5)
    expect(e.baselines.naive_bayes.accuracy).toBeGreaterThan(0.65)
    expect(e.baselines.naive_bayes.macro_f1).toBeGreaterThan(0.6)
    const text = await runRnn(['eval', 'c.json'], { cwd })
    expect(text.stdout).toMatch(/^accuracy [\d.]+%  macro-F1 [\d.]+/)
    expect(text.stdout).toMatch(/naive Bayes \(word counts\) [\d.]+%/)
  })

  it('eval on another CSV reads every row; a label the model does not know names its line', async () => {
    const cwd = await trained()
    writeFileSync(join(cwd, 'more.csv'), 'source,sentence,label\nx,"Great, works well.",positive\nx,Awful.,negative\nx,Broke in a day.,negative\n')
    const r = await runRnn(['eval', 'c.json', 'more.csv', '--json'], { cwd })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).test_rows).toBe(3)
    writeFileSync(join(cwd, 'odd.csv'), 'source,sentence,label\nx,Fine.,positive\nx,Meh.,neutral\n')
    const bad = await runRnn(['eval', 'c.json', 'odd.csv'], { cwd })
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('rnn: odd.csv:3: label "neutral" is not one of the model\'s classes (negative, positive)')
  })

  it('classify: a text, --file, stdin; probabilities sum to 1 and the label is the most probable', async () => {
    const cwd = await trained()
    const one = await runRnn(['classify', 'c.json', 'The food was cold and the waiter rude.', '--json'], { cwd })
    expect(one.code, one.stderr).toBe(0)
    const p = JSON.parse(one.stdout)
    expect(p.text).toBe('The food was cold and the waiter rude.')
    expect(p.probabilities.negative + p.probabilities.positive).toBeCloseTo(1, 12)
    expect(p.label).toBe(p.probabilities.negative > p.probabilities.positive ? 'negative' : 'positive')
    writeFileSync(join(cwd, 'lines.txt'), 'The food was cold and the waiter rude.\nGreat phone, love it!\n')
    const many = await runRnn(['classify', 'c.json', '--file', 'lines.txt', '--json'], { cwd })
    expect(many.code, many.stderr).toBe(0)
    const rows = JSON.parse(many.stdout)
    expect(rows).toHaveLength(2)
    // a text gets the same probabilities alone and in a batch with another (masking)
    expect(rows[0].probabilities.negative).toBeCloseTo(p.probabilities.negative, 6)
    const piped = spawnSync(process.execPath, [join(ROOT, 'bin/rnn'), 'classify', 'c.json', '-'], { cwd, input: 'Great phone, love it!\n', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(piped.status, piped.stderr).toBe(0)
    expect(piped.stdout).toMatch(/^(negative|positive)\tnegative [\d.]+  positive [\d.]+\tGreat phone, love it!\n$/)
    expect(Number(/positive ([\d.]+)/.exec(piped.stdout)![1])).toBeCloseTo(rows[1].probabilities.positive, 3)
  })

  it('classify: empty input and a language model are one-line errors', async () => {
    const cwd = await trained()
    writeFileSync(join(cwd, 'gap.txt'), 'Good.\n\nBad.\n')
    const gap = await runRnn(['classify', 'c.json', '--file', 'gap.txt'], { cwd })
    expect(gap.code).toBe(1)
    expect(gap.stderr.trim()).toBe('rnn: gap.txt:2: empty line (one text per line)')
    const empty = await runRnn(['classify', 'c.json', ''], { cwd })
    expect(empty.code).toBe(1)
    expect(empty.stderr.trim()).toBe('rnn: the text is empty')
    writeFileSync(join(cwd, 't.txt'), 'some text to learn from, some text to learn from. '.repeat(40))
    const lm = await runRnn(['train', 't.txt', '--hidden', '8', '--batch', '2', '--seq-len', '8', '--steps', '1', '--out', 'lm.json'], { cwd })
    expect(lm.code, lm.stderr).toBe(0)
    const r = await runRnn(['classify', 'lm.json', 'hello'], { cwd })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('rnn: lm.json: a language model, not a classifier; train one with rnn train file.csv --text <column> --label <column>')
  })
})

describe('looking inside a classifier', () => {
  it('inspect-state: class probabilities per step, the last one equal to rnn classify\'s', async () => {
    const cwd = temp()
    const r0 = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--pool', 'mean', '--steps', '20', '--out', 'c.json'], { cwd })
    expect(r0.code, r0.stderr).toBe(0)
    const text = 'Not good at all.'
    const s = await runRnn(['inspect-state', 'c.json', '--text', text, '--units', '4', '--json'], { cwd })
    expect(s.code, s.stderr).toBe(0)
    const j = JSON.parse(s.stdout)
    expect(j.classes).toEqual(['negative', 'positive'])
    expect(j.probabilities).toHaveLength(text.length)
    for (const p of j.probabilities) expect(p[0] + p[1]).toBeCloseTo(1, 12)
    const c = await runRnn(['classify', 'c.json', text, '--json'], { cwd })
    const last = j.probabilities[text.length - 1]
    expect(last[1]).toBeCloseTo(JSON.parse(c.stdout).probabilities.positive, 6)
    // and after the first character alone, what classify says of that character
    const first = await runRnn(['classify', 'c.json', 'N', '--json'], { cwd })
    expect(j.probabilities[0][1]).toBeCloseTo(JSON.parse(first.stdout).probabilities.positive, 6)
    const plain = await runRnn(['inspect-state', 'c.json', '--text', 'Bad.', '--units', '3'], { cwd })
    expect(plain.stdout).toMatch(/ B .*negative [\d.]+ positive [\d.]+\n/)
  })

  it('inspect-state --by-label ranks units by |r| over the test rows; inspect-gradients reads labelled windows', async () => {
    const cwd = temp()
    const r0 = await runRnn(['train', 'reviews.csv', ...CLS, ...SMALL, '--steps', '20', '--out', 'c.json'], { cwd })
    expect(r0.code, r0.stderr).toBe(0)
    const s = await runRnn(['inspect-state', 'c.json', '--by-label', '--units', '5', '--json'], { cwd })
    expect(s.code, s.stderr).toBe(0)
    const j = JSON.parse(s.stdout)
    expect(j.rows).toBe(200)
    expect(j.units).toHaveLength(5)
    const rs = j.units.map((u: any) => Math.abs(u.r))
    expect(rs).toEqual([...rs].sort((a: number, b: number) => b - a))
    for (const u of j.units) { expect(u.class).toBe('positive'); expect(u.unit).toBeLessThan(16) }
    const g = await runRnn(['inspect-gradients', 'c.json', '--seq-len', '30', '--batches', '4', '--json'], { cwd })
    expect(g.code, g.stderr).toBe(0)
    const series = JSON.parse(g.stdout).series[0]
    expect(series.dh_norm).toHaveLength(30)
    // pool last: the head reads h_30 only, so the gradient is largest there and fades going back
    expect(series.dh_norm[29]).toBeGreaterThan(series.dh_norm[0])
    const tooLong = await runRnn(['inspect-gradients', 'c.json', '--seq-len', '1000'], { cwd })
    expect(tooLong.code).toBe(1)
    expect(tooLong.stderr.trim()).toMatch(/^rnn: .*reviews\.csv: 0 texts from --offset 0 have at least --seq-len 1000 characters; --batches 1 needs 1 \(try --seq-len \d+\)$/)
  })
})

it('--init-from: the language model\'s recurrent layers and character columns, fresh columns for characters it lacks', async () => {
  const cwd = temp()
  writeFileSync(join(cwd, 'lm.txt'), 'the food was good and the service was bad. '.repeat(60))
  const lm = await runRnn(['train', 'lm.txt', '--hidden', '12', '--batch', '4', '--seq-len', '16', '--steps', '3', '--cell', 'gru', '--out', 'lm.json'], { cwd })
  expect(lm.code, lm.stderr).toBe(0)
  // an lr so small that one step leaves every float32 weight as initialised
  const r = await runRnn(['train', 'reviews.csv', ...CLS, '--batch', '16', '--init-from', 'lm.json', '--steps', '1', '--lr', '1e-30', '--out', 'c.json'], { cwd })
  expect(r.code, r.stderr).toBe(0)
  expect(r.stderr).toMatch(/initialised from lm\.json: recurrent layers, and input weights of 18 of \d+ characters \(fresh: /)
  const a = readJson(join(cwd, 'lm.json')), c = readJson(join(cwd, 'c.json'))
  expect(c.model).toMatchObject({ cell: 'gru', hidden_size: 12, num_layers: 1, pool: 'last' })
  for (const k of ['weight_hh_l0', 'bias_hh_l0', 'bias_ih_l0']) expect(c.params[k]).toEqual(a.params[k])
  const f32 = (t: any) => new Float32Array(new Uint8Array(Buffer.from(t.data, 'base64')).buffer)
  const wa = f32(a.params.weight_ih_l0), wc = f32(c.params.weight_ih_l0)
  const Va = a.data.vocab.length, Vc = c.data.vocab.length
  const col = (w: Float32Array, V: number, j: number) => Array.from({ length: 36 }, (_, r) => w[r * V + j])
  for (const ch of ['e', ' ', '.']) expect(col(wc, Vc, c.data.vocab.indexOf(ch))).toEqual(col(wa, Va, a.data.vocab.indexOf(ch)))
  // "Z" is not in the language model: its column is the classifier's own (not all zero, not a copy)
  const z = col(wc, Vc, c.data.vocab.indexOf('Z'))
  expect(z.some((v) => v !== 0)).toBe(true)
  const bad = await runRnn(['train', 'reviews.csv', ...CLS, '--init-from', 'lm.json', '--hidden', '16', '--steps', '1', '--out', 'd.json'], { cwd })
  expect(bad.code).toBe(1)
  expect(bad.stderr.trim()).toBe('rnn: --init-from: lm.json is a gru of 1 × 12 units; the classifier is a gru of 1 × 16 (leave out --cell, --hidden and --layers to take the language model\'s)')
})
