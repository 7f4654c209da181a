/**
 * The page's state: one object every view draws from, mirrored in the URL hash (#view=state&t=3&…) so a
 * view at a step can be shared and survives a reload. Only values that differ from the defaults go in
 * the hash.
 */
import type { LossAt } from '../../inspect/gradients.ts'

/** A page shows six of these: a classifier's page has `classify` where the others have `generate`. */
export const VIEWS = ['unroll', 'sharing', 'state', 'generate', 'classify', 'vanishing', 'bptt'] as const
export type ViewName = (typeof VIEWS)[number]

export interface State {
  text: string
  /** The step under the scrubber, 0 … T-1. */
  t: number
  view: ViewName
  layer: number
  /** The unit picked in the state view (colours the text), -1 for none. */
  unit: number
  /** What the state view's heatmap shows. */
  quantity: 'h' | 'c' | 'gates'
  /** label: a classifier's top layer by |r| with the label over the held-out rows (inspect-state --by-label). */
  sort: 'index' | 'variance' | 'label'
  /** The parameter selected in the sharing view, highlighted in the unrolled one ('' for none). */
  param: string
  lossAt: LossAt
  /** A classifier's loss is at its head, against this class ('' : the class it predicts for the input). */
  label: string
  compare: boolean
  phase: 'forward' | 'backward'
  temp: number; topK: number; topP: number; seed: number; length: number; prime: string
}

type Key = keyof State
const NUMBERS: Key[] = ['t', 'layer', 'unit', 'temp', 'topK', 'topP', 'seed', 'length']
const CHOICES: Partial<Record<Key, readonly string[]>> = {
  view: VIEWS, quantity: ['h', 'c', 'gates'], sort: ['index', 'variance', 'label'], lossAt: ['last', 'all'], phase: ['forward', 'backward'],
}

export function toHash(s: State, defaults: State): string {
  const p = new URLSearchParams()
  for (const k of Object.keys(s) as Key[]) if (s[k] !== defaults[k]) p.set(k, String(s[k]))
  return p.toString()
}

/** The defaults overridden by what a hash holds; unknown keys and unreadable values are ignored. */
export function fromHash(hash: string, defaults: State): State {
  const s: State = { ...defaults }
  const p = new URLSearchParams(hash.replace(/^#/, ''))
  const w = s as unknown as Record<string, unknown>
  for (const [k, v] of p) {
    if (!(k in defaults)) continue
    const key = k as Key
    if (NUMBERS.includes(key)) { const n = Number(v); if (Number.isFinite(n)) w[k] = n }
    else if (key === 'compare') w[k] = v === 'true'
    else if (CHOICES[key] !== undefined) { if (CHOICES[key]!.includes(v)) w[k] = v }
    else w[k] = v
  }
  return s
}
