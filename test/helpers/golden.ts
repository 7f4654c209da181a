/**
 * Loading the PyTorch golden cases (test/fixtures/golden, written by scripts/golden.py; $RNN_GOLDEN_DIR
 * points at another set, e.g. a regenerated one) and comparing engine tensors
 * against them with the README's float32 tolerances, reporting the worst difference and where it is.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { allocParams } from '../../src/engine/params.ts'
import { Model, type State } from '../../src/model/model.ts'
import { paramSpecs, type ModelSpec } from '../../src/model/spec.ts'
import type { CellKind } from '../../src/engine/cells/cell.ts'

export const GOLDEN_DIR = resolve(process.env.RNN_GOLDEN_DIR ?? resolve(import.meta.dirname, '../fixtures/golden'))
export const RTOL = 1e-4
export const ATOL = 1e-5

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

export function goldenIndex(): { file: string; kind: string }[] {
  const path = resolve(GOLDEN_DIR, 'index.json')
  if (!existsSync(path)) throw new Error(`golden cases not found: ${path} (set RNN_GOLDEN_DIR)`)
  const index = JSON.parse(readFileSync(path, 'utf8'))
  if (!Array.isArray(index.files) || index.files.length === 0) throw new Error(`${path}: no cases listed`)
  return index.files
}

export function loadCase(file: string): Json {
  return JSON.parse(readFileSync(resolve(GOLDEN_DIR, file), 'utf8'))
}

/** Row-major flattening of a nested array, and its shape. */
export function flat(v: Json): { data: number[]; shape: number[] } {
  const shape: number[] = []
  let probe = v
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0] }
  const data: number[] = Array.isArray(v) ? (v.flat(Infinity) as number[]) : [v]
  return { data, shape }
}

export function f32(v: Json): Float32Array { return Float32Array.from(flat(v).data) }

/** Tracks the worst relative error over a case and fails with coordinates on the first violation. */
export class Comparer {
  worst = 0
  worstWhere = ''
  count = 0
  readonly failures: string[] = []

  check(label: string, got: ArrayLike<number> | number, want: Json): void {
    const { data: ref, shape } = flat(want)
    const g = typeof got === 'number' ? [got] : got
    if (g.length !== ref.length) { this.failures.push(`${label}: length ${g.length}, want ${ref.length} (shape [${shape}])`); return }
    for (let i = 0; i < ref.length; i++) {
      const diff = Math.abs(g[i] - ref[i])
      const rel = diff / Math.max(Math.abs(ref[i]), ATOL / RTOL)
      this.count++
      if (rel > this.worst || Number.isNaN(diff)) { this.worst = Number.isNaN(diff) ? Infinity : rel; this.worstWhere = `${label}${coords(i, shape)}` }
      if (!(diff <= ATOL + RTOL * Math.abs(ref[i])) && this.failures.length < 10)
        this.failures.push(`${label}${coords(i, shape)}: got ${g[i]}, want ${ref[i]}, |diff| ${diff.toExponential(2)} > ${(ATOL + RTOL * Math.abs(ref[i])).toExponential(2)}`)
    }
  }

  summary(name: string): string {
    return `${name}: ${this.count} values, worst relative error ${this.worst.toExponential(2)} at ${this.worstWhere}`
  }
}

function coords(i: number, shape: number[]): string {
  if (shape.length === 0) return ''
  const out: number[] = []
  for (let d = shape.length - 1; d >= 0; d--) { out.unshift(i % shape[d]); i = Math.floor(i / shape[d]) }
  return `[${out.join('][')}]`
}

export function specOf(c: Json): ModelSpec {
  const k = c.config
  const spec: ModelSpec = { cell: k.cell as CellKind, input_size: k.input_size, hidden_size: k.hidden_size, num_layers: k.num_layers, output_size: k.output_size, input: 'dense', loss: k.loss }
  // ids through nn.Embedding: the engine's one-hot ids with an embedding_dim
  return k.input === 'embedding' ? { ...spec, input: 'one_hot', input_size: k.num_embeddings, embedding_dim: k.embedding_dim } : spec
}

/** A model with the case's parameters loaded (rounded to float32). */
export function modelOf(c: Json): Model {
  const spec = specOf(c)
  const params = allocParams(paramSpecs(spec))
  for (const t of params.tensors) {
    const v = c.params[t.name]
    if (v === undefined) throw new Error(`golden case ${c.name} has no parameter ${t.name}`)
    const d = f32(v)
    if (d.length !== t.data.length) throw new Error(`${t.name}: ${d.length} values, want ${t.data.length}`)
    t.data.set(d)
  }
  return new Model(spec, params)
}

export function stateOf(h: Json, c: Json | undefined): State {
  return { h: f32(h), c: c === undefined ? null : f32(c) }
}

export function targetsOf(c: Json, t0 = 0, t1?: number): Int32Array | Float32Array {
  const rows = c.inputs.targets.slice(t0, t1)
  return c.config.loss === 'cross_entropy' ? Int32Array.from(rows.flat(Infinity)) : f32(rows)
}

/** L2 norms of a [T][B][H] buffer per (t, b) and per t. */
export function norms(v: Float32Array, T: number, B: number, H: number): { perExample: number[]; overBatch: number[] } {
  const perExample: number[] = [], overBatch: number[] = []
  for (let t = 0; t < T; t++) {
    let tot = 0
    for (let b = 0; b < B; b++) {
      let s = 0
      for (let j = 0; j < H; j++) { const x = v[(t * B + b) * H + j]; s += x * x }
      perExample.push(Math.sqrt(s)); tot += s
    }
    overBatch.push(Math.sqrt(tot))
  }
  return { perExample, overBatch }
}
