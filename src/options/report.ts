/** `rnn report`'s options: the schema and the flag table. */
import { z } from 'zod'
import type { FlagRow } from './parse.ts'

export const ReportOptions = z.strictObject({
  out: z.string().min(1).optional(),
  force: z.boolean().default(false),
})
export type ReportOptions = z.infer<typeof ReportOptions>

export const REPORT_FLAGS: FlagRow[] = [
  { key: 'out', flag: '--out', arg: '<report.html>', help: 'output file (default: the checkpoint\'s name with .html, same folder)' },
  { key: 'force', flag: '--force', arg: '', help: 'replace an --out file that exists and is not an rnn report' },
]
