/** `rnn export`'s options: the schema and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ExportOptions = z.strictObject({
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  force: z.boolean().default(false),
})
export type ExportOptions = z.infer<typeof ExportOptions>

export const EXPORT_FLAGS: FlagRow[] = [
  {
    key: 'out', flag: '--out', arg: '<file.safetensors>',
    help: 'output file (default: the checkpoint\'s name with .safetensors, same folder)',
  },
  { key: 'json', flag: '--json', arg: '', help: 'print {"out","tensors","bytes"} on stdout' },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out file that exists and is not an rnn export' },
]
