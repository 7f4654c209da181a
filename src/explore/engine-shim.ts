/**
 * What the page's bundle gets instead of the engine's Node-only modules (the wasm loader, its kernels and
 * the worker threads; see bundle.ts): no wasm and one thread, so the engine picks its js kernels, the
 * reference implementation. Never imported by Node code.
 */
export const wasm = null
export const wasmModule = null
export const wasmError = 'not loaded in the explorer page (js kernels)'
export const MAX_THREADS = 1
export function createWasmKernels(): never { throw new Error('no wasm kernels in the page') }
export function initParallel(): null { return null }
export function defaultThreads(): number { return 1 }
export function setThreads(): void { /* one thread in the page */ }
export function threadCount(): number { return 1 }
