/**
 * Training throughput of the engine (`npm run bench`): not a test, nothing is asserted.
 *
 * Three fixed workloads, each a char-RNN training loop on seeded random characters with everything
 * the real trainer does per step: zero grad, forward, backward, global-norm clip, Adam. The hidden
 * state is carried from step to step (truncated BPTT), as in training.
 *
 *   npm run bench                        human-readable table on stdout
 *   npm run bench -- --json              one JSON object per line, nothing else on stdout
 *   npm run bench -- --workload A,C      a subset (names: peak, A, B, C, sample-B; all by default)
 *   npm run bench -- --seconds 10        measuring time per workload (default 20)
 *   npm run bench -- --threads 1,2       thread counts to measure (default: 1 and the engine's default
 *                                        count, RNN_THREADS or the cores up to 2, when that is more)
 *   RNN_KERNELS=js npm run bench         the portable kernels instead of the default (wasm if available)
 *
 * Workload `peak` is the machine's float32 matrix-product peak as each implementation reaches it: our
 * matmul and torch.mm on n×n×n products, the best n of a few. It tells how far each workload's GFLOP/s
 * is from what the kernels can do at all.
 *
 * When a Python with torch is installed, bench/pytorch_bench.py (the same workloads in PyTorch) runs right
 * after each of ours on as many threads, and the ratio is printed. JSON lines:
 *   {"workload":"A","chars_per_s":N,"gflops":N,"threads":n}                        ours, per thread count
 *   {"workload":"A","reference":"pytorch","chars_per_s","gflops","ratio","blas","threads"}
 *   {"workload":"sample-B","chars_per_s":N,"threads":n}                            per thread count
 *   {"workload":"peak","impl":"ours","gflops","size","threads"} and its reference line
 * --no-reference skips PyTorch. --reference-blas openblas,reference also runs PyTorch on Debian's reference
 * BLAS (apt-get install libblas3, loaded through LD_LIBRARY_PATH for that process only); "blas" in each
 * reference line says which BLAS torch's sgemm_ really resolved to. The default is openblas (the system
 * libblas) only.
 * BENCHMARKS.md has the numbers and how to reproduce them.
 */
import './engine-env.ts'
import { clipGradNorm } from '../src/engine/clip.ts'
import { kernelName } from '../src/engine/kernels/index.ts'
import { createOptimizer, type OptimOptions } from '../src/engine/optim.ts'
import { allocParams } from '../src/engine/params.ts'
import { createRng } from '../src/engine/rng.ts'
import { MAX_THREADS, parallelStats, threadCount } from '../src/engine/kernels/threads.ts'
import { wasmVariant } from '../src/engine/wasm/module.ts'
import { initParams } from '../src/model/init.ts'
import { Model } from '../src/model/model.ts'
import { sampleText } from '../src/model/sampler.ts'
import { Vocab } from '../src/data/vocab.ts'
import { flopsPerPosition, paramSpecs, type ModelSpec } from '../src/model/spec.ts'
import { measurePeak, PEAK_SIZES, useThreads, workerShare, type Peak } from './peak.ts'
import { availableBlas, BLAS_LABEL, findTorchPython, parseBlas, refKey, runReferences, type Blas, type References } from './reference.ts'

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
  threads: number
  stepMs: number          // median over windows of the mean step time in the window
  stepMsMin: number; stepMsMax: number
  charsPerS: number
  gflops: number
  steps: number           // timed steps over all windows
  phaseShare: Record<Phase, number> // fraction of timed step time, over all windows
  loss: number
}


interface Options { json: boolean; workloads: Workload[]; seconds: number; sample: boolean; peak: boolean; blas: Blas[]; threads: number[] }

