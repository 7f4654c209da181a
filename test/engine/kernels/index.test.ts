/**
 * The 4×4-tiled kernels against their naive twins on sizes that exercise every fringe: below one tile,
 * exactly one, one past a multiple of 4, and none of N, K, M a multiple of 4 at once. The tiled kernels sum
 * in a different order, so agreement is to float32 rounding (relative 1e-5), not bitwise.
 */
import { describe, expect, it } from 'vitest'
import {
  matmul, matmulAdd, matmulBackwardW, matmulBackwardWNaive, matmulBackwardX, matmulBackwardXNaive, matmulNaive,
} from '../../../src/engine/kernels/index.ts'
import { createRng, type Rng } from '../../../src/engine/rng.ts'

const SIZES = [1, 3, 4, 5, 7, 13, 64, 65]
const RTOL = 1e-5, ATOL = 1e-6

/** N, K, M triples: every size on each axis with awkward partners, plus the all-odd corners. */
const SHAPES: [number, number, number][] = []
for (const s of SIZES) SHAPES.push([s, 7, 13], [13, s, 5], [5, 3, s])
SHAPES.push([1, 1, 1], [65, 65, 65], [64, 65, 13], [7, 64, 3], [13, 5, 65], [65, 1, 7])

function rand(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1)
  return a
}

const abs = (a: Float32Array) => a.map(Math.abs)

/**
 * Element-wise |got − want| ≤ ATOL + RTOL·scale[i], where scale is Σ|terms| of that entry (the same kernel
 * run on absolute values): the size rounding can reach when terms cancel.
 */
function expectClose(got: Float32Array, want: Float32Array, scale: Float32Array, label: string): void {
  expect(got.length, label).toBe(want.length)
  let worst = 0, where = -1
  for (let i = 0; i < got.length; i++) {
    const excess = Math.abs(got[i] - want[i]) / (ATOL + RTOL * scale[i])
    if (!(excess <= worst)) { worst = excess; where = i }
  }
  expect(worst, `${label}: worst at ${where}: got ${got[where]}, want ${want[where]}`).toBeLessThanOrEqual(1)
}

describe.each(SHAPES)('N=%i K=%i M=%i', (N, K, M) => {
  const rng = createRng(N * 10007 + K * 101 + M)
  const x = rand(rng, N * K), w = rand(rng, M * K), b = rand(rng, M)
  const dout = rand(rng, N * M)
  const ax = abs(x), aw = abs(w), ab = abs(b), adout = abs(dout)

  it('matmul = naive, with bias and with null bias', () => {
    for (const bias of [b, null]) {
      const got = new Float32Array(N * M).fill(NaN), want = new Float32Array(N * M).fill(NaN)
      matmul(got, x, w, bias, N, K, M)
      matmulNaive(want, x, w, bias, N, K, M)
      const scale = new Float32Array(N * M)
      matmulNaive(scale, ax, aw, bias === null ? null : ab, N, K, M)
      expectClose(got, want, scale, `bias ${bias === null ? 'null' : 'set'}`) // NaN start: out is overwritten
    }
  })

  it('matmulAdd accumulates onto out', () => {
    const start = rand(rng, N * M)
    const got = start.slice()
    matmulAdd(got, x, w, N, K, M)
    const want = start.slice(), scale = abs(start)
    matmulBackwardXNaive(want, x, transpose(w, M, K), N, M, K) // += x·wᵀ through the other naive kernel
    matmulBackwardXNaive(scale, ax, transpose(aw, M, K), N, M, K)
    expectClose(got, want, scale, 'out += x·wᵀ')
  })

  it('matmulBackwardX accumulates like the naive twin', () => {
    const start = rand(rng, N * K)
    const got = start.slice(), want = start.slice(), scale = abs(start)
    matmulBackwardX(got, dout, w, N, K, M)
    matmulBackwardXNaive(want, dout, w, N, K, M)
    matmulBackwardXNaive(scale, adout, aw, N, K, M)
    expectClose(got, want, scale, 'dx += dout·w')
  })

  it('matmulBackwardW accumulates dw and db like the naive twin, and with a null db', () => {
    for (const withBias of [true, false]) {
      const dw0 = rand(rng, M * K), db0 = rand(rng, M)
      const dw = dw0.slice(), db = db0.slice(), dwN = dw0.slice(), dbN = db0.slice()
      const sw = abs(dw0), sb = abs(db0)
      matmulBackwardW(dw, withBias ? db : null, dout, x, N, K, M)
      matmulBackwardWNaive(dwN, withBias ? dbN : null, dout, x, N, K, M)
      matmulBackwardWNaive(sw, sb, adout, ax, N, K, M)
      expectClose(dw, dwN, sw, `dw += doutᵀ·x (db ${withBias ? 'set' : 'null'})`)
      if (withBias) expectClose(db, dbN, sb, 'db += Σ dout')
    }
  })
})

/** [R][C] → [C][R]. */
function transpose(a: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C)
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]
  return out
}

describe('kernels leave memory outside their output alone', () => {
  it('writes exactly the N×M / N×K / M×K prefix of a larger buffer', () => {
    const rng = createRng(9)
    const N = 5, K = 7, M = 13, pad = 11
    const x = rand(rng, N * K), w = rand(rng, M * K), dout = rand(rng, N * M)
    const out = new Float32Array(N * M + pad).fill(42)
    matmul(out, x, w, null, N, K, M)
    matmulAdd(out, x, w, N, K, M)
    expect(Array.from(out.subarray(N * M))).toEqual(new Array(pad).fill(42))
    const dx = new Float32Array(N * K + pad).fill(42)
    matmulBackwardX(dx, dout, w, N, K, M)
    expect(Array.from(dx.subarray(N * K))).toEqual(new Array(pad).fill(42))
    const dw = new Float32Array(M * K + pad).fill(42), db = new Float32Array(M + pad).fill(42)
    matmulBackwardW(dw, db, dout, x, N, K, M)
    expect(Array.from(dw.subarray(M * K))).toEqual(new Array(pad).fill(42))
    expect(Array.from(db.subarray(M))).toEqual(new Array(pad).fill(42))
  })
})
