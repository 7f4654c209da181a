/**
 * The inspection commands through the real CLI: inspect-gradients on fresh models, on a trained text
 * checkpoint and on a CSV forecaster (JSON, CSV, chart), describe, inspect-state, sample --explain, and
 * their one-line errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runRnn, tempWithText, trainAirline } from '../helpers/cli.ts'

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
    ['an unknown cell', ['--cell', 'lstm,transformer'], /--cell.*expected one of rnn_tanh, rnn_relu, lstm, gru, jordan, got "transformer"/],
    ['a window longer than the file', ['--cell', 'lstm', '--seq-len', '5000', 'text.txt'], /^rnn: text\.txt: 3000 characters, too short for --offset 0 \+ --batches 1 × --seq-len 5000/],
    ['an offset past the end', ['--cell', 'lstm', '--offset', '2990', '--seq-len', '20', 'text.txt'], /^rnn: text\.txt: .*too short/],
    ['a zero seq-len', ['--cell', 'lstm', '--seq-len', '0'], /^rnn: --seq-len: must be from 1 to 10,000, got 0$/],
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
    expect(r.stderr.trim()).toBe('rnn: --text: characters not in the model\'s vocabulary: "€" (U+20AC) "😀" (U+1F600)')
  })

  // the drawn characters of --explain, read back from its lines (⏎ ␣ ⇥ are newline, space, tab)
  const drawnOf = (stdout: string) => {
    const unescape: Record<string, string> = { '⏎': '\n', '␣': ' ', '⇥': '\t' }
    return stdout.trimEnd().split('\n').map((l) => {
      const m = [...l.matchAll(/'(.)' [▏▎▍▌▋▊▉█]* (\d\.\d{3})( ← drawn)?/gu)]
      const drawn = m.filter((x) => x[3] !== undefined)
      expect(drawn, l).toHaveLength(1)
      return unescape[drawn[0][1]] ?? drawn[0][1]
    }).join('')
  }

  it('sample --explain: one line per character, and the drawn ones are what sample prints', async () => {
    for (const flags of [['--seed', '7'], ['--seed', '3', '--temp', '0.7', '--top-p', '0.9', '--prime', 'the ']]) {
      const plain = await runRnn(['sample', ck, '--length', '60', ...flags], { cwd: dir })
      const explained = await runRnn(['sample', ck, '--length', '60', '--explain', ...flags], { cwd: dir })
      expect(explained.code, explained.stderr).toBe(0)
      const lines = explained.stdout.trimEnd().split('\n')
      expect(lines).toHaveLength(60)
      for (const l of lines) expect(l).toMatch(/^ {2}'.' [▏▎▍▌▋▊▉█]+ \d\.\d{3}/u)
      const prime = flags.includes('--prime') ? flags[flags.indexOf('--prime') + 1] : ''
      expect(prime + drawnOf(explained.stdout) + '\n').toBe(plain.stdout)
    }
  })

  it('sample --explain --json: per step the drawn character and the renormalised candidates', async () => {
    const flags = ['--length', '30', '--seed', '5', '--temp', '0.8', '--top-k', '8']
    const plain = JSON.parse((await runRnn(['sample', ck, ...flags, '--json'], { cwd: dir })).stdout)
    const r = await runRnn(['sample', ck, ...flags, '--json', '--explain-top', '8'], { cwd: dir }) // implies --explain
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.text).toBe(plain.text)
    expect(j.steps).toHaveLength(30)
    expect(j.steps.map((s: any) => s.drawn).join('')).toBe(j.text)
    for (const s of j.steps) {
      expect(Object.keys(s)).toEqual(['drawn', 'p', 'candidates'])
      expect(s.candidates).toHaveLength(8)
      const ps: number[] = s.candidates.map((c: any) => c.p)
      for (let k = 1; k < ps.length; k++) expect(ps[k]).toBeLessThanOrEqual(ps[k - 1])
      // top-k 8: the 8 candidates are the whole distribution drawn from, renormalised to 1
      expect(ps.reduce((a, b) => a + b)).toBeCloseTo(1, 10)
      expect(s.candidates.find((c: any) => c.char === s.drawn).p).toBe(s.p)
    }
  })

  it('sample --explain shows the probabilities after the temperature; with --argmax the top one is drawn', async () => {
    const first = async (temp: string) => JSON.parse((await runRnn(['sample', ck, '--length', '1', '--explain', '--json', '--temp', temp], { cwd: dir })).stdout).steps[0]
    const cold = await first('0.5'), warm = await first('1'), hot = await first('2')
    expect(cold.candidates[0].char).toBe(warm.candidates[0].char)
    expect(cold.candidates[0].p).toBeGreaterThan(warm.candidates[0].p)
    expect(warm.candidates[0].p).toBeGreaterThan(hot.candidates[0].p)
    const r = await runRnn(['sample', ck, '--length', '20', '--argmax', '--explain', '--explain-top', '3', '--json'], { cwd: dir })
    for (const s of JSON.parse(r.stdout).steps) { expect(s.candidates).toHaveLength(3); expect(s.drawn).toBe(s.candidates[0].char) }
  })

  it('sample --explain-top must be at least 1', async () => {
    const r = await runRnn(['sample', ck, '--explain-top', '0'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('rnn: --explain-top: must be ≥ 1, got 0')
  })
})

describe('rnn inspect-gradients on a CSV forecaster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-test-'))
  const ck = 'air.json'

  beforeAll(async () => {
    const r = await trainAirline(dir, ['--hidden', '12', '--layers', '2', '--batch', '8', '--steps', '20', '--eval-every', '20', '--transform', 'difference', '--out', ck])
    expect(r.code, r.stderr).toBe(0)
  })

  it('reads the training CSV: one finite series of seq-len numbers per layer', async () => {
    const j = await gradients([ck, '--seq-len', '30'], dir)
    expect(j.seq_len).toBe(30)
    expect(j.series.map((s: any) => [s.cell, s.layer])).toEqual([['lstm', 0], ['lstm', 1]])
    for (const s of j.series) {
      for (const key of ['dh_norm', 'dc_norm', 'whh_contrib_norm']) {
        expect(s[key]).toHaveLength(30)
        for (const v of s[key]) expect(Number.isFinite(v)).toBe(true)
      }
      expect(s.dh_norm[29]).toBeGreaterThan(0)
    }
    // S summed over steps reaches step 0 through its own target, not only through 29 recurrences
    const all = await gradients([ck, '--seq-len', '30', '--loss-at', 'all'], dir)
    expect(all.series[1].dh_norm[0]).toBeGreaterThan(j.series[1].dh_norm[0] * 10)
  })

  it('--csv, --offset and a CSV file argument', async () => {
    const r = await runRnn(['inspect-gradients', ck, '--seq-len', '30', '--csv'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.trim().split('\n')
    expect(rows[0]).toBe('cell,layer,t,dh_norm,dc_norm,whh_contrib_norm')
    expect(rows).toHaveLength(1 + 2 * 30)
    expect(rows[1]).toMatch(/^lstm,0,0,[\d.e-]+,[\d.e-]+,0$/)
    const base = await gradients([ck, '--seq-len', '30'], dir)
    const moved = await gradients([ck, '--seq-len', '30', '--offset', '40'], dir)
    expect(moved.series[0].dh_norm).not.toEqual(base.series[0].dh_norm)
    // the same rows as another file: the same numbers
    writeFileSync(join(dir, 'copy.csv'), readFileSync(join(dir, 'air.csv')))
    expect((await gradients([ck, 'copy.csv', '--seq-len', '30'], dir)).series).toEqual(base.series)
  })

  it('--cell compares fresh forecasters on the CSV rows, encoded as training would', async () => {
    const fresh = ['--cell', 'rnn_tanh,lstm,gru', 'air.csv', '--target', 'passengers', '--seq-len', '40']
    const j = await gradients(fresh, dir)
    expect(j.series.map((s: any) => s.cell)).toEqual(['rnn_tanh', 'lstm', 'gru'])
    for (const s of j.series) {
      expect(s.dh_norm).toHaveLength(40)
      for (const v of s.dh_norm) expect(Number.isFinite(v) && v > 0).toBe(true)
      // untrained cells, loss at the last step: the gradient shrinks going back in time
      expect(s.dh_norm[0]).toBeLessThan(s.dh_norm[39] * 1e-2)
    }
    // the inputs follow the flags: levels instead of changes, or one more column, change every number
    const level = await gradients([...fresh, '--transform', 'level'], dir)
    expect(level.series[0].dh_norm).not.toEqual(j.series[0].dh_norm)
    writeFileSync(join(dir, 'two.csv'), readFileSync(join(dir, 'air.csv'), 'utf8').split('\n').map((l, i) => l === '' ? l : `${l},${i === 0 ? 'noise' : (i * 7919) % 13}`).join('\n'))
    const base2 = await gradients(['--cell', 'lstm', 'two.csv', '--target', 'passengers', '--seq-len', '40'], dir)
    const more = await gradients(['--cell', 'lstm', 'two.csv', '--target', 'passengers', '--features', 'noise', '--seq-len', '40'], dir)
    expect(base2.series[0].dh_norm).toEqual(j.series[1].dh_norm)
    expect(more.series[0].dh_norm).not.toEqual(base2.series[0].dh_norm)
    const r = await runRnn(['inspect-gradients', ...fresh], { cwd: dir })
    expect(r.stderr).toMatch(/air\.csv: window of 40 rows from offset 0, zero initial state; fresh rnn_tanh, fresh lstm, fresh gru/)
  })

  it('charts each layer within 80 columns, naming the file and the unit', async () => {
    const r = await runRnn(['inspect-gradients', ck, '--seq-len', '100'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/air\.csv: window of 100 rows from offset 0, zero initial state; air\.json/)
    const lines = r.stdout.trimEnd().split('\n')
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
    expect(lines.filter((l) => l.startsWith('lstm · layer '))).toHaveLength(2)
  })

  const errors: [string, string[], RegExp][] = [
    ['a window longer than the file', [ck, '--seq-len', '150'], /^rnn: .*air\.csv: 144 rows give 142 steps with a next row to predict; --transform difference skips the first; --offset 0 \+ --batches 1 × --seq-len 150 needs 150 \(try --seq-len 142\)$/],
    ['windows past the end', [ck, '--seq-len', '50', '--offset', '100'], /^rnn: .*air\.csv: 144 rows give 142 steps.*needs 150 \(try --seq-len 42\)$/],
    ['a CSV file with --cell and no --target', ['--cell', 'lstm', 'air.csv'], /^rnn: air\.csv: a CSV file needs --target <column>/],
    ['--target without --cell', [ck, '--target', 'passengers'], /^rnn: --target: applies to fresh models only; add --cell/],
    ['a target column the CSV lacks', ['--cell', 'lstm', 'air.csv', '--target', 'nope'], /^rnn: air\.csv: .*nope/],
    ['sample --explain', ['sample', ck, '--explain'], /^rnn: air\.json: a time-series model; --explain/],
  ]
  for (const [what, args, re] of errors) {
    it(`refuses ${what} in one line`, async () => {
      const r = await runRnn(args[0] === 'sample' ? args : ['inspect-gradients', ...args], { cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr.trim()).toMatch(re)
      expect(r.stdout).toBe('')
    })
  }
})
