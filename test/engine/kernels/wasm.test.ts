/**
 * The wasm kernels against the naive references (products) and the js kernels (point-wise steps, one-hot
 * layer) on sizes that leave every fringe of the 4×8 tiles and the 4-wide gate loops: 1, 3, 5, 7, 13, 64,
 * 65, 130, none of N, K, M a multiple of 4 or 8 at once. Arrays live in wasm memory (the fast path), and
 * once more on the JS heap (the copy path). Sums run in float32 there, in float64 in the references, so
 * agreement is to float32 rounding of the sum of |terms|, not bitwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kernelName, kernels, preparedSize, setKernels, type Kernels } from '../../../src/engine/kernels/index.ts'
import { matmulBackwardWNaive, matmulBackwardXNaive, matmulNaive } from '../../../src/engine/kernels/js.ts'
import { allocF32, freeF32, heapMemory, inHeap } from '../../../src/engine/memory.ts'
import { allocParams } from '../../../src/engine/params.ts'
import { createRng, type Rng } from '../../../src/engine/rng.ts'
import { initParams } from '../../../src/model/init.ts'
import { Model } from '../../../src/model/model.ts'
import { paramSpecs, type ModelSpec } from '../../../src/model/spec.ts'

const SIZES = [1, 3, 5, 7, 13, 64, 65, 130]
const SHAPES: [number, number, number][] = []
for (const s of SIZES) SHAPES.push([s, 7, 13], [13, s, 5], [5, 3, s])
SHAPES.push([1, 130, 65], [2, 5, 9], [3, 64, 130], [130, 65, 13], [65, 130, 7], [7, 13, 130], [33, 64, 65], [64, 64, 64], [130, 130, 130], [131, 13, 129])

const before = kernelName()
let W: Kernels, J: Kernels
beforeAll(() => { setKernels('js'); J = kernels(); setKernels('wasm'); W = kernels() })
afterAll(() => setKernels(before))

type Place = 'wasm memory' | 'JS heap'
function rand(rng: Rng, n: number, where: Place = 'wasm memory', lo = -1, hi = 1): Float32Array {
  const a = where === 'wasm memory' ? allocF32(n) : new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi)
  return a
}
const copy = (a: Float32Array, where: Place = 'wasm memory') => { const b = where === 'wasm memory' ? allocF32(a.length) : new Float32Array(a.length); b.set(a); return b }
const abs = (a: Float32Array) => a.map(Math.abs)

/** |got − want| ≤ atol + rtol·scale[i] everywhere (scale: Σ|terms| of the entry, or |want|). */
function expectClose(got: Float32Array, want: Float32Array, scale: Float32Array, label: string, rtol = 1e-5, atol = 1e-6): void {
  expect(got.length, label).toBe(want.length)
  let worst = 0, where = -1
  for (let i = 0; i < got.length; i++) {
    const excess = Math.abs(got[i] - want[i]) / (atol + rtol * scale[i])
    if (!(excess <= worst)) { worst = excess; where = i }
  }
  expect(worst, `${label}: worst at ${where}: got ${got[where]}, want ${want[where]}`).toBeLessThanOrEqual(1)
}

