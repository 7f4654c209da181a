/**
 * Optimizer and clipping behaviour the golden trajectories do not cover: resuming from a saved optimizer
 * state (the checkpoint path), sgd without momentum, clipGradValue, and non-finite gradients in clipGradNorm.
 */
import { describe, expect, it } from 'vitest'
import { clipGradNorm, clipGradValue, gradNorm } from '../../src/engine/clip.ts'
import { createOptimizer, defaultEps, OPTIM_NAMES, type OptimName, type OptimOptions, type OptimizerState } from '../../src/engine/optim.ts'
import { createRng } from '../../src/engine/rng.ts'

const SIZE = 37
const LR = 0.05

function options(name: OptimName, momentum = 0.9): OptimOptions {
  return { name, momentum, betas: [0.9, 0.999], alpha: 0.99, eps: defaultEps(name) }
}

/** A fixed, step-dependent gradient sequence, so two runs see identical inputs. */
function gradAt(step: number): Float32Array {
  const rng = createRng(1000 + step)
  return Float32Array.from({ length: SIZE }, () => rng.uniform(-1, 1))
}

function initialParams(): Float32Array {
  const rng = createRng(1)
  return Float32Array.from({ length: SIZE }, () => rng.uniform(-1, 1))
}

const mapValues = <A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]))

/** What a checkpoint round trip yields: fresh arrays with the same bits, nothing aliased. */
function copyState(s: OptimizerState): OptimizerState {
  const json = JSON.parse(JSON.stringify({ ...s, buffers: mapValues(s.buffers, (b) => Array.from(b)) }))
  return { ...json, buffers: mapValues(json.buffers as Record<string, number[]>, (b) => Float32Array.from(b)) }
}

const CONFIGS: [string, OptimOptions][] = [
  ...OPTIM_NAMES.map((n): [string, OptimOptions] => [n, options(n)]),
  ['sgd without momentum', options('sgd', 0)],
]

describe.each(CONFIGS)('%s resumed from a saved state', (_, opts) => {
  it('continues bit for bit like the uninterrupted run', () => {
    const straight = initialParams()
    const a = createOptimizer(opts, SIZE)
    for (let s = 1; s <= 7; s++) a.step(straight, gradAt(s), LR)

    const resumed = initialParams()
    const b = createOptimizer(opts, SIZE)
    for (let s = 1; s <= 3; s++) b.step(resumed, gradAt(s), LR)
    const saved = copyState(b.state)
    const params = resumed.slice()
    const c = createOptimizer(opts, SIZE, saved)
    expect(c.state.step).toBe(3)
    for (let s = 4; s <= 7; s++) c.step(params, gradAt(s), LR)

    expect(Array.from(params)).toEqual(Array.from(straight))
    expect(c.state.step).toBe(a.state.step)
    for (const k of Object.keys(a.state.buffers)) expect(Array.from(c.state.buffers[k]), k).toEqual(Array.from(a.state.buffers[k]))
    // the restored state is the optimizer's own, not a copy it diverges from
    expect(c.state).toBe(saved)
  })

  it('a fresh optimizer is not the same as a resumed one (the state matters)', () => {
    const b = createOptimizer(opts, SIZE)
    const p1 = initialParams()
    for (let s = 1; s <= 3; s++) b.step(p1, gradAt(s), LR)
    const p2 = p1.slice()
    createOptimizer(opts, SIZE, copyState(b.state)).step(p1, gradAt(4), LR)
    createOptimizer(opts, SIZE).step(p2, gradAt(4), LR)
    if (opts.name === 'sgd' && opts.momentum === 0) expect(Array.from(p2)).toEqual(Array.from(p1)) // stateless
    else expect(Array.from(p2)).not.toEqual(Array.from(p1))
  })
})

describe('sgd without momentum', () => {
  it('is p ← p − lr·g each step, and leaves its momentum buffer unused', () => {
    const opt = createOptimizer(options('sgd', 0), SIZE)
    const p = initialParams()
    for (let s = 1; s <= 4; s++) {
      const g = gradAt(s)
      const want = p.map((v, i) => Math.fround(v - LR * g[i]))
      opt.step(p, g, LR)
      expect(Array.from(p)).toEqual(Array.from(want))
    }
    expect(opt.state.step).toBe(4)
    expect(opt.state.buffers.momentum_buffer.every((v) => v === 0)).toBe(true)
  })

  it('with momentum differs from without from the second step on (and not on the first)', () => {
    const p0 = initialParams(), p1 = initialParams()
    const m = createOptimizer(options('sgd', 0.9), SIZE), plain = createOptimizer(options('sgd', 0), SIZE)
    m.step(p0, gradAt(1), LR); plain.step(p1, gradAt(1), LR)
    expect(Array.from(p0)).toEqual(Array.from(p1)) // buf = g on step 1, as torch.optim.SGD
    m.step(p0, gradAt(2), LR); plain.step(p1, gradAt(2), LR)
    expect(Array.from(p0)).not.toEqual(Array.from(p1))
  })
})

describe('clipGradValue', () => {
  it('clamps to [-v, v] and leaves entries inside untouched', () => {
    const g = Float32Array.from([-3, -0.5, 0, 0.25, 0.5, 2, -0.5, Infinity, -Infinity])
    clipGradValue(g, 0.5)
    expect(Array.from(g)).toEqual([-0.5, -0.5, 0, 0.25, 0.5, 0.5, -0.5, 0.5, -0.5])
  })

  it('lets NaN through, so the norm check that follows still sees it', () => {
    const g = Float32Array.from([NaN, 3])
    clipGradValue(g, 1)
    expect(Number.isNaN(g[0])).toBe(true)
    expect(g[1]).toBe(1)
    expect(Number.isNaN(gradNorm(g))).toBe(true)
  })
})

describe('clipGradNorm with non-finite gradients', () => {
  it('returns NaN for a NaN gradient and leaves the finite entries as they were', () => {
    const g = Float32Array.from([3, NaN, 4])
    const total = clipGradNorm(g, 1)
    expect(Number.isNaN(total)).toBe(true)
    expect(g[0]).toBe(3)
    expect(g[2]).toBe(4)
  })

  it('returns Infinity for an infinite gradient', () => {
    expect(clipGradNorm(Float32Array.from([1, -Infinity]), 1)).toBe(Infinity)
  })
})
