/**
 * The PyTorch reference for bench.ts: bench/pytorch_bench.py run in a Python that has torch (Debian's
 * python3-torch), with OpenBLAS told its CPU type, on the system BLAS (OpenBLAS) or Debian's reference BLAS.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
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

function runTorch(py: string, workload: string, seconds: number, blas: Blas, threads: number, log: (s: string) => void): TorchResult | null {
  const script = fileURLToPath(new URL('./pytorch_bench.py', import.meta.url))
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? 'SkylakeX' }
  // the dynamic linker then finds the reference libblas.so.3 before the update-alternatives one (OpenBLAS)
  if (blas === 'reference') env.LD_LIBRARY_PATH = [REFERENCE_BLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':')
  const r = spawnSync(py, [script, '--threads', String(threads), '--workload', workload, '--seconds', String(seconds)], {
    encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'))
  if (r.status !== 0 || !line) return null
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
export const refKey = (name: string, threads: number) => `${name}/${threads}`

/** PyTorch on one workload with each BLAS, run right after ours so both see the same machine state. */
export function runReferences(py: string | null, blasList: Blas[], name: string, seconds: number, threads: number, log: (s: string) => void): Map<Blas, TorchResult> {
  const out = new Map<Blas, TorchResult>()
  if (py === null) return out
  for (const blas of blasList) {
    log(`${name}: PyTorch reference (${py}, ${threads} thread${threads === 1 ? '' : 's'}, ${BLAS_LABEL[blas]})`)
    const t = runTorch(py, name.toUpperCase(), seconds, blas, threads, log)
    if (t !== null) out.set(blas, t)
  }
  return out
}
