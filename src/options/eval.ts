/** `rnn eval`'s options: the schema and the flag table. */
import { z } from 'zod'
import { int, levels, type FlagRow } from './parse.ts'

export const EvalOptions = z.strictObject({
  horizon: z.int().min(1).optional(),
  testSize: z.int().min(1).optional(),
  level: z.array(z.number().gt(0).lt(100)).min(1).optional(),
  json: z.boolean().default(false),
})
export type EvalOptions = z.infer<typeof EvalOptions>

export const EVAL_FLAGS: FlagRow[] = [
  {
    key: 'horizon', flag: '--horizon', arg: '<n>', help: 'time series: steps of the rolling multi-step forecast (default: one season)',
    parse: int,
  },
  { key: 'testSize', flag: '--test-size', arg: '<rows>', help: 'time series: rows at the end held out as the test set', parse: int },
  {
    key: 'level', flag: '--level', arg: '<list>', help: 'time series: score prediction intervals at these levels, in % (default 80,95)',
    parse: levels,
  },
  { key: 'json', flag: '--json', arg: '', help: 'print the result as one JSON object' },
]
