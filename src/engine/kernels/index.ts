/**
 * The kernel layer: every hot loop of the engine behind one interface, with implementations chosen at
 * start-up and switchable at run time.
 *
 *   'wasm'  WebAssembly SIMD (src/engine/wasm): f32x4 register-tiled products, vectorised gates.
 *           The default wherever WebAssembly SIMD compiles.
 *   'js'    portable TypeScript (kernels/js.ts, cells-js.ts): the reference, float64 sums.
 *
 * Choice: RNN_KERNELS=wasm|js in the environment, else wasm when available; setKernels() afterwards
 * (the CLI's --kernels). The choice also decides where new engine buffers are allocated (memory.ts):
 * in wasm memory for 'wasm', so kernels pass byte offsets and never copy. Arrays allocated under one
 * choice stay valid under the other; the wasm kernels copy arrays that are not in wasm memory.
 *
 * Matrix layout is PyTorch's Linear: a weight is [M][K] (out × in), the N rows of x / out are positions.
 *   matmul           out  = x · wᵀ + b        [N][M]
 *   matmulAdd        out += x · wᵀ            [N][M]
 *   matmulBackwardX  dx  += dout · w          [N][K]
 *   matmulBackwardW  dw  += doutᵀ · x         [M][K], db += Σ_n dout[n] (when db is not null)
 *
 * Many products with one weight (the recurrent step, T times per sequence) first prepare it once into
 * wp (preparedSize(M, K) floats): prepareForward for matmulPrepared / matmulAddPrepared, prepareBackward
 * for matmulBackwardXPrepared. The wasm kernels pack w into 8-column panels there; the js kernels read w
 * and skip the preparation. A wp that is too small or not in wasm memory just costs the fast path.
 */
import * as js from './js.ts'
import * as jsCells from '../cells-js.ts'
import { crossEntropy } from '../loss.ts'
import { setArena } from '../memory.ts'
import { createWasmKernels } from './wasm.ts'
import { defaultThreads, initParallel, setThreads } from './threads.ts'
import { wasm, wasmError, wasmModule } from '../wasm/module.ts'

type F = Float32Array
export type KernelName = 'wasm' | 'js'
export const KERNEL_NAMES: readonly KernelName[] = ['wasm', 'js']

export interface Kernels {
  readonly name: KernelName
  matmul(out: F, x: F, w: F, b: F | null, N: number, K: number, M: number): void
  matmulAdd(out: F, x: F, w: F, N: number, K: number, M: number): void
  matmulBackwardX(dx: F, dout: F, w: F, N: number, K: number, M: number): void
  matmulBackwardW(dw: F, db: F | null, dout: F, x: F, N: number, K: number, M: number): void
  prepareForward(wp: F, w: F, M: number, K: number): void
  prepareBackward(wp: F, w: F, M: number, K: number): void
  matmulPrepared(out: F, x: F, w: F, wp: F, b: F | null, N: number, K: number, M: number): void
  matmulAddPrepared(out: F, x: F, w: F, wp: F, N: number, K: number, M: number): void
  matmulBackwardXPrepared(dx: F, dout: F, w: F, wp: F, N: number, K: number, M: number): void
  lstmForward(pre: F, gates: F, bhh: F, cPrev: F, c: F, h: F, B: number, H: number): void
  lstmBackward(act: F, dh: F, dhNext: F, dcNext: F, c: F, cPrev: F, dc: F, da: F, B: number, H: number): void
  gruForward(u: F, v: F, hPrev: F, h: F, cache: F, B: number, H: number): void
  gruBackward(cache: F, hPrev: F, dh: F, dhNext: F, du: F, dv: F, B: number, H: number): void
  rnnForward(h: F, bhh: F, B: number, H: number, relu: boolean): void
  rnnBackward(h: F, dh: F, dhNext: F, da: F, n: number, relu: boolean): void
  /** xw[n] = W_ih[:, id_n] + b (one-hot input); wT [V][GH] is scratch the implementation may use. */
  embedForward(xw: F, ids: Int32Array, w: F, b: F, wT: F, N: number, V: number, GH: number): void
  /** gw[:, id_n] += dxw[n] for ids ≥ 0, gb += dxw[n] for all n; gT [V][GH] is scratch. */
  embedBackward(gw: F, gb: F, dxw: F, ids: Int32Array, gT: F, N: number, V: number, GH: number): void
  /** loss.ts's crossEntropy: mean over targets ≥ 0, dlogits written when not null. */
  crossEntropy(logits: F, targets: Int32Array, N: number, V: number, dlogits: F | null): number
  /**
   * One Adam update (optim.ts's rule, same bits) if this implementation has one for these arrays;
   * false tells the caller to run its own loop. c1 = 1 - β1, c2 = 1 - β2.
   */
  adam(p: F, g: F, m: F, v: F, b1: number, c1: number, b2: number, c2: number, stepSize: number, bc2Sqrt: number, eps: number): boolean
}

