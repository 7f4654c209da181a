/**
 * `rnn describe` as data: a model's cell equations (PyTorch's, in its gate order), its parameter tensors
 * from src/model/spec.ts (the one list of names and shapes), and their total.
 */
import { sizeOf } from '../engine/params.ts'
import type { Pool } from '../model/pool.ts'
import { gateOrder, paramSpecs, type ModelSpec } from '../model/spec.ts'

export interface ModelDescription {
  cell: ModelSpec['cell']
  /** What a text model reads and predicts: characters (absent) or words. */
  tokens?: 'word'
  params: { name: string; shape: number[]; count: number }[]
  total: number
  /** A classifier's head: how it pools the top layer's h_t, and its classes (the head's rows, in order). */
  head?: { pool: Pool; classes: string[] }
}

export function describeModel(spec: ModelSpec, classes?: readonly string[], tokens?: 'char' | 'word'): ModelDescription {
  const params = paramSpecs(spec).map((p) => ({ name: p.name, shape: [...p.shape], count: sizeOf(p.shape) }))
  const total = params.reduce((n, p) => n + p.count, 0)
  const d: ModelDescription = { cell: spec.cell, ...(tokens === 'word' ? { tokens } : {}), params, total }
  if (spec.pool !== undefined) d.head = { pool: spec.pool, classes: classes !== undefined ? [...classes] : [] }
  return d
}

/** What each parameter tensor holds, in the notation of the equations. */
export function roleOf(name: string, spec: ModelSpec, tokens: 'char' | 'word' = 'char'): string {
  const gates = gateOrder(spec.cell).join(',')
  const k = /_l(\d+)$/.exec(name)?.[1]
  const first = spec.embedding_dim !== undefined ? 'x_t = E[w_t]' : spec.input === 'one_hot' ? 'x_t (one-hot)' : 'x_t'
  const input = k === '0' ? first : `h_t of layer ${Number(k) - 1}`
  if (name === 'embedding.weight') return `E: one row per ${tokens === 'word' ? 'word' : 'character'} (nn.Embedding)`
  const blocks = gates === '' ? '' : ` → ${gates}`
  if (name.startsWith('weight_ih')) return `W_i*: ${input}${blocks}`
  if (name.startsWith('weight_hh')) return `W_h*: h_{t-1}${blocks}`
  if (name.startsWith('weight_yh')) return 'W_yh: ŷ_{t-1}, the previous output'
  if (name.startsWith('bias_ih')) return `b_i*${blocks === '' ? '' : ` (${gates})`}`
  if (name.startsWith('bias_hh')) return `b_h*${blocks === '' ? '' : ` (${gates})`}`
  if (name === 'head.weight') {
    if (spec.pool !== undefined) return `W_hy: ${spec.pool === 'last' ? 'top h_T' : `${spec.pool} of top h_t`} → class logits`
    return `W_hy: top h_t → ${spec.loss === 'cross_entropy' ? 'logits' : 'outputs'}`
  }
  return 'b_y'
}

/**
 * The recurrence of one layer in PyTorch's form (torch.nn.RNN / LSTM / GRU documentation). x_t is the
 * layer's input: the character at step t for layer 0, h_t of the layer below otherwise.
 */
export function cellEquations(cell: ModelSpec['cell']): string[] {
  const pre = (g: string) => `W_i${g} x_t + b_i${g} + W_h${g} h_{t-1} + b_h${g}`
  switch (cell) {
    case 'rnn_tanh': return [`h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`]
    case 'rnn_relu': return [`h_t = max(0, W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`]
    case 'lstm': return [
      `i_t = σ(${pre('i')})`, `f_t = σ(${pre('f')})`, `g_t = tanh(${pre('g')})`, `o_t = σ(${pre('o')})`,
      'c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t',
      'h_t = o_t ⊙ tanh(c_t)',
    ]
    case 'gru': return [
      `r_t = σ(${pre('r')})`, `z_t = σ(${pre('z')})`,
      'n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))',
      'h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}',
    ]
    case 'jordan': return [`h_t = tanh(W_ih x_t + b_ih + W_yh ŷ_{t-1} + b_hh)`]
  }
}

/** Notes that go with the equations: gate order and the one non-obvious convention per cell. */
export function cellNotes(spec: ModelSpec, tokens: 'char' | 'word' = 'char'): string[] {
  const notes: string[] = []
  if (spec.cell === 'lstm') notes.push('W_ih = [W_ii; W_if; W_ig; W_io] by rows (gate order i, f, g, o),', '  likewise W_hh, b_ih and b_hh')
  if (spec.cell === 'gru') notes.push('W_ih = [W_ir; W_iz; W_in] by rows (gate order r, z, n),', '  likewise W_hh, b_ih and b_hh',
    'b_hn sits inside r_t ⊙ (…) as in PyTorch and cuDNN: b_in and b_hn differ')
  const token = tokens === 'word' ? 'word' : 'character'
  if (spec.embedding_dim !== undefined) notes.push(`layer 0: x_t = E[w_t], the row of embedding.weight for the ${token} w_t`)
  else if (spec.input === 'one_hot') notes.push('layer 0: W_ih x_t is column x_t of W_ih (one-hot input, a gather)')
  else notes.push('layer 0: x_t is a dense vector')
  if (spec.num_layers > 1) notes.push(`layer k ≥ 1 reads h_t of layer k-1 as its x_t`)
  if (spec.cell === 'jordan') {
    const yhat = spec.loss === 'cross_entropy' ? 'softmax(y_{t-1}), the predicted distribution' : 'y_{t-1}, the prediction'
    notes.push(`ŷ_{t-1} = ${yhat} (Jordan 1986: the output, not h, is fed back);`,
      '  ŷ_{-1} = 0 at the start of a stream, carried across chunks like h; gradients flow back through it',
      ...(spec.num_layers > 1 ? ['every layer reads ŷ_{t-1} through its own W_yh [H][O]: ŷ is the only recurrent state'] : []))
  }
  if (spec.pool !== undefined) return notes
  const loss = spec.loss === 'cross_entropy' ? `loss: cross-entropy of softmax(y_t) and the next ${token}`
    : 'loss: mean squared error of y_t'
  notes.push('head, at every step on the top layer: y_t = W_hy h_t + b_y', loss)
  return notes
}

/** A classifier's head (src/model/pool.ts), once per text of T characters, on the top layer's h_1..h_T. */
export function headEquations(pool: Pool): string[] {
  const p = {
    last: 'p = h_{T-1}              (the state after the last character)',
    mean: 'p = (1/T) Σ_t h_t        (the mean over the text\'s T characters, t = 0 … T-1)',
    max: 'p[j] = max_t h_t[j]      (element-wise max over the text\'s T characters, t = 0 … T-1)',
  }[pool]
  return [p, 'y = W_hy p + b_y         (one logit per class)', 'P(class | text) = softmax(y); loss: cross-entropy with the text\'s label']
}
