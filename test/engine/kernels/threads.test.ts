/**
 * The engine with each kernel set and with 1 and 2 threads on the same batch. Splitting a product between
 * threads must not change a bit (every output element is computed by the same tiles whoever runs it), so
 * wasm with 2 threads is compared to wasm with 1 thread exactly, and both to the js kernels within
 * float32 tolerance. The model is large enough (hidden 256, batch 32) that the products are split, and the
 * test checks that the worker really ran part of them.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { kernelName, kernels, setKernels, type KernelName } from '../../../src/engine/kernels/index.ts'
import { allocF32 } from '../../../src/engine/memory.ts'
import { allocParams } from '../../../src/engine/params.ts'
import { createRng } from '../../../src/engine/rng.ts'
import { parallelStats, setThreads, threadCount, threadsReady } from '../../../src/engine/kernels/threads.ts'
import { initParams } from '../../../src/model/init.ts'
import { Model } from '../../../src/model/model.ts'
import { paramSpecs, type ModelSpec } from '../../../src/model/spec.ts'

const T = 6, B = 32, H = 256, V = 65
const kernelsBefore = kernelName(), threadsBefore = threadCount()
afterAll(() => { setKernels(kernelsBefore); setThreads(threadsBefore) })

interface Run { losses: number[]; grad: Float32Array; h: Float32Array }

/** Two training-style steps (state carried) of a 2-layer model: losses, the last gradient, the final state. */
function runModel(cell: ModelSpec['cell'], kernels: KernelName): Run {
  setKernels(kernels)
  const spec: ModelSpec = { cell, input_size: V, hidden_size: H, num_layers: 2, output_size: V, input: 'one_hot', loss: 'cross_entropy' }
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, createRng(5))
  const model = new Model(spec, params)
  const rng = createRng(11)
  const state = model.zeroState(B)
  const losses: number[] = []
  for (let step = 0; step < 2; step++) {
    const x = new Int32Array(T * B).map(() => rng.int(V)), y = new Int32Array(T * B).map(() => rng.int(V))
    params.grad.fill(0)
    losses.push(model.forward(x, y, T, B, state, true))
    model.backward()
  }
  return { losses, grad: Float32Array.from(params.grad), h: Float32Array.from(state.h) }
}

function maxRelErr(got: Float32Array, want: Float32Array): number {
  let scale = 0, err = 0
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); err = Math.max(err, Math.abs(got[i] - want[i])) }
  return err / scale
}

/** Chunks the workers (not the calling thread) ran since `before`. */
function workerChunks(before: ReturnType<typeof parallelStats>): number {
  const now = parallelStats()
  return (now.chunks - before.chunks) - (now.chunksOnCaller - before.chunksOnCaller)
}

/**
 * Runs f on 2 threads until a worker has run some of its chunks (at most `tries` times) and returns every
 * result. On a loaded machine (the other test files run beside this one) a worker may get no chunk in one
 * run, or splitting may pause; setThreads before each run starts it afresh.
 */
async function onTwoThreads<T>(f: () => T, tries: number): Promise<{ results: T[]; workerChunks: number }> {
  setThreads(2)
  await threadsReady()
  const before = parallelStats(), results: T[] = []
  for (let i = 0; i < tries && (i === 0 || workerChunks(before) === 0); i++) {
    setThreads(2)
    results.push(f())
  }
  return { results, workerChunks: workerChunks(before) }
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('1 and 2 threads, wasm and js kernels, on the same batches', () => {
  it.each(['lstm', 'gru', 'rnn_tanh'] as const)('%s: 2 threads are bit-identical to 1; both agree with js', async (cell) => {
    setThreads(1)
    const one = runModel(cell, 'wasm')
    const two = await onTwoThreads(() => runModel(cell, 'wasm'), 20)
    const js = runModel(cell, 'js')

    // the products were split, and the worker ran some of the chunks
    expect(two.workerChunks).toBeGreaterThan(0)
    for (const r of two.results) {
      expect(r.losses).toEqual(one.losses)
      expect(sameBits(r.grad, one.grad)).toBe(true)
      expect(sameBits(r.h, one.h)).toBe(true)
    }

    for (let i = 0; i < 2; i++) expect(Math.abs(one.losses[i] - js.losses[i])).toBeLessThan(1e-5 * js.losses[i])
    expect(maxRelErr(one.grad, js.grad)).toBeLessThan(1e-4)
    expect(maxRelErr(one.h, js.h)).toBeLessThan(1e-5)
  })

  it('matrix-vector products (sampling) split between threads give the same bits', async () => {
    // x · wᵀ for one row and a 1024 × 256 weight (one LSTM layer of workload B): the sampler's product
    const K = 256, M = 1024, rng = createRng(7)
    setKernels('wasm')
    const w = allocF32(M * K).map(() => rng.uniform(-0.1, 0.1)), x = allocF32(K).map(() => rng.uniform(-1, 1))
    const out = allocF32(M)
    const product = () => { out.fill(0); kernels().matmulAdd(out, x, w, 1, K, M); return Float32Array.from(out) }
    setThreads(1)
    const one = product()
    const two = await onTwoThreads(product, 20_000)
    expect(two.workerChunks).toBeGreaterThan(0)
    for (const r of two.results) expect(sameBits(r, one)).toBe(true)
  })

  it('setThreads rejects counts outside 1..16', () => {
    expect(() => setThreads(0)).toThrow(/1 to 16/)
    expect(() => setThreads(1.5)).toThrow(/1 to 16/)
    expect(() => setThreads(17)).toThrow(/1 to 16/)
  })
})
