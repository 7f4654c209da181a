/**
 * Sequence classification through the real CLI on the bundled reviews (data/reviews-amazon-yelp.csv):
 * bad input as one-line errors, resume bit for bit, classify and eval.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATA, readJson, runRnn } from '../helpers/cli.ts'

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
