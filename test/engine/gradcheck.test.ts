/**
 * model.backward() against central differences of model.forward(), for every cell, 1 and 2 layers and
 * every input/loss pairing (ids one-hot or through an nn.Embedding, dense values): a sample of entries of every parameter tensor, of dL/dx (dense input) and of
 * dL/dh0 (and dL/dc0 for LSTM, dL/dŷ_{-1} for the Jordan cell, whose gradients also run back through the
 * softmax of every earlier output) through a non-zero initial state; then the same in train mode with dropout.
 * There is no PyTorch module for the Jordan cell, so these differences are its reference.
 * Sizes are small, odd and pairwise different so a transposed index or a swapped dimension cannot cancel out.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { CELL_KINDS, type CellKind } from '../../src/engine/cells/cell.ts'
import { gradCheck, gradCheckFailures, sampleIndices, type GradCheckResult } from '../../src/engine/gradcheck.ts'
import { allocParams } from '../../src/engine/params.ts'
import { createRng, type Rng } from '../../src/engine/rng.ts'
import { Model } from '../../src/model/model.ts'
import { paramSpecs, type ModelSpec } from '../../src/model/spec.ts'

const T = 5, B = 3, I = 7, H = 6, O = 4
const EPS = 3e-3
// Measured float32 noise plus O(ε²) truncation stays well under this; a gradient that is off by a few
// percent (a dropped term, a wrong gate derivative) does not.
const ATOL = 1e-4, RTOL = 1e-2
const PER_TENSOR = 10

type IO = Pick<ModelSpec, 'input' | 'loss' | 'embedding_dim'>
const E = 2 // an embedding's width, different from every other size
const IOS: IO[] = [
  { input: 'one_hot', loss: 'cross_entropy' },
  { input: 'one_hot', loss: 'cross_entropy', embedding_dim: E },
  { input: 'dense', loss: 'cross_entropy' },
  { input: 'dense', loss: 'mse' },
]

interface Setup {
  model: Model
  x: Int32Array | Float32Array
  targets: Int32Array | Float32Array
  /** Initial state [L][B][H]; lossAt copies it, since forward overwrites the state it is given. */
  h0: Float32Array
  c0: Float32Array | null
  /** The Jordan cell's carried output ŷ_{-1} [B][O] (a distribution for cross-entropy), else null. */
  y0: Float32Array | null
  lossAt: () => number
}

function fill(a: Float32Array, rng: Rng, bound: number): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-bound, bound)
  return a
}

function setup(cell: CellKind, L: number, io: IO, seed: number, dropout = 0, unknownId = false): Setup {
  const spec: ModelSpec = { cell, input_size: I, hidden_size: H, num_layers: L, output_size: O, ...io }
  const rng = createRng(seed)
  const params = allocParams(paramSpecs(spec))
  // about twice PyTorch's U(±1/√H) bound, so gates leave their linear regime and gradients are not tiny
  fill(params.data, rng, 0.8)
  const model = new Model(spec, params)
  const N = T * B
  let x: Int32Array | Float32Array
  if (io.input === 'one_hot') {
    x = Int32Array.from({ length: N }, () => rng.int(I))
    if (unknownId) x[4] = -1 // an unknown character reads as the zero vector
  } else x = fill(new Float32Array(N * I), rng, 1)
  let targets: Int32Array | Float32Array
  if (io.loss === 'cross_entropy') {
    targets = Int32Array.from({ length: N }, () => rng.int(O))
    targets[7] = -1 // ignored position: contributes neither loss nor gradient
  } else targets = fill(new Float32Array(N * O), rng, 1)
  const h0 = fill(new Float32Array(L * B * H), rng, 0.7)
  const c0 = cell === 'lstm' ? fill(new Float32Array(L * B * H), rng, 0.7) : null
  const y0 = cell === 'jordan' ? carriedOutput(rng, io.loss) : null
  const dropRng = createRng(seed + 1000)
  const dropState = dropRng.getState()
  if (dropout > 0) { model.dropout = dropout; model.rng = dropRng }
  const lossAt = () => {
    // the same mask on every call, so the loss is a smooth function of the inputs being perturbed
    dropRng.setState(dropState)
    return model.forward(x, targets, T, B, stateOf(h0, c0, y0), dropout > 0)
  }
  return { model, x, targets, h0, c0, y0, lossAt }
}

