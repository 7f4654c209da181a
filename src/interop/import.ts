/**
 * `rnn import`: a checkpoint from weights trained elsewhere (PyTorch), in a safetensors file. The
 * architecture comes from the tensor shapes (state-dict.ts); the config, vocabulary or column
 * normalisation from the file's metadata (written by `rnn export`) when present, the flags otherwise, a
 * flag winning over the metadata. The result is a complete checkpoint: `resume` holds a fresh start (zero
 * optimizer buffers of the config's optimizer, the RNG seeded from the config, cursor and state at zero),
 * so it samples, evaluates, is inspected, and can be fine-tuned with `rnn train --resume`.
 */
import { resolve } from 'node:path'
import { z } from 'zod'
import { formatZodError, readConfigFile } from '../options/config-file.ts'
import { ARCHITECTURE_KEYS, resolveTrainConfig, TrainConfig } from '../options/train.ts'
import { UserError } from '../errors.ts'
import { readText } from '../data/text.ts'
import { checkVocab, Vocab } from '../data/vocab.ts'
import { checkWordVocab, WORD_TOKENIZER } from '../data/tokens.ts'
import { UNK } from '../data/words.ts'
import type { CellKind } from '../engine/cells/cell.ts'
import { freshResume, startProgress, toCheckpoint } from '../model/checkpoint/build.ts'
import { Checkpoint } from '../model/checkpoint/schema.ts'
import { encodeTensor } from '../model/checkpoint/tensor.ts'
import type { ModelSpec } from '../model/spec.ts'
import { readRegularFile } from '../files/read-file.ts'
import { readSafetensors } from './safetensors.ts'
import { stateDictOf, type StateDict } from './state-dict.ts'

export interface ImportOptions { file: string; out: string; config?: string; vocab?: string; vocabFrom?: string }

export function importCheckpoint(o: ImportOptions): Checkpoint {
  if (o.vocab !== undefined && o.vocabFrom !== undefined) throw new UserError('--vocab, --vocab-from: give one of them, not both')
  const st = readSafetensors(o.file)
  const meta = metadataOf(o.file, st.metadata)
  const fromFile = o.config !== undefined ? readConfigFile(o.config) : {}
  const given = { ...(meta.config ?? {}), ...fromFile }
  // which layer a config key came from, for messages
  const whereKey = (k: string) => (o.config !== undefined && fromFile[k] !== undefined ? o.config : `${o.file}: __metadata__.config`)
  const textFlags = o.vocab !== undefined || o.vocabFrom !== undefined
  const stored = meta.data?.kind ?? 'text'
  if (stored === 'classifier' && !textFlags)
    throw new UserError(`${o.file}: a classifier's weights; rnn import reads language models and forecasters`)
  const kind = textFlags ? 'text' : stored === 'classifier' ? 'text' : stored
  const dict = stateDictOf(o.file, st, {
    cell: typeof given.cell === 'string' ? (given.cell as CellKind) : undefined, cellFrom: whereKey('cell'),
    input: kind === 'text' ? 'one_hot' : 'dense', loss: kind === 'text' ? 'cross_entropy' : 'mse',
  })
  const config = configFor(o, meta.config, given, dict.spec, whereKey)
  const data = dataFor(o, meta, dict.spec, kind)
  return buildCheckpoint(dict, config, data)
}

interface Meta { config?: Record<string, unknown>; data?: Checkpoint['data']; vocab?: string[] }

/** The metadata keys this importer reads, parsed; a malformed one is an error naming the key. */
function metadataOf(file: string, m: Record<string, string>): Meta {
  const parse = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
    if (m[key] === undefined) return undefined
    let v: unknown
    try { v = JSON.parse(m[key]) } catch { throw new UserError(`${file}: __metadata__.${key} is not valid JSON`) }
    const r = schema.safeParse(v)
    if (!r.success) {
      const issue = r.error.issues[0]
      throw new UserError(`${file}: __metadata__.${key}: ${issue.path.join('.') || 'value'}: ${issue.message}`)
    }
    return r.data
  }
  return {
    config: parse('config', z.record(z.string(), z.unknown())),
    data: parse('data', Checkpoint.shape.data),
    vocab: parse('vocab', z.array(z.string())),
  }
}

