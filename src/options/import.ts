/** `rnn import`'s options: the schema and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ImportOptions = z.strictObject({
  out: z.string().min(1),
  config: z.string().optional(),
  vocab: z.string().optional(),
  vocabFrom: z.string().optional(),
  json: z.boolean().default(false),
  force: z.boolean().default(false),
})
export type ImportOptions = z.infer<typeof ImportOptions>

export const IMPORT_FLAGS: FlagRow[] = [
  { key: 'out', flag: '--out', arg: '<ckpt.json>', help: 'checkpoint to write', required: true },
  {
    key: 'config', flag: '--config', arg: '<file.json>',
    help: 'training config (as rnn train --print-config); overrides the file\'s metadata',
  },
  {
    key: 'vocab', flag: '--vocab', arg: '<vocab.json>',
    help: 'JSON list of the characters in id order (when the file has no vocab metadata)',
  },
  {
    key: 'vocabFrom', flag: '--vocab-from', arg: '<corpus.txt>',
    help: 'the vocabulary is this text\'s distinct characters, sorted (as rnn train makes it)',
  },
  {
    key: 'json', flag: '--json', arg: '',
    help: 'print {"out","cell","hidden_size","num_layers","input_size","output_size","params"} on stdout',
  },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out file that exists and is not an rnn checkpoint' },
]