/** Copies, since forward overwrites the state it is given. */
function stateOf(h0: Float32Array, c0: Float32Array | null, y0: Float32Array | null) {
  return { h: h0.slice(), c: c0?.slice() ?? null, y: y0?.slice() ?? null }
}

/** A Jordan network's ŷ_{-1}: rows of a softmax for cross-entropy, any values for MSE. */
function carriedOutput(rng: Rng, loss: ModelSpec['loss']): Float32Array {
  const y = fill(new Float32Array(B * O), rng, 1)
  if (loss === 'mse') return y
  for (let b = 0; b < B; b++) {
    let sum = 0
    for (let j = 0; j < O; j++) { y[b * O + j] = Math.exp(y[b * O + j]); sum += y[b * O + j] }
    for (let j = 0; j < O; j++) y[b * O + j] /= sum
  }
  return y
}

interface Checked { label: string; results: GradCheckResult[] }

/** One backward at the unperturbed point, then finite differences for a sample of everything. */
function checkAll(s: Setup, seed: number): Checked[] {
  const { model, lossAt } = s
  const { params, spec } = model
  const L = spec.num_layers, BH = B * H
  params.grad.fill(0)
  lossAt()
  model.backward()
  const dh0 = new Float32Array(L * BH), dc0 = new Float32Array(L * BH)
  for (let l = 0; l < L; l++) { dh0.set(model.layer(l).dh0, l * BH); if (s.c0 !== null) dc0.set(model.layer(l).dc0, l * BH) }
  const dx = model.inputGrad().slice()
  const dy0 = s.y0 !== null ? model.outputStateGrad().slice() : null
  const pick = createRng(seed + 2000)
  const out: Checked[] = []
  const base = params.data.byteOffset
  for (const t of params.tensors) {
    const offset = (t.data.byteOffset - base) / 4
    const indices = sampleIndices(pick, t.data.length, PER_TENSOR, offset)
    out.push({ label: t.name, results: gradCheck({ params: params.data, grad: params.grad, lossAt, indices, eps: EPS }) })
  }
  const sample = (n: number) => sampleIndices(pick, n, PER_TENSOR)
  out.push({ label: 'h0', results: gradCheck({ params: s.h0, grad: dh0, lossAt, indices: sample(s.h0.length), eps: EPS }) })
  if (s.c0 !== null) out.push({ label: 'c0', results: gradCheck({ params: s.c0, grad: dc0, lossAt, indices: sample(s.c0.length), eps: EPS }) })
  if (s.y0 !== null) out.push({ label: 'y0', results: gradCheck({ params: s.y0, grad: dy0!, lossAt, indices: sample(s.y0.length), eps: EPS }) })
  if (s.x instanceof Float32Array) out.push({ label: 'x', results: gradCheck({ params: s.x, grad: dx, lossAt, indices: sample(s.x.length), eps: EPS }) })
  return out
}

const worstPerCell = new Map<string, number>()

/** Asserts every entry within tolerance and some gradient non-trivial; logs the worst relErr. */
function expectAgreement(name: string, cell: CellKind, checked: Checked[]): void {
  let worst = 0, where = '', biggest = 0
  const failures: string[] = []
  for (const { label, results } of checked) {
    expect(results.length, label).toBeGreaterThan(0)
    for (const r of results) {
      biggest = Math.max(biggest, Math.abs(r.analytic))
      // relative error is only meaningful where the gradient stands above the absolute floor
      if (Math.max(Math.abs(r.analytic), Math.abs(r.numeric)) >= ATOL / RTOL && r.relErr > worst) { worst = r.relErr; where = `${label}[${r.index}]` }
    }
    for (const r of gradCheckFailures(results, ATOL, RTOL))
      failures.push(`${label}[${r.index}]: analytic ${r.analytic}, numeric ${r.numeric}, |diff| ${r.absErr.toExponential(2)}`)
  }
  console.log(`${name}: worst relative error ${worst.toExponential(2)} at ${where}`)
  worstPerCell.set(cell, Math.max(worstPerCell.get(cell) ?? 0, worst))
  expect(failures, failures.join('\n')).toEqual([])
  expect(biggest, 'gradients too small to tell anything').toBeGreaterThan(1e-2)
}

