/** `rnn sample`'s options: the schema (every default and range) and the flag table. */
import { z } from 'zod'
import { between, int, levels, num, type FlagRow } from './parse.ts'

/** Candidates per line of --explain. */
export const EXPLAIN_TOP = 5
/** Every forecast row is kept (8 bytes per column) and printed: bounded like the rows of a CSV. */
const MAX_HORIZON = 1_000_000
const IN_UNIT = 'must be in (0, 1]'

export const SampleOptions = z.strictObject({
  temp: z.number().gt(0).default(1),
  topK: z.int().min(1).optional(),
  topP: z.number().gt(0, IN_UNIT).max(1, IN_UNIT).optional(),
  argmax: z.boolean().default(false),
  prime: z.string().optional(),
  length: z.int().min(0).default(500),
  seed: z.int().min(0).default(1),
  horizon: between(1, MAX_HORIZON).optional(),
  input: z.string().optional(),
  level: z.array(z.number().gt(0).lt(100)).optional(),
  explain: z.boolean().default(false),
  explainTop: z.int().min(1).optional(),
  json: z.boolean().default(false),
})
export type SampleOptions = z.infer<typeof SampleOptions>

export const SAMPLE_FLAGS: FlagRow[] = [
  { key: 'temp', flag: '--temp', arg: '<t>', help: 'temperature: lower is more conservative, higher more varied (> 0)', parse: num },
  { key: 'topK', flag: '--top-k', arg: '<k>', help: 'sample only from the k most likely characters (words)', parse: int },
  { key: 'topP', flag: '--top-p', arg: '<p>', help: 'sample only from the smallest set with probability ≥ p, in (0, 1]', parse: num },
  { key: 'argmax', flag: '--argmax', arg: '', help: 'always take the most likely character or word (deterministic)' },
  { key: 'prime', flag: '--prime', arg: '<text>', help: 'text fed to the network first, and echoed (a word model: tokenised)' },
  { key: 'length', flag: '--length', arg: '<n>', help: 'characters to generate (a word model: words)', parse: int },
  { key: 'seed', flag: '--seed', arg: '<n>', help: 'random seed: same seed, same text', parse: int },
  { key: 'horizon', flag: '--horizon', arg: '<n>', help: 'time-series models: forecast the next n rows (default: one season)', parse: int },
  { key: 'input', flag: '--input', arg: '<file.csv>', help: 'time-series models: continue this CSV instead of the training file' },
  {
    key: 'level', flag: '--level', arg: '<list>', parse: levels,
    help: 'time-series models: prediction intervals at these levels, in % (default 80,95; none: no intervals)',
  },
  {
    key: 'explain', flag: '--explain', arg: '', help: 'instead of the text, one line per character (word): the most likely candidates '
      + 'with the probabilities drawn from (after --temp, --top-k, --top-p), the drawn one marked',
  },
  {
    key: 'explainTop', flag: '--explain-top', arg: '<n>', help: `candidates per line (default: ${EXPLAIN_TOP}; implies --explain)`,
    parse: int,
    implies: { explain: true },
  },
  {
    key: 'json', flag: '--json', arg: '', help: 'print {"text", ...} (or {"forecast": [...]}) as one JSON object instead of streaming; '
      + 'with --explain also "steps"',
  },
]
