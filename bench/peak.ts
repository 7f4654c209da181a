/**
 * The machine's float32 matrix-product peak as our kernels reach it (workload `peak` of bench.ts), and the
 * thread helpers the workloads share.
 */
import { matmul } from '../src/engine/kernels/index.ts'
import { allocF32, freeF32 } from '../src/engine/memory.ts'
import { createRng } from '../src/engine/rng.ts'
import { parallelStats, setThreads, threadCount, threadsReady } from '../src/engine/kernels/threads.ts'

/** The operands' seed (the value does not matter for speed; fixed so runs do the same work). */
const SEED = 1234
export const PEAK_SIZES = [256, 512, 1024]

/** The share of split chunks the workers ran since `before`: low when another process holds their core. */
export function workerShare(before: ReturnType<typeof parallelStats>): string {
  const now = parallelStats(), chunks = now.chunks - before.chunks
  return chunks === 0 ? '' : `, workers ran ${(100 * (1 - (now.chunksOnCaller - before.chunksOnCaller) / chunks)).toFixed(0)}% of the chunks`
}

export interface Peak { gflops: number; size: number; threads: number }

/**
 * Peak float32 matrix-product speed of the active kernels on `threads` threads: matmul (out = x·wᵀ, the
 * plain product that packs w per call, as torch.mm packs its operands) on n×n×n for a few n, arrays in
 * wasm memory (allocF32) like the engine's own. The fastest single call of each n counts, so a neighbour
 * taking the core for a moment cannot lower it; pytorch_bench.py's PEAK does the same with torch.mm.
 */
export async function measurePeak(seconds: number, threads: number, log: (s: string) => void): Promise<Peak> {
  await useThreads(threads)
  return { ...peakOfSizes(seconds, log), threads }
}

/** Runs the engine on `threads` threads from here on, the workers started (start-up is not measured). */
export async function useThreads(threads: number): Promise<void> {
  setThreads(threads)
  await threadsReady()
}

function peakOfSizes(seconds: number, log: (s: string) => void): { gflops: number; size: number } {
  const budgetMs = (Math.min(seconds, 2) * 1000) / PEAK_SIZES.length
  const rng = createRng(SEED)
  let best = { gflops: 0, size: 0 }
  for (const n of PEAK_SIZES) {
    const x = allocF32(n * n), w = allocF32(n * n), out = allocF32(n * n)
    for (let i = 0; i < n * n; i++) { x[i] = rng.uniform(-0.5, 0.5); w[i] = rng.uniform(-0.5, 0.5) }
    matmul(out, x, w, null, n, n, n) // warm-up: compiles and touches every page
    let fastest = Infinity, reps = 0
    const before = parallelStats(), start = performance.now()
    while (reps < 3 || performance.now() - start < budgetMs) {
      const t0 = performance.now()
      matmul(out, x, w, null, n, n, n)
      fastest = Math.min(fastest, performance.now() - t0)
      reps++
    }
    for (const a of [x, w, out]) freeF32(a)
    const gflops = (2 * n ** 3) / (fastest / 1000) / 1e9
    log(`  peak: matmul ${n}³, ${threadCount()} thread(s): ${gflops.toFixed(1)} GFLOP/s (best of ${reps})${workerShare(before)}`)
    if (gflops > best.gflops) best = { gflops, size: n }
  }
  return best
}
