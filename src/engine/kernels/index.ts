/**
 * Which kernels run: the implementations of the Kernels interface (interface.ts), one of them active.
 *
 *   'wasm'  WebAssembly SIMD (wasm.ts over src/engine/wasm): f32x4 register-tiled products, vectorised gates.
 *           The default wherever WebAssembly SIMD compiles.
 *   'js'    portable TypeScript (js.ts, and each cell's step in src/engine/cells/): the reference, float64 sums.
 *
 * The caller chooses with setKernels and setThreads (the CLI from --kernels / --threads or RNN_KERNELS /
 * RNN_THREADS); until then the default holds. The choice also decides where new engine buffers are
 * allocated (memory.ts): in wasm memory for 'wasm', so kernels pass byte offsets and never copy. Arrays
 * allocated under one choice stay valid under the other; the wasm kernels copy arrays that are not in wasm memory.
 */
import { KERNEL_NAMES, type KernelName, type Kernels } from './interface.ts'
import { jsKernels } from './js.ts'
import { createWasmKernels } from './wasm.ts'
import { defaultThreads, initParallel, setThreads } from './threads.ts'
import { setArena } from '../memory.ts'
import { wasm, wasmError, wasmModule } from '../wasm/module.ts'

type F = Float32Array
export { KERNEL_NAMES, preparedSize, type KernelName, type Kernels } from './interface.ts'

const wasmKernels: Kernels | null = wasm === null ? null : createWasmKernels(wasm, initParallel(wasm, wasmModule!), jsKernels)

let active: Kernels = jsKernels

/** The implementations this runtime can run, preferred first. */
export function availableKernels(): KernelName[] {
  return wasmKernels === null ? ['js'] : ['wasm', 'js']
}

/** Selects the implementation; throws (with the reason) if wasm is asked for and cannot run here. */
export function setKernels(name: KernelName): void {
  if (name === 'wasm') {
    if (wasmKernels === null) throw new Error(`wasm kernels unavailable: ${wasmError}`)
    active = wasmKernels
  } else if (name === 'js') active = jsKernels
  else throw new Error(`unknown kernels "${String(name)}" (have: ${KERNEL_NAMES.join(', ')})`)
  setArena(active.name === 'wasm')
}

export function kernelName(): KernelName {
  return active.name
}

/** The active implementation (for callers that hold it across a loop). */
export function kernels(): Kernels {
  return active
}

setKernels(availableKernels()[0])
setThreads(defaultThreads())

// ---- the four products on the active implementation, for callers outside a loop ----

export function matmul(out: F, x: F, w: F, b: F | null, N: number, K: number, M: number): void { active.matmul(out, x, w, b, N, K, M) }
export function matmulAdd(out: F, x: F, w: F, N: number, K: number, M: number): void { active.matmulAdd(out, x, w, N, K, M) }
export function matmulBackwardX(dx: F, dout: F, w: F, N: number, K: number, M: number): void {
  active.matmulBackwardX(dx, dout, w, N, K, M)
}
export function matmulBackwardW(dw: F, db: F | null, dout: F, x: F, N: number, K: number, M: number): void {
  active.matmulBackwardW(dw, db, dout, x, N, K, M)
}

export { matmulNaive, matmulBackwardXNaive, matmulBackwardWNaive } from './js.ts'
