/**
 * The bptt view's running sums: ∂L/∂W of every shared parameter as the backward pass walks from the last
 * step to step `from`, one step's term at a time, with the engine's own kernels (matmulBackwardW with one
 * row, embedBackward for one-hot input) on the buffers the engine's backward left (a classifier's head term
 * once, from the pooled state, at the last step). Summed over all steps
 * they are the engine's gradient of the whole window, which the view checks (the norm of the difference).
 */
import { kernels } from '../../engine/kernels/index.ts'
import { allocF32 } from '../../engine/memory.ts'
import type { Window } from '../../inspect/gradients.ts'
import type { Model } from '../../model/model.ts'

/** embedBackward's scratch: the js kernels take none. */
const NO_SCRATCH = new Float32Array(0)

export interface Sum {
  readonly name: string; readonly rows: number; readonly cols: number
  /** The running sum, and the engine's gradient of the whole window (same layout). */
  readonly sum: Float32Array; readonly engine: Float32Array
}

/**
 * The sums live in the engine's memory, one set per model and purpose, reused: the wasm kernels add into them
 * in place (a plain Float32Array would be copied into wasm memory and back on every call, a parameter's
 * size per step), and nothing is left for the engine's allocator to collect.
 */
const buffers = new WeakMap<Model, Map<string, Float32Array[]>>()
function sumBuffers(m: Model, purpose: string): Float32Array[] {
  let own = buffers.get(m)
  if (own === undefined) buffers.set(m, (own = new Map()))
  let b = own.get(purpose)
  if (b === undefined) own.set(purpose, (b = m.params.grads.map((g) => allocF32(g.data.length))))
  return b
}

/**
 * Running sums over steps until-1 … from of the last backward pass of `m` on `w`, added to `into` (the sums
 * of steps ≥ until, from an earlier call) or to zeros. accumulate(m, w, 0) is the whole window. The result's
 * arrays are `purpose`'s buffers: the next call for the same model and purpose overwrites them.
 */
export function accumulate(m: Model, w: Window, from: number, purpose: string, until = w.T, into: Sum[] | null = null): Sum[] {
  const K = kernels()
  const { hidden_size: H, num_layers: L, output_size: O, input_size: I } = m.spec
  const own = into === null ? sumBuffers(m, purpose) : null
  own?.forEach((b) => b.fill(0))
  const sums = new Map(m.params.grads.map((g, i) => [g.name, into?.[i].sum ?? own![i]]))
  const sum = (n: string) => sums.get(n)!
  const top = m.layer(L - 1), dy = m.outputGrad()
  for (let t = until - 1; t >= from; t--) {
    // a classifier's head applies once, to the pooled state, where the backward pass starts (its last step)
    if (m.spec.pool === undefined)
      K.matmulBackwardW(sum('head.weight'), sum('head.bias'), dy.subarray(t * O, (t + 1) * O), top.hAt[t + 1], 1, H, O)
    else if (t === w.T - 1) K.matmulBackwardW(sum('head.weight'), sum('head.bias'), dy.subarray(0, O), m.pooled(), 1, H, O)
    for (let l = L - 1; l >= 0; l--) {
      const b = m.layer(l), GH = b.G * H
      K.matmulBackwardW(sum(`weight_hh_l${l}`), sum(`bias_hh_l${l}`), b.dhhAt[t], b.hAt[t], 1, H, GH)
      const gw = sum(`weight_ih_l${l}`), gb = sum(`bias_ih_l${l}`)
      if (l > 0) K.matmulBackwardW(gw, gb, b.dxwAt[t], m.layer(l - 1).hAt[t + 1], 1, H, GH)
      else if (m.spec.input === 'one_hot') K.embedBackward(gw, gb, b.dxwAt[t], (w.x as Int32Array).subarray(t, t + 1), NO_SCRATCH, 1, I, GH)
      else K.matmulBackwardW(gw, gb, b.dxwAt[t], (w.x as Float32Array).subarray(t * I, (t + 1) * I), 1, I, GH)
    }
  }
  return m.params.grads.map((g) => ({
    name: g.name, rows: g.shape[0], cols: g.shape.length > 1 ? g.shape[1] : 1, sum: sum(g.name), engine: g.data,
  }))
}

/** ‖a − b‖ over every parameter, and ‖b‖, in float64. */
export function difference(s: readonly Sum[]): { diff: number; norm: number } {
  let d = 0, n = 0
  for (const x of s) for (let i = 0; i < x.sum.length; i++) { d += (x.sum[i] - x.engine[i]) ** 2; n += x.engine[i] ** 2 }
  return { diff: Math.sqrt(d), norm: Math.sqrt(n) }
}
