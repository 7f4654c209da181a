/**
 * What training needs from data, whatever its kind: the model's input/output shape, batches with a
 * resumable cursor, a validation loss, and the record the checkpoint keeps to use the model without the
 * data at hand. Text (text-source.ts), CSV series (series-source.ts) and labelled texts (classify-source.ts).
 */
import type { Rng } from '../engine/rng.ts'
import type { TokenKind } from '../data/tokens.ts'
import type { Batcher, Cursor } from '../data/batcher.ts'
import type { DataFingerprint } from '../data/fingerprint.ts'
import type { Checkpoint } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'
import type { ModelSpec } from '../model/spec.ts'

export interface TrainSource {
  readonly kind: 'text' | 'timeseries' | 'classifier'
  /** A text model's tokens: characters or words. */
  readonly tokens?: TokenKind
  readonly path: string
  /** For the default checkpoint name: the file name without extension. */
  readonly name: string
  /** One line for the start of training: size, vocabulary or columns. */
  readonly describe: string
  readonly io: Pick<ModelSpec, 'input_size' | 'output_size' | 'input' | 'loss' | 'pool' | 'embedding_dim'>
  /** Classification with --balance: the loss weight of each class. */
  readonly classWeights?: Float32Array | null
  batcher(B: number, T: number, cursor: Cursor, rng: Rng): Batcher
  /** Validation loss (nats/char, or normalised MSE), deterministic, no training side effects. */
  validate(model: Model, T: number, B: number): number
  /** Size and hash of the training and validation splits (see data/fingerprint.ts). */
  fingerprint(): DataFingerprint
  /** What the checkpoint keeps to use the model without the training data: vocabulary, columns or classes. */
  record(): Checkpoint['data']
}
