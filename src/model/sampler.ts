/**
 * Sampling characters from a text model: the prime is fed through the network first, then each step's
 * logits are divided by the temperature, cut to the top-k and/or the top-p nucleus, renormalised and drawn
 * from with the seeded RNG (or the most likely character with argmax). A generator of code point strings,
 * so the CLI can stream text as it is produced.
 */
import type { Rng } from '../engine/rng.ts'
import type { Vocab } from '../data/vocab.ts'
import type { Model } from './model.ts'

export interface SampleOptions { temperature: number; topK: number | null; topP: number | null; argmax: boolean; prime: string; length: number }

export function* sampleText(model: Model, vocab: Vocab, o: SampleOptions, rng: Rng): Generator<string> {
  const state = model.zeroState(1)
  const x = new Int32Array(1)
  const V = vocab.size
  const probs = new Float64Array(V)
  const order = Array.from({ length: V }, (_, i) => i)
  for (const ch of o.prime) {
    x[0] = vocab.id(ch)
    model.forward(x, null, 1, 1, state)
  }
  for (let n = 0; n < o.length; n++) {
    const logits = model.outputs()
    const id = o.argmax ? argmaxOf(logits) : draw(logits, probs, order, o, rng)
    yield vocab.chars[id]
    x[0] = id
    model.forward(x, null, 1, 1, state)
  }
}

function argmaxOf(v: Float32Array): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i
  return best
}

/** Tempered softmax, then the top-k / top-p cut on the sorted probabilities, then one draw. */
function draw(logits: Float32Array, probs: Float64Array, order: number[], o: SampleOptions, rng: Rng): number {
  const V = probs.length
  let max = -Infinity
  for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i]
  let sum = 0
  for (let i = 0; i < V; i++) { probs[i] = Math.exp((logits[i] - max) / o.temperature); sum += probs[i] }
  for (let i = 0; i < V; i++) probs[i] /= sum
  let keep = V
  if (o.topK !== null || o.topP !== null) {
    order.sort((a, b) => probs[b] - probs[a] || a - b)
    if (o.topK !== null) keep = Math.min(keep, o.topK)
    if (o.topP !== null) {
      let cum = 0, k = 0
      while (k < keep) { cum += probs[order[k]]; k++; if (cum >= o.topP) break }
      keep = k
    }
    let kept = 0
    for (let k = 0; k < keep; k++) kept += probs[order[k]]
    let u = rng.next() * kept
    for (let k = 0; k < keep; k++) { u -= probs[order[k]]; if (u < 0) return order[k] }
    return order[keep - 1]
  }
  let u = rng.next()
  for (let i = 0; i < V; i++) { u -= probs[i]; if (u < 0) return i }
  return V - 1
}
