/**
 * What the training loop needs from data, whatever its kind: the model's input/output shape, batches with
 * a resumable cursor, a validation loss, and the metadata the checkpoint stores to use the model alone.
 */
import type { Model } from '../model/model.ts'
import type { Rng } from '../engine/rng.ts'
import type { ModelSpec } from '../model/spec.ts'
import type { Cursor } from './text.ts'
import type { DataFingerprint } from './fingerprint.ts'

export interface Batcher {
  /** [T][B] ids (text) or [T][B][I] values (series). */
  readonly x: Int32Array | Float32Array
  /** [T][B] next ids or [T][B][O] next values. */
  readonly y: Int32Array | Float32Array
  /** false: the streams of this batch start from zero state. */
  readonly carry: boolean
  /** Whole sequences (classification): this batch's steps and each sequence's length; absent: T, all full. */
  readonly steps?: number
  readonly lengths?: Int32Array
  readonly cursor: Cursor
  readonly chunksPerEpoch: number
  next(): void
}

export interface TrainSource {
  readonly kind: 'text' | 'timeseries' | 'classifier'
  readonly path: string
  /** For the default checkpoint name: the file name without extension. */
  readonly name: string
  /** One line for the start of training: size, vocabulary or columns. */
  readonly describe: string
  readonly io: Pick<ModelSpec, 'input_size' | 'output_size' | 'input' | 'loss' | 'pool'>
  /** Classification with --balance: the loss weight of each class. */
  readonly classWeights?: Float32Array | null
  batcher(B: number, T: number, cursor: Cursor, rng: Rng): Batcher
  /** Validation loss (nats/char, or normalised MSE), deterministic, no training side effects. */
  validate(model: Model, T: number, B: number): number
  /** Size and hash of the training and validation splits (see fingerprint.ts). */
  fingerprint(): DataFingerprint
}

export type { Cursor }
