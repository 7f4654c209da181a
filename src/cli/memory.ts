/**
 * `rnn train --verbose`: the memory report, formatted. The figures come from src/tasks/train-memory.ts (trainMemory),
 * which reads them off the arrays the model and optimizer allocated; nothing is computed here.
 */
import type { TrainMemory } from '../tasks/train.ts'
import { fmtInt } from './output.ts'

/** Decimal units, as `64 × 32 positions × 12,288 B = 25.2 MB` reads. */
export function fmtBytes(n: number): string {
  if (n < 1e3) return `${n} B`
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`
  return `${(n / 1e9).toFixed(2)} GB`
}

export function memoryLines(m: TrainMemory): string[] {
  const positions = `${m.seq_len} × ${m.batch_size} positions`
  const layers = m.activation_bytes_per_layer.map((b, l) => `layer ${l} ${fmtBytes(b)}`).join(', ')
  const lines = [
    'memory before the first step (float32 buffers, 1 MB = 10^6 bytes):',
    `  parameters       ${fmtBytes(m.parameter_bytes)} (${fmtInt(m.parameters)} × 4 B)`,
    `  gradients        ${fmtBytes(m.gradient_bytes)}`,
    `  optimizer state  ${fmtBytes(m.optimizer_bytes)} (${m.optimizer})`,
    `  best parameters  ${fmtBytes(m.best_bytes)}`,
    `  activations      ${fmtBytes(m.activation_bytes)} = ${positions} × ${fmtInt(m.activation_bytes_per_position)} B `
      + `(h, c, gates kept for BPTT; ${layers})`,
    `  BPTT buffers     ${fmtBytes(m.bptt_buffer_bytes)} = ${positions} × ${fmtInt(m.bptt_buffer_bytes_per_position)} B `
      + '(xw then dxw in one array, dh, dc per layer; logits, dlogits)',
    `  fixed workspace  ${fmtBytes(m.fixed_workspace_bytes)} (initial state, packed W_hh, step and embedding scratch)`,
  ]
  if (m.other_workspace_bytes > 0)
    lines.push(`  other workspace  ${fmtBytes(m.other_workspace_bytes)} (validation buffers of another shape)`)
  const wasm = m.wasm_bytes !== null ? ` (WebAssembly memory in use: ${fmtBytes(m.wasm_bytes)})` : ''
  lines.push(`  engine total     ${fmtBytes(m.engine_bytes)}${wasm}`)
  lines.push(`  peak RSS so far  ${fmtBytes(m.peak_rss_bytes)}`)
  return lines
}
