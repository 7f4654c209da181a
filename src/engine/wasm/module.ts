/**
 * Loads the wasm kernels (built from ./assembly by `npm run build:wasm`, committed) synchronously at
 * import, so the engine API stays synchronous. `wasm` is null where the runtime cannot compile them
 * (no WebAssembly SIMD) or no memory could be reserved; the js kernels are used then.
 *
 * Variant: kernels-relaxed.wasm (fused multiply-add in the products) where the runtime validates
 * relaxed-simd, else kernels.wasm. Node 22+ ships relaxed-simd; Node 20's V8 (11.3) has it complete but
 * behind --experimental-wasm-relaxed-simd, which is turned on here through v8.setFlagsFromString (a
 * wasm-validation flag, read when a module is compiled). startOptions.relaxedSimd = false
 * (the CLI: RNN_WASM_RELAXED=0) keeps the plain variant.
 */
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import { heapMemory } from '../memory.ts'
import { startOptions } from '../start-options.ts'

type Ptr = number
export interface WasmKernels {
  gemm_nn(c: Ptr, a: Ptr, b: Ptr, N: number, P: number, J: number): void
  gemm_tn(c: Ptr, a: Ptr, b: Ptr, N: number, M: number, K: number): void
  gemm_nn_packed(c: Ptr, a: Ptr, bp: Ptr, N: number, P: number, J: number): void
  gemm_nn_packed_cols(c: Ptr, a: Ptr, bp: Ptr, N: number, P: number, J: number, j0: number, j1: number): void
  gemm_tn_packed(c: Ptr, ap: Ptr, bp: Ptr, N: number, M: number, K: number): void
  pack_a4(ap: Ptr, a: Ptr, N: number, M: number): void
  gemm_nt_small(c: Ptr, a: Ptr, w: Ptr, N: number, K: number, M: number): void
  gemm_nt_small_rows(c: Ptr, a: Ptr, w: Ptr, N: number, K: number, M: number, m0: number, m1: number): void
  pack_rows(bp: Ptr, b: Ptr, P: number, J: number): void
  pack_cols(bp: Ptr, w: Ptr, J: number, P: number): void
  transpose(dst: Ptr, src: Ptr, R: number, C: number, add: number): void
  fill_rows(out: Ptr, b: Ptr, N: number, M: number): void
  colsum_add(db: Ptr, a: Ptr, N: number, M: number): void
  embed_fwd(xw: Ptr, ids: Ptr, wT: Ptr, b: Ptr, N: number, GH: number): void
  embed_fwd_cols(xw: Ptr, ids: Ptr, w: Ptr, b: Ptr, N: number, V: number, GH: number): void
  embed_bwd(gT: Ptr, gb: Ptr, dxw: Ptr, ids: Ptr, N: number, GH: number): void
  lstm_fwd(pre: Ptr, gates: Ptr, bhh: Ptr, cPrev: Ptr, c: Ptr, h: Ptr, B: number, H: number): void
  lstm_bwd(act: Ptr, dh: Ptr, dhNext: Ptr, dcNext: Ptr, c: Ptr, cPrev: Ptr, dc: Ptr, da: Ptr, B: number, H: number): void
  gru_fwd(u: Ptr, v: Ptr, hPrev: Ptr, h: Ptr, cache: Ptr, B: number, H: number): void
  gru_bwd(cache: Ptr, hPrev: Ptr, dh: Ptr, dhNext: Ptr, du: Ptr, dv: Ptr, B: number, H: number): void
  rnn_fwd(h: Ptr, bhh: Ptr, B: number, H: number, relu: number): void
  rnn_bwd(h: Ptr, dh: Ptr, dhNext: Ptr, da: Ptr, n: number, relu: number): void
  xent(logits: Ptr, targets: Ptr, dlogits: Ptr, rows: Ptr, N: number, V: number, inv: number): void
  adam(
    p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, b1: number, c1: number, b2: number, c2: number,
    stepSize: number, bc2Sqrt: number, eps: number,
  ): void
  /** Claims and runs chunks of the product posted in the control block at ctl (threads.ts); returns how many. */
  work(ctl: Ptr, job: number): number
}

const PLAIN = new URL('./kernels.wasm', import.meta.url)
const RELAXED = new URL('./kernels-relaxed.wasm', import.meta.url)

/** Why the wasm kernels are unavailable, or null when they loaded. */
export let wasmError: string | null = null
/** Which binary was loaded. */
export let wasmVariant: 'relaxed-simd' | 'simd' | null = null
/** The compiled module (worker threads instantiate it on the same memory). */
export let wasmModule: WebAssembly.Module | null = null

function relaxedBytes(): Uint8Array<ArrayBuffer> | null {
  if (!startOptions.relaxedSimd) return null
  const bytes = readFileSync(RELAXED)
  if (WebAssembly.validate(bytes)) return bytes
  if (process.versions.node.split('.')[0] !== '20') return null
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd')
  return WebAssembly.validate(bytes) ? bytes : null
}

function load(): WasmKernels | null {
  let module: WebAssembly.Module
  try {
    const relaxed = relaxedBytes()
    module = new WebAssembly.Module(relaxed ?? readFileSync(PLAIN))
    wasmVariant = relaxed === null ? 'simd' : 'relaxed-simd'
  } catch (e) {
    wasmError = `cannot compile ${PLAIN.pathname} (WebAssembly SIMD needed): ${(e as Error).message}`
    return null
  }
  const memory = heapMemory()
  if (memory === null) {
    wasmError = 'cannot reserve WebAssembly memory'
    return null
  }
  wasmModule = module
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernels
}

export const wasm: WasmKernels | null = load()