function parseArgs(argv: string[]): Options {
  let json = false, seconds = 20, names = ['PEAK', ...WORKLOADS.map((w) => w.name), 'SAMPLE-B'], blas: Blas[] = ['openblas']
  // 1 thread, and the engine's default count when that is more (RNN_THREADS sets the default)
  let threads = [...new Set([1, threadCount()])]
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--no-reference') continue
    else if (a === '--workload' || a === '--workloads') names = (argv[++i] ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
    else if (a === '--seconds') seconds = Number(argv[++i])
    else if (a === '--reference-blas') blas = parseBlas(argv[++i] ?? '')
    else if (a === '--threads') threads = parseThreads(argv[++i] ?? '')
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: npm run bench -- [--json] [--workload peak,A,B,C,sample-B] [--seconds n] [--no-reference] [--reference-blas openblas,reference] [--threads 1,2]\n')
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number')
  const special = ['PEAK', 'SAMPLE-B']
  const workloads = names.filter((n) => !special.includes(n)).map((n) => {
    const w = WORKLOADS.find((x) => x.name === n)
    if (w === undefined) throw new Error(`unknown workload ${n} (have peak, ${WORKLOADS.map((x) => x.name).join(', ')}, sample-B)`)
    return w
  })
  return { json, workloads, seconds, sample: names.includes('SAMPLE-B'), peak: names.includes('PEAK'), blas, threads }
}

function parseThreads(list: string): number[] {
  const ns = list.split(',').map((v) => Number(v.trim()))
  if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_THREADS)) throw new Error(`--threads: a list of counts from 1 to ${MAX_THREADS}, e.g. 1,2`)
  return [...new Set(ns)]
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
    workload: w, threads: threadCount(), stepMs, stepMsMin: Math.min(...perWindow), stepMsMax: Math.max(...perWindow),
    charsPerS, gflops: (flopsPerPosition(spec) * charsPerS) / 1e9, steps, phaseShare, loss,
  }
}

/** Which kernels run (RNN_KERNELS=wasm|js, the wasm binary), so a number can be tied to them. */
function kernelLabel(): string {
  const name = kernelName()
  return name === 'wasm' ? `wasm (${wasmVariant})` : name
}


const ratio = (ours: number, theirs: number) => Number((ours / theirs).toFixed(3))

async function main(): Promise<void> {
  const { json, workloads, seconds, sample, peak, blas: wantedBlas, threads: threadList } = parseArgs(process.argv.slice(2))
  const log = (s: string) => process.stderr.write(s + '\n')
  // JSON lines go out as each workload finishes, so a partial run still leaves usable output
  const jsonLine = (o: object) => { if (json) process.stdout.write(JSON.stringify(o) + '\n') }
  const torchPy = findTorchPython()
  const blasList = torchPy === null ? [] : availableBlas(wantedBlas, log)
  const refs: References = new Map()
  const kernels = kernelLabel()
  const counts = threadList.join(', ')
  log(`bench: kernels ${kernels}; ours and PyTorch on ${counts} thread(s); vocab ${VOCAB}, seq ${T}, batch ${B}, one-hot, Adam lr ${LR}, clip ${CLIP}; ${seconds} s per workload in ${WINDOWS} windows`)

  // Each measurement of ours is followed at once by PyTorch's on as many threads, so both see the
  // same machine state; a ratio compares the two at one thread count.
  const ourPeaks: Peak[] = []
  if (peak) {
    log(`peak: float32 matrix product, n×n×n for n in ${PEAK_SIZES.join(', ')}`)
    for (const threads of threadList) {
      const p = await measurePeak(seconds, threads, log)
      ourPeaks.push(p)
      jsonLine({ workload: 'peak', impl: 'ours', gflops: Number(p.gflops.toFixed(3)), size: p.size, threads })
      const r = runReferences(torchPy, blasList, 'peak', seconds, threads, log)
      refs.set(refKey('peak', threads), r)
      for (const [blas, t] of r)
        jsonLine({ workload: 'peak', reference: 'pytorch', gflops: t.gflops, size: t.size, ratio: ratio(p.gflops, t.gflops), blas, threads })
    }
  }

  const results: Result[] = []
  for (const w of workloads)
    for (const threads of threadList) {
      await useThreads(threads)
      log(`${w.name}: ${w.cell}, ${w.layers} layer(s), hidden ${w.hidden}, ${threads} thread(s)`)
      const before = parallelStats()
      const r = run(w, seconds, log)
      const share = workerShare(before)
      if (share !== '') log(`  ${share.slice(2)}`)
      results.push(r)
      jsonLine({ workload: w.name, chars_per_s: Math.round(r.charsPerS), gflops: Number(r.gflops.toFixed(3)), threads })
      const ref = runReferences(torchPy, blasList, w.name, seconds, threads, log)
      refs.set(refKey(w.name, threads), ref)
      for (const [blas, t] of ref)
        jsonLine({ workload: w.name, reference: 'pytorch', chars_per_s: t.chars_per_s, gflops: t.gflops, ratio: ratio(r.charsPerS, t.chars_per_s), blas, threads })
    }

  // single-stream sampling: matrix-vector products, split between threads for B's 1024 × 256 weights
  const sampleRates: { threads: number; rate: number }[] = []
  if (sample)
    for (const threads of threadList) {
      await useThreads(threads)
      log(`sample-B: single-stream sampling, 2 × 256 LSTM, ${threads} thread(s)`)
      const before = parallelStats()
      const rate = runSample(Math.min(seconds, 10))
      const share = workerShare(before)
      if (share !== '') log(`  ${share.slice(2)}`)
      sampleRates.push({ threads, rate })
      jsonLine({ workload: 'sample-B', chars_per_s: Math.round(rate), threads })
      const ref = runReferences(torchPy, blasList, 'sample-B', Math.min(seconds, 10), threads, log)
      refs.set(refKey('sample-B', threads), ref)
      for (const [blas, t] of ref)
        jsonLine({ workload: 'sample-B', reference: 'pytorch', chars_per_s: t.chars_per_s, ratio: ratio(rate, t.chars_per_s), blas, threads })
    }
  if (torchPy === null && !process.argv.includes('--no-reference')) log('bench: no Python with torch found (apt-get install python3-torch libopenblas0-pthread); ratios skipped')
  if (!json) printReport(kernels, results, ourPeaks, sampleRates, refs)
}

