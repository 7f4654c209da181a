/**
 * src/inspect/gradients.ts against PyTorch: the per-step norms of the total state gradients for every golden
 * forward_backward case; the same gradients against finite differences of the loss in the hidden (and
 * cell) state between two chunks; then the loss scaling (last step / sum over steps, windows as a batch),
 * the decay fit and the chart renderer.
 */
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import type { CellKind } from '../../src/engine/cells/cell.ts'
import { gradCheck, gradCheckFailures, type GradCheckResult } from '../../src/engine/gradcheck.ts'
import { allocParams } from '../../src/engine/params.ts'
import { createRng } from '../../src/engine/rng.ts'
import { fitDecay, inspectGradients, stateGradNorms, summarize } from '../../src/inspect/gradients.ts'
import { freshModel } from '../../src/inspect/source.ts'
import { Model } from '../../src/model/model.ts'
import { paramSpecs } from '../../src/model/spec.ts'
import { columnsFor, heatCell, logChart, logRange, sparkLine } from '../../src/report/chart.ts'
import { Comparer, f32, goldenIndex, loadCase, modelOf, stateOf, targetsOf, type Json } from '../helpers/golden.ts'

const cases = goldenIndex().filter((e) => e.kind === 'forward_backward')
/** A character model's input and output: V symbols, one-hot in, cross-entropy out. */
const textIO = (V: number) => ({ input_size: V, output_size: V, input: 'one_hot', loss: 'cross_entropy' }) as const

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

/*
 * The acceptance check of issue 5: is dh_total[t], the value inspect-gradients charts, really dL/dh_t?
 *
 * Model.forward carries h and c in its state argument, so steps [0, t] then [t+1, T) as two chunks are
 * the same computation as one pass, with h_t and c_t of every layer exposed in between. Perturbing layer
 * l's h_t there moves it only where step t+1 of layer l reads it, not where the head (top layer) or
 * layer l+1 reads it at step t. So the central difference is the RECURRENT part of dh_total[t], and the
 * rest, the direct part, is exactly what the engine holds in dh before its BPTT (Model.onDirectGrad):
 *
 *   numeric  =  dh_total[t] − direct[t]
 *
 * With the loss at the last step only, the head reads nothing before step T-1, so for the top layer the
 * direct part is 0 there and the numeric derivative is the reported dh_total[t] itself (checked against
 * inspectGradients' norms too). For an LSTM, perturbing c_t moves it only into c_{t+1}, not into
 * h_t = o_t ⊙ tanh(c_t):  numeric = dc_total[t] − dh_total[t] ⊙ o_t ⊙ (1 − tanh² c_t).
 */
