/**
 * Kernel throughput at the shapes of the bench workloads (`npm run bench:kernels`): GFLOP/s of each
 * product and ns per element of each point-wise step, every implementation in the same run so a busy
 * shared machine disturbs them alike; times are process CPU time (best of 3 windows), which other
 * processes on the machine do not inflate. Not a test, nothing is asserted.
 *
 *   npm run bench:kernels                    all cases, js and wasm
 *   npm run bench:kernels -- --ms 500        time per case and implementation (default 300)
 *   npm run bench:kernels -- --only wasm     one implementation
 */
import { availableKernels, kernels, preparedSize, setKernels, type KernelName } from '../src/engine/kernels/index.ts'
import { allocF32 } from '../src/engine/memory.ts'
import { createRng } from '../src/engine/rng.ts'

type F = Float32Array
interface Case { name: string; flops: number; elems?: number; setup: () => () => void }

const rng = createRng(7)
const rand = (n: number): F => { const a = allocF32(n); for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1); return a }
const K = kernels

/** out = x·wᵀ family, dx = dout·w, dw = doutᵀ·x at N rows, K in, M out. */
/** fwd/bx/bw: the plain kernels; fwdP/bxP: with the weight prepared once (the recurrent step). */
function products(label: string, N: number, Kd: number, M: number, which: ('fwd' | 'fwdP' | 'bx' | 'bxP' | 'bw')[]): Case[] {
  const flops = 2 * N * Kd * M
  const out: Case[] = []
  for (const k of which) {
    out.push({
      name: `${label} ${k} N=${N} K=${Kd} M=${M}`, flops,
      setup: () => {
        const x = rand(N * Kd), w = rand(M * Kd), b = rand(M), o = rand(N * M), wp = rand(preparedSize(M, Kd)), dw = rand(M * Kd), db = rand(M)
        if (k === 'fwd') return () => K().matmul(o, x, w, b, N, Kd, M)
        if (k === 'fwdP') { K().prepareForward(wp, w, M, Kd); return () => K().matmulAddPrepared(o, x, w, wp, N, Kd, M) }
        if (k === 'bx') return () => K().matmulBackwardX(x, o, w, N, Kd, M)
        if (k === 'bxP') { K().prepareBackward(wp, w, M, Kd); return () => K().matmulBackwardXPrepared(x, o, w, wp, N, Kd, M) }
        return () => K().matmulBackwardW(dw, db, o, x, N, Kd, M)
      },
    })
  }
  return out
}

function pointwise(B: number, H: number): Case[] {
  const BH = B * H
  return [
    { name: `lstm fwd gates B=${B} H=${H}`, flops: 0, elems: BH, setup: () => {
      const pre = rand(4 * BH), gates = rand(4 * BH), bhh = rand(4 * H), cp = rand(BH), c = rand(BH), h = rand(BH)
      return () => K().lstmForward(pre, gates, bhh, cp, c, h, B, H)
    } },
    { name: `lstm bwd gates B=${B} H=${H}`, flops: 0, elems: BH, setup: () => {
      const act = rand(4 * BH).map((v) => 0.5 + 0.4 * v), dh = rand(BH), dhn = rand(BH), dcn = rand(BH), c = rand(BH), cp = rand(BH), dc = rand(BH), da = rand(4 * BH)
      const a2 = allocF32(4 * BH); a2.set(act)
      return () => K().lstmBackward(a2, dh, dhn, dcn, c, cp, dc, da, B, H)
    } },
    { name: `tanh rnn fwd B=${B} H=${H}`, flops: 0, elems: BH, setup: () => {
      const h = rand(BH), bhh = rand(H)
      return () => { h.fill(0.3); K().rnnForward(h, bhh, B, H, false) }
    } },
  ]
}

function embed(N: number, V: number, GH: number): Case[] {
  const mk = (bwd: boolean): Case => ({
    name: `one-hot ${bwd ? 'scatter' : 'gather'} N=${N} V=${V} GH=${GH}`, flops: 0, elems: N * GH, setup: () => {
      const ids = new Int32Array(N).map(() => rng.int(V)), w = rand(GH * V), b = rand(GH), xw = rand(N * GH), t = rand(V * GH)
      return bwd ? () => K().embedBackward(w, b, xw, ids, t, N, V, GH) : () => K().embedForward(xw, ids, w, b, t, N, V, GH)
    },
  })
  return [mk(false), mk(true)]
}

const CASES: Case[] = [
  // workload A: LSTM H=128, T·B = 2048 positions, vocab 65
  ...products('A recurrent', 32, 128, 512, ['fwd', 'fwdP', 'bx', 'bxP']),
  ...products('A W_hh grad', 2048, 128, 512, ['bw']),
  ...products('A head', 2048, 128, 65, ['fwd', 'bx', 'bw']),
  ...embed(2048, 65, 512),
  ...pointwise(32, 128),
  // workload B: LSTM H=256, layer 1's input projection
  ...products('B recurrent', 32, 256, 1024, ['fwdP', 'bxP']),
  ...products('B W_ih1', 2048, 256, 1024, ['fwd', 'bx', 'bw']),
  // workload C: tanh RNN H=128
  ...products('C recurrent', 32, 128, 128, ['fwdP', 'bxP']),
]

/** Process CPU time in ms: on a machine shared with other work, wall time measures the neighbours too. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Best of 3 windows of ms/3 each, in CPU ms per call. */
function time(f: () => void, ms: number): number {
  for (let i = 0; i < 3; i++) f()
  let best = Infinity
  for (let w = 0; w < 3; w++) {
    let n = 0
    const t0 = cpuMs()
    let t = t0
    while (t - t0 < ms / 3) { f(); n++; t = cpuMs() }
    best = Math.min(best, (t - t0) / n)
  }
  return best
}

const args = process.argv.slice(2)
const ms = args.includes('--ms') ? Number(args[args.indexOf('--ms') + 1]) : 300
const only = args.includes('--only') ? [args[args.indexOf('--only') + 1] as KernelName] : availableKernels().reverse()
process.stdout.write(`${'case'.padEnd(44)}${only.map((k) => k.padStart(16)).join('')}\n`)
for (const c of CASES) {
  const cells: string[] = []
  for (const k of only) {
    setKernels(k)
    const run = c.setup()
    const t = time(run, ms)
    cells.push(c.flops > 0 ? `${((c.flops / t) * 1e-6).toFixed(2)} GFLOP/s` : `${((t * 1e6) / c.elems!).toFixed(2)} ns/el`)
  }
  process.stdout.write(`${c.name.padEnd(44)}${cells.map((s) => s.padStart(16)).join('')}\n`)
}
