/**
 * A tensor in a checkpoint: {dtype, shape, data} with data the base64 of the little-endian float32 bytes
 * (exact, ~3× smaller than decimal, and what a safetensors file holds).
 */
import type { TensorJSON } from './schema.ts'

export function encodeTensor(data: Float32Array, shape: readonly number[]): TensorJSON {
  return { dtype: 'float32', shape: [...shape], data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') }
}

export function decodeTensor(t: TensorJSON): Float32Array {
  const bytes = Buffer.from(t.data, 'base64')
  const out = new Float32Array(bytes.length / 4)
  new Uint8Array(out.buffer).set(bytes)
  return out
}
