/**
 * The inspection commands through the real CLI: inspect-gradients on fresh models and on a trained
 * checkpoint (JSON, CSV, chart), describe, inspect-state, and their one-line errors.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { runRnn, tempWithText } from '../helpers/cli.ts'

const T = 30

async function gradients(args: string[], cwd: string): Promise<any> {
  const r = await runRnn(['inspect-gradients', ...args, '--json'], { cwd })
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('rnn inspect-gradients on fresh models', () => {
  const { dir, file } = tempWithText(3_000)

  it('gives one series of T numbers per cell and layer, in the documented JSON shape', async () => {
    const j = await gradients(['--cell', 'rnn_tanh,lstm', '--layers', '2', '--hidden', '16', '--seq-len', String(T), file], dir)
    expect(Object.keys(j)).toEqual(['loss_at', 'seq_len', 'series'])
    expect(j.loss_at).toBe('last')
    expect(j.seq_len).toBe(T)
    expect(j.series.map((s: any) => [s.cell, s.layer])).toEqual([['rnn_tanh', 0], ['rnn_tanh', 1], ['lstm', 0], ['lstm', 1]])
    for (const s of j.series) {
      expect(Object.keys(s)).toEqual(['cell', 'layer', 'dh_norm', 'dc_norm', 'whh_contrib_norm', 'decay_per_step'])
      expect(s.dh_norm).toHaveLength(T)
      expect(s.whh_contrib_norm).toHaveLength(T)
      expect(s.whh_contrib_norm[0]).toBe(0) // h_{-1} is the zero state
      expect(typeof s.decay_per_step).toBe('number')
      if (s.cell === 'lstm') expect(s.dc_norm).toHaveLength(T)
      else expect(s.dc_norm).toBeNull()
    }
  })

  it('an untrained tanh RNN: the gradient of the last-step loss shrinks going back in time', async () => {
    const j = await gradients(['--cell', 'rnn', '--seq-len', String(T), file], dir)
    const dh: number[] = j.series[0].dh_norm
    expect(j.series[0].cell).toBe('rnn_tanh')
    expect(dh[0]).toBeLessThan(dh[T - 1] * 1e-3)
    for (let t = T - 6; t < T - 1; t++) expect(dh[t]).toBeLessThan(dh[t + 1]) // monotone near the loss
    expect(j.series[0].decay_per_step).toBeGreaterThan(0)
    expect(j.series[0].decay_per_step).toBeLessThan(1)
  })

  it('--offset reads a different window, --loss-at all sums over the steps, --seed changes the init', async () => {
    const base = await gradients(['--cell', 'gru', '--seq-len', '20', file], dir)
    const moved = await gradients(['--cell', 'gru', '--seq-len', '20', '--offset', '500', file], dir)
    const all = await gradients(['--cell', 'gru', '--seq-len', '20', '--loss-at', 'all', file], dir)
    const seeded = await gradients(['--cell', 'gru', '--seq-len', '20', '--seed', '2', file], dir)
    expect(moved.series[0].dh_norm).not.toEqual(base.series[0].dh_norm)
    expect(seeded.series[0].dh_norm).not.toEqual(base.series[0].dh_norm)
    expect(all.loss_at).toBe('all')
    // at step 0 the summed loss reaches h_0 through every step's head, not only through 19 recurrences
    expect(all.series[0].dh_norm[0]).toBeGreaterThan(base.series[0].dh_norm[0] * 10)
  })

  it('--batches averages consecutive windows', async () => {
    const one = await gradients(['--cell', 'lstm', '--seq-len', '10', '--offset', '10', file], dir)
    const two = await gradients(['--cell', 'lstm', '--seq-len', '10', '--batches', '2', file], dir)
    const first = await gradients(['--cell', 'lstm', '--seq-len', '10', file], dir)
    for (let t = 0; t < 10; t++)
      expect(two.series[0].dh_norm[t]).toBeCloseTo((first.series[0].dh_norm[t] + one.series[0].dh_norm[t]) / 2, 6)
  })

  it('--csv prints a header and T rows per series', async () => {
    const r = await runRnn(['inspect-gradients', '--cell', 'rnn_tanh,lstm,gru', '--layers', '2', '--seq-len', String(T), '--csv', file], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.trim().split('\n')
    expect(rows[0]).toBe('cell,layer,t,dh_norm,dc_norm,whh_contrib_norm')
    expect(rows).toHaveLength(1 + 3 * 2 * T)
    expect(rows[1]).toMatch(/^rnn_tanh,0,0,[\d.e-]+,,0$/)
    expect(rows.filter((l) => l.startsWith('lstm,1,'))).toHaveLength(T)
    expect(rows.find((l) => l.startsWith('lstm,'))!.split(',')[4]).not.toBe('')
  })

  it('charts every cell within 80 columns, with a summary per series', async () => {
    const r = await runRnn(['inspect-gradients', '--cell', 'rnn_tanh,lstm,gru', '--seq-len', '100'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('moby-dick.txt') // the bundled text by default
    const lines = r.stdout.trimEnd().split('\n')
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
    expect(r.stdout).not.toMatch(/\x1b\[/) // eslint-disable-line no-control-regex
    for (const cell of ['rnn_tanh', 'lstm', 'gru']) expect(lines.some((l) => l.startsWith(`${cell} · `))).toBe(true)
    expect(lines.filter((l) => /^ {2}dh {2}first /.test(l))).toHaveLength(3)
    expect(lines.filter((l) => /^ {2}dc {2}first /.test(l))).toHaveLength(1)
    expect(r.stdout).toMatch(/×0\.\d+\/step, half-life [\d.]+ steps/)
    expect(r.stdout).toContain('⚠ vanishing')
  })

  const errors: [string, string[], RegExp][] = [
    ['a bad --loss-at', ['--cell', 'lstm', '--loss-at', 'middle'], /--loss-at.*'middle' is invalid.*last, all/],
    ['an unknown cell', ['--cell', 'lstm,transformer'], /--cell.*expected one of rnn_tanh, rnn_relu, lstm, gru, got "transformer"/],
    ['a window longer than the file', ['--cell', 'lstm', '--seq-len', '5000', 'text.txt'], /^rnn: text\.txt: 3000 characters, too short for --offset 0 \+ --batches 1 × --seq-len 5000/],
    ['an offset past the end', ['--cell', 'lstm', '--offset', '2990', '--seq-len', '20', 'text.txt'], /^rnn: text\.txt: .*too short/],
    ['a zero seq-len', ['--cell', 'lstm', '--seq-len', '0'], /^rnn: --seq-len: must be ≥ 1, got 0$/],
    ['fresh-model flags without --cell', ['--hidden', '8'], /^rnn: --hidden: applies to fresh models only; add --cell/],
    ['no checkpoint and no --cell', [], /^rnn: no checkpoint in \.\/checkpoints.*--cell/],
    ['--json with --csv', ['--cell', 'lstm', '--json', '--csv'], /cannot be used with/],
  ]
  for (const [what, args, re] of errors) {
    it(`refuses ${what} in one line`, async () => {
      const r = await runRnn(['inspect-gradients', ...args], { cwd: dir })
      expect(r.code).not.toBe(0)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr.trim()).toMatch(re)
      expect(r.stdout).toBe('')
    })
  }
})

describe('rnn describe', () => {
  const { dir } = tempWithText(100)

  it('lists every parameter tensor with its shape and count, and the total', async () => {
    const r = await runRnn(['describe', '--cell', 'gru', '--hidden', '16', '--layers', '2', '--vocab-size', '10', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(Object.keys(j)).toEqual(['cell', 'params', 'total'])
    expect(j.cell).toBe('gru')
    expect(j.params.map((p: any) => p.name)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'head.weight', 'head.bias'])
    expect(j.params[0]).toEqual({ name: 'weight_ih_l0', shape: [48, 10], count: 480 })
    expect(j.params[4].shape).toEqual([48, 16])
    expect(j.total).toBe(480 + 768 + 48 + 48 + 768 + 768 + 48 + 48 + 160 + 10)
  })

  it('defaults to an LSTM of 128 units over 65 characters, drawn in 80 columns', async () => {
    const r = await runRnn(['describe'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t')
    expect(r.stdout).toMatch(/weight_hh_l0 +\[512, 128\] +65,536/)
    expect(r.stdout).toMatch(/total +108,225/)
    const lines = r.stdout.trimEnd().split('\n')
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
    // the same weights at each of the 4 unrolled steps
    expect(lines.find((l) => l.startsWith('h₋₁'))!.match(/W_hh/g)).toHaveLength(5)
    expect(lines.find((l) => l.includes('↑W_ih'))!.match(/↑W_ih/g)).toHaveLength(4)
    expect(lines.find((l) => l.includes('↑W_hy'))!.match(/↑W_hy/g)).toHaveLength(4)
  })

  it('shows the GRU convention: b_hn inside r ⊙ (…)', async () => {
    const r = await runRnn(['describe', '--cell', 'gru'], { cwd: dir })
    expect(r.stdout).toContain('n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))')
  })
})

describe('with a trained checkpoint', () => {
  const { dir, file } = tempWithText(12_000)
  const ck = 'checkpoints/text-lstm.json'

  beforeAll(async () => {
    const r = await runRnn(['train', file, '--hidden', '24', '--seq-len', '32', '--batch', '8', '--steps', '30', '--eval-every', '30'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
  })

  it('inspect-gradients reads the checkpoint and its own training text', async () => {
    const j = await gradients([ck, '--seq-len', '25'], dir)
    expect(j.series).toHaveLength(1)
    expect(j.series[0].cell).toBe('lstm')
    expect(j.series[0].dh_norm).toHaveLength(25)
  })

  it('describe reads the architecture from the checkpoint', async () => {
    const r = await runRnn(['describe', ck, '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).params[1]).toEqual({ name: 'weight_hh_l0', shape: [96, 24], count: 96 * 24 })
  })

  it('inspect-state gives one row per character over the most active units', async () => {
    const r = await runRnn(['inspect-state', ck, '--text', 'Call me\nIshmael.', '--units', '5', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(Object.keys(j)).toEqual(['units', 'chars', 'values'])
    expect(j.units).toHaveLength(5)
    expect(j.chars).toEqual([...'Call me\nIshmael.'])
    expect(j.values).toHaveLength(16)
    for (const row of j.values) { expect(row).toHaveLength(5); for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(1) }
    const mean = (k: number) => j.values.reduce((s: number, row: number[]) => s + Math.abs(row[k]), 0)
    for (let k = 1; k < 5; k++) expect(mean(k - 1)).toBeGreaterThanOrEqual(mean(k) - 1e-6)
  })

  it('inspect-state draws a heatmap with the characters escaped', async () => {
    const r = await runRnn(['inspect-state', ck, '--text', 'a b\nc', '--units', '3,7,11'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.split('\n').filter((l) => /^ {2}\S /.test(l))
    expect(rows.map((l) => l[2])).toEqual(['a', '␣', 'b', '⏎', 'c'])
    for (const row of rows) expect([...row].length).toBe(4 + 3 * 2)
  })

  it('inspect-state names characters outside the vocabulary', async () => {
    const r = await runRnn(['inspect-state', ck, '--text', 'a€b😀'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('rnn: --text: characters not in the model\'s vocabulary: "€" "😀"')
  })
})
