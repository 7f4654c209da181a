/**
 * The kernel interface: every hot loop of the engine behind one set of signatures, implemented by the
 * portable TypeScript reference (js.ts, with each cell's step in src/engine/cells/) and by WebAssembly
 * SIMD (wasm.ts over src/engine/wasm/assembly, products shared between threads by threads.ts).
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

/** Floats of a prepared [M][K] weight (either direction): 8-column panels, zero-padded. */
export function preparedSize(M: number, K: number): number {
  return Math.max(Math.ceil(M / 8) * 8 * K, Math.ceil(K / 8) * 8 * M)
}
