/**
 * Parameters: one contiguous Float32Array with named views (llm.c's ParameterTensors), names and
 * order being PyTorch's state_dict keys. The gradient mirrors the layout, so the optimizer and
 * gradient clipping are single loops over flat buffers.
 */
import { allocF32 } from './memory.ts'

export interface TensorSpec { readonly name: string; readonly shape: readonly number[] }

/** A named tensor: a view into a shared buffer. */
export interface Tensor { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }

export interface Params {
  readonly data: Float32Array
  /** Same layout as data; backward accumulates into it, the trainer zeroes it once per step. */
  readonly grad: Float32Array
  readonly tensors: readonly Tensor[]
  readonly grads: readonly Tensor[]
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function allocParams(specs: readonly TensorSpec[]): Params {
  const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0)
  // in wasm memory when the wasm kernels are active, so products read weights in place (memory.ts)
  const data = allocF32(total)
  const grad = allocF32(total)
  const tensors: Tensor[] = []
  const grads: Tensor[] = []
  let offset = 0
  for (const s of specs) {
    const n = sizeOf(s.shape)
    tensors.push({ name: s.name, shape: s.shape, data: data.subarray(offset, offset + n) })
    grads.push({ name: s.name, shape: s.shape, data: grad.subarray(offset, offset + n) })
    offset += n
  }
  return { data, grad, tensors, grads }
}

/** The tensor called `name`; a bug (not a user error) if absent, so the message lists what exists. */
export function view(list: readonly Tensor[], name: string): Float32Array {
  const t = list.find((x) => x.name === name)
  if (t === undefined) throw new Error(`no parameter "${name}" (have: ${list.map((x) => x.name).join(', ')})`)
  return t.data
}