/** Defaults < metadata config < --config; the architecture keys must agree with the tensors. */
function configFor(
  o: ImportOptions, metaConfig: Record<string, unknown> | undefined, given: Record<string, unknown>, spec: ModelSpec,
  whereKey: (k: string) => string,
): TrainConfig {
  const arch: Record<string, unknown> = { cell: spec.cell, hidden_size: spec.hidden_size, num_layers: spec.num_layers }
  const fromMeta = TrainConfig.partial().safeParse(metaConfig ?? {})
  if (!fromMeta.success)
    throw new UserError(formatZodError(`${o.file}: __metadata__.config`, fromMeta.error, Object.keys(TrainConfig.shape)))
  for (const k of ARCHITECTURE_KEYS) {
    if (given[k] === undefined || given[k] === arch[k]) continue
    throw new UserError(`${whereKey(k)}: ${k} ${JSON.stringify(given[k])} does not match the tensors (${k} ${arch[k]})`)
  }
  const cfg = resolveTrainConfig({ base: { ...(metaConfig ?? {}), ...arch }, file: o.config, flags: {} })
  // resuming an imported model continues in the imported checkpoint, not in the exporter's file
  return { ...cfg, ...arch, out: resolve(o.out) } as TrainConfig
}

function dataFor(o: ImportOptions, meta: Meta, spec: ModelSpec, kind: 'text' | 'timeseries'): Checkpoint['data'] {
  // a forecaster's data record (columns, transform, split) comes whole from an rnn export; the sizes it
  // implies are checked with every other checkpoint rule when the CLI reads the result back
  if (kind === 'timeseries') return meta.data!
  let vocab: string[], source: string | null = null, from: string, words = false
  if (o.vocabFrom !== undefined) {
    vocab = [...Vocab.fromText(readText(o.vocabFrom)).chars]
    source = resolve(o.vocabFrom)
    from = `${o.vocabFrom} (its distinct characters)`
  } else if (o.vocab !== undefined) {
    vocab = readVocabFile(o.vocab)
    from = o.vocab
    words = vocab.includes(UNK)
  } else if (meta.data?.kind === 'text' || meta.vocab !== undefined) {
    vocab = meta.data?.kind === 'text' ? meta.data.vocab : meta.vocab!
    source = meta.data?.kind === 'text' ? meta.data.source : null
    from = `${o.file}: __metadata__.vocab`
    words = meta.data?.kind === 'text' && meta.data.tokenizer !== undefined
    if (words) checkWordVocab(from, vocab)
    else checkVocab(from, vocab)
  } else {
    throw new UserError(`${o.file}: no vocabulary in the metadata; `
      + 'give --vocab vocab.json (a JSON list of the characters in id order) or --vocab-from corpus.txt')
  }
  if (spec.input_size !== spec.output_size)
    throw new UserError(`${o.file}: rnn.weight_ih_l0 reads ${spec.input_size} inputs but head.weight predicts ${spec.output_size}; `
      + 'a text model reads and predicts the same characters')
  if (vocab.length !== spec.input_size) {
    const reads = spec.embedding_dim !== undefined ? `embedding.weight has ${spec.input_size} rows`
      : `rnn.weight_ih_l0 is [${spec.hidden_size}·G, ${spec.input_size}] for one-hot input`
    throw new UserError(`${from}: ${vocab.length} ${words ? 'tokens' : 'characters'}, but the model has ${spec.input_size} (${reads})`)
  }
  return { kind: 'text', vocab, source, ...(words ? { tokenizer: WORD_TOKENIZER } : {}) }
}

/** A JSON list of distinct single characters (code points), in id order; or of words, <unk> among them. */
function readVocabFile(path: string): string[] {
  const text = readRegularFile(path, 'vocab').toString('utf8')
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new UserError(`${path}: not valid JSON; expected a list of characters such as ["\\n", " ", "a"]`)
  }
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string'))
    throw new UserError(`${path}: expected a JSON list of characters (strings)`)
  if ((v as string[]).includes(UNK)) checkWordVocab(path, v as string[])
  else checkVocab(path, v as string[])
  return v as string[]
}

/** The imported parameters as both the best and the latest ones, and a fresh training start in `resume`. */
function buildCheckpoint(dict: StateDict, config: TrainConfig, data: Checkpoint['data']): Checkpoint {
  const { spec } = dict
  const params: Checkpoint['params'] = {}
  let total = 0
  for (const [name, t] of dict.params) { params[name] = encodeTensor(t.data, t.shape); total += t.data.length }
  const ck = toCheckpoint({ spec, data, config, params, progress: startProgress(), resume: freshResume(spec, config, total) })
  return Checkpoint.parse(ck) // a bug, not a user error, if what was built is not a valid checkpoint
}