describe('dL/dh_t and dL/dc_t against finite differences of the state between two chunks', () => {
  const T = 9, B = 3, V = 7, H = 5 // small, odd and pairwise different
  const EPS = 3e-3, ATOL = 1e-4, RTOL = 1e-2 // as in test/engine/gradcheck.test.ts
  const STEPS = [0, 3, T - 2] // t = T-1 has no later step: its recurrent part is 0

  function setup(cell: CellKind, L: number, seed: number) {
    const spec = { cell, input_size: V, hidden_size: H, num_layers: L, output_size: V, input: 'one_hot', loss: 'cross_entropy' } as const
    const rng = createRng(seed)
    const params = allocParams(paramSpecs(spec))
    // about twice PyTorch's bound, so gates leave their linear regime and gradients several steps back are not tiny
    for (let i = 0; i < params.data.length; i++) params.data[i] = rng.uniform(-0.8, 0.8)
    const x = Int32Array.from({ length: T * B }, () => rng.int(V))
    const y = Int32Array.from({ length: T * B }, () => rng.int(V))
    return { model: new Model(spec, params), x, y }
  }

  const counted = (y: Int32Array) => y.reduce((n, v) => n + (v >= 0 ? 1 : 0), 0)

  /** One backward from a zero state; per layer the total dh, dc, the direct dh, and what dc's h-path needs. */
  function analytic(model: Model, x: Int32Array, y: Int32Array) {
    const direct: Float32Array[] = []
    model.onDirectGrad = (l, dh) => { direct[l] = dh.slice() }
    stateGradNorms(model, x, y, T, B, model.zeroState(B))
    model.onDirectGrad = null
    return Array.from({ length: model.spec.num_layers }, (_, l) => {
      const s = model.layer(l)
      return { dh: s.dh.slice(), dc: s.dc.slice(), direct: direct[l], gates: s.cache.slice(), c: s.c.slice() }
    })
  }

  /** Central differences of the loss in layer l's h_t (or c_t) between the chunks [0, t] and [t+1, T). */
  function recurrentCheck(model: Model, x: Int32Array, y: Int32Array, t: number, l: number, which: 'h' | 'c', expected: Float32Array): GradCheckResult[] {
    const BH = B * H
    const state = model.zeroState(B)
    model.forward(x.subarray(0, (t + 1) * B), null, t + 1, B, state)
    const x2 = x.subarray((t + 1) * B), y2 = y.subarray((t + 1) * B)
    // the engine's loss is a mean over the counted positions; the second chunk's is over its own
    const share = counted(y2) / counted(y)
    const buf = which === 'h' ? state.h : state.c!
    const grad = new Float32Array(buf.length)
    grad.set(expected, l * BH)
    return gradCheck({
      params: buf, grad, eps: EPS,
      indices: Array.from({ length: BH }, (_, i) => l * BH + i),
      lossAt: () => model.forward(x2, y2, T - t - 1, B, { h: state.h.slice(), c: state.c?.slice() ?? null }) * share,
    })
  }

  const at = (v: Float32Array, t: number) => v.subarray(t * B * H, (t + 1) * B * H)
  const minus = (a: Float32Array, b: Float32Array) => a.map((v, i) => v - b[i])

  /** dc_total[t] − dh_total[t] ⊙ o_t ⊙ (1 − tanh² c_t): the part of dc_t that flows into c_{t+1}. */
  function dcRecurrent(a: ReturnType<typeof analytic>[number], t: number): Float32Array {
    const out = new Float32Array(B * H)
    for (let b = 0; b < B; b++)
      for (let j = 0; j < H; j++) {
        const i = b * H + j
        const o = a.gates[(t * B + b) * 4 * H + 3 * H + j], th = Math.tanh(a.c[(t + 1) * B * H + i])
        out[i] = a.dc[t * B * H + i] - a.dh[t * B * H + i] * o * (1 - th * th)
      }
    return out
  }

  let seed = 100
  for (const cell of ['rnn_tanh', 'lstm', 'gru'] as const)
    for (const L of [1, 2])
      for (const lossAt of ['last', 'all'] as const) {
        const s0 = seed++
        it(`${cell} L=${L}, loss at ${lossAt}`, () => {
          const { model, x, y } = setup(cell, L, s0)
          const targets = lossAt === 'all' ? y : y.map((v, i) => (i < (T - 1) * B ? -1 : v))
          const layers = analytic(model, x, targets)
          const failures: string[] = []
          let biggest = 0, checked = 0
          const record = (label: string, results: GradCheckResult[]) => {
            for (const k of results) { biggest = Math.max(biggest, Math.abs(k.analytic)); checked++ }
            for (const k of gradCheckFailures(results, ATOL, RTOL)) failures.push(`${label}[${k.index}]: analytic ${k.analytic}, numeric ${k.numeric}`)
          }
          const reported = lossAt === 'last' ? inspectGradients(model, { x, targets: y, T, B }, 'last').series : null
          for (const t of STEPS)
            for (let l = 0; l < L; l++) {
              const a = layers[l]
              const hResults = recurrentCheck(model, x, targets, t, l, 'h', minus(at(a.dh, t), at(a.direct, t)))
              record(`dh l${l} t${t}`, hResults)
              if (reported !== null && l === L - 1) {
                // nothing reads the top layer's h_t directly before the last step: the numbers are the total
                expect(at(a.direct, t).every((v) => v === 0)).toBe(true)
                let mean = 0
                for (let b = 0; b < B; b++) mean += Math.hypot(...hResults.slice(b * H, (b + 1) * H).map((k) => k.numeric)) / B
                // inspect-gradients reports the last-step loss S = B × the engine's mean over B positions
                expect(Math.abs(mean * B - reported[l].dh_norm[t])).toBeLessThan(ATOL * B + RTOL * reported[l].dh_norm[t])
              }
              if (cell === 'lstm') record(`dc l${l} t${t}`, recurrentCheck(model, x, targets, t, l, 'c', dcRecurrent(a, t)))
            }
          expect(failures, failures.join('\n')).toEqual([])
          expect(checked).toBe(STEPS.length * L * B * H * (cell === 'lstm' ? 2 : 1))
          expect(biggest, 'gradients too small to tell anything').toBeGreaterThan(1e-2)
        })
      }

  it('fails for a wrong dh_total: a neighbouring step, the direct part left in, or 3% off', () => {
    const { model, x, y } = setup('gru', 2, 7)
    const layers = analytic(model, x, y)
    const t = 3, a = layers[0]
    const bad = (expected: Float32Array) => gradCheckFailures(recurrentCheck(model, x, y, t, 0, 'h', expected), ATOL, RTOL).length
    expect(bad(minus(at(a.dh, t), at(a.direct, t)))).toBe(0)
    expect(bad(minus(at(a.dh, t + 1), at(a.direct, t + 1)))).toBeGreaterThan(0)
    expect(bad(at(a.dh, t))).toBeGreaterThan(0)
    expect(bad(minus(at(a.dh, t), at(a.direct, t)).map((v) => v * 1.03))).toBeGreaterThan(0)
  })

  it('fails for a wrong dc_total: its path into h_t left in, or 3% off', () => {
    const { model, x, y } = setup('lstm', 1, 8)
    const layers = analytic(model, x, y)
    const t = 2, a = layers[0]
    const bad = (expected: Float32Array) => gradCheckFailures(recurrentCheck(model, x, y, t, 0, 'c', expected), ATOL, RTOL).length
    expect(bad(dcRecurrent(a, t))).toBe(0)
    expect(bad(at(a.dc, t))).toBeGreaterThan(0)
    expect(bad(dcRecurrent(a, t).map((v) => v * 1.03))).toBeGreaterThan(0)
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
    const model = await freshModel('lstm', textIO(7), { hidden: 5, layers: 1, seed: 3 })
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
    const model = await freshModel('gru', textIO(7), { hidden: 5, layers: 2, seed: 4 })
    const w = windowOf(6, 1)
    const r = inspectGradients(model, w, 'all')
    const raw = stateGradNorms(model, w.x, w.targets, 6, 1, model.zeroState(1))
    for (let l = 0; l < 2; l++) for (let t = 0; t < 6; t++) expect(r.series[l].dh_norm[t]).toBeCloseTo(raw.layers[l].dh.overBatch[t] * 6, 5)
    expect(r.loss).toBeCloseTo(raw.loss * 6, 5)
  })

  it('B windows in one batch average the per-window norms of separate runs', async () => {
    for (const lossAt of ['last', 'all'] as const) {
      const model = await freshModel('rnn_tanh', textIO(7), { hidden: 6, layers: 2, seed: 5 })
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
    // the loss of a window is its last step's mean over the O outputs, averaged over the B windows
    const y = model.outputs().subarray((T - 1) * B * O, T * B * O), tgt = w.targets.subarray((T - 1) * B * O)
    let mse = 0
    for (let j = 0; j < B * O; j++) mse += (y[j] - tgt[j]) ** 2 / (B * O)
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
