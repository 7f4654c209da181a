/**
 * src/inspect.ts against PyTorch: the per-step norms of the total state gradients for every golden
 * forward_backward case, then the loss scaling (last step / sum over steps, windows as a batch), the
 * decay fit and the chart renderer.
 */
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { fitDecay, inspectGradients, stateGradNorms, summarize } from '../src/inspect.ts'
import { freshModel } from '../src/inspect-source.ts'
import { columnsFor, heatCell, logChart, logRange, sparkLine } from '../src/report/chart.ts'
import { Comparer, f32, goldenIndex, loadCase, modelOf, stateOf, targetsOf, type Json } from './helpers/golden.ts'

const cases = goldenIndex().filter((e) => e.kind === 'forward_backward')

describe('per-step state-gradient norms match PyTorch', () => {
  for (const entry of cases) {
    it(`${entry.file}: dh_total (and dc_total) norms over the batch`, () => {
      const c: Json = loadCase(entry.file)
      const { seq_len: T, batch: B, num_layers: L } = c.config
      const model = modelOf(c)
      const r = stateGradNorms(model, f32(c.inputs.x), targetsOf(c), T, B, stateOf(c.inputs.h0, c.inputs.c0))
      const cmp = new Comparer()
      cmp.check('loss', r.loss, c.forward.loss)
      const sg = c.state_grads
      for (let l = 0; l < L; l++) {
        cmp.check(`dh_total_norm_over_batch[${l}]`, r.layers[l].dh.overBatch, sg.dh_total_norm_over_batch[l])
        cmp.check(`dh_total_norm_per_example[${l}]`, r.layers[l].dh.perExample, sg.dh_total_norm_per_example[l])
        if (sg.dc_total_norm_over_batch !== undefined) {
          cmp.check(`dc_total_norm_over_batch[${l}]`, r.layers[l].dc!.overBatch, sg.dc_total_norm_over_batch[l])
          cmp.check(`dc_total_norm_per_example[${l}]`, r.layers[l].dc!.perExample, sg.dc_total_norm_per_example[l])
        } else expect(r.layers[l].dc).toBeNull()
      }
      expect(cmp.failures, cmp.failures.join('\n')).toEqual([])
      expect(cmp.count).toBe(1 + L * T * (B + 1) * (sg.dc_total_norm_over_batch === undefined ? 1 : 2))
    })
  }

  it('the W_hh contribution of step t is the Frobenius norm of Σ_b dhh_{t,b} ⊗ h_{t-1,b}', () => {
    const c: Json = loadCase('gru_L2_ce.json') // GRU: dhh differs from dxw; B = 3 exercises the cross terms
    const { seq_len: T, batch: B, hidden_size: H } = c.config
    const model = modelOf(c)
    const r = stateGradNorms(model, f32(c.inputs.x), targetsOf(c), T, B, stateOf(c.inputs.h0, c.inputs.c0))
    // summed over t, the per-step terms are exactly grad.weight_hh: check one step by forming the matrix
    const s = model.layer(1), GH = 3 * H
    for (const t of [0, T - 1]) {
      let fro = 0
      for (let m = 0; m < GH; m++)
        for (let j = 0; j < H; j++) {
          let v = 0
          for (let b = 0; b < B; b++) v += s.dhhAt[t][b * GH + m] * s.hAt[t][b * H + j]
          fro += v * v
        }
      expect(r.layers[1].whh.overBatch[t]).toBeCloseTo(Math.sqrt(fro), 6)
    }
  })
})