describe.each(['wasm memory', 'JS heap'] as Place[])('products, arrays in %s', (place) => {
  it('allocF32 places arrays where the test expects', () => {
    expect(inHeap(rand(createRng(1), 8))).toBe(true)
    expect(inHeap(new Float32Array(8))).toBe(false)
  })
  describe.each(SHAPES)('N=%i K=%i M=%i', (N, K, M) => {
    const rng = createRng(N * 10007 + K * 101 + M)
    const x = rand(rng, N * K, place), w = rand(rng, M * K, place), b = rand(rng, M, place), dout = rand(rng, N * M, place)

    it('matmul (bias and null bias), matmulAdd and the prepared-weight twins', () => {
      const scale = new Float32Array(N * M), want = new Float32Array(N * M), start = rand(rng, N * M, place)
      for (const bias of [b, null]) {
        matmulNaive(want, x, w, bias, N, K, M)
        matmulNaive(scale, abs(x), abs(w), bias === null ? null : abs(bias), N, K, M)
        const got = copy(start, place).fill(NaN) // overwritten, not accumulated
        W.matmul(got, x, w, bias, N, K, M)
        expectClose(got, want, scale, `matmul bias ${bias === null ? 'null' : 'set'}`)
        const wp = rand(rng, preparedSize(M, K), place)
        W.prepareForward(wp, w, M, K)
        const got2 = copy(start, place).fill(NaN)
        W.matmulPrepared(got2, x, w, wp, bias, N, K, M)
        expectClose(got2, want, scale, 'matmulPrepared')
      }
      matmulNaive(want, x, w, null, N, K, M)
      for (let i = 0; i < want.length; i++) { want[i] += start[i]; scale[i] += Math.abs(start[i]) }
      const acc = copy(start, place)
      W.matmulAdd(acc, x, w, N, K, M)
      expectClose(acc, want, scale, 'matmulAdd +=')
      const wp = rand(rng, preparedSize(M, K), place)
      W.prepareForward(wp, w, M, K)
      const acc2 = copy(start, place)
      W.matmulAddPrepared(acc2, x, w, wp, N, K, M)
      expectClose(acc2, want, scale, 'matmulAddPrepared +=')
    })

    it('matmulBackwardX accumulates dout · w', () => {
      const start = rand(rng, N * K, place), want = copy(start, 'JS heap'), scale = abs(start)
      matmulBackwardXNaive(want, dout, w, N, K, M)
      matmulBackwardXNaive(scale, abs(dout), abs(w), N, K, M)
      const got = copy(start, place)
      W.matmulBackwardX(got, dout, w, N, K, M)
      expectClose(got, want, scale, 'dx +=')
      const wp = rand(rng, preparedSize(M, K), place), got2 = copy(start, place)
      W.prepareBackward(wp, w, M, K)
      W.matmulBackwardXPrepared(got2, dout, w, wp, N, K, M)
      expectClose(got2, want, scale, 'dx += (prepared)')
    })

    it('matmulBackwardW accumulates doutᵀ · x and the bias gradient, or skips a null db', () => {
      const dw0 = rand(rng, M * K, place), db0 = rand(rng, M, place)
      const wantW = copy(dw0, 'JS heap'), wantB = copy(db0, 'JS heap'), sW = abs(dw0), sB = abs(db0)
      matmulBackwardWNaive(wantW, wantB, dout, x, N, K, M)
      matmulBackwardWNaive(sW, sB, abs(dout), abs(x), N, K, M)
      const dw = copy(dw0, place), db = copy(db0, place)
      W.matmulBackwardW(dw, db, dout, x, N, K, M)
      expectClose(dw, wantW, sW, 'dw +=')
      expectClose(db, wantB, sB, 'db +=')
      const dw2 = copy(dw0, place)
      W.matmulBackwardW(dw2, null, dout, x, N, K, M)
      expectClose(dw2, wantW, sW, 'dw += with db null')
    })
  })
})

/** Runs the js and the wasm version of a point-wise kernel on copies of the same inputs; compares outputs. */
function agree(label: string, inputs: Float32Array[], run: (k: Kernels, a: Float32Array[]) => void, place: Place = 'wasm memory'): void {
  const a = inputs.map((x) => copy(x, 'JS heap')), b = inputs.map((x) => copy(x, place))
  run(J, a)
  run(W, b)
  for (let i = 0; i < a.length; i++) expectClose(b[i], a[i], abs(a[i]), `${label} array ${i}`, 1e-5, 1e-6)
}

