/**
 * What the CLI embeds in an explorer page (src/explore/page-data.ts writes it, the page reads it from a
 * `<script type="application/json">`), and the decoding of its weights. Shared by both sides as types.
 */
import type { HistoryPoint } from '../../model/checkpoint/schema.ts'
import type { UnitCorrelation } from '../../inspect/class-state.ts'
import type { Pool } from '../../model/pool.ts'
import type { ModelSpec } from '../../model/spec.ts'
import type { ColumnStats, Transform } from '../../data/codec.ts'
import { fromHalf } from '../half.ts'

interface SeriesInfo {
  columns: ColumnStats[]
  transform: Transform
  /** Default rows shown in the input box: raw values, target first. */
  rows: number[][]
  /** The date of each default row, when the CSV has dates. */
  dates: string[] | null
  /** Rows of context the model reads to forecast (its seq_len), and the season (rnn sample's default horizon). */
  seqLen: number
  season: number
}

export interface ClassifierInfo {
  classes: string[]
  pool: Pool
  /** `rnn inspect-state --by-label` on the held-out rows: every top-layer unit by |r| (null without the training CSV). */
  byLabel: { rows: number; units: UnitCorrelation[] } | null
}

export interface PageData {
  name: string
  kind: 'text' | 'timeseries' | 'classifier'
  spec: ModelSpec
  gateOrder: string[]
  /** Every parameter in paramSpecs order, one base64 blob of little-endian float32 or float16. */
  weights: { dtype: 'f32' | 'f16'; base64: string; maxError: number }
  /** A forecaster ensemble's other members (rnn train --ensemble), the same way; null for a single model. */
  members: PageData['weights'][] | null
  vocab: string[] | null
  /** Initial contents of the input box: text, or CSV rows one per line. */
  input: string
  series: SeriesInfo | null
  classifier: ClassifierInfo | null
  history: HistoryPoint[]
  /** Defaults of the generate view (the same as `rnn sample`'s). */
  sample: { seed: number; length: number; temp: number; topK: number | null; topP: number | null; prime: string }
  trainedSteps: number
}

export function decodeWeights(w: PageData['weights'], n: number): Float32Array {
  const bin = atob(w.base64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  if (w.dtype === 'f32') {
    if (bytes.length !== 4 * n) throw new Error(`weights: ${bytes.length} bytes for ${n} float32`)
    return new Float32Array(bytes.buffer)
  }
  if (bytes.length !== 2 * n) throw new Error(`weights: ${bytes.length} bytes for ${n} float16`)
  const half = new Uint16Array(bytes.buffer), out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = fromHalf(half[i])
  return out
}
