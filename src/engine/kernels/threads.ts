/**
 * More than one core for the large matrix products (`--threads n`, RNN_THREADS).
 *
 * The wasm memory is shared (memory.ts), so a worker thread instantiates the same kernel module on the
 * same memory and can run a slice of any product in place: nothing is copied or posted per call. A
 * product is cut into chunks (whole 8-column panels, 4-row blocks for weight gradients, or 4-row blocks of
 * the weight for the matrix-vector products of sampling) and every
 * thread, the main one included, claims chunks until none are left (wasm/assembly/parallel.ts). Since
 * each output element is computed by the same tiles whichever thread runs it, results are bit-identical
 * for every thread count, and a worker that is descheduled (another process holding the core) only
 * claims fewer chunks instead of stalling the step for its fixed share.
 *
 * Small products stay on the calling thread: waking a worker and sharing cache lines costs a few
 * microseconds, more than splitting a product of less than MIN_MACS multiply-adds saves.
 *
 * Control block (i32 slots in shared memory; parallel.ts reads slots 1-11):
 *   0 job number  1 next chunk  2 chunks done  3 chunks  4 op  5-11 args  12 workers asleep
 */
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { heapAlloc, heapMemory } from '../memory.ts'
import type { WasmKernels } from '../wasm/module.ts'

const SEQ = 0, NEXT = 1, DONE = 2, CHUNKS = 3, OP = 4, ARGS = 5, ASLEEP = 12
const OP_NN = 1, OP_TN = 2, OP_NT = 3
/**
 * Below this many multiply-adds a product runs on one thread. Measured with `npm run bench -- --threads 2`:
 * at 2^19 C's per-step products (32 × 128 × 128, exactly 2^19) are split and C runs at 345k chars/s
 * against 297k at 2^20; at 2^18 A loses (121k against 129k).
 */
const MIN_MACS = 1 << 19
/** Chunks per thread: enough that a late thread's share is picked up by the others. */
const CHUNKS_PER_THREAD = 4
/**
 * Matrix-vector products (a few rows of x: sampling) split from this many multiply-adds: they are memory
 * bound, and with one chunk per thread each thread keeps reading the same half of W, so each core's L2
 * holds its half (2 × 256 LSTM: 3 MB of weights, 2 MB of L2 per core here).
 */
const MIN_MV_MACS = 1 << 17
/** The most threads --threads accepts. */
export const MAX_THREADS = 16

export interface Parallel {
  /** gemm_nn_packed(c, a, bp, N, P, J), split over column panels when large enough. */
  nnPacked(c: number, a: number, bp: number, N: number, P: number, J: number): void
  /** gemm_tn_packed(c, ap, bp, N, M, K), split over 4-row blocks of C when large enough. */
  tnPacked(c: number, ap: number, bp: number, N: number, M: number, K: number): void
  /** gemm_nt_small(c, a, w, N, K, M), split over 4-row blocks of w when large enough. */
  ntSmall(c: number, a: number, w: number, N: number, K: number, M: number): void
}

let W: WasmKernels | null = null
let module: WebAssembly.Module | null = null
let ctl: Int32Array | null = null
const workers: Worker[] = []
let wanted = 1
let job = 0
/** Jobs split so far, their chunks, the chunks the calling thread ran itself, and pauses for lateness. */
const stats = { jobs: 0, chunks: 0, chunksOnCaller: 0, pauses: 0 }

/** Called once by kernels/index.ts with the instantiated kernels and their compiled module. */
export function initParallel(kernels: WasmKernels, compiled: WebAssembly.Module): Parallel {
  W = kernels
  module = compiled
  return { nnPacked, tnPacked, ntSmall }
}

/** The default thread count: every core up to 2, the most measured (BENCHMARKS.md, "Threads"). */
export function defaultThreads(): number {
  return Math.min(2, availableParallelism())
}

/** Threads the products may use (1 = the calling thread only). */
export function threadCount(): number {
  return wanted
}

