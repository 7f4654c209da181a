/**
 * Reading a PyTorch state_dict of {embedding: nn.Embedding (optional), rnn: nn.LSTM/GRU/RNN, head: nn.Linear}
 * out of a safetensors file:
 * the architecture is inferred from the shapes (weight_hh_l0 is [G·H][H] with G = 4 for an LSTM, 3 for a
 * GRU, 1 for an Elman RNN; layers are counted; input and output sizes come from weight_ih_l0 (or
 * embedding.weight) and head.weight), then every tensor the architecture implies is checked for presence,
 * dtype and shape.
 * Keys may carry the `rnn.` prefix (the exported module) or not (a bare nn.LSTM's state_dict plus head.*).
 * Every problem is a one-line UserError naming the tensor as the file spells it.
 */
import { GATES, type CellKind } from '../engine/cells/cell.ts'
import { UserError } from '../errors.ts'
import { paramSpecs, type ModelSpec } from '../model/spec.ts'
import { float32Of, type RawTensor, type SafetensorsFile } from './safetensors.ts'

export interface StateDict {
  spec: ModelSpec
  /** Engine names (weight_ih_l0, …, head.weight) in paramSpecs order. */
  params: Map<string, { shape: readonly number[]; data: Float32Array }>
}

/** What the caller knows besides the shapes: the cell when G = 1 is ambiguous, and how the input is read. */
interface StateDictHints { cell?: CellKind; cellFrom?: string; input: ModelSpec['input']; loss: ModelSpec['loss'] }

const RECURRENT = /^(weight|bias)_(ih|hh)_l\d+$/

export function stateDictOf(file: string, st: SafetensorsFile, hints: StateDictHints): StateDict {
  const { byEngine, prefix } = engineNames(file, st)
  const label = (name: string) => byEngine.get(name)?.name ?? (name.startsWith('head.') ? name : `${prefix}${name}`)
  const spec = inferSpec(file, byEngine, label, hints)
  const params: StateDict['params'] = new Map()
  for (const s of paramSpecs(spec)) {
    const t = byEngine.get(s.name)
    if (t === undefined) {
      throw new UserError(`${file}: tensor "${label(s.name)}" is missing (a ${spec.cell} of hidden size ${spec.hidden_size} `
        + `and ${spec.num_layers} layer${spec.num_layers > 1 ? 's' : ''} needs [${s.shape}])`)
    }
    const data = float32Of(file, t) // the dtype first: it is the one thing wrong in a float64 state_dict
    if (t.shape.join() !== s.shape.join())
      throw new UserError(`${file}: tensor "${t.name}": shape [${t.shape}], expected [${s.shape}] `
        + `for a ${spec.cell} of hidden size ${spec.hidden_size}`)
    params.set(s.name, { shape: s.shape, data })
  }
  for (const [name, t] of byEngine)
    if (!params.has(name)) throw new UserError(`${file}: unexpected tensor "${t.name}"${hintFor(t.name)}`)
  return { spec, params }
}

/** Engine name → tensor; `rnn.weight_ih_l0` and a bare `weight_ih_l0` both map to `weight_ih_l0`. */
function engineNames(file: string, st: SafetensorsFile): { byEngine: Map<string, RawTensor>; prefix: string } {
  const byEngine = new Map<string, RawTensor>()
  let prefixed = 0, bare = 0
  for (const [name, t] of st.tensors) {
    const stripped = name.startsWith('rnn.') && RECURRENT.test(name.slice(4)) ? name.slice(4) : name
    if (stripped !== name) prefixed++
    else if (RECURRENT.test(name)) bare++
    const clash = byEngine.get(stripped)
    if (clash !== undefined) throw new UserError(`${file}: tensors "${clash.name}" and "${name}" are the same parameter`)
    byEngine.set(stripped, t)
  }
  if (byEngine.size === 0) throw new UserError(`${file}: holds no tensors`)
  return { byEngine, prefix: bare > prefixed ? '' : 'rnn.' }
}

function inferSpec(file: string, byEngine: Map<string, RawTensor>, label: (n: string) => string, hints: StateDictHints): ModelSpec {
  const whh = byEngine.get('weight_hh_l0')
  if (whh === undefined) {
    throw new UserError(`${file}: tensor "${label('weight_hh_l0')}" is missing: not the state_dict of an nn.RNN/LSTM/GRU `
      + `(keys: ${[...byEngine.values()].slice(0, 6).map((t) => t.name).join(', ')})`)
  }
  const [rows, H] = whh.shape
  const G = whh.shape.length === 2 && H > 0 && rows % H === 0 ? rows / H : 0
  if (G !== 1 && G !== 3 && G !== 4)
    throw new UserError(`${file}: tensor "${whh.name}": shape [${whh.shape}] is not [G·H, H] with G = 4 (LSTM), 3 (GRU) or 1 (RNN)`)
  const fromShape: CellKind = G === 4 ? 'lstm' : G === 3 ? 'gru' : 'rnn_tanh'
  let cell: CellKind = fromShape
  if (hints.cell !== undefined) {
    if (GATES[hints.cell] !== G)
      throw new UserError(`${hints.cellFrom ?? 'config'}: cell "${hints.cell}" but tensor "${whh.name}" has shape [${whh.shape}], `
        + `a ${fromShape === 'rnn_tanh' ? 'rnn_tanh or rnn_relu' : fromShape} of hidden size ${H}`)
    cell = hints.cell
  }
  let L = 0
  while (byEngine.has(`weight_hh_l${L}`) || byEngine.has(`weight_ih_l${L}`)) L++
  const wih = byEngine.get('weight_ih_l0')
  if (wih === undefined || wih.shape.length !== 2) {
    throw new UserError(`${file}: tensor "${label('weight_ih_l0')}" is `
      + (wih === undefined ? 'missing' : `of shape [${wih.shape}], expected [${G * H}, input size]`))
  }
  const head = byEngine.get('head.weight')
  if (head === undefined || head.shape.length !== 2) {
    throw new UserError(`${file}: tensor "head.weight" is `
      + (head === undefined ? 'missing (the nn.Linear head after the recurrent layers)'
        : `of shape [${head.shape}], expected [output size, ${H}]`))
  }
  const spec: ModelSpec = {
    cell, hidden_size: H, num_layers: L, input_size: wih.shape[1], output_size: head.shape[0], input: hints.input, loss: hints.loss,
  }
  // nn.Embedding before the recurrent layers: ids read through its rows, weight_ih_l0 reads its width
  const emb = byEngine.get('embedding.weight')
  if (emb !== undefined) {
    const where = `${file}: tensor "${emb.name}"`
    if (hints.input !== 'one_hot') throw new UserError(`${where}: a forecaster reads numbers, not ids through an embedding`)
    if (emb.shape.length !== 2) throw new UserError(`${where}: shape [${emb.shape}], expected [vocabulary, embedding size]`)
    spec.input_size = emb.shape[0]
    spec.embedding_dim = emb.shape[1]
  }
  return spec
}

function hintFor(name: string): string {
  if (/_reverse$/.test(name)) return ' (a bidirectional RNN; only unidirectional models are supported)'
  if (/weight_hr_l\d+$/.test(name)) return ' (an LSTM with proj_size; not supported)'
  return ' (expected embedding.weight (optional), rnn.weight_ih_l0 … rnn.bias_hh_l{L-1}, head.weight, head.bias: '
    + 'rename the state_dict keys to these)'
}