const jsKernels: Kernels = {
  name: 'js',
  matmul: js.matmul, matmulAdd: js.matmulAdd, matmulBackwardX: js.matmulBackwardX, matmulBackwardW: js.matmulBackwardW,
  prepareForward() { /* js reads w directly */ },
  prepareBackward() { /* js reads w directly */ },
  matmulPrepared: (out, x, w, _wp, b, N, K, M) => js.matmul(out, x, w, b, N, K, M),
  matmulAddPrepared: (out, x, w, _wp, N, K, M) => js.matmulAdd(out, x, w, N, K, M),
  matmulBackwardXPrepared: (dx, dout, w, _wp, N, K, M) => js.matmulBackwardX(dx, dout, w, N, K, M),
  ...jsCells,
  embedForward: (xw, ids, w, b, _wT, N, V, GH) => jsCells.embedForward(xw, ids, w, b, N, V, GH),
  embedBackward: (gw, gb, dxw, ids, _gT, N, V, GH) => jsCells.embedBackward(gw, gb, dxw, ids, N, V, GH),
  crossEntropy,
  adam: () => false,
}

const wasmKernels: Kernels | null = wasm === null ? null : createWasmKernels(wasm, initParallel(wasm, wasmModule!), jsKernels)

let active: Kernels = jsKernels

/** Floats of a prepared [M][K] weight (either direction): 8-column panels, zero-padded. */
export function preparedSize(M: number, K: number): number {
  return Math.max(Math.ceil(M / 8) * 8 * K, Math.ceil(K / 8) * 8 * M)
}

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

{
  const env = process.env.RNN_KERNELS
  if (env !== undefined && env !== '') {
    if (!(KERNEL_NAMES as readonly string[]).includes(env)) throw new Error(`RNN_KERNELS="${env}": expected one of ${KERNEL_NAMES.join(', ')}`)
    setKernels(env as KernelName)
  } else setKernels(availableKernels()[0])
  const threads = process.env.RNN_THREADS
  setThreads(threads === undefined || threads === '' ? defaultThreads() : Number(threads))
}

// ---- the active implementation, by the historical names ----

export function matmul(out: F, x: F, w: F, b: F | null, N: number, K: number, M: number): void { active.matmul(out, x, w, b, N, K, M) }
export function matmulAdd(out: F, x: F, w: F, N: number, K: number, M: number): void { active.matmulAdd(out, x, w, N, K, M) }
export function matmulBackwardX(dx: F, dout: F, w: F, N: number, K: number, M: number): void { active.matmulBackwardX(dx, dout, w, N, K, M) }
export function matmulBackwardW(dw: F, db: F | null, dout: F, x: F, N: number, K: number, M: number): void { active.matmulBackwardW(dw, db, dout, x, N, K, M) }

export { matmulNaive, matmulBackwardXNaive, matmulBackwardWNaive } from './js.ts'
