/**
 * What the engine reads once, when it loads (on first import): how much wasm memory to reserve and whether
 * the relaxed-SIMD binary may be used. Set before the engine is first imported; the CLI sets them from
 * RNN_WASM_MEMORY_MB and RNN_WASM_RELAXED=0. Kernels and threads are chosen later, by setKernels / setThreads.
 */
export const startOptions: { wasmMemoryMB: number | null; relaxedSimd: boolean } = { wasmMemoryMB: null, relaxedSimd: true }
