/**
 * What training reads from data of any kind: batches of inputs and targets, and a cursor saying where the
 * batcher is, so a resumed run continues with the batch it would have read next.
 */

/** Where the batcher is: which pass over the data, and which chunk of it comes next. */
export interface Cursor { epoch: number; chunk: number }

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
