/**
 * Training throughput of the engine (`npm run bench`): not a test, nothing is asserted.
 *
 * Three fixed workloads, each a char-RNN training loop on seeded random characters with everything
 * the real trainer does per step: zero grad, forward, backward, global-norm clip, Adam. The hidden
 * state is carried from step to step (truncated BPTT), as in training.
 *
 *   npm run bench                        human-readable table on stdout
 *   npm run bench -- --json              one JSON object per workload per line, nothing else on stdout
 *   npm run bench -- --workload A,C      a subset
 *   npm run bench -- --seconds 10        measuring time per workload (default 20)
 *   RNN_KERNELS=js npm run bench         the portable kernels instead of the default (wasm if available)
 *
 * When a Python with torch is installed, bench/pytorch_bench.py (the same workloads in PyTorch, 1 thread) runs
 * right after each of ours and the ratio is printed; with --json as an extra line per workload,
 * {"workload","reference":"pytorch","chars_per_s","gflops","ratio"}. --no-reference skips it.
 * BENCHMARKS.md has the numbers and how to reproduce them.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { clipGradNorm } from '../src/engine/clip.ts'
import { createOptimizer, type OptimOptions } from '../src/engine/optim.ts'
import { allocParams } from '../src/engine/params.ts'
import { createRng } from '../src/engine/rng.ts'
import { initParams } from '../src/model/init.ts'
import { Model } from '../src/model/model.ts'
import { sampleText } from '../src/model/sampler.ts'
import { Vocab } from '../src/data/vocab.ts'
import { flopsPerPosition, paramSpecs, type ModelSpec } from '../src/model/spec.ts'

interface Workload { name: string; cell: ModelSpec['cell']; layers: number; hidden: number }

const WORKLOADS: Workload[] = [
  { name: 'A', cell: 'lstm', layers: 1, hidden: 128 },
  { name: 'B', cell: 'lstm', layers: 2, hidden: 256 },
  { name: 'C', cell: 'rnn_tanh', layers: 1, hidden: 128 },
]

const VOCAB = 65, T = 64, B = 32, LR = 2e-3, CLIP = 5, SEED = 1234
/** Measurement windows per workload; the median window is reported so one disturbed window (other
 *  processes on a shared machine, a GC) does not move the result. */
const WINDOWS = 5
/** Warm-up: at least this many steps and this many seconds, so V8 has optimised every kernel and the
 *  buffers are allocated before timing starts. */
const WARMUP_STEPS = 2, WARMUP_SECONDS = 1.5

const PHASES = ['zero', 'forward', 'backward', 'clip', 'adam'] as const
type Phase = (typeof PHASES)[number]

interface Result {
  workload: Workload
  stepMs: number          // median over windows of the mean step time in the window
  stepMsMin: number; stepMsMax: number
  charsPerS: number
  gflops: number
  steps: number           // timed steps over all windows
  phaseShare: Record<Phase, number> // fraction of timed step time, over all windows
  loss: number
}