/**
 * Sets the thread count. Workers start with the first product large enough to split (not at all for
 * small models) and stop when the count is lowered. Throws on a count outside 1..MAX_THREADS. Without
 * the wasm kernels the js kernels run on the calling thread whatever the count.
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new Error(`threads must be an integer from 1 to ${MAX_THREADS}, got ${n}`)
  wanted = n
  while (workers.length > n - 1) void workers.pop()!.terminate()
  pausedUntil = 0 // a new count starts without the judgement made for the old one
}

/** Resolves when the workers for the current count are running (tests: so a split really is shared). */
export async function threadsReady(): Promise<void> {
  startWorkers()
  const starting = [...workers]
  // workers are unref'd, so while they start nothing would keep the process alive for this await
  for (const w of starting) w.ref()
  try {
    await Promise.all(starting.map((w) => online.get(w)))
  } finally {
    for (const w of starting) w.unref()
  }
}

/** Counters of the splitting so far (tests and --verbose). */
export function parallelStats(): { jobs: number; chunks: number; chunksOnCaller: number; pauses: number } {
  return { ...stats }
}

const online = new WeakMap<Worker, Promise<void>>()

function startWorkers(): boolean {
  if (W === null || module === null) return false
  if (ctl === null) {
    const block = heapAlloc(16)
    if (block === null) return false
    ctl = new Int32Array(block.buffer, block.byteOffset, 16)
  }
  while (workers.length < wanted - 1) {
    const w = new Worker(new URL('./thread-worker.mjs', import.meta.url), {
      workerData: { module, memory: heapMemory(), ctl: ctl.byteOffset },
    })
    // a worker never keeps the process alive: `rnn sample --length 1` exits without waiting for one to start
    w.unref()
    online.set(w, new Promise((resolve) => w.once('online', () => resolve())))
    workers.push(w)
  }
  return true
}

function nnPacked(c: number, a: number, bp: number, N: number, P: number, J: number): void {
  const panels = Math.ceil(J / 8)
  if (wanted === 1 || N * P * J < MIN_MACS || panels < 2 || paused() || !startWorkers()) { W!.gemm_nn_packed(c, a, bp, N, P, J); return }
  run(OP_NN, panels, c, a, bp, N, P, J)
}

function tnPacked(c: number, ap: number, bp: number, N: number, M: number, K: number): void {
  const blocks = Math.ceil(M / 4)
  if (wanted === 1 || N * M * K < MIN_MACS || blocks < 2 || paused() || !startWorkers()) { W!.gemm_tn_packed(c, ap, bp, N, M, K); return }
  run(OP_TN, blocks, c, ap, bp, N, M, K)
}

function ntSmall(c: number, a: number, w: number, N: number, K: number, M: number): void {
  const blocks = Math.ceil(M / 4)
  if (wanted === 1 || N * K * M < MIN_MV_MACS || blocks < 2 || paused() || !startWorkers()) { W!.gemm_nt_small(c, a, w, N, K, M); return }
  run(OP_NT, blocks, c, a, w, N, K, M, 1)
}

/**
 * Posts one job of `units` panels or blocks in about `perThread` chunks per thread, works on it, and
 * returns when every chunk is done.
 */
function run(
  op: number, units: number, c: number, a: number, b: number, N: number, P: number, J: number, perThread = CHUNKS_PER_THREAD,
): void {
  const s = ctl!
  const per = Math.ceil(units / Math.min(units, perThread * wanted))
  const chunks = Math.ceil(units / per)
  job = (job + 1) | 0
  s[OP] = op
  s[ARGS] = c; s[ARGS + 1] = a; s[ARGS + 2] = b; s[ARGS + 3] = N; s[ARGS + 4] = P; s[ARGS + 5] = J; s[ARGS + 6] = per
  s[CHUNKS] = chunks
  Atomics.store(s, DONE, 0)
  Atomics.store(s, NEXT, (job & 0xfff) << 20) // opens the job: chunks can be claimed from here on
  Atomics.store(s, SEQ, job)
  if (Atomics.load(s, ASLEEP) > 0) Atomics.notify(s, SEQ)
  const t0 = performance.now()
  const mine = W!.work(s.byteOffset, job)
  const t1 = performance.now()
  // the last chunks may still be running on a worker: they are short, so spin rather than sleep
  for (let spins = 1; Atomics.load(s, DONE) < chunks; spins++)
    if ((spins & 0xfffff) === 0 && performance.now() - t1 > STUCK_MS) stuck()
  const t2 = performance.now()
  stats.jobs++; stats.chunks += chunks; stats.chunksOnCaller += mine
  watchLateness(t2 - t1, mine === 0 ? t1 - t0 : (t1 - t0) / mine, t2)
}

