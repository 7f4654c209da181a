/**
 * The checkpoint file format's name and version: the only place they are spelt. A reader refuses a file
 * without the name, and names the version when a newer rnn wrote it (model/checkpoint/file.ts).
 */
import type { OutputKind } from '../../files/output-file.ts'

export const FORMAT = 'rnn-checkpoint'
export const VERSION = 1

const HEAD = new RegExp(`^\\s*\\{[\\s\\S]*?"format"\\s*:\\s*"${FORMAT}"`)

/** A checkpoint as an output: what may be replaced without --force (a file whose first bytes name the format). */
export const CHECKPOINT_FILE: OutputKind = {
  noun: 'rnn checkpoint', plural: 'checkpoints',
  is: (head) => HEAD.test(head.toString('utf8')),
}
