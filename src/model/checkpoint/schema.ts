/**
 * What a checkpoint holds, as a zod schema: versioned, self-sufficient JSON. The architecture, the data
 * metadata (vocabulary, column normalisation or classes), the full effective config, the best-by-validation
 * parameters under `params` keyed by their PyTorch names, and under `resume` everything an exact
 * continuation needs: the latest parameters when they differ from the best, optimizer state, RNG state,
 * data cursor and the carried hidden state (and a Jordan network's last output). Tensors are {dtype, shape, data} (tensor.ts).
 */
import { z } from 'zod'
import { TrainConfig } from '../../options/train.ts'
import type { ModelSpec } from '../spec.ts'
import { POOLS } from '../pool.ts'
import { FORMAT, VERSION } from './format.ts'
import { TRANSFORMS } from '../../data/codec.ts'
import { CELL_KINDS } from '../../engine/cells/cell.ts'

const TensorJSON = z.strictObject({ dtype: z.literal('float32'), shape: z.array(z.int().nonnegative()), data: z.string() })
export type TensorJSON = z.infer<typeof TensorJSON>

const ModelSpecJSON = z.strictObject({
  cell: z.enum(CELL_KINDS),
  input_size: z.int().positive(), hidden_size: z.int().positive(), num_layers: z.int().positive(), output_size: z.int().positive(),
  input: z.enum(['one_hot', 'dense']), loss: z.enum(['cross_entropy', 'mse']),
  gate_order: z.array(z.string()),
  pool: z.enum(POOLS).optional(), // a classifier's pooling (model/pool.ts); absent: the head reads every step
  embedding_dim: z.int().positive().optional(), // ids read through nn.Embedding (embedding.weight); absent: one-hot
})

// the tokens of a word model (data/tokens.ts); absent: characters
const Tokenizer = z.strictObject({ kind: z.literal('word'), lowercase: z.literal(true), unk: z.string().min(1) })
const TextMeta = z.strictObject({
  kind: z.literal('text'), vocab: z.array(z.string()), source: z.string().nullable(), // source: the training text
  tokenizer: Tokenizer.optional(),
})
export type TextMeta = z.infer<typeof TextMeta>

const SeriesMeta = z.strictObject({
  kind: z.literal('timeseries'),
  source: z.string().nullable(),                                    // the training CSV, for forecasts and eval by default
  columns: z.array(z.strictObject({                                 // target first
    name: z.string(), mean: z.number(), std: z.number().positive(), diff_mean: z.number(), diff_std: z.number().positive(),
  })).min(1),
  transform: z.enum(TRANSFORMS),                                     // see src/data/codec.ts
  date: z.strictObject({
    column: z.string(),
    step: z.strictObject({
      unit: z.enum(['second', 'minute', 'hour', 'day', 'month']), n: z.int().positive(), format: z.enum(['month', 'date', 'datetime']),
    }),
  }).nullable(),
  season: z.int().positive(),
  split: z.strictObject({ train: z.int().positive(), val: z.int().positive(), test: z.int().positive() }),
})
export type SeriesMeta = z.infer<typeof SeriesMeta>

const ClassifierMeta = z.strictObject({
  kind: z.literal('classifier'),
  vocab: z.array(z.string()),
  tokenizer: Tokenizer.optional(),                                  // word tokens (--tokens word); absent: characters
  classes: z.array(z.string().min(1)).min(2),                       // the labels, in the order of the head's outputs
  source: z.string().nullable(),                                    // the training CSV, for eval by default
  text_column: z.string(), label_column: z.string(),
  split: z.strictObject({ train: z.int().positive(), val: z.int().positive(), test: z.int().nonnegative() }),
})
export type ClassifierMeta = z.infer<typeof ClassifierMeta>

const HistoryPoint = z.strictObject({
  step: z.int(), seconds: z.number(), lr: z.number(), train_loss: z.number().nullable(), val_loss: z.number().nullable(),
  grad_norm: z.number().nullable(),
})
export type HistoryPoint = z.infer<typeof HistoryPoint>

/** A setting (or the data: key "data.train", "data.val") changed when a run was resumed, from that step on. */
const ConfigValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])
const ChangePoint = z.strictObject({ step: z.int().nonnegative(), key: z.string(), from: ConfigValue, to: ConfigValue })
export type ChangePoint = z.infer<typeof ChangePoint>

const Progress = z.strictObject({
  step: z.int().nonnegative(), epoch: z.int().nonnegative(), chars: z.int().nonnegative(), seconds: z.number().nonnegative(),
  best_val_loss: z.number().nullable(), best_step: z.int().nonnegative().nullable(), evals_since_best: z.int().nonnegative(),
  history: z.array(HistoryPoint),
  changes: z.array(ChangePoint).optional(),
})
export type Progress = z.infer<typeof Progress>

const SplitPrint = z.strictObject({ size: z.int().nonnegative(), sha256: z.string() })

// engine/schedule.ts's Knot: the decay's progress p when step `step` was taken
export const Knot = z.strictObject({ step: z.int().positive(), p: z.number().min(0).max(1) })

const Resume = z.strictObject({
  params: z.record(z.string(), TensorJSON).nullable(),   // latest parameters; null when they are the best ones
  optimizer: z.strictObject({
    name: z.enum(['sgd', 'adam', 'rmsprop', 'adagrad']), step: z.int().nonnegative(), buffers: z.record(z.string(), TensorJSON),
  }),
  rng: z.tuple([z.int(), z.int(), z.int(), z.int()]),
  cursor: z.strictObject({ epoch: z.int().nonnegative(), chunk: z.int().nonnegative() }),
  state: z.strictObject({ h: TensorJSON, c: TensorJSON.nullable(), y: TensorJSON.optional() }), // y: the Jordan cell's last output ŷ [B][O]
  lr: z.number().positive(),                              // the base lr (engine/schedule.ts): --lr after decays and halvings
  horizon: z.int().positive().nullable().optional(),      // where the schedule's decay ends; null: a time budget's, not measured yet
  knot: Knot.nullable().optional(),                       // where a time budget's horizon measured again took over
  // the data trained on (absent in imported checkpoints and those of older versions)
  fingerprint: z.strictObject({ train: SplitPrint, val: SplitPrint }).optional(),
})
export type Resume = z.infer<typeof Resume>

export const Checkpoint = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  rnn_version: z.string(),
  created: z.string(),
  kind: z.enum(['text', 'timeseries', 'classifier']),
  model: ModelSpecJSON,
  data: z.discriminatedUnion('kind', [TextMeta, SeriesMeta, ClassifierMeta]),
  config: TrainConfig,
  params: z.record(z.string(), TensorJSON),
  // an ensemble's other forecasters (rnn train --ensemble n): their best parameters; params is the first's
  members: z.array(z.record(z.string(), TensorJSON)).min(1).max(63).optional(),
  progress: Progress,
  resume: Resume,
})
export type Checkpoint = z.infer<typeof Checkpoint>

export function specOf(ck: Checkpoint): ModelSpec {
  const { gate_order: _, ...spec } = ck.model
  return spec
}