describe.each(['wasm memory', 'JS heap'] as Place[])('point-wise steps and the one-hot layer, arrays in %s', (place) => {
  describe.each([[1, 1], [3, 5], [2, 7], [5, 13], [4, 64], [3, 65], [2, 130]])('B=%i H=%i', (B, H) => {
    const rng = createRng(B * 1000 + H), BH = B * H
    const r = (n: number, lo = -3, hi = 3) => rand(rng, n, 'JS heap', lo, hi)
    const gates = (n: number) => r(n, 0.01, 0.99)

    it('lstm forward and backward', () => {
      agree('lstm fwd', [r(4 * BH), r(4 * BH), r(4 * H), r(BH), r(BH), r(BH)], (k, [pre, g, bhh, cp, c, h]) => k.lstmForward(pre, g, bhh, cp, c, h, B, H), place)
      agree('lstm fwd in place', [r(4 * BH), r(4 * H), r(BH), r(BH), r(BH)], (k, [a, bhh, cp, c, h]) => k.lstmForward(a, a, bhh, cp, c, h, B, H), place)
      const act = gates(4 * BH)
      for (let i = 2 * H; i < act.length; i += 4 * H) for (let j = 0; j < H; j++) act[i + j] = 2 * act[i + j] - 1 // g ∈ (-1, 1)
      agree('lstm bwd', [act, r(BH), r(BH), r(BH), r(BH), r(BH), r(BH), r(4 * BH)], (k, [ac, dh, dhn, dcn, c, cp, dc, da]) => k.lstmBackward(ac, dh, dhn, dcn, c, cp, dc, da, B, H), place)
    })

    it('gru forward and backward', () => {
      agree('gru fwd', [r(3 * BH), r(3 * BH), r(BH), r(BH), r(4 * BH)], (k, [u, v, hp, h, cache]) => k.gruForward(u, v, hp, h, cache, B, H), place)
      agree('gru bwd', [gates(4 * BH), r(BH), r(BH), r(BH), r(3 * BH), r(3 * BH)], (k, [cache, hp, dh, dhn, du, dv]) => k.gruBackward(cache, hp, dh, dhn, du, dv, B, H), place)
    })

    it('tanh and relu rnn forward and backward', () => {
      for (const relu of [false, true]) {
        agree(`rnn fwd relu=${relu}`, [r(BH), r(H)], (k, [h, bhh]) => k.rnnForward(h, bhh, B, H, relu), place)
        agree(`rnn bwd relu=${relu}`, [r(BH, -1, 1), r(BH), r(BH), r(BH)], (k, [h, dh, dhn, da]) => k.rnnBackward(h, dh, dhn, da, BH, relu), place)
      }
    })

    it('one-hot gather and scatter (an unknown id -1 included)', () => {
      const V = 11, GH = 3 * H, N = B * 3
      const ids = new Int32Array(N).map((_, n) => (n === 1 ? -1 : rng.int(V)))
      agree('embed fwd', [r(N * GH), r(GH * V), r(GH), r(V * GH)], (k, [xw, w, b, t]) => {
        k.embedForward(xw, ids, w, b, t, N, V, GH)
        t.fill(0) // scratch: its contents are the implementation's business
      }, place)
      agree('embed bwd', [r(GH * V), r(GH), r(N * GH), r(V * GH)], (k, [gw, gb, dxw, t]) => {
        k.embedBackward(gw, gb, dxw, ids, t, N, V, GH)
        t.fill(0) // scratch: its contents are the implementation's business
      }, place)
    })
  })
})

describe('exp, σ and tanh approximations', () => {
  const xs: number[] = [0, -0, 1e-8, -1e-8, 1e-4, 0.3, 0.62, 0.625, 0.63, -0.7, 1, 2, 5, 9, 9.5, 17, 44, 50, 87, 88, 89, 100, 1e30, -1e30]
  for (let x = -20; x <= 20; x += 0.037) xs.push(x)
  const n = xs.length
  it('tanh within 3 ulp-ish (relative 3e-7, absolute 1e-30) of Math.tanh, saturating to ±1 at ±∞', () => {
    const v = [...xs, Infinity, -Infinity]
    const h = allocF32(v.length), zero = allocF32(v.length)
    h.set(v)
    W.rnnForward(h, zero, 1, v.length, false)
    for (let i = 0; i < v.length; i++) {
      const want = Math.fround(Math.tanh(Math.fround(v[i])))
      expect(Math.abs(h[i] - want), `tanh(${v[i]}) = ${h[i]}, want ${want}`).toBeLessThanOrEqual(3e-7 * Math.abs(want) + 1e-30)
    }
  })
  it('σ within relative 3e-7 of 1/(1+e^-x) down to 1e-37, and ≤ 1e-37 below', () => {
    const H = n, a = allocF32(4 * H), bhh = allocF32(4 * H), c = allocF32(H)
    a.set(xs) // the i gate block: a[0..H) → σ
    W.lstmForward(a, a, bhh, allocF32(H), c, allocF32(H), 1, H)
    for (let i = 0; i < n; i++) {
      const want = 1 / (1 + Math.exp(-Math.fround(xs[i])))
      if (want < 1e-37) expect(a[i]).toBeLessThanOrEqual(1e-37)
      else expect(Math.abs(a[i] - want), `σ(${xs[i]}) = ${a[i]}, want ${want}`).toBeLessThanOrEqual(3e-7 * want)
    }
  })
  it('NaN stays NaN through every gate (the trainer detects it)', () => {
    const H = 5, a = allocF32(4 * H).fill(NaN), h = allocF32(H)
    W.lstmForward(a, a, allocF32(4 * H), allocF32(H), allocF32(H), h, 1, H)
    expect([...a, ...h].every(Number.isNaN)).toBe(true)
  })
})

