/** `rnn classify`'s options: the schema and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ClassifyOptions = z.strictObject({
  file: z.string().min(1, 'is empty').optional(),
  json: z.boolean().default(false),
})
export type ClassifyOptions = z.infer<typeof ClassifyOptions>

export const CLASSIFY_FLAGS: FlagRow[] = [
  { key: 'file', flag: '--file', arg: '<lines.txt>', help: 'classify each line of this file (one text per line)' },
  { key: 'json', flag: '--json', arg: '', help: 'print {"text","label","probabilities"} (an array of them for --file or -)' },
]
