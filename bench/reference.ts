/**
 * The PyTorch reference for bench.ts: bench/pytorch_bench.py run in a Python that has torch (Debian's
 * python3-torch), with OpenBLAS told its CPU type, on the system BLAS (OpenBLAS) or Debian's reference BLAS.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Which libblas PyTorch runs on: the system one (OpenBLAS here) or Debian's reference BLAS (libblas3). */
export type Blas = 'openblas' | 'reference'
const BLAS_KINDS: readonly Blas[] = ['openblas', 'reference']
/** Where libblas3 puts the reference BLAS; it stays out of the way (lower update-alternatives priority)
 *  unless a process puts this directory first on LD_LIBRARY_PATH. */
const REFERENCE_BLAS_DIR = '/usr/lib/x86_64-linux-gnu/blas'
export const BLAS_LABEL: Record<Blas, string> = { openblas: 'OpenBLAS', reference: 'reference BLAS' }

export function parseBlas(list: string): Blas[] {
  const kinds = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  for (const k of kinds) if (!(BLAS_KINDS as readonly string[]).includes(k)) throw new Error(`--reference-blas: unknown BLAS "${k}" (have ${BLAS_KINDS.join(', ')})`)
  if (kinds.length === 0) throw new Error('--reference-blas needs a list, e.g. openblas,reference')
  return [...new Set(kinds)] as Blas[]
}

/**
 * The reference: PyTorch CPU (bench/pytorch_bench.py, OpenBLAS told its CPU type) when a Python
 * with torch is on this machine, run right after each of our workloads so both see the same machine state.
 */
export function findTorchPython(): string | null {
  if (process.argv.includes('--no-reference')) return null
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' })
    if (r.status === 0) return py
  }
  return null
}

/** What pytorch_bench.py prints for one workload (chars_per_s or gflops depending on the workload). */
export interface TorchResult { chars_per_s: number; gflops: number; size?: number; blas: string | null; sgemm: string | null }

/** The BLASes to measure PyTorch with: reference only if libblas3 is installed. */
export function availableBlas(wanted: Blas[], log: (s: string) => void): Blas[] {
  if (!wanted.includes('reference') || existsSync(`${REFERENCE_BLAS_DIR}/libblas.so.3`)) return wanted
  log(`bench: ${REFERENCE_BLAS_DIR}/libblas.so.3 is absent (apt-get install libblas3); skipping PyTorch with the reference BLAS`)
  return wanted.filter((b) => b !== 'reference')
}

/** The kind of BLAS a library path is, judged by where Debian installs each. */
function blasKind(path: string | null): Blas | null {
  if (path === null) return null
  if (path.includes('openblas')) return 'openblas'
  return path.startsWith(`${REFERENCE_BLAS_DIR}/`) ? 'reference' : null
}

/**
 * OpenBLAS 0.3.21 does not recognise some AVX-512 CPUs in a VM and falls back to slower kernels, so it is told
 * SkylakeX there; on a CPU without AVX-512 that core type dies of an illegal instruction, so it detects itself.
 */
function coreType(): string | undefined {
  if (process.env.OPENBLAS_CORETYPE !== undefined) return process.env.OPENBLAS_CORETYPE
  let cpuinfo = ''
  try { cpuinfo = readFileSync('/proc/cpuinfo', 'utf8') } catch { return undefined }
  return /^flags\s*:.*\bavx512f\b/m.test(cpuinfo) ? 'SkylakeX' : undefined
}

function runTorch(
  py: string, workload: string, seconds: number, blas: Blas, threads: number, blasThreads: number, log: (s: string) => void,
): TorchResult | null {
  const script = fileURLToPath(new URL('./pytorch_bench.py', import.meta.url))
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(blasThreads) }
  const core = coreType()
  if (core === undefined) delete env.OPENBLAS_CORETYPE
  else env.OPENBLAS_CORETYPE = core
  // the dynamic linker then finds the reference libblas.so.3 before the update-alternatives one (OpenBLAS)
  if (blas === 'reference') env.LD_LIBRARY_PATH = [REFERENCE_BLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':')
  const r = spawnSync(py, [script, '--threads', String(threads), '--workload', workload, '--seconds', String(seconds)], {
    encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'))
  if (r.status !== 0 || !line) {
    const how = r.signal !== null ? `was killed by ${r.signal}` : r.status !== 0 ? `exited with ${r.status}` : 'printed no result'
    log(`${workload}: PyTorch reference ${how} (OPENBLAS_CORETYPE=${core ?? 'detected'}); no ratio for it`)
    return null
  }
  const t = JSON.parse(line) as TorchResult
  // a result under the wrong label would be worse than none: check the library sgemm_ came from
  const got = blasKind(t.sgemm ?? t.blas ?? null)
  if (got !== blas) {
    log(`${workload}: PyTorch was to run on ${BLAS_LABEL[blas]} but torch's sgemm_ came from ${t.sgemm ?? t.blas ?? 'an unknown library'}; result dropped`)
    return null
  }
  return t
}

/** PyTorch's results by workload (A, B, C, sample-B, peak) and thread count, then BLAS. */
export type References = Map<string, Map<Blas, TorchResult>>
const score = (t: TorchResult) => t.chars_per_s || t.gflops
export const refKey = (name: string, threads: number) => `${name}/${threads}`

/**
 * PyTorch on one workload with each BLAS, run right after ours so both see the same machine state. With n > 1
 * threads it runs twice, OpenBLAS on n threads and on 1 (torch's own ops still on n), and keeps the faster:
 * OpenBLAS 0.3.21's thread pool made PyTorch 3-4 times slower on 2 threads than on 1 on an AMD EPYC guest,
 * and a ratio against that would flatter us.
 */
export function runReferences(py: string | null, blasList: Blas[], name: string, seconds: number, threads: number, log: (s: string) => void): Map<Blas, TorchResult> {
  const out = new Map<Blas, TorchResult>()
  if (py === null) return out
  for (const blas of blasList) {
    log(`${name}: PyTorch reference (${py}, ${threads} thread${threads === 1 ? '' : 's'}, ${BLAS_LABEL[blas]})`)
    let best: TorchResult | null = null
    for (const blasThreads of threads > 1 ? [threads, 1] : [1]) {
      const t = runTorch(py, name.toUpperCase(), seconds, blas, threads, blasThreads, log)
      if (t === null) continue
      if (threads > 1) log(`${name}: PyTorch with OpenBLAS on ${blasThreads} thread(s): ${Math.round(t.chars_per_s || 0)} chars/s, ${t.gflops} GFLOP/s`)
      if (best === null || score(t) > score(best)) best = t
    }
    if (best !== null) out.set(blas, best)
  }
  return out
}