/**
 * A claimed chunk not finished after this long means its worker is gone (a chunk takes microseconds to
 * milliseconds; a descheduled worker resumes within a time slice): fail loudly instead of spinning forever.
 */
const STUCK_MS = 20_000

function stuck(): never {
  for (const w of workers.splice(0)) void w.terminate()
  wanted = 1
  throw new Error(`a worker thread stopped responding (no chunk finished in ${STUCK_MS / 1000} s); run with --threads 1`)
}

// ---- a busy machine: never slower than one thread ----
//
// When another process wants a core, the scheduler time-slices our threads with it: a worker can be
// descheduled in the middle of a chunk (the caller waits a time slice, milliseconds, for work it would
// have finished alone in microseconds), and the calling thread loses part of its core while its serial
// work (gates, softmax, optimizer) runs. Two signs, either of which pauses splitting for PAUSE_MS (the
// products run on the calling thread alone and the workers fall asleep), after which it is tried again:
//   - lateness: a healthy worker finishes its last chunk about one chunk after the caller finished its
//     own; a wait of several chunk times in more than LATE_LIMIT of the last WINDOW jobs means it was not
//     running;
//   - the calling thread's CPU time (Linux: /proc/thread-self/stat) over a stretch of back-to-back jobs
//     falls below MIN_SHARE of the wall time: it is sharing its core.

const WINDOW = 64, LATE_LIMIT = 6, PAUSE_MS = 3000
/** A wait is late beyond this many chunk times plus a fixed allowance for cache effects (ms). */
const LATE_CHUNKS = 3, LATE_SLACK_MS = 0.02
/** CPU share: measured over stretches of SHARE_MS without a gap of GAP_MS between jobs. */
const SHARE_MS = 500, GAP_MS = 50, MIN_SHARE = 0.8
let windowJobs = 0, windowLate = 0, pausedUntil = 0
let shareStart = 0, shareCpu = 0, lastJob = 0

function watchLateness(waitMs: number, chunkMs: number, now: number): void {
  if (waitMs > LATE_CHUNKS * chunkMs + LATE_SLACK_MS) windowLate++
  if (++windowJobs >= WINDOW) {
    if (windowLate > LATE_LIMIT) pause(now)
    windowJobs = 0; windowLate = 0
  }
  watchShare(now)
}

function watchShare(now: number): void {
  if (now - lastJob > GAP_MS) shareStart = 0 // a gap: the thread was doing something else (or nothing)
  lastJob = now
  if (shareStart !== 0 && now - shareStart < SHARE_MS) return
  const cpu = threadCpuMs()
  if (cpu === null) return
  if (shareStart !== 0 && (cpu - shareCpu) / (now - shareStart) < MIN_SHARE) { pause(now); return }
  shareStart = now; shareCpu = cpu
}

function pause(now: number): void {
  pausedUntil = now + PAUSE_MS
  stats.pauses++
  windowJobs = 0; windowLate = 0; shareStart = 0
}

/** True while splitting is paused because the machine looked busy (the clock is read only during a pause). */
function paused(): boolean {
  if (pausedUntil === 0) return false
  if (performance.now() < pausedUntil) return true
  pausedUntil = 0
  return false
}

let procStat = true
/** CPU time (user + system) of the calling thread in ms, or null where /proc is not there. */
function threadCpuMs(): number | null {
  if (!procStat) return null
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1')
    // fields after "(comm)": state is field 3, utime 14 and stime 15, in clock ticks (USER_HZ, 100 on Linux)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    procStat = false
    return null
  }
}
