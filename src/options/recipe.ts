/**
 * The training recipe a character language model gets when the user does not choose: the model size,
 * batch, window and learning rate for a --max-seconds budget and the corpus size, and the schedule for any
 * run of a character model. The rows were measured on a 2-core AMD EPYC (BENCHMARKS.md, "Training recipe": the ablation and the
 * runs each row comes from). Every key the user gave (a flag or the --config file) is kept as given; a
 * resumed run, a word model, a CSV and a classifier keep the schema's defaults.
 */
import { flagOf, type TrainConfig } from './train.ts'

/** What every text run gets unless given: warm-up, then cosine decay to a tenth of the lr at the run's end. */
export const SCHEDULE = { lr_schedule: 'cosine', warmup: 100, lr_floor: 0.1 } as const

/** A run of 2,000 steps (no length given): the size of the schema's defaults, with the learning rate it trains best at. */
export const PLAIN = { lr: 0.02 } as const

export interface RecipeRow {
  /** The budgets this row is for: below `upTo` seconds (the last row: any). */
  upTo: number
  hidden_size: number; num_layers: number; dropout: number; batch_size: number; seq_len: number; lr: number
  /** Training speed of this row measured on the 2-core machine, for the passes over the corpus it would make. */
  chars_per_s: number
  /** The smallest training split the row is for: about 0.6 characters per parameter or more (a smaller text overfits it). */
  min_chars: number
}

export const RECIPE_ROWS: readonly RecipeRow[] = [
  { upTo: 240, hidden_size: 128, num_layers: 1, dropout: 0, batch_size: 32, seq_len: 64, lr: 0.02, chars_per_s: 75_000, min_chars: 0 },
  {
    upTo: 600, hidden_size: 256, num_layers: 1, dropout: 0, batch_size: 32, seq_len: 100, lr: 0.02, chars_per_s: 28_000,
    min_chars: 200_000,
  },
  {
    upTo: Infinity, hidden_size: 192, num_layers: 2, dropout: 0.15, batch_size: 32, seq_len: 100, lr: 0.007, chars_per_s: 13_000,
    min_chars: 300_000,
  },
]

/** The row for `seconds` on a training split of `trainChars`: the budget's, or the largest smaller one the text is big enough for. */
export function recipeRow(seconds: number, trainChars: number): { row: RecipeRow; passes: number; smaller: RecipeRow | null } {
  const first = RECIPE_ROWS.findIndex((r) => seconds < r.upTo)
  let i = first
  while (i > 0 && trainChars < RECIPE_ROWS[i].min_chars) i--
  const row = RECIPE_ROWS[i]
  // smaller: the budget's own row, when the text was too small for it
  return { row, passes: (row.chars_per_s * seconds) / Math.max(1, trainChars), smaller: i < first ? RECIPE_ROWS[first] : null }
}

const ROW_KEYS = ['hidden_size', 'num_layers', 'dropout', 'batch_size', 'seq_len', 'lr'] as const

/** The share of a budgeted run's time its validations may take (they are not steps). */
export const VALIDATION_SHARE = 0.03

/**
 * The steps between validations of a budgeted run: a validation reads the whole validation split forward,
 * about half a training step's work for every batch · seq_len characters (2 × 192 on tiny Shakespeare's
 * 111,539: 3.3 s against 0.22 s a step), so every 100 steps it took 13% of a 15-minute run. Every so many
 * steps that validations take VALIDATION_SHARE of the time, rounded down to a hundred, from 100 to 1,000.
 */
export function budgetEvalEvery(valChars: number, batch: number, seqLen: number): number {
  const steps = (0.5 * valChars) / (batch * seqLen) / VALIDATION_SHARE
  return Math.min(1000, Math.max(100, Math.floor(steps / 100) * 100))
}

/**
 * The config with the recipe's values for every key not in `given`; `why` says what was chosen and why
 * (null when nothing was: a resumed run, CSV or classifier data, or every key given); `sized`: for a time budget.
 */
export function applyRecipe(
  config: TrainConfig, given: Record<string, unknown>, o: { corpusBytes: number; resumed: boolean },
): { config: TrainConfig; why: string | null; sized: boolean } {
  // measured on characters: a word model (its vocabulary, its embedding) keeps the schema's defaults
  if (o.resumed || config.target !== null || config.label !== null || config.tokens !== 'char') return { config, why: null, sized: false }
  const free = (k: keyof TrainConfig) => given[k] === undefined
  const budget = config.max_seconds !== null && config.steps === null && config.epochs === null ? config.max_seconds : null
  const picked: Partial<TrainConfig> = {}
  for (const [k, v] of Object.entries(SCHEDULE)) if (free(k as keyof TrainConfig)) Object.assign(picked, { [k]: v })
  let reason: string
  if (budget === null) {
    if (free('lr')) picked.lr = PLAIN.lr
    reason = 'the default recipe'
  } else {
    // bytes for characters: the file is not read here (UTF-8 text is mostly one byte a character)
    const trainChars = Math.round(o.corpusBytes * (1 - config.val_frac))
    const { row, passes, smaller } = recipeRow(budget, trainChars)
    for (const k of ROW_KEYS) if (free(k)) Object.assign(picked, { [k]: row[k] })
    if (free('eval_every')) {
      const valChars = Math.round(o.corpusBytes * config.val_frac)
      picked.eval_every = budgetEvalEvery(valChars, picked.batch_size ?? config.batch_size, picked.seq_len ?? config.seq_len ?? row.seq_len)
    }
    const band = row.upTo === Infinity ? `${RECIPE_ROWS.at(-2)!.upTo} s or more` : `under ${row.upTo} s`
    reason = `--max-seconds ${budget} on ${trainChars.toLocaleString('en-US')} training characters: the row of budgets ${band}`
      + (smaller ? ` (the budget's own row needs ${smaller.min_chars.toLocaleString('en-US')} or more)` : '')
      + `, about ${passes.toFixed(1)} passes; BENCHMARKS.md, "Training recipe"`
  }
  if (Object.keys(picked).length === 0) return { config, why: null, sized: false }
  const chosenBy = (k: string) => (ROW_KEYS as readonly string[]).includes(k) || k in SCHEDULE || (budget !== null && k === 'eval_every')
  const kept = Object.keys(given).filter(chosenBy).map(flagOf)
  const chosen = Object.entries(picked).map(([k, v]) => `${flagOf(k)} ${v}`).join(' ')
  return {
    config: { ...config, ...picked },
    why: `recipe: ${chosen} (${reason})${kept.length > 0 ? `; as given: ${kept.join(', ')}` : ''}`,
    sized: budget !== null,
  }
}
