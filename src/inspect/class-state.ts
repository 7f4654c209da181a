/**
 * A classifier seen from inside: its class probabilities after each character (the head applied to h_1..h_t
 * pooled as the model pools, as if the text ended there), and the units whose pooled value goes with the
 * label over the held-out rows (Pearson correlation with each class's indicator; a "sentiment unit").
 */
import { view } from '../engine/params.ts'
import { padBatch } from '../data/sequence-batches.ts'
import type { Model } from '../model/model.ts'
import { softmaxRows } from '../model/pool.ts'

/** probs[t][c]: P(class c) had the text ended after t+1 of the characters; h: the top layer's h_1..h_T, [T][H]. */
export function stepProbabilities(model: Model, h: Float32Array, T: number): number[][] {
  const { hidden_size: H, output_size: C, pool = 'last' } = model.spec
  const W = view(model.params.tensors, 'head.weight'), b = view(model.params.tensors, 'head.bias')
  const p = new Float64Array(H), logits = new Float32Array(C), probs = new Float64Array(C)
  const out: number[][] = []
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < H; j++) {
      const v = h[t * H + j]
      p[j] = pool === 'last' || t === 0 ? v : pool === 'mean' ? p[j] + (v - p[j]) / (t + 1) : Math.max(p[j], v)
    }
    for (let c = 0; c < C; c++) {
      let s = b[c]
      for (let j = 0; j < H; j++) s += W[c * H + j] * p[j]
      logits[c] = s
    }
    softmaxRows(logits, 1, C, probs)
    out.push(Array.from(probs))
  }
  return out
}

export interface UnitCorrelation { unit: number; r: number; class: string }

/**
 * For every unit, its pooled value over `rows` correlated with each class's 0/1 indicator; the class with
 * the largest |r| is kept (for two classes: the second class, whose r is minus the first's). Sorted by |r|.
 */
export function unitsByLabel(
  model: Model, seqs: readonly Int32Array[], labels: Int32Array, classes: readonly string[], B = 64,
): UnitCorrelation[] {
  const H = model.spec.hidden_size, n = seqs.length
  const pooled = new Float64Array(n * H)
  let longestRow = 0
  for (const s of seqs) longestRow = Math.max(longestRow, s.length)
  const x = new Int32Array(longestRow * B), lengths = new Int32Array(B)
  for (let at = 0; at < n; at += B) {
    const rows = Array.from({ length: Math.min(B, n - at) }, (_, i) => at + i)
    const T = padBatch(seqs, rows, x, lengths)
    model.forward(x, null, T, rows.length, model.zeroState(rows.length), false, lengths)
    const p = model.pooled()
    for (let i = 0; i < rows.length * H; i++) pooled[at * H + i] = p[i]
  }
  const candidates = classes.length === 2 ? [1] : classes.map((_, c) => c)
  const out: UnitCorrelation[] = []
  for (let j = 0; j < H; j++) {
    let best: UnitCorrelation = { unit: j, r: 0, class: classes[candidates[0]] }
    for (const c of candidates) {
      const r = pearson(n, (i) => pooled[i * H + j], (i) => (labels[i] === c ? 1 : 0))
      if (Math.abs(r) > Math.abs(best.r)) best = { unit: j, r, class: classes[c] }
    }
    out.push(best)
  }
  return out.sort((a, b) => Math.abs(b.r) - Math.abs(a.r) || a.unit - b.unit)
}

/** Pearson's r of two series; 0 when either is constant. */
function pearson(n: number, x: (i: number) => number, y: (i: number) => number): number {
  let mx = 0, my = 0
  for (let i = 0; i < n; i++) { mx += x(i); my += y(i) }
  mx /= n; my /= n
  let sxy = 0, sxx = 0, syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x(i) - mx, dy = y(i) - my
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy)
}
