/**
 * Where the engine's Float32Arrays live. With the wasm kernels active, every long-lived buffer
 * (parameters, gradients, optimizer state, per-(T, B) workspaces) is a view into one WebAssembly.Memory,
 * so a kernel call passes byte offsets and nothing is copied between the JS heap and wasm memory.
 * With the js kernels they are plain `new Float32Array(n)`.
 *
 * The memory never grows: memory.grow() would detach the ArrayBuffer under every existing view. It is
 * reserved once at its full size instead; on 64-bit Linux that costs address space only (pages are
 * committed when first touched: RSS grows with what is used, not with the reservation). When the
 * reservation is used up, allocF32 falls back to the JS heap and the kernels to copying those arrays
 * (correct, slower; `heapStats().fallbacks` counts it).
 *
 * A first-fit free list with coalescing; freeF32 returns a block (the Model frees workspaces it drops).
 * Blocks are 64-byte aligned (a cache line) and zeroed like new Float32Array.
 */
import { startOptions } from './start-options.ts'

const PAGE = 65536
const ALIGN = 64
/** Page 0 is left to the wasm module (its stack and static data, none today) and as a null guard. */
const BASE = PAGE
/** Sizes tried in order; startOptions.wasmMemoryMB overrides. 2 GiB keeps every byte offset below 2³¹. */
const RESERVE_MB = [2048, 1024, 256, 64]

let memory: WebAssembly.Memory | null = null
let arenaOn = false
/** Free blocks sorted by offset, [offset, bytes] pairs. */
const free: [number, number][] = []
const used = new Map<number, number>()
let inUse = 0, peak = 0, fallbacks = 0

/** The shared memory, reserved on first call; null if no size could be reserved. */
export function heapMemory(): WebAssembly.Memory | null {
  if (memory !== null) return memory
  const mb = startOptions.wasmMemoryMB
  const sizes = mb !== null && Number.isFinite(mb) && mb > 0 ? [Math.min(mb, 4095)] : RESERVE_MB
  for (const size of sizes) {
    const pages = Math.ceil((size * 2 ** 20) / PAGE)
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
      free.push([BASE, pages * PAGE - BASE])
      return memory
    } catch { /* not enough address space or commit limit: try a smaller reservation */ }
  }
  return null
}

/** Whether allocF32 places new arrays in wasm memory (set by setKernels). */
export function setArena(on: boolean): void {
  arenaOn = on && heapMemory() !== null
}

/** A zeroed Float32Array of n entries: in wasm memory when the arena is on and has room. */
export function allocF32(n: number): Float32Array {
  if (!arenaOn || n === 0) return new Float32Array(n)
  const a = heapAlloc(n)
  if (a !== null) return a
  fallbacks++
  return new Float32Array(n)
}

/** A zeroed block of n floats in wasm memory whatever the arena setting (kernel scratch), or null if full. */
export function heapAlloc(n: number): Float32Array | null {
  if (heapMemory() === null) return null
  const bytes = Math.max(ALIGN, Math.ceil((n * 4) / ALIGN) * ALIGN)
  for (let i = 0; i < free.length; i++) {
    const [off, size] = free[i]
    if (size < bytes) continue
    if (size === bytes) free.splice(i, 1)
    else free[i] = [off + bytes, size - bytes]
    used.set(off, bytes)
    inUse += bytes
    peak = Math.max(peak, inUse)
    const a = new Float32Array(memory!.buffer, off, n)
    a.fill(0)
    return a
  }
  return null
}

/** Returns a block from allocF32 to the arena; a no-op for anything else. The array must not be used after. */
export function freeF32(a: Float32Array): void {
  if (memory === null || a.buffer !== memory.buffer) return
  const off = a.byteOffset, bytes = used.get(off)
  if (bytes === undefined) return
  used.delete(off)
  inUse -= bytes
  let i = 0
  while (i < free.length && free[i][0] < off) i++
  free.splice(i, 0, [off, bytes])
  // merge with the next block, then with the previous one
  if (i + 1 < free.length && off + bytes === free[i + 1][0]) { free[i][1] += free[i + 1][1]; free.splice(i + 1, 1) }
  if (i > 0 && free[i - 1][0] + free[i - 1][1] === off) { free[i - 1][1] += free[i][1]; free.splice(i, 1) }
}

/** True when a's bytes are inside the shared wasm memory (a kernel can use a.byteOffset directly). */
export function inHeap(a: ArrayBufferView): boolean {
  return memory !== null && a.buffer === memory.buffer
}

export function heapStats(): { reservedBytes: number; usedBytes: number; peakBytes: number; fallbacks: number } {
  return { reservedBytes: memory === null ? 0 : memory.buffer.byteLength, usedBytes: inUse, peakBytes: peak, fallbacks }
}
