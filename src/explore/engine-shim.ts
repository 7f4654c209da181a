/**
 * What the page's bundle gets instead of the engine's Node-only modules (the wasm loader and the worker
 * threads; see bundle.ts): the same kernel binaries the CLI runs, embedded in the bundle as base64 and
 * compiled before the engine loads (top-level await: browsers refuse to compile more than 4 KB of wasm
 * synchronously), on one thread. So the page computes with the CLI's default kernels, the relaxed-SIMD
 * binary where the browser validates it, else the plain one; where WebAssembly SIMD is missing, the
 * engine falls back to its js kernels, as in Node. Never imported by Node code.
 */
import { heapMemory } from '../engine/memory.ts'
import { startOptions } from '../engine/start-options.ts'

type WasmKernels = import('../engine/wasm/module.ts').WasmKernels
type Parallel = import('../engine/kernels/threads.ts').Parallel

/** Replaced by bundle.ts with the base64 text of src/engine/wasm/kernels-relaxed.wasm and kernels.wasm. */
declare const RNN_WASM_RELAXED: string, RNN_WASM_PLAIN: string

const bytes = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))

export let wasmError: string | null = null
export let wasmVariant: 'relaxed-simd' | 'simd' | null = null
export let wasmModule: WebAssembly.Module | null = null

async function load(): Promise<WasmKernels | null> {
  // a page's models are small: a 256 MB reservation leaves the browser's address space alone
  startOptions.wasmMemoryMB ??= 256
  try {
    const relaxed = bytes(RNN_WASM_RELAXED)
    const useRelaxed = startOptions.relaxedSimd && WebAssembly.validate(relaxed)
    wasmModule = await WebAssembly.compile(useRelaxed ? relaxed : bytes(RNN_WASM_PLAIN))
    wasmVariant = useRelaxed ? 'relaxed-simd' : 'simd'
  } catch (e) {
    wasmError = `cannot compile the wasm kernels here (WebAssembly SIMD needed): ${(e as Error).message}`
    return null
  }
  const memory = heapMemory()
  if (memory === null) {
    wasmError = 'cannot reserve WebAssembly memory'
    return null
  }
  const instance = await WebAssembly.instantiate(wasmModule, { env: { memory } })
  return instance.exports as unknown as WasmKernels
}

export const wasm: WasmKernels | null = await load()

// ---- threads.ts: one thread in the page (no worker threads), each product on the calling thread ----
export const MAX_THREADS = 1
export function initParallel(W: WasmKernels): Parallel {
  return {
    nnPacked: (c, a, bp, N, P, J) => W.gemm_nn_packed(c, a, bp, N, P, J),
    tnPacked: (c, ap, bp, N, M, K) => W.gemm_tn_packed(c, ap, bp, N, M, K),
    ntSmall: (c, a, w, N, K, M) => W.gemm_nt_small(c, a, w, N, K, M),
  }
}
export function defaultThreads(): number { return 1 }
export function setThreads(): void { /* one thread in the page */ }
export function threadCount(): number { return 1 }