afterAll(() => {
  for (const [cell, w] of worstPerCell) console.log(`gradcheck worst relative error, ${cell}: ${w.toExponential(2)}`)
})

describe('finite differences agree with backward()', () => {
  // the embedding cases draw from seeds of their own, so adding them left the others' draws as they were
  let seed = 1, embedSeed = 500
  for (const cell of CELL_KINDS)
    for (const L of [1, 2])
      for (const io of IOS) {
        const s = io.embedding_dim !== undefined ? embedSeed++ : seed++
        const name = `${cell} L=${L} ${io.input}${io.embedding_dim !== undefined ? ' embedding' : ''} ${io.loss}`
        it(name, () => expectAgreement(name, cell, checkAll(setup(cell, L, io, s), s)))
      }
})

describe('finite differences with dropout (train mode, fixed mask)', () => {
  for (const cell of CELL_KINDS) {
    const name = `${cell} L=2 dropout 0.3`
    it(name, () => {
      const s = setup(cell, 2, IOS[2], 77, 0.3)
      const train = s.lossAt()
      const evalLoss = s.model.forward(s.x, s.targets, T, B, stateOf(s.h0, s.c0, s.y0), false)
      expect(evalLoss).not.toBe(train) // the mask is really applied in train mode
      expect(s.lossAt()).toBe(train) // and reproduced on every call
      expectAgreement(name, cell, checkAll(s, 77))
    })
  }
})

// An unknown character (id -1, eval only) reads as the zero vector, so its position still contributes to
// dL/db_ih through the bias: every tensor must agree, bias_ih_l0 included.
it('an unknown input id (-1) is the zero vector: gradients still agree, bias_ih included', () => {
  const s = setup('rnn_tanh', 1, IOS[0], 3, 0, true)
  const checked = checkAll(s, 3)
  const bad = checked.filter((c) => gradCheckFailures(c.results, ATOL, RTOL).length > 0).map((c) => c.label)
  expect(bad).toEqual([])
  expect(checked.find((c) => c.label === 'bias_ih_l0')!.results.length).toBe(H)
})

describe('the checker itself', () => {
  it('restores every perturbed entry bit for bit', () => {
    const s = setup('lstm', 2, IOS[2], 5)
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))
    const buffers = [s.model.params.data, s.x as Float32Array, s.h0, s.c0 ?? new Float32Array(0)]
    const before = buffers.map(bits)
    checkAll(s, 5)
    expect(buffers.map(bits)).toEqual(before)
  })

  it('flags a gradient of about 0.01 that is 5% off', () => {
    const s = setup('gru', 1, IOS[3], 6)
    s.model.params.grad.fill(0)
    s.lossAt()
    s.model.backward()
    const g = s.model.params.grad
    // at |g| = 0.01 the tolerance is 2e-4 and the error 5e-4: the small end of what the grid must catch
    let i = 0
    for (let k = 1; k < g.length; k++) if (Math.abs(Math.abs(g[k]) - 0.01) < Math.abs(Math.abs(g[i]) - 0.01)) i = k
    expect(Math.abs(g[i])).toBeCloseTo(0.01, 3)
    g[i] *= 1.05
    const results = gradCheck({ params: s.model.params.data, grad: g, lossAt: s.lossAt, indices: [i] })
    expect(gradCheckFailures(results, ATOL, RTOL).map((r) => r.index)).toEqual([i])
  })

  it('samples distinct sorted indices within range, reproducibly', () => {
    const a = sampleIndices(createRng(3), 50, 10, 100)
    expect(a).toEqual(sampleIndices(createRng(3), 50, 10, 100))
    expect(new Set(a).size).toBe(10)
    expect(a).toEqual([...a].sort((p, q) => p - q))
    for (const v of a) expect(v >= 100 && v < 150).toBe(true)
    expect(sampleIndices(createRng(3), 4, 10)).toEqual([0, 1, 2, 3])
  })
})