function parseArgs(argv: string[]): { json: boolean; workloads: Workload[]; seconds: number; sample: boolean } {
  let json = false, seconds = 20, names = [...WORKLOADS.map((w) => w.name), 'SAMPLE-B']
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--no-reference') continue
    else if (a === '--workload' || a === '--workloads') names = (argv[++i] ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
    else if (a === '--seconds') seconds = Number(argv[++i])
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: npm run bench -- [--json] [--workload A,B,C] [--seconds n] [--no-reference]\n')
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number')
  const sample = names.includes('SAMPLE-B')
  const workloads = names.filter((n) => n !== 'SAMPLE-B').map((n) => {
    const w = WORKLOADS.find((x) => x.name === n)
    if (w === undefined) throw new Error(`unknown workload ${n} (have ${WORKLOADS.map((x) => x.name).join(', ')})`)
    return w
  })
  return { json, workloads, seconds, sample }
}

/**
 * sample-B: `rnn sample`'s own loop (sampleText: one forward step, softmax, one draw, fed back) on a single
 * stream with workload B's model (2 × 256 LSTM): a matrix-vector race, the weights staying in cache.
 */
function runSample(seconds: number): number {
  const spec: ModelSpec = { cell: 'lstm', input_size: VOCAB, hidden_size: 256, num_layers: 2, output_size: VOCAB, input: 'one_hot', loss: 'cross_entropy' }
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, createRng(SEED))
  const model = new Model(spec, params)
  const vocab = new Vocab(Array.from({ length: VOCAB }, (_, i) => String.fromCharCode(48 + i)))
  const gen = sampleText(model, vocab, { temperature: 1, topK: null, topP: null, argmax: false, prime: '0', length: Number.MAX_SAFE_INTEGER }, createRng(SEED + 2))
  const until = (s: number) => { const t0 = performance.now(); let n = 0; while (performance.now() - t0 < s * 1000) { gen.next(); n++ } return n / ((performance.now() - t0) / 1000) }
  until(0.5)
  return until(seconds)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

function run(w: Workload, seconds: number, log: (s: string) => void): Result {
  const spec: ModelSpec = { cell: w.cell, input_size: VOCAB, hidden_size: w.hidden, num_layers: w.layers, output_size: VOCAB, input: 'one_hot', loss: 'cross_entropy' }
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, createRng(SEED))
  const model = new Model(spec, params)
  const adam: OptimOptions = { name: 'adam', momentum: 0, betas: [0.9, 0.999], alpha: 0.99, eps: 1e-8 }
  const opt = createOptimizer(adam, params.data.length)
  const state = model.zeroState(B)

  // B contiguous streams over a seeded random corpus, so the carried state continues each stream
  // like the trainer's batching does; the corpus wraps, which is irrelevant for timing.
  const dataRng = createRng(SEED + 1)
  const streamLen = 1 << 14
  const corpus = new Int32Array(B * streamLen)
  for (let i = 0; i < corpus.length; i++) corpus[i] = dataRng.int(VOCAB)
  const x = new Int32Array(T * B), y = new Int32Array(T * B)
  let pos = 0
  const nextBatch = () => {
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) {
        const o = b * streamLen
        x[t * B + b] = corpus[o + ((pos + t) % streamLen)]
        y[t * B + b] = corpus[o + ((pos + t + 1) % streamLen)]
      }
    pos = (pos + T) % streamLen
  }

  const phaseMs: Record<Phase, number> = { zero: 0, forward: 0, backward: 0, clip: 0, adam: 0 }
  let loss = NaN
  // One training step, timed phase by phase (performance.now costs ~µs against steps of ~100 ms).
  const step = (): number => {
    nextBatch() // batch assembly is outside the timed step
    const t0 = performance.now()
    params.grad.fill(0)
    const t1 = performance.now()
    loss = model.forward(x, y, T, B, state, true)
    const t2 = performance.now()
    model.backward()
    const t3 = performance.now()
    clipGradNorm(params.grad, CLIP)
    const t4 = performance.now()
    opt.step(params.data, params.grad, LR)
    const t5 = performance.now()
    phaseMs.zero += t1 - t0; phaseMs.forward += t2 - t1; phaseMs.backward += t3 - t2
    phaseMs.clip += t4 - t3; phaseMs.adam += t5 - t4
    return t5 - t0
  }

  const warmStart = performance.now()
  for (let i = 0; i < WARMUP_STEPS || performance.now() - warmStart < WARMUP_SECONDS * 1000; i++) step()
  for (const p of PHASES) phaseMs[p] = 0
  log(`  ${w.name}: warm-up ${((performance.now() - warmStart) / 1000).toFixed(1)} s, loss ${loss.toFixed(3)}`)

  const windowMs = (seconds * 1000) / WINDOWS
  const perWindow: number[] = []
  let steps = 0
  for (let k = 0; k < WINDOWS; k++) {
    let spent = 0, n = 0
    while (n === 0 || spent < windowMs) { spent += step(); n++ } // at least one step per window
    perWindow.push(spent / n)
    steps += n
    log(`  ${w.name}: window ${k + 1}/${WINDOWS}: ${n} steps, ${(spent / n).toFixed(1)} ms/step`)
  }
  if (!Number.isFinite(loss)) throw new Error(`workload ${w.name}: loss is ${loss}`)
  const stepMs = median(perWindow)
  const charsPerS = (T * B) / (stepMs / 1000)
  const total = PHASES.reduce((s, p) => s + phaseMs[p], 0)
  const phaseShare = Object.fromEntries(PHASES.map((p) => [p, phaseMs[p] / total])) as Record<Phase, number>
  return {
    workload: w, stepMs, stepMsMin: Math.min(...perWindow), stepMsMax: Math.max(...perWindow),
    charsPerS, gflops: (flopsPerPosition(spec) * charsPerS) / 1e9, steps, phaseShare, loss,
  }
}

/** Which kernel implementation runs (RNN_KERNELS=wasm|js), so a number can be tied to it. Read through a
 *  dynamic import because engines without a switchable kernel layer (pure JS) have no kernelName. */
async function kernelLabel(): Promise<string> {
  const k = (await import('../src/engine/kernels.ts')) as unknown as { kernelName?: () => string }
  return typeof k.kernelName === 'function' ? k.kernelName() : 'js (single implementation)'
}

/**
 * The reference: PyTorch CPU (bench/pytorch_bench.py, 1 thread, OpenBLAS told its CPU type) when a Python
 * with torch is on this machine, run right after each of our workloads so both see the same machine state.
 */
function findTorchPython(): string | null {
  if (process.argv.includes('--no-reference')) return null
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' })
    if (r.status === 0) return py
  }
  return null
}

