/**
 * Sampling tokens from a text model: the prime is fed through the network first, then each step's
 * logits are divided by the temperature, cut to the top-k and/or the top-p nucleus, renormalised and drawn
 * from with the seeded RNG (or the most likely token with argmax). A generator of tokens (characters, or
 * words, tokens.ts), so the CLI can stream text as it is produced. `length` counts what the tokens count
 * (every character; the words of a word model, whose punctuation and line breaks come between them).
 *
 * explainText runs the same steps with the same RNG draws and also yields, per character, the most likely
 * candidates of the distribution it was drawn from (`rnn sample --explain`): the plain path only pays for
 * recording how many characters the cut kept.
 */
import type { Rng } from '../engine/rng.ts'
import type { Tokens } from '../data/tokens.ts'
import type { Model } from './model.ts'

export interface SampleOptions {
  temperature: number; topK: number | null; topP: number | null; argmax: boolean; prime: string; length: number
}

export interface Candidate { char: string; p: number }

/**
 * One generated character, its probability and the `top` most likely candidates (most likely first; ties
 * by vocabulary order), with the probabilities drawn from: after the temperature and the top-k / top-p cut
 * and renormalisation (0 for characters the cut removed). With argmax nothing is drawn, and these are the
 * model's own probabilities (temperature 1).
 */
export interface ExplainedStep { char: string; p: number; candidates: Candidate[] }

/**
 * The distribution of the current step. probs holds the tempered softmax over the vocabulary; with a cut,
 * order lists ids by decreasing probability and the first `keep` are kept, with total `kept` (the
 * normaliser). Without a cut order is untouched, keep = V and kept = 1.
 */
interface Distribution { readonly probs: Float64Array; readonly order: number[]; keep: number; kept: number; sorted: boolean }

export function* sampleText(model: Model, vocab: Tokens, o: SampleOptions, rng: Rng): Generator<string> {
  const d = distribution(vocab.size)
  for (const id of sampleIds(model, vocab, o, rng, d, false)) yield vocab.list[id]
}

/** sampleText with the distribution of every step: the same characters for the same options and RNG. */
export function* explainText(model: Model, vocab: Tokens, o: SampleOptions, rng: Rng, top = 5): Generator<ExplainedStep> {
  const d = distribution(vocab.size)
  for (const id of sampleIds(model, vocab, o, rng, d, true))
    yield { char: vocab.list[id], p: d.probs[id] / d.kept, candidates: topCandidates(d, vocab, top) }
}

function distribution(V: number): Distribution {
  return { probs: new Float64Array(V), order: Array.from({ length: V }, (_, i) => i), keep: V, kept: 1, sorted: false }
}

/** What the network reads before the first draw: the prime's tokens, or with none a newline (as at the
 *  start of a line), or the first token when the vocabulary has no newline. */
function startTokens(vocab: Tokens, prime: string): string[] {
  const tokens = vocab.split(prime)
  return tokens.length > 0 ? tokens : vocab.id('\n') >= 0 ? ['\n'] : [vocab.list[0]]
}

/**
 * A word model's run of punctuation and line breaks cannot go on for ever: after this many tokens per
 * word asked for (plus a margin), sampling stops short of `length`.
 */
const MAX_TOKENS_PER_COUNTED = 20

/** Ids of the generated tokens; `d` describes the step's distribution when each id is yielded. */
function* sampleIds(model: Model, vocab: Tokens, o: SampleOptions, rng: Rng, d: Distribution, explain: boolean): Generator<number> {
  const state = model.zeroState(1)
  const x = new Int32Array(1)
  for (const token of startTokens(vocab, o.prime)) {
    x[0] = vocab.id(token)
    model.forward(x, null, 1, 1, state)
  }
  const cap = MAX_TOKENS_PER_COUNTED * o.length + 100
  for (let n = 0, drawn = 0; n < o.length && drawn < cap; drawn++) {
    const logits = model.outputs()
    let id: number
    if (o.argmax) {
      id = argmaxOf(logits)
      if (explain) { softmax(logits, d.probs, 1); d.keep = d.probs.length; d.kept = 1; d.sorted = false }
    } else id = draw(logits, d, o, rng)
    if (vocab.counts(vocab.list[id])) n++
    yield id
    x[0] = id
    model.forward(x, null, 1, 1, state)
  }
}

function argmaxOf(v: Float32Array): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i
  return best
}

function softmax(logits: Float32Array, probs: Float64Array, temperature: number): void {
  const V = probs.length
  let max = -Infinity
  for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i]
  let sum = 0
  for (let i = 0; i < V; i++) { probs[i] = Math.exp((logits[i] - max) / temperature); sum += probs[i] }
  for (let i = 0; i < V; i++) probs[i] /= sum
}

/** Tempered softmax, then the top-k / top-p cut on the sorted probabilities, then one draw. */
function draw(logits: Float32Array, d: Distribution, o: SampleOptions, rng: Rng): number {
  const { probs, order } = d
  const V = probs.length
  softmax(logits, probs, o.temperature)
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
    d.keep = keep; d.kept = kept; d.sorted = true
    let u = rng.next() * kept
    for (let k = 0; k < keep; k++) { u -= probs[order[k]]; if (u < 0) return order[k] }
    return order[keep - 1]
  }
  d.keep = V; d.kept = 1; d.sorted = false
  let u = rng.next()
  for (let i = 0; i < V; i++) { u -= probs[i]; if (u < 0) return i }
  return V - 1
}

/** The n most likely kept characters, most likely first (ties by id, as in the cut's sort). */
function topCandidates(d: Distribution, vocab: Tokens, n: number): Candidate[] {
  const { probs, order } = d
  let ids: number[]
  if (d.sorted) ids = order.slice(0, Math.min(n, d.keep))
  else {
    // a partial insertion sort: n is a handful, the vocabulary ~100
    ids = []
    for (let i = 0; i < probs.length; i++) {
      if (ids.length === n && !(probs[i] > probs[ids[n - 1]])) continue
      let k = ids.length
      while (k > 0 && probs[i] > probs[ids[k - 1]]) k--
      ids.splice(k, 0, i)
      if (ids.length > n) ids.pop()
    }
  }
  return ids.map((id) => ({ char: vocab.list[id], p: probs[id] / d.kept }))
}
