/**
 * Running a classifier: class probabilities of encoded sequences, batched by length (each batch padded
 * to its longest, the padding masked), and the mean cross-entropy when the labels are known.
 */
import type { Model } from '../model/model.ts'
import { softmaxRows } from '../model/pool.ts'
import { padBatch } from '../data/sequence-batches.ts'
import { encodeTexts } from '../data/vocab.ts'
import type { Tokens } from '../data/tokens.ts'
import { UNK } from '../data/words.ts'

interface Predictions {
  /** [n][C] probabilities, in the order of `rows`. */
  readonly probs: Float64Array
  /** Mean cross-entropy against the labels (NaN without labels). */
  readonly loss: number
}

/** Probabilities for seqs[rows[i]], B sequences per forward. No training side effects (dropout off). */
export function predictRows(
  model: Model, seqs: readonly Int32Array[], rows: readonly number[], B: number, labels?: Int32Array,
): Predictions {
  const C = model.spec.output_size
  const probs = new Float64Array(rows.length * C)
  const order = rows.map((_, i) => i).sort((a, b) => seqs[rows[a]].length - seqs[rows[b]].length || a - b)
  let longestRow = 0
  for (const r of rows) longestRow = Math.max(longestRow, seqs[r].length)
  const x = new Int32Array(longestRow * B), lengths = new Int32Array(B), y = new Int32Array(B)
  const p = new Float64Array(B * C)
  let lossSum = 0
  for (let at = 0; at < order.length; at += B) {
    const part = order.slice(at, at + B), n = part.length
    const T = padBatch(seqs, part.map((i) => rows[i]), x, lengths)
    if (labels !== undefined) part.forEach((i, b) => { y[b] = labels[rows[i]] })
    const loss = model.forward(x, labels !== undefined ? y : null, T, n, model.zeroState(n), false, lengths)
    lossSum += loss * n
    softmaxRows(model.outputs(), n, C, p)
    part.forEach((i, b) => { for (let c = 0; c < C; c++) probs[i * C + c] = p[b * C + c] })
  }
  return { probs, loss: labels !== undefined ? lossSum / rows.length : NaN }
}

/** The most probable class of each row (the first on a tie). */
export function argmaxRows(probs: Float64Array, C: number): Int32Array {
  const out = new Int32Array(probs.length / C)
  for (let i = 0; i < out.length; i++) {
    let best = 0
    for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c
    out[i] = best
  }
  return out
}

/** Class probabilities of each text ([n][C]) and how many of its tokens the vocabulary lacks. */
export function classifyTexts(model: Model, vocab: Tokens, texts: readonly string[]): { probs: Float64Array; unknown: number[] } {
  const seqs = encodeTexts(texts, vocab)
  return { probs: predictRows(model, seqs, seqs.map((_, i) => i), 64).probs, unknown: unknownTokens(seqs, vocab) }
}

/** Tokens of each sequence outside the vocabulary: characters read as the zero vector (-1), words read as <unk>. */
export function unknownTokens(seqs: readonly Int32Array[], vocab: Tokens): number[] {
  const unk = vocab.kind === 'word' ? vocab.id(UNK) : -1
  return seqs.map((s) => s.reduce((n, id) => n + (id < 0 || id === unk ? 1 : 0), 0))
}

/** "3 characters outside the model's vocabulary read as the zero vector" (or words, read as <unk>). */
export function unknownNote(n: number, vocab: Pick<Tokens, 'kind'>): string {
  const what = vocab.kind === 'word' ? `word${n === 1 ? '' : 's'}` : `character${n === 1 ? '' : 's'}`
  return `${n.toLocaleString('en-US')} ${what} outside the model's vocabulary read as ${vocab.kind === 'word' ? UNK : 'the zero vector'}`
}
