/**
 * Training-step throughput of bench.ts's workloads under every kernel implementation in one run,
 * timed in process CPU time (`npm run bench:steps`): on a machine shared with other work, wall time
 * also measures the neighbours, CPU time only this process. Same step as bench.ts: zero grad,
 * forward, backward, clip 5, Adam; vocab 65, seq 64, batch 32, one-hot, carried state.
 *
 *   npm run bench:steps                          A, B, C under js and wasm, 6 s each
 *   npm run bench:steps -- --workload A --seconds 3 --only wasm
 */
import { clipGradNorm } from '../src/engine/clip.ts'
import { availableKernels, setKernels, type KernelName } from '../src/engine/kernels/index.ts'
import { createOptimizer } from '../src/engine/optim.ts'
import { allocParams } from '../src/engine/params.ts'
import { createRng } from '../src/engine/rng.ts'
import { initParams } from '../src/model/init.ts'
import { Model } from '../src/model/model.ts'
import { paramSpecs, type ModelSpec } from '../src/model/spec.ts'

const WORKLOADS = { A: { cell: 'lstm', layers: 1, hidden: 128 }, B: { cell: 'lstm', layers: 2, hidden: 256 }, C: { cell: 'rnn_tanh', layers: 1, hidden: 128 } } as const
const V = 65, T = 64, B = 32

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : dflt
}
const names = arg('--workload', 'A,B,C').split(',') as (keyof typeof WORKLOADS)[]
const seconds = Number(arg('--seconds', '6'))
const impls = (process.argv.includes('--only') ? [arg('--only', 'wasm')] : availableKernels().reverse()) as KernelName[]
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

function run(w: (typeof WORKLOADS)[keyof typeof WORKLOADS], impl: KernelName): { msPerStep: number; loss: number } {
  setKernels(impl)
  const spec: ModelSpec = { cell: w.cell, input_size: V, hidden_size: w.hidden, num_layers: w.layers, output_size: V, input: 'one_hot', loss: 'cross_entropy' }
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, createRng(1234))
  const model = new Model(spec, params)
  const opt = createOptimizer({ name: 'adam', momentum: 0, betas: [0.9, 0.999], alpha: 0.99, eps: 1e-8 }, params.data.length)
  const state = model.zeroState(B), rng = createRng(1235)
  const x = new Int32Array(T * B), y = new Int32Array(T * B)
  let loss = NaN
  const step = () => {
    for (let i = 0; i < x.length; i++) { x[i] = rng.int(V); y[i] = rng.int(V) }
    params.grad.fill(0)
    loss = model.forward(x, y, T, B, state, true)
    model.backward()
    clipGradNorm(params.grad, 5)
    opt.step(params.data, params.grad, 2e-3)
  }
  for (const t0 = cpuMs(); cpuMs() - t0 < 1000;) step() // warm-up: tier-up, allocation
  // best of 3 windows: the least disturbed by caches shared with the neighbours
  let best = Infinity
  for (let k = 0; k < 3; k++) {
    let n = 0
    const t0 = cpuMs()
    while (n === 0 || cpuMs() - t0 < (seconds * 1000) / 3) { step(); n++ }
    best = Math.min(best, (cpuMs() - t0) / n)
  }
  return { msPerStep: best, loss }
}

process.stdout.write(`workload  ${impls.map((k) => `${k} ms/step   chars/s`.padStart(24)).join('')}\n`)
for (const name of names) {
  const cells = impls.map((impl) => {
    const r = run(WORKLOADS[name], impl)
    if (!Number.isFinite(r.loss)) throw new Error(`${name}/${impl}: loss ${r.loss}`)
    return `${r.msPerStep.toFixed(1).padStart(10)} ${Math.round((T * B * 1000) / r.msPerStep).toString().padStart(9)}`.padStart(24)
  })
  process.stdout.write(`${name.padEnd(10)}${cells.join('')}\n`)
}
