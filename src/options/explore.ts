/** `rnn explore`'s options: the schema (ranges and choices, one message per field) and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ExploreOptions = z.strictObject({
  text: z.string().min(1, 'is empty').optional(),
  out: z.string().regex(/\.html?$/i, 'the explorer is an HTML file; name it *.html').optional(),
  weights: z.enum(['f32', 'f16']).default('f32'),
  force: z.boolean().optional(),
})
export type ExploreOptions = z.infer<typeof ExploreOptions>

export const EXPLORE_FLAGS: FlagRow[] = [
  { key: 'text', flag: '--text', arg: '<text>', help: 'the input the page starts with (default: the first 60 characters of the training '
    + 'text; a forecaster: rows, one per line; a classifier: its first held-out row)' },
  { key: 'out', flag: '--out', arg: '<file.html>', help: 'output file (default: beside the checkpoint, <name>.explore.html)' },
  { key: 'weights', flag: '--weights', arg: '<f32|f16>', help: 'weights in the page as float32 (exact) or float16 (half the size; the '
    + 'largest rounding error is printed)' },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out file that exists and is not an rnn explore page' },
]