function printReport(kernels: string, results: Result[], ourPeaks: Peak[], sampleRates: { threads: number; rate: number }[], refs: References): void {
  const out = (s: string) => process.stdout.write(s + '\n')
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`
  // "of peak" is against our peak on as many threads
  const peakAt = (threads: number) => ourPeaks.find((p) => p.threads === threads) ?? null
  const rows = [
    ['workload', 'cell', 'layers', 'hidden', 'threads', 'ms/step (min..max)', 'chars/s', 'GFLOP/s', 'of peak', 'fwd', 'bwd', 'clip', 'adam', 'zero'],
    ...results.map((r) => {
      const p = peakAt(r.threads)
      return [
        r.workload.name, r.workload.cell, String(r.workload.layers), String(r.workload.hidden), String(r.threads),
        `${r.stepMs.toFixed(1)} (${r.stepMsMin.toFixed(1)}..${r.stepMsMax.toFixed(1)})`,
        Math.round(r.charsPerS).toString(), r.gflops.toFixed(2), p === null ? '-' : pct(r.gflops / p.gflops),
        pct(r.phaseShare.forward), pct(r.phaseShare.backward), pct(r.phaseShare.clip), pct(r.phaseShare.adam), pct(r.phaseShare.zero),
      ]
    }),
  ]
  if (results.length > 0) {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
    for (const r of rows) out(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    out(`kernels: ${kernels}; median of ${WINDOWS} windows; GFLOP/s = flopsPerPosition (fwd 1x + bwd 2x, excl. one-hot input) x chars/s; of peak = GFLOP/s / our peak on as many threads`)
  }
  const torchLabel = (blas: Blas, threads: number) => `PyTorch + ${BLAS_LABEL[blas]} (${threads} thread${threads === 1 ? '' : 's'})`
  for (const r of results)
    for (const [blas, t] of refs.get(refKey(r.workload.name, r.threads)) ?? [])
      out(`${r.workload.name}: ${torchLabel(blas, r.threads)} ${t.chars_per_s} chars/s, ${t.gflops.toFixed(2)} GFLOP/s; ours / PyTorch = ${(r.charsPerS / t.chars_per_s).toFixed(2)}`)
  for (const { threads, rate } of sampleRates) {
    out(`sample-B: ${Math.round(rate)} chars/s single-stream sampling, ${threads} thread${threads === 1 ? '' : 's'}`)
    for (const [blas, t] of refs.get(refKey('sample-B', threads)) ?? [])
      out(`sample-B: ${torchLabel(blas, threads)} ${t.chars_per_s} chars/s; ours / PyTorch = ${(rate / t.chars_per_s).toFixed(2)}`)
  }
  for (const p of ourPeaks) {
    out(`peak: ours (matmul, ${p.threads} thread${p.threads === 1 ? '' : 's'}) ${p.gflops.toFixed(1)} GFLOP/s at ${p.size}³`)
    for (const [blas, t] of refs.get(refKey('peak', p.threads)) ?? [])
      out(`peak: ${torchLabel(blas, p.threads)} torch.mm ${t.gflops.toFixed(1)} GFLOP/s at ${t.size}³; ours / PyTorch = ${(p.gflops / t.gflops).toFixed(2)}`)
  }
}

await main()