describe('the loss of a window', () => {
  const text = [0, 3, 1, 4, 1, 5, 2, 6, 5, 3, 5, 0, 2, 6, 4, 3, 1]
  const windowOf = (T: number, B: number, offset = 0) => {
    const x = new Int32Array(T * B), targets = new Int32Array(T * B)
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) { x[t * B + b] = text[offset + b * T + t]; targets[t * B + b] = text[offset + b * T + t + 1] }
    return { x, targets, T, B }
  }

  it('last: only the last step has a direct gradient, ‖head.weightᵀ (softmax − onehot)‖', async () => {
    const model = await freshModel('lstm', 7, { hidden: 5, layers: 1, seed: 3 })
    const w = windowOf(6, 1)
    const r = inspectGradients(model, w, 'last')
    const logits = model.outputs().subarray(5 * 7, 6 * 7)
    const p = Array.from(logits, Math.exp), z = p.reduce((a, b) => a + b)
    const d = p.map((v, j) => v / z - (j === w.targets[5] ? 1 : 0))
    const W = model.params.tensors.find((t) => t.name === 'head.weight')!.data
    let s = 0
    for (let j = 0; j < 5; j++) { let g = 0; for (let k = 0; k < 7; k++) g += W[k * 5 + j] * d[k]; s += g * g }
    expect(r.series[0].dh_norm[5]).toBeCloseTo(Math.sqrt(s), 6)
    expect(r.loss).toBeCloseTo(Math.log(z) - logits[w.targets[5]], 6)
  })

  it('all: the gradient of the SUM over steps, i.e. the mean times T', async () => {
    const model = await freshModel('gru', 7, { hidden: 5, layers: 2, seed: 4 })
    const w = windowOf(6, 1)
    const r = inspectGradients(model, w, 'all')
    const raw = stateGradNorms(model, w.x, w.targets, 6, 1, model.zeroState(1))
    for (let l = 0; l < 2; l++) for (let t = 0; t < 6; t++) expect(r.series[l].dh_norm[t]).toBeCloseTo(raw.layers[l].dh.overBatch[t] * 6, 5)
    expect(r.loss).toBeCloseTo(raw.loss * 6, 5)
  })

  it('B windows in one batch average the per-window norms of separate runs', async () => {
    for (const lossAt of ['last', 'all'] as const) {
      const model = await freshModel('rnn_tanh', 7, { hidden: 6, layers: 2, seed: 5 })
      const both = inspectGradients(model, windowOf(5, 2), lossAt)
      const a = inspectGradients(model, windowOf(5, 1, 0), lossAt), b = inspectGradients(model, windowOf(5, 1, 5), lossAt)
      for (let l = 0; l < 2; l++)
        for (let t = 0; t < 5; t++) {
          expect(both.series[l].dh_norm[t]).toBeCloseTo((a.series[l].dh_norm[t] + b.series[l].dh_norm[t]) / 2, 5)
          expect(both.series[l].whh_contrib_norm[t]).toBeCloseTo((a.series[l].whh_contrib_norm[t] + b.series[l].whh_contrib_norm[t]) / 2, 5)
        }
    }
  })

  it('mse, last step: earlier steps carry no loss, the last one its mean over outputs', () => {
    const c: Json = loadCase('lstm_L1_mse.json')
    const { seq_len: T, batch: B, output_size: O } = c.config
    const model = modelOf(c)
    const w = { x: f32(c.inputs.x), targets: targetsOf(c) as Float32Array, T, B }
    const r = inspectGradients(model, w, 'last')
    const y = model.outputs().subarray((T - 1) * O, T * O), tgt = w.targets.subarray((T - 1) * O)
    let mse = 0
    for (let j = 0; j < O; j++) mse += (y[j] - tgt[j]) ** 2 / O
    expect(r.loss).toBeCloseTo(mse, 5)
    expect(r.series[0].dh_norm[T - 1]).toBeGreaterThan(0)
    expect(r.series[0].dc_norm).toHaveLength(T)
  })
})

describe('decay fit', () => {
  it('recovers an exact geometric series, going back in time', () => {
    const norms = Array.from({ length: 30 }, (_, t) => 2 * 0.8 ** (29 - t))
    const f = fitDecay(norms)!
    expect(f.factor).toBeCloseTo(0.8, 10)
    expect(f.steps).toBeCloseTo(Math.LN2 / -Math.log(0.8), 8) // half-life ≈ 3.1 steps
    expect(f.points).toBe(30)
  })

  it('reports growth as a factor above 1, and skips zeros', () => {
    const f = fitDecay([8, 0, 2, 1])!
    expect(f.points).toBe(3)
    expect(f.factor).toBeGreaterThan(1)
    expect(fitDecay([0, 0, 1])).toBeNull()
  })

  it('flags vanishing, growing and non-finite series', () => {
    const vanish = summarize(Array.from({ length: 40 }, (_, t) => 0.5 ** (39 - t)))
    expect(vanish.vanishing).toBe(true)
    expect(vanish.exploding).toBe(false)
    const grow = summarize([4, 2, 1])
    expect(grow.exploding).toBe(true)
    expect(grow.vanishing).toBe(false)
    const nan = summarize([1, NaN, 1])
    expect(nan.nonFinite && nan.exploding).toBe(true)
  })
})

describe('chart renderer', () => {
  const plain = new Chalk({ level: 0 })
  const width = (lines: string[]) => Math.max(...lines.map((l) => [...l].length))

  for (const T of [1, 7, 40, 71, 100, 1000]) {
    it(`a log chart of ${T} steps fits 80 columns without colour`, () => {
      const values = Array.from({ length: T }, (_, t) => 1e-9 * 10 ** ((9 * t) / Math.max(1, T - 1)))
      const lines = logChart(values, { chalk: plain })
      expect(width(lines)).toBeLessThanOrEqual(80)
      expect(lines.join('\n')).not.toMatch(/\x1b/) // eslint-disable-line no-control-regex
      expect(width([sparkLine('W_hh', values, { chalk: plain })])).toBeLessThanOrEqual(80)
    })
  }

  it('draws taller columns for larger values and marks non-finite ones', () => {
    const lines = logChart([1e-6, 1e-3, 1, NaN, 0], { chalk: plain, height: 6 })
    const plot = lines.slice(0, 6).map((l) => [...l.slice(l.indexOf('┤') + 1)])
    const height = (k: number) => plot.filter((row) => row[k] !== undefined && row[k] !== ' ' && row[k] !== '·').length
    expect(height(0)).toBeLessThan(height(1))
    expect(height(1)).toBeLessThan(height(2))
    expect(plot[0][3]).toBe('!')
    expect(plot[5][4]).toBe('·')
    expect(lines[0]).toContain('1e0')
    expect(lines[5]).toContain('1e-6')
  })

  it('buckets long series into at most the columns available', () => {
    expect(columnsFor(100, 71)).toEqual({ T: 100, per: 2, cols: 50 })
    expect(columnsFor(40, 71)).toEqual({ T: 40, per: 1, cols: 40 })
    expect(logRange([[0, 3e-5, 0.2]])).toEqual({ lo: -5, hi: 0 })
  })

  it('heat cells show the sign without colour', () => {
    expect(heatCell(0.9, plain)).toBe('+█')
    expect(heatCell(-0.3, plain)).toBe('-▒')
    expect(heatCell(0.01, plain)).toBe(' ·')
  })
})
