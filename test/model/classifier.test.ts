/**
 * The classifier's pooled head: backward() against central differences for each --pool (padded batches
 * with different lengths, class weights on), and masking: a padded batch gives the sequences' results one
 * by one (loss, logits and every gradient within 1e-6).
 */
import { describe, expect, it } from 'vitest'
import { CELL_KINDS, type CellKind } from '../../src/engine/cells/cell.ts'
import { gradCheck, gradCheckFailures, sampleIndices } from '../../src/engine/gradcheck.ts'
import { allocParams } from '../../src/engine/params.ts'
import { createRng } from '../../src/engine/rng.ts'
import { Model } from '../../src/model/model.ts'
import { classCrossEntropy, POOLS, type Pool } from '../../src/model/pool.ts'
import { paramSpecs, type ModelSpec } from '../../src/model/spec.ts'

const T = 6, B = 4, I = 7, H = 5, C = 3
const LENGTHS = Int32Array.from([6, 2, 4, 1])
const ATOL = 1e-4, RTOL = 1e-2

function make(cell: CellKind, pool: Pool, L: number, seed: number) {
  const spec: ModelSpec = { cell, input_size: I, hidden_size: H, num_layers: L, output_size: C, input: 'one_hot', loss: 'cross_entropy', pool }
  const rng = createRng(seed)
  const params = allocParams(paramSpecs(spec))
  for (let i = 0; i < params.data.length; i++) params.data[i] = rng.uniform(-0.8, 0.8)
  const model = new Model(spec, params)
  // padding is -1 (the zero vector); a different value must not matter either, checked below
  const x = new Int32Array(T * B).fill(-1)
  for (let b = 0; b < B; b++) for (let t = 0; t < LENGTHS[b]; t++) x[t * B + b] = rng.int(I)
  const labels = Int32Array.from([0, 2, 1, 2])
  return { model, x, labels, spec }
}

describe('finite differences agree with backward() for each --pool', () => {
  let seed = 10
  for (const pool of POOLS)
    // a Jordan network feeds back an output at every step, which a classifier does not have (refused by rnn train)
    for (const cell of CELL_KINDS.filter((c) => c !== 'jordan')) {
      const s = seed++
      it(`${pool} ${cell}`, () => {
        const { model, x, labels } = make(cell, pool, cell === 'lstm' ? 2 : 1, s)
        model.classWeights = Float32Array.from([0.5, 1, 2])
        const lossAt = () => model.forward(x, labels, T, B, model.zeroState(B), false, LENGTHS)
        const { params } = model
        params.grad.fill(0)
        lossAt()
        model.backward()
        const pick = createRng(s + 100)
        let biggest = 0
        const failures: string[] = []
        for (const t of params.tensors) {
          const offset = (t.data.byteOffset - params.data.byteOffset) / 4
          const results = gradCheck({ params: params.data, grad: params.grad, lossAt, indices: sampleIndices(pick, t.data.length, 12, offset) })
          for (const r of results) biggest = Math.max(biggest, Math.abs(r.analytic))
          for (const r of gradCheckFailures(results, ATOL, RTOL)) failures.push(`${t.name}[${r.index}]: ${r.analytic} vs ${r.numeric}`)
        }
        expect(failures, failures.join('\n')).toEqual([])
        expect(biggest).toBeGreaterThan(1e-2)
      })
    }
})

describe('masking: a padded batch equals the sequences one by one', () => {
  for (const pool of POOLS)
    for (const cell of ['lstm', 'gru', 'rnn_tanh'] as const) {
      it(`${pool} ${cell}`, () => {
        const { model, x, labels } = make(cell, pool, 2, 7)
        const { params } = model
        params.grad.fill(0)
        const loss = model.forward(x, labels, T, B, model.zeroState(B), false, LENGTHS)
        const logits = model.outputs().slice()
        model.backward()
        const batchGrad = params.grad.slice()
        // one by one, each exactly as long as it is: the mean of their losses and gradients
        const sumGrad = new Float64Array(params.grad.length)
        let sumLoss = 0
        for (let b = 0; b < B; b++) {
          const len = LENGTHS[b]
          const xb = Int32Array.from({ length: len }, (_, t) => x[t * B + b])
          params.grad.fill(0)
          sumLoss += model.forward(xb, labels.subarray(b, b + 1), len, 1, model.zeroState(1))
          for (let c = 0; c < C; c++) expect(Math.abs(model.outputs()[c] - logits[b * C + c])).toBeLessThan(1e-6)
          model.backward()
          for (let i = 0; i < sumGrad.length; i++) sumGrad[i] += params.grad[i]
        }
        expect(Math.abs(sumLoss / B - loss)).toBeLessThan(1e-6)
        let worst = 0
        for (let i = 0; i < sumGrad.length; i++) worst = Math.max(worst, Math.abs(sumGrad[i] / B - batchGrad[i]))
        expect(worst).toBeLessThan(1e-6)
        expect(Math.max(...batchGrad.map(Math.abs))).toBeGreaterThan(1e-3)
        // what the padded steps hold does not matter either
        const other = x.slice()
        for (let b = 0; b < B; b++) for (let t = LENGTHS[b]; t < T; t++) other[t * B + b] = (t + b) % I
        params.grad.fill(0)
        expect(model.forward(other, labels, T, B, model.zeroState(B), false, LENGTHS)).toBe(loss)
        model.backward()
        expect(Array.from(params.grad)).toEqual(Array.from(batchGrad))
      })
    }
})

it('class-weighted cross-entropy: a hand-computed case', () => {
  // logits (0, ln 3) label 1: p = 3/4, CE = ln(4/3); logits (0, 0) label 0: CE = ln 2; weights 2 and 1
  const logits = Float32Array.from([0, Math.log(3), 0, 0])
  const d = new Float32Array(4)
  const loss = classCrossEntropy(logits, Int32Array.from([1, 0]), 2, 2, Float32Array.from([1, 2]), d)
  expect(loss).toBeCloseTo((2 * Math.log(4 / 3) + Math.log(2)) / 3, 6)
  expect(Array.from(d).map((v) => Number(v.toFixed(6)))).toEqual([0.166667, -0.166667, -0.166667, 0.166667])
})
