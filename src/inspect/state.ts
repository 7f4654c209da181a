/**
 * What a layer's hidden state does while the model reads a text: run the text through the model (batch
 * 1, zero initial state) and keep h_t of one layer after each token (character, or a word model's word), for a chosen set of units (by
 * default the most active ones, by mean |h_t| over the text).
 */
import { unknownMessage, type Tokens } from '../data/tokens.ts'
import { UserError } from '../errors.ts'
import type { Model } from '../model/model.ts'
import { stepProbabilities } from './class-state.ts'

export interface StateTrace {
  layer: number
  /** Unit indices, in the order of the columns of `values`. */
  units: number[]
  /** The tokens read, one per row: characters, or a word model's words and marks. */
  chars: string[]
  /** values[row][k] = h of unit units[k] in `layer` right after reading chars[row]. */
  values: number[][]
  /** A classifier: its classes, and probs[row][c] had the text ended after chars[row]. */
  classes?: string[]
  probs?: number[][]
}

/** h_1 … h_T of layer l for ids read from a zero state, as [T][H]. */
function hiddenStates(model: Model, ids: Int32Array, l: number): Float32Array {
  const T = ids.length, H = model.spec.hidden_size
  model.forward(ids, null, T, 1, model.zeroState(1))
  return model.layer(l).h.slice(H, (T + 1) * H)
}

/** The k units with the largest mean |h| over the rows of h [T][H], most active first (ties: lower index). */
function topUnits(h: Float32Array, T: number, H: number, k: number): number[] {
  const mean = new Float64Array(H)
  for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) mean[j] += Math.abs(h[t * H + j])
  return Array.from({ length: H }, (_, j) => j).sort((a, b) => mean[b] - mean[a] || a - b).slice(0, Math.min(k, H))
}

/**
 * `units`: how many of the most active units, or an explicit list. `layer` defaults to the top layer.
 * Characters outside the vocabulary, a bad layer or a unit out of range are UserErrors naming the flag.
 */
export function traceState(
  model: Model, vocab: Tokens, text: string, o: { layer?: number; units: number | number[] }, classes?: readonly string[],
): StateTrace {
  const L = model.spec.num_layers, H = model.spec.hidden_size
  const layer = o.layer ?? L - 1
  if (!Number.isInteger(layer) || layer < 0 || layer >= L)
    throw new UserError(`--layer: must be in 0..${L - 1} (the model has ${L} layer${L === 1 ? '' : 's'}), got ${layer}`)
  if (text.length === 0) throw new UserError('--text: is empty')
  text = vocab.inVocabForm(text)
  const unknown = vocab.unknown(text)
  if (unknown.length > 0) throw new UserError(`--text: ${unknownMessage(vocab, unknown)}`)
  const tokens = vocab.split(text)
  if (tokens.length === 0) throw new UserError('--text: has no words')
  const ids = vocab.encode(text), T = ids.length
  const h = hiddenStates(model, ids, layer)
  let units: number[]
  if (Array.isArray(o.units)) {
    const bad = o.units.filter((u) => !Number.isInteger(u) || u < 0 || u >= H)
    if (bad.length > 0) throw new UserError(`--units: ${bad.join(', ')} out of range: layer ${layer} has units 0..${H - 1}`)
    units = o.units
  } else {
    if (!(o.units >= 1)) throw new UserError(`--units: must be ≥ 1, got ${o.units}`)
    units = topUnits(h, T, H, o.units)
  }
  const values = Array.from({ length: T }, (_, t) => units.map((u) => h[t * H + u]))
  const trace: StateTrace = { layer, units, chars: tokens, values }
  if (model.spec.pool !== undefined && classes !== undefined) {
    trace.classes = [...classes]
    trace.probs = stepProbabilities(model, layer === L - 1 ? h : hiddenStates(model, ids, L - 1), T)
  }
  return trace
}
