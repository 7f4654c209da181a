/** `rnn import-run`'s options: the schema and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ImportRunOptions = z.strictObject({
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  force: z.boolean().default(false),
})
export type ImportRunOptions = z.infer<typeof ImportRunOptions>

export const IMPORT_RUN_FLAGS: FlagRow[] = [
  { key: 'out', flag: '--out', arg: '<ckpt.json>', help: 'checkpoint to write (default: the --out the run was prepared with)' },
  { key: 'json', flag: '--json', arg: '', help: 'print {"checkpoint","steps","val_loss","best_val_loss"} on stdout' },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out file that exists and is not an rnn checkpoint' },
]
