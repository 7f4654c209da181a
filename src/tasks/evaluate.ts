/**
 * Evaluation of a text model: mean cross-entropy (nats/char), perplexity and bits/char over a sequence of
 * ids, read as S parallel streams in chunks of T with state carried from chunk to chunk, every character
 * after a stream's first predicted exactly once. With S = 1 this is the whole text as one stream from a
 * zero state (what `rnn eval` reports); training validates with a few streams for speed.
 * Ids of -1 (characters outside the vocabulary) are neither predicted nor counted.
 */
import type { Model } from '../model/model.ts'

export interface TextEval { loss: number; perplexity: number; bits_per_char: number; chars: number }

export function evaluateIds(
  model: Model, ids: Int32Array, streams: number, T: number, width = 0, progress?: (done: number, total: number) => void,
): TextEval {
  const S = Math.max(1, Math.min(streams, Math.floor(ids.length / 2)))
  // a batch wider than S (the training batch) runs in the model's training buffers instead of a second set
  // of (T, S) ones; the extra columns read id 0 and predict nothing (target -1), so the loss is the same
  const W = Math.max(S, width)
  const streamLen = Math.floor(ids.length / S)
  const x = new Int32Array(T * W), y = new Int32Array(T * W).fill(-1)
  const state = model.zeroState(W)
  let sum = 0, count = 0
  // positions p = 0..streamLen-2 of each stream predict p + 1; the last chunk is padded with ignored targets
  for (let start = 0; start < streamLen - 1; start += T) {
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) {
        const p = start + t, i = t * W + s
        const inRange = p < streamLen - 1
        x[i] = inRange ? ids[s * streamLen + p] : 0
        y[i] = inRange ? ids[s * streamLen + p + 1] : -1
      }
    let n = 0
    for (let i = 0; i < y.length; i++) if (y[i] >= 0) n++
    if (n === 0) continue
    sum += model.forward(x, y, T, W, state) * n
    count += n
    progress?.(Math.min(start + T, streamLen - 1) * S, (streamLen - 1) * S)
  }
  const loss = count > 0 ? sum / count : NaN
  return { loss, perplexity: Math.exp(loss), bits_per_char: loss / Math.LN2, chars: count }
}

/** Streams used for validation during training: one per 4096 characters, at most B (fewer cold starts). */
export function validationStreams(valLength: number, B: number): number {
  return Math.max(1, Math.min(B, Math.floor(valLength / 4096)))
}
