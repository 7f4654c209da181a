/**
 * Optimizers with torch.optim's exact update rules. Every rule is element-wise, so one loop over the
 * flat parameter buffer is the same as PyTorch's loop over tensors. All state starts at zero and lives in
 * `state`, which the checkpoint stores: a resumed run continues bit for bit. `s` is the step number
 * counted from 1, `g` the gradient, `p` the parameter.
 */
import { kernels } from './kernels/index.ts'
import { allocF32 } from './memory.ts'

export type OptimName = 'sgd' | 'adam' | 'rmsprop' | 'adagrad'
export const OPTIM_NAMES: readonly OptimName[] = ['sgd', 'adam', 'rmsprop', 'adagrad']

export interface OptimOptions {
  name: OptimName
  momentum: number          // sgd
  betas: [number, number]   // adam
  alpha: number             // rmsprop
  eps: number               // adam, rmsprop, adagrad
}

/** PyTorch's defaults for the hyper-parameters each optimizer does not get from the config. */
export function defaultEps(name: OptimName): number {
  return name === 'adagrad' ? 1e-10 : 1e-8
}

/** The options of `name` as torch.optim's defaults give them (momentum: sgd's, from the config). */
export function torchOptions(name: OptimName, momentum = 0): OptimOptions {
  return { name, momentum, betas: [0.9, 0.999], alpha: 0.99, eps: defaultEps(name) }
}

export interface OptimizerState { name: OptimName; step: number; buffers: Record<string, Float32Array> }

export interface Optimizer {
  readonly state: OptimizerState
  step(p: Float32Array, g: Float32Array, lr: number): void
}

/** The state buffers of each optimizer, named as torch.optim names them. */
export const BUFFERS: Record<OptimName, readonly string[]> = {
  sgd: ['momentum_buffer'], adam: ['exp_avg', 'exp_avg_sq'], rmsprop: ['square_avg'], adagrad: ['sum'],
}

export function createOptimizer(opts: OptimOptions, size: number, restored?: OptimizerState): Optimizer {
  const state: OptimizerState = restored ?? {
    name: opts.name,
    step: 0,
    buffers: Object.fromEntries(BUFFERS[opts.name].map((k) => [k, allocF32(size)])),
  }
  const update = { sgd: sgdStep, adam: adamStep, rmsprop: rmspropStep, adagrad: adagradStep }[opts.name]
  return {
    state,
    step(p, g, lr) {
      state.step += 1
      update(p, g, lr, opts, state)
    },
  }
}

/** sgd: buf = g at s = 1, else buf = μ·buf + g (dampening 0); p ← p − lr·buf. Without momentum p ← p − lr·g. */
function sgdStep(p: Float32Array, g: Float32Array, lr: number, o: OptimOptions, st: OptimizerState): void {
  const mu = o.momentum
  if (mu === 0) {
    for (let i = 0; i < p.length; i++) p[i] -= lr * g[i]
    return
  }
  const buf = st.buffers.momentum_buffer
  const first = st.step === 1
  for (let i = 0; i < p.length; i++) {
    const b = first ? g[i] : mu * buf[i] + g[i]
    buf[i] = b
    p[i] -= lr * b
  }
}

/** adam: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p ← p − (lr/(1−β1^s)) · m / (√v/√(1−β2^s) + eps). */
function adamStep(p: Float32Array, g: Float32Array, lr: number, o: OptimOptions, st: OptimizerState): void {
  const [b1, b2] = o.betas, eps = o.eps, s = st.step
  const m = st.buffers.exp_avg, v = st.buffers.exp_avg_sq
  const stepSize = lr / (1 - b1 ** s)
  const bc2Sqrt = Math.sqrt(1 - b2 ** s)
  // the wasm kernels run this same loop in float64 SIMD (same bits); the js ones return false
  if (kernels().adam(p, g, m, v, b1, 1 - b1, b2, 1 - b2, stepSize, bc2Sqrt, eps)) return
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]
    const mi = b1 * m[i] + (1 - b1) * gi
    const vi = b2 * v[i] + (1 - b2) * gi * gi
    m[i] = mi
    v[i] = vi
    // eps is added after the bias correction of √v, as torch.optim.Adam does
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps)
  }
}

/** rmsprop: v = α·v + (1−α)·g²; p ← p − lr·g / (√v + eps). */
function rmspropStep(p: Float32Array, g: Float32Array, lr: number, o: OptimOptions, st: OptimizerState): void {
  const a = o.alpha, eps = o.eps, v = st.buffers.square_avg
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]
    v[i] = a * v[i] + (1 - a) * gi * gi
    p[i] -= (lr * gi) / (Math.sqrt(v[i]) + eps)
  }
}

/** adagrad: G = G + g²; p ← p − lr·g / (√G + eps) (lr_decay 0, initial accumulator 0). */
function adagradStep(p: Float32Array, g: Float32Array, lr: number, o: OptimOptions, st: OptimizerState): void {
  const eps = o.eps, G = st.buffers.sum
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]
    G[i] += gi * gi
    p[i] -= (lr * gi) / (Math.sqrt(G[i]) + eps)
  }
}