describe('cross-entropy and Adam', () => {
  it('crossEntropy agrees with loss.ts (ignored targets, odd vocabularies, with and without dlogits)', () => {
    for (const [N, V] of [[1, 1], [5, 3], [7, 65], [13, 130], [64, 5]]) {
      const rng = createRng(N * 131 + V)
      const logits = rand(rng, N * V, 'wasm memory', -8, 8)
      const targets = new Int32Array(N).map((_, n) => (n % 4 === 2 ? -1 : rng.int(V)))
      const want = new Float32Array(N * V), got = allocF32(N * V).fill(NaN)
      const lw = J.crossEntropy(logits, targets, N, V, want)
      const lg = W.crossEntropy(logits, targets, N, V, got)
      expect(Math.abs(lg - lw), `N=${N} V=${V} loss ${lg} vs ${lw}`).toBeLessThanOrEqual(1e-6 * Math.abs(lw) + 1e-7)
      expectClose(got, want, abs(want), `N=${N} V=${V} dlogits`, 1e-5, 1e-8)
      expect(W.crossEntropy(logits, targets, N, V, null)).toBe(lg)
    }
  })
  it('Adam gives the bits of optim.ts\'s loop, in wasm memory; declines arrays elsewhere', () => {
    const n = 1003, rng = createRng(5)
    const p0 = rand(rng, n), m0 = rand(rng, n), v0 = rand(rng, n, 'wasm memory', 0, 1), g = rand(rng, n)
    const run = (k: Kernels | null, place: Place) => {
      const p = copy(p0, place), m = copy(m0, place), v = copy(v0, place)
      for (let s = 1; s <= 3; s++) {
        const b1 = 0.9, b2 = 0.999, stepSize = 2e-3 / (1 - b1 ** s), bc2 = Math.sqrt(1 - b2 ** s)
        if (k !== null) { expect(k.adam(p, g, m, v, b1, 1 - b1, b2, 1 - b2, stepSize, bc2, 1e-8)).toBe(true); continue }
        for (let i = 0; i < n; i++) { // optim.ts's loop
          const gi = g[i]
          m[i] = b1 * m[i] + (1 - b1) * gi
          v[i] = b2 * v[i] + (1 - b2) * gi * gi
          p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2 + 1e-8)
        }
      }
      return [p, m, v]
    }
    const want = run(null, 'JS heap'), got = run(W, 'wasm memory')
    for (let i = 0; i < 3; i++) expect(Array.from(got[i])).toEqual(Array.from(want[i]))
    expect(W.adam(new Float32Array(4), g, m0, v0, 0.9, 0.1, 0.999, 0.001, 1, 1, 1e-8)).toBe(false)
    expect(J.adam(p0, g, m0, v0, 0.9, 0.1, 0.999, 0.001, 1, 1, 1e-8)).toBe(false)
  })
})

describe('a whole model under wasm agrees with js', () => {
  // T = 1 takes the cells' unprepared path, N ≤ V the one-hot column gather; T = 9 the packed ones
  describe.each(['lstm', 'gru', 'rnn_tanh', 'rnn_relu', 'jordan'] as const)('%s', (cell) => {
    it.each([[1, 3], [9, 5]])('T=%i B=%i, one-hot input, 2 layers: loss and every gradient', (T, Bn) => {
      const spec: ModelSpec = { cell, input_size: 7, hidden_size: 6, num_layers: 2, output_size: 7, input: 'one_hot', loss: 'cross_entropy' }
      const rng = createRng(T * 31 + Bn)
      const x = new Int32Array(T * Bn).map(() => rng.int(7)), y = new Int32Array(T * Bn).map(() => rng.int(7))
      const run = (k: 'js' | 'wasm') => {
        setKernels(k)
        const params = allocParams(paramSpecs(spec))
        initParams(params, spec, createRng(3))
        const model = new Model(spec, params)
        const loss = model.forward(x, y, T, Bn, model.zeroState(Bn))
        model.backward()
        return { loss, grad: Float32Array.from(params.grad) }
      }
      const a = run('js'), b = run('wasm')
      expect(Math.abs(b.loss - a.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(a.loss))
      expectClose(b.grad, a.grad, abs(a.grad), 'grad', 1e-4, 1e-6)
    })
  })
})

describe('memory', () => {
  it('allocF32 gives zeroed, non-overlapping views of the one memory, reused after freeF32, never growing it', () => {
    const mem = heapMemory()!, buffer = mem.buffer
    const a = allocF32(1000).fill(1), b = allocF32(3).fill(2)
    expect(b.byteOffset >= a.byteOffset + a.byteLength || b.byteOffset + b.byteLength <= a.byteOffset).toBe(true)
    expect(a.byteOffset % 64).toBe(0)
    const off = a.byteOffset
    freeF32(a)
    const c = allocF32(1000)
    expect(c.byteOffset).toBe(off)
    expect(c.every((v) => v === 0)).toBe(true)
    expect([...b]).toEqual([2, 2, 2])
    expect(mem.buffer).toBe(buffer)
    freeF32(b); freeF32(c)
  })
  it('the js kernels allocate on the JS heap', () => {
    setKernels('js')
    try { expect(inHeap(allocF32(4))).toBe(false) } finally { setKernels('wasm') }
  })
})
