/**
 * The safetensors format (huggingface/safetensors), reader and writer: an 8-byte little-endian u64 header
 * length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
 * {string: string}}, then the raw little-endian tensor bytes, offsets counted from the end of the header.
 * Nothing is executed on load (unlike a pickled .pt), which is why it is the exchange format with PyTorch.
 *
 * The reader checks everything a truncated or hand-made file can get wrong and names the tensor at fault;
 * only F32 is decoded, since the engine is float32 and a silent cast would hide a mismatch.
 */
import { UserError } from '../errors.ts'
import { writeFileAtomic } from '../files/atomic-write.ts'
import { readRegularFile } from '../files/read-file.ts'
import type { OutputKind } from '../files/output-file.ts'

/** rnn's exports name themselves in the metadata: `"format": FORMAT_TAG`. */
export const FORMAT_TAG = 'rnn-safetensors-v1'

/** An export as an output: a u64 header length, then the header's JSON, whose __metadata__ carries the tag. */
export const EXPORT_FILE: OutputKind = {
  noun: 'rnn export (safetensors)', plural: 'exports',
  is: (head) => head.length > 8 && head.subarray(8).toString('utf8').includes(`"format":"${FORMAT_TAG}"`),
}

/** Bytes per element of every dtype the format defines, so any valid file parses before dtypes are judged. */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
}

/** The spec caps the header at 100 MB; a larger length is a corrupt file, not a huge model. */
const MAX_HEADER = 100_000_000

export interface RawTensor { readonly name: string; readonly dtype: string; readonly shape: number[]; readonly bytes: Uint8Array }
export interface SafetensorsFile { readonly tensors: Map<string, RawTensor>; readonly metadata: Record<string, string> }
export interface F32Tensor { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }

export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(path, readRegularFile(path, 'safetensors'))
}

export function parseSafetensors(where: string, buf: Uint8Array): SafetensorsFile {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (bytes.length < 8)
    throw new UserError(`${where}: not a safetensors file: ${bytes.length} bytes, too short for the 8-byte header length`)
  const n = bytes.readBigUInt64LE(0)
  if (n > BigInt(bytes.length - 8)) {
    throw new UserError(`${where}: header length ${n} is beyond the end of the file (${bytes.length} bytes): `
      + 'truncated or not a safetensors file')
  }
  if (n > BigInt(MAX_HEADER)) throw new UserError(`${where}: header length ${n} exceeds the format's 100 MB limit`)
  const headerEnd = 8 + Number(n)
  let header: unknown
  try {
    header = JSON.parse(bytes.toString('utf8', 8, headerEnd))
  } catch {
    throw new UserError(`${where}: not a safetensors file: the header is not valid JSON`)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new UserError(`${where}: the safetensors header is not a JSON object`)
  const data = bytes.subarray(headerEnd)
  const tensors = new Map<string, RawTensor>()
  let metadata: Record<string, string> = {}
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = parseMetadata(where, entry)
    else tensors.set(name, parseEntry(where, name, entry, data))
  }
  checkOverlaps(where, tensors, data)
  return { tensors, metadata }
}

function parseMetadata(where: string, entry: unknown): Record<string, string> {
  if (entry === null) return {}
  if (typeof entry !== 'object' || Array.isArray(entry)) throw new UserError(`${where}: __metadata__ must be an object of strings`)
  for (const [k, v] of Object.entries(entry as Record<string, unknown>))
    if (typeof v !== 'string') throw new UserError(`${where}: __metadata__.${k} must be a string, got ${v === null ? 'null' : typeof v}`)
  return entry as Record<string, string>
}

function parseEntry(where: string, name: string, entry: unknown, data: Buffer): RawTensor {
  const at = `${where}: tensor "${name}"`
  if (typeof entry !== 'object' || entry === null) throw new UserError(`${at}: header entry is not an object`)
  const { dtype, shape, data_offsets: off } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
  if (typeof dtype !== 'string' || DTYPE_BYTES[dtype] === undefined) throw new UserError(`${at}: unknown dtype ${JSON.stringify(dtype)}`)
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new UserError(`${at}: shape must be a list of non-negative integers`)
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1])
    throw new UserError(`${at}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end`)
  const [begin, end] = off as [number, number]
  if (end > data.length) throw new UserError(`${at}: data ends at byte ${end} but the file holds ${data.length} bytes of data: truncated`)
  const want = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype]
  if (end - begin !== want) throw new UserError(`${at}: ${end - begin} bytes for ${dtype} shape [${shape}] (expected ${want})`)
  return { name, dtype, shape: shape as number[], bytes: data.subarray(begin, end) }
}

/** Tensors may not share bytes: an overlap means a corrupt or malicious header. */
function checkOverlaps(where: string, tensors: Map<string, RawTensor>, data: Buffer): void {
  const spans = [...tensors.values()].filter((t) => t.bytes.length > 0).map((t) => ({
    name: t.name, begin: t.bytes.byteOffset - data.byteOffset, end: t.bytes.byteOffset - data.byteOffset + t.bytes.length,
  }))
  spans.sort((a, b) => a.begin - b.begin)
  for (let i = 1; i < spans.length; i++)
    if (spans[i].begin < spans[i - 1].end)
      throw new UserError(`${where}: tensor "${spans[i].name}" overlaps tensor "${spans[i - 1].name}" in the data`)
}

/** The tensor's values; a UserError naming it unless it is float32. */
export function float32Of(where: string, t: RawTensor): Float32Array {
  if (t.dtype !== 'F32')
    throw new UserError(`${where}: tensor "${t.name}": dtype ${t.dtype}, expected F32 (in PyTorch: model.float() before saving)`)
  // a byte copy (the host is little-endian, as the file): exact, NaN payloads included
  const out = new Float32Array(t.bytes.length / 4)
  new Uint8Array(out.buffer).set(t.bytes)
  return out
}

/** The file's bytes: header padded with spaces to 8-byte alignment, tensors in the order given. */
export function encodeSafetensors(tensors: readonly F32Tensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata }
  let offset = 0
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1)
    if (n !== t.data.length) throw new Error(`${t.name}: ${t.data.length} values for shape [${t.shape}]`)
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] }
    offset += 4 * n
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8)
  const head = Buffer.from(json, 'utf8')
  const out = Buffer.alloc(8 + head.length + offset)
  out.writeBigUInt64LE(BigInt(head.length), 0)
  head.copy(out, 8)
  let at = 8 + head.length
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at)
    at += t.data.byteLength
  }
  return out
}

export function writeSafetensors(path: string, tensors: readonly F32Tensor[], metadata: Record<string, string>): number {
  const bytes = encodeSafetensors(tensors, metadata)
  writeFileAtomic(path, bytes, 'safetensors file')
  return bytes.length
}
