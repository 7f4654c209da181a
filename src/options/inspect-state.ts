/** `rnn inspect-state`'s options: the schema and the flag table. */
import { InvalidArgumentError } from 'commander'
import { z } from 'zod'
import { int, type FlagRow } from './parse.ts'

export const InspectStateOptions = z.strictObject({
  text: z.string().optional(),
  byLabel: z.boolean().default(false),
  layer: z.int().optional(),
  units: z.union([z.int(), z.array(z.int())]).default(16),
  json: z.boolean().default(false),
})
export type InspectStateOptions = z.infer<typeof InspectStateOptions>

/** "16": that many of the most active units; "3,17,42" (or "7," for one unit): exactly those. */
function parseUnits(v: string): number | number[] {
  if (/^\s*\d+\s*$/.test(v)) return Number(v)
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s)))
    throw new InvalidArgumentError(`expected a count or a list of unit indices such as 3,17,42, got "${v}"`)
  return parts.map(Number)
}

export const INSPECT_STATE_FLAGS: FlagRow[] = [
  {
    key: 'text', flag: '--text', arg: '<text>',
    help: 'the text to feed through the model, from a zero state (a classifier: with its class probabilities per step)',
  },
  {
    key: 'byLabel', flag: '--by-label', arg: '',
    help: 'a classifier: rank units by the correlation of their pooled value with the label over the test rows',
  },
  { key: 'layer', flag: '--layer', arg: '<n>', help: 'layer to show (default: the top layer)', parse: int },
  {
    key: 'units', flag: '--units', arg: '<n|list>', help: 'the n most active units (by mean |h|), or a list such as 3,17,42',
    parse: parseUnits,
  },
  {
    key: 'json', flag: '--json', arg: '',
    help: 'print {"units":[…],"chars":[…],"values":[[…]]} (values[row][k]: unit units[k] after chars[row]; a classifier adds '
      + '"classes" and "probabilities"[row][c]); with --by-label {"rows","units":[{"unit","r","class"}]}',
  },
]