function runTorch(py: string, w: Workload, seconds: number): { chars_per_s: number; gflops: number } | null {
  const script = fileURLToPath(new URL('./pytorch_bench.py', import.meta.url))
  const r = spawnSync(py, [script, '--threads', '1', '--workload', w.name, '--seconds', String(seconds)], {
    encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? 'SkylakeX' }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'))
  return r.status === 0 && line ? JSON.parse(line) : null
}

async function main(): Promise<void> {
  const { json, workloads, seconds, sample } = parseArgs(process.argv.slice(2))
  const torchPy = findTorchPython()
  const reference = new Map<string, { chars_per_s: number; gflops: number }>()
  const log = (s: string) => process.stderr.write(s + '\n')
  const kernels = await kernelLabel()
  log(`bench: kernels ${kernels}; vocab ${VOCAB}, seq ${T}, batch ${B}, one-hot, Adam lr ${LR}, clip ${CLIP}; ${seconds} s per workload in ${WINDOWS} windows`)
  const results: Result[] = []
  for (const w of workloads) {
    log(`${w.name}: ${w.cell}, ${w.layers} layer(s), hidden ${w.hidden}`)
    const r = run(w, seconds, log)
    results.push(r)
    // JSON lines go out as each workload finishes, so a partial run still leaves usable output
    if (json) process.stdout.write(JSON.stringify({ workload: w.name, chars_per_s: Math.round(r.charsPerS), gflops: Number(r.gflops.toFixed(3)) }) + '\n')
    if (torchPy !== null) {
      log(`${w.name}: PyTorch reference (${torchPy}, 1 thread)`)
      const t = runTorch(torchPy, w, seconds)
      if (t !== null) {
        reference.set(w.name, t)
        if (json) process.stdout.write(JSON.stringify({ workload: w.name, reference: 'pytorch', chars_per_s: t.chars_per_s, gflops: t.gflops, ratio: Number((r.charsPerS / t.chars_per_s).toFixed(3)) }) + '\n')
      }
    }
  }
  let sampleRate: number | null = null
  if (sample) {
    log('sample-B: single-stream sampling, 2 × 256 LSTM')
    sampleRate = runSample(Math.min(seconds, 10))
    if (json) process.stdout.write(JSON.stringify({ workload: 'sample-B', chars_per_s: Math.round(sampleRate) }) + '\n')
    const t = torchPy === null ? null : runTorch(torchPy, { name: 'SAMPLE-B', cell: 'lstm', layers: 2, hidden: 256 }, Math.min(seconds, 10))
    if (t !== null) {
      reference.set('sample-B', t)
      if (json) process.stdout.write(JSON.stringify({ workload: 'sample-B', reference: 'pytorch', chars_per_s: t.chars_per_s, ratio: Number((sampleRate / t.chars_per_s).toFixed(3)) }) + '\n')
    }
  }
  if (torchPy === null) log('bench: no Python with torch found (apt-get install python3-torch libopenblas0-pthread); ratios skipped')
  if (json) return
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`
  const rows = [
    ['workload', 'cell', 'layers', 'hidden', 'ms/step (min..max)', 'chars/s', 'GFLOP/s', 'fwd', 'bwd', 'clip', 'adam', 'zero'],
    ...results.map((r) => [
      r.workload.name, r.workload.cell, String(r.workload.layers), String(r.workload.hidden),
      `${r.stepMs.toFixed(1)} (${r.stepMsMin.toFixed(1)}..${r.stepMsMax.toFixed(1)})`,
      Math.round(r.charsPerS).toString(), r.gflops.toFixed(2),
      pct(r.phaseShare.forward), pct(r.phaseShare.backward), pct(r.phaseShare.clip), pct(r.phaseShare.adam), pct(r.phaseShare.zero),
    ]),
  ]
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  for (const r of rows) process.stdout.write(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') + '\n')
  process.stdout.write(`kernels: ${kernels}; median of ${WINDOWS} windows; GFLOP/s = flopsPerPosition (fwd 1x + bwd 2x, excl. one-hot input) x chars/s\n`)
  if (sampleRate !== null) {
    const t = reference.get('sample-B')
    process.stdout.write(`sample-B: ${Math.round(sampleRate)} chars/s single-stream sampling${t ? `; PyTorch ${t.chars_per_s}; ours / PyTorch = ${(sampleRate / t.chars_per_s).toFixed(2)}` : ''}\n`)
  }
  for (const r of results) {
    const t = reference.get(r.workload.name)
    if (t !== undefined) process.stdout.write(`${r.workload.name}: PyTorch (1 thread) ${t.chars_per_s} chars/s, ${t.gflops.toFixed(2)} GFLOP/s; ours / PyTorch = ${(r.charsPerS / t.chars_per_s).toFixed(2)}\n`)
  }
}

await main()
