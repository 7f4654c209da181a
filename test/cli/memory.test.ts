/**
 * `rnn train --verbose`: the memory report on stderr and the `memory` object of --json, through the real
 * CLI. The BPTT activations are read off the model's allocated buffers, so doubling --seq-len (or --batch)
 * must double them exactly, while the bytes per position stay the same.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { runRnn, tempWithText, type RunResult } from '../helpers/cli.ts'

const TINY = ['--cell', 'lstm', '--hidden', '16', '--layers', '2', '--val-frac', '0.1', '--steps', '4', '--eval-every', '2']

describe('rnn train --verbose reports memory', () => {
  const { dir, file } = tempWithText(20_000)
  const runs: Record<string, { r: RunResult; memory: any }> = {}

  beforeAll(async () => {
    for (const [name, T, B] of [['short', 16, 4], ['long', 32, 4], ['wide', 16, 8]] as const) {
      const r = await runRnn(['train', file, ...TINY, '--seq-len', String(T), '--batch', String(B), '--out', `${name}.json`, '--verbose', '--json'], { cwd: dir })
      expect(r.code, r.stderr).toBe(0)
      runs[name] = { r, memory: JSON.parse(r.stdout).memory }
    }
  }, 120_000)

  it('prints the report before training, and the peak RSS with each evaluation and at the end', () => {
    const err = runs.short.r.stderr
    for (const label of ['parameters', 'gradients', 'optimizer state', 'best parameters', 'activations', 'BPTT buffers', 'fixed workspace', 'engine total'])
      expect(err).toMatch(new RegExp(`^  ${label} +\\d+(\\.\\d)? (B|kB|MB)`, 'm'))
    expect(err).toMatch(/^  activations +\S+ \S+ = 16 × 4 positions × [\d,]+ B \(.*layer 0 .*layer 1 /m)
    expect(err.indexOf('memory before the first step')).toBeLessThan(err.indexOf('step 2:'))
    expect(err).toMatch(/^step 2: .* peak RSS \d+\.\d MB$/m)
    expect(err).toMatch(/^peak RSS \d+\.\d MB/m)
    expect(err).toMatch(/^engine: wasm kernels, \d+ threads? for the large products/m)
  })

  it('activations double when seq-len doubles, and when batch doubles; bytes per position do not change', () => {
    const s = runs.short.memory, l = runs.long.memory, w = runs.wide.memory
    expect(s.positions).toBe(16 * 4)
    expect(l.activation_bytes).toBe(2 * s.activation_bytes)
    expect(w.activation_bytes).toBe(2 * s.activation_bytes)
    expect(l.bptt_buffer_bytes).toBe(2 * s.bptt_buffer_bytes)
    expect(l.activation_bytes_per_position).toBe(s.activation_bytes_per_position)
    // LSTM, hidden 16, 2 layers: h_t, c_t and the 4 gate values per position and layer, float32
    expect(s.activation_bytes_per_position).toBe(2 * (16 + 16 + 4 * 16) * 4)
    expect(s.activation_bytes_per_layer.reduce((a: number, b: number) => a + b, 0)).toBe(s.activation_bytes)
    // the text report states the same figures
    const perPosition = (err: string) => /^  activations .* = (\d+) × (\d+) positions × ([\d,]+) B/m.exec(err)!.slice(1)
    expect(perPosition(runs.short.r.stderr)).toEqual(['16', '4', String(s.activation_bytes_per_position)])
    expect(perPosition(runs.long.r.stderr)).toEqual(['32', '4', String(s.activation_bytes_per_position)])
  })

  it('the engine total holds parameters, gradient, Adam state and workspace; peak RSS is measured', () => {
    const s = runs.short.memory
    expect(s.gradient_bytes).toBe(s.parameter_bytes)
    expect(s.parameter_bytes).toBe(4 * s.parameters)
    expect(s.optimizer).toBe('adam')
    expect(s.optimizer_bytes).toBe(2 * s.parameter_bytes)
    expect(s.engine_bytes).toBe(s.parameter_bytes + s.gradient_bytes + s.optimizer_bytes + s.best_bytes + s.activation_bytes + s.bptt_buffer_bytes + s.fixed_workspace_bytes + s.other_workspace_bytes)
    // text validation runs in the training buffers: no second workspace
    expect(s.other_workspace_bytes).toBe(0)
    expect(s.peak_rss_bytes).toBeGreaterThan(10e6)
  })

  it('without --verbose there is no report on stderr', async () => {
    const r = await runRnn(['train', file, ...TINY, '--seq-len', '16', '--batch', '4', '--out', 'quiet.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/memory before|peak RSS/)
  })
})
