/**
 * The Jordan network (--cell jordan) through the real CLI: train, sample and resume bit for bit on text,
 * a forecaster, and every other command either working on it or refusing it in one line. Its gradients
 * are checked by finite differences in test/engine/gradcheck.test.ts (there is no PyTorch module for it).
 */
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA, readJson, runRnn, tempWithText, unigramEntropy } from '../helpers/cli.ts'

const SMALL = ['--cell', 'jordan', '--hidden', '32', '--seq-len', '24', '--batch', '8', '--lr', '0.01']

/** Exit 1 and exactly one line on stderr, matching `re`, no stack trace. */
function expectOneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  expect(r.code).toBe(1)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  expect(r.stderr.trim()).toMatch(re)
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
}

describe('a Jordan network on a slice of Moby-Dick', () => {
  const { dir, file, text } = tempWithText(30_000)
  const ck = () => join(dir, 'checkpoints/text-jordan.json')
  let summary: any

  beforeAll(async () => {
    const r = await runRnn(['train', file, ...SMALL, '--layers', '2', '--steps', '150', '--eval-every', '50', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    summary = JSON.parse(r.stdout)
  })

  it('trains: its parameters are nn.RNN\'s with weight_yh in weight_hh\'s place, and it learns', () => {
    const c = readJson(ck())
    expect(c.model.cell).toBe('jordan')
    const V = c.data.vocab.length
    expect(Object.keys(c.params)).toEqual(['weight_ih_l0', 'weight_yh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l1', 'weight_yh_l1', 'bias_ih_l1', 'bias_hh_l1', 'head.weight', 'head.bias'])
    expect(c.params.weight_yh_l0.shape).toEqual([32, V])
    expect(c.params.weight_ih_l1.shape).toEqual([32, 32])
    expect(c.resume.state.y.shape).toEqual([8, V])
    expect(summary.best_val_loss).toBeLessThan(unigramEntropy(text) - 0.1)
  })

  it('samples the requested length, the same text for the same seed, and echoes a prime', async () => {
    const a = await runRnn(['sample', '--length', '80', '--seed', '3'], { cwd: dir })
    const b = await runRnn(['sample', '--length', '80', '--seed', '3'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    expect([...a.stdout.replace(/\n$/, '')].length).toBe(80)
    expect(b.stdout).toBe(a.stdout)
    const p = await runRnn(['sample', '--prime', 'Call me ', '--length', '20', '--explain', '--json'], { cwd: dir })
    expect(p.code, p.stderr).toBe(0)
    expect(JSON.parse(p.stdout).text.startsWith('Call me ')).toBe(true)
  })

  it('eval reads the validation split as training measured it', async () => {
    const r = await runRnn(['eval', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).loss).toBeCloseTo(summary.best_val_loss, 2)
  })

  it('inspect-state, inspect-gradients and report work on it', async () => {
    const s = await runRnn(['inspect-state', '--text', 'Call me Ishmael.', '--units', '4', '--layer', '0', '--json'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    expect(JSON.parse(s.stdout).values).toHaveLength('Call me Ishmael.'.length)
    const g = await runRnn(['inspect-gradients', '--seq-len', '20'], { cwd: dir })
    expect(g.code, g.stderr).toBe(0)
    expect(g.stdout).toContain('step t\'s term of ∂S/∂W_yh')
    const r = await runRnn(['report', '--out', 'r.html'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(join(dir, 'r.html'))).toBe(true)
  })

  it('inspect-gradients --cell rnn_tanh,jordan,lstm compares it with fresh cells of the other kinds', async () => {
    const args = ['inspect-gradients', '--cell', 'rnn_tanh,jordan,lstm', '--seq-len', '20', '--hidden', '16', '--layers', '2', file]
    const r = await runRnn([...args, '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const series = JSON.parse(r.stdout).series
    expect(series.map((s: any) => `${s.cell} ${s.layer}`)).toEqual(['rnn_tanh 0', 'rnn_tanh 1', 'jordan 0', 'jordan 1', 'lstm 0', 'lstm 1'])
    const j = series.find((s: any) => s.cell === 'jordan')
    expect(j.dh_norm).toHaveLength(20)
    expect(j.whh_contrib_norm[0]).toBe(0) // ŷ_{-1} = 0: step 0 reads no output
    expect(j.whh_contrib_norm[19]).toBeGreaterThan(0)
    const text = await runRnn(args, { cwd: dir })
    expect(text.stdout).toMatch(/^jordan · layer 0 · ‖∂S\/∂h_t‖/m)
    expect(text.stdout).toContain('W_yh  step t\'s term of ∂S/∂W_yh')
    expect(text.stdout).toContain('W_hh  step t\'s term of ∂S/∂W_hh')
  })

  it('describe shows its equation, the ŷ it feeds back and the unrolled network', async () => {
    const r = await runRnn(['describe', ck()], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('h_t = tanh(W_ih x_t + b_ih + W_yh ŷ_{t-1} + b_hh)')
    expect(r.stdout).toContain('ŷ_{t-1} = softmax(y_{t-1})')
    expect(r.stdout).toContain('every layer reads ŷ_{t-1} through its own W_yh')
    expect(r.stdout).toMatch(/ŷ₋₁ ─W_yh1→\[ +jordan +\]├W_yh1→/)
    expect(r.stdout).toMatch(/ŷ₋₁ ─W_yh0→\[ +jordan +\]└W_yh0→/)
    expect(r.stdout).toContain('W_yh0 = weight_yh_l0 + bias_hh_l0')
  })

  it('export and explore refuse it in one line; so does a classifier', async () => {
    expectOneLine(await runRnn(['export', ck()], { cwd: dir }), /^rnn: .*text-jordan\.json: a Jordan network has no PyTorch module .*cannot be exported$/)
    expect(existsSync(join(dir, 'checkpoints/text-jordan.safetensors'))).toBe(false)
    expectOneLine(await runRnn(['explore', ck()], { cwd: dir }), /^rnn: .*text-jordan\.json: rnn explore does not show Jordan networks/)
    copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
    const c = await runRnn(['train', 'reviews.csv', '--text', 'sentence', '--label', 'label', '--cell', 'jordan', '--steps', '2'], { cwd: dir })
    expectOneLine(c, /^rnn: --cell jordan: feeds back an output at every step, and a classifier has one per text/)
  })
})

it('N steps, save, resume for M steps equals N+M steps straight, bit for bit (the carried ŷ included)', async () => {
  const { dir, file } = tempWithText(16_000, 3_000)
  const args = [...SMALL, '--layers', '2', '--dropout', '0.1', '--eval-every', '20']
  const straight = await runRnn(['train', file, ...args, '--steps', '50', '--out', 'straight.json'], { cwd: dir })
  expect(straight.code, straight.stderr).toBe(0)
  const first = await runRnn(['train', file, ...args, '--steps', '30', '--out', 'split.json'], { cwd: dir })
  expect(first.code, first.stderr).toBe(0)
  const second = await runRnn(['train', '--resume', 'split.json', '--steps', '20'], { cwd: dir })
  expect(second.code, second.stderr).toBe(0)
  const a = readJson(join(dir, 'straight.json')), b = readJson(join(dir, 'split.json'))
  expect(b.progress.step).toBe(50)
  const latest = (ck: any) => ck.resume.params ?? ck.params
  expect(latest(b)).toEqual(latest(a))
  expect(b.resume.optimizer).toEqual(a.resume.optimizer)
  expect(b.resume.state).toEqual(a.resume.state)
})

it('a Jordan forecaster (ŷ is the prediction itself) trains, forecasts and evaluates', async () => {
  const { dir } = tempWithText(10)
  copyFileSync(join(DATA, 'airline-passengers.csv'), join(dir, 'air.csv'))
  const t = await runRnn(['train', 'air.csv', '--target', 'passengers', '--cell', 'jordan', '--hidden', '16', '--steps', '60', '--json'], { cwd: dir })
  expect(t.code, t.stderr).toBe(0)
  const s = await runRnn(['sample', '--horizon', '6', '--json'], { cwd: dir })
  expect(s.code, s.stderr).toBe(0)
  const f = JSON.parse(s.stdout).forecast
  expect(f).toHaveLength(6)
  for (const row of f) expect(row.passengers).toBeGreaterThan(0)
  const e = await runRnn(['eval', '--json'], { cwd: dir })
  expect(e.code, e.stderr).toBe(0)
  expect(JSON.parse(e.stdout).one_step.model.rmse).toBeGreaterThan(0)
  const d = await runRnn(['describe', 'checkpoints/air-jordan.json'], { cwd: dir })
  expect(d.stdout).toContain('ŷ_{t-1} = y_{t-1}, the prediction')
})
