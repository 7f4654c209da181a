/**
 * A checkpoint as a PyTorch state_dict in safetensors: the module is {embedding: nn.Embedding (word models
 * and --embed), rnn: nn.LSTM/GRU/RNN, head: nn.Linear}, so the recurrent tensors get the `rnn.` prefix and
 * `embedding.weight`, `head.*` keep their names, and
 * `model.load_state_dict(load_file(path))` works unchanged. The metadata carries what a state_dict cannot:
 * the vocabulary or column normalisation, the architecture and the training config, all as JSON strings
 * (the format allows string values only). `data` holds the checkpoint's whole data record so that
 * `rnn import` gives back a checkpoint that samples, evaluates and forecasts exactly like the original.
 */
import { decodeTensor } from '../model/checkpoint/tensor.ts'
import { specOf, type Checkpoint } from '../model/checkpoint/schema.ts'
import { paramSpecs } from '../model/spec.ts'
import { UserError } from '../errors.ts'
import { FORMAT_TAG, type F32Tensor } from './safetensors.ts'

/** The PyTorch module's name for an engine parameter: embedding.weight, rnn.weight_ih_l0, …, head.weight. */
export function torchName(name: string): string {
  return name.startsWith('head.') || name.startsWith('embedding.') ? name : `rnn.${name}`
}

/** `where` names the checkpoint in the one message a model without a PyTorch module gets. */
export function exportTensors(ck: Checkpoint, where = 'checkpoint'): { tensors: F32Tensor[]; metadata: Record<string, string> } {
  if (ck.model.cell === 'jordan')
    throw new UserError(`${where}: a Jordan network has no PyTorch module (nn.RNN has no output feedback), so it cannot be exported`)
  // state_dict order: the recurrent layers, then the head, as paramSpecs lists them
  const tensors = paramSpecs(specOf(ck)).map((s) => ({ name: torchName(s.name), shape: s.shape, data: decodeTensor(ck.params[s.name]) }))
  const metadata: Record<string, string> = {
    format: FORMAT_TAG,
    kind: ck.kind,
    model: JSON.stringify(ck.model),
    config: JSON.stringify(ck.config),
    data: JSON.stringify(ck.data),
  }
  if (ck.data.kind === 'timeseries') metadata.columns = JSON.stringify(ck.data.columns)
  else {
    metadata.vocab = JSON.stringify(ck.data.vocab)
    if (ck.data.tokenizer !== undefined) metadata.tokenizer = JSON.stringify(ck.data.tokenizer)
    if (ck.data.kind === 'classifier') metadata.classes = JSON.stringify(ck.data.classes)
  }
  return { tensors, metadata }
}

/** checkpoints/corpus-lstm.json → checkpoints/corpus-lstm.safetensors */
export function defaultExportPath(checkpoint: string): string {
  return checkpoint.replace(/\.json$/i, '') + '.safetensors'
}
