/**
 * What a resumed run may change, and what it says when something did. A checkpoint's cursor, carried
 * hidden state and best validation loss refer to the data as it was cut then (the same splits, batch and
 * window); with other data, or the same data cut otherwise, they would silently refer to something else
 * and the bit-exact continuation would no longer hold. So such a resume is refused, naming what changed,
 * unless the user allows it: then the cursor and state restart and the best validation loss is reset.
 * Optimizer settings given on resume are applied from that step on and recorded in progress.changes.
 */
import { flagOf, type TrainConfig } from '../options/train.ts'
import type { DataFingerprint, SplitPrint } from '../data/fingerprint.ts'
import { UserError } from '../errors.ts'
import type { ChangePoint, Checkpoint } from '../model/checkpoint/schema.ts'

/** How the data is cut into splits, windows and batches. */
const SHAPING_KEYS = [
  'batch_size', 'seq_len', 'val_frac', 'target', 'features', 'delimiter', 'header', 'fill', 'test_size', 'season', 'text', 'label',
  'test_frac',
] as const
/** Read when a model is created, or fixed by the state it carries: a resumed run could not apply another value. */
const FIXED_KEYS = [
  'cell', 'hidden_size', 'num_layers', 'forget_bias', 'transform', 'optimizer', 'seed', 'pool', 'init_from',
  'tokens', 'vocab_size', 'embed', 'ensemble',
] as const
/** Read at every step: applied from the resumed step on. */
const HYPER_KEYS = [
  'lr', 'momentum', 'clip', 'clip_value', 'lr_decay', 'lr_schedule', 'warmup', 'lr_floor', 'dropout', 'on_nan', 'eval_every', 'patience',
  'max_seconds', 'balance',
] as const
// steps, epochs and out say how long the run goes and where it is written: free to change

const WHY_FIXED: Record<(typeof FIXED_KEYS)[number], string> = {
  cell: '',
  hidden_size: '',
  num_layers: '',
  forget_bias: 'it applies at initialisation only, and a resumed model keeps its weights',
  transform: 'the model\'s inputs were encoded with the checkpoint\'s transform',
  optimizer: 'a resumed run keeps its optimizer state',
  seed: 'a resumed run continues the checkpoint\'s random stream',
  pool: 'the head was trained on that pooling',
  init_from: 'it applies at initialisation only, and a resumed model keeps its weights',
  tokens: 'the model reads and predicts the tokens it was trained on',
  vocab_size: 'the model\'s vocabulary is fixed',
  embed: '',
  ensemble: 'an ensemble is trained member by member from the start',
}

export interface ResumePlan {
  /** Everything that differs from the checkpoint, as recorded in progress.changes. */
  changes: ChangePoint[]
  /** The data or its shaping changed (accepted with allowChanges): cursor, state and best loss restart. */
  reshaped: boolean
  /** A learning rate given anew replaces the checkpoint's current (decayed) one. */
  newLr: boolean
  /** For the log: what was changed, one line. */
  notes: string[]
}

/** The settings' part, checked before the data is read. */
export function configChanges(from: Checkpoint, cfg: TrainConfig): { shaping: ChangePoint[]; hyper: ChangePoint[] } {
  const step = from.progress.step
  if (from.members !== undefined)
    throw new UserError(`--resume: the checkpoint is an ensemble of ${from.members.length + 1} forecasters, which cannot be resumed; `
      + 'train it again with --ensemble')
  // an imported checkpoint may leave seq_len to the data (null): whatever it becomes is no change
  const undecided = (k: string) => k === 'seq_len' && from.config.seq_len === null
  const diff = (keys: readonly string[]) => keys
    .filter((k) => !undecided(k) && JSON.stringify(from.config[k as keyof TrainConfig]) !== JSON.stringify(cfg[k as keyof TrainConfig]))
    .map((key) => ({ step, key, from: from.config[key as keyof TrainConfig], to: cfg[key as keyof TrainConfig] } as ChangePoint))
  const fixed = diff(FIXED_KEYS)[0]
  if (fixed !== undefined) {
    const why = WHY_FIXED[fixed.key as (typeof FIXED_KEYS)[number]]
    throw new UserError(`${flagOf(fixed.key)}: cannot change ${fixed.key} of a resumed model `
      + `(checkpoint has ${show(fixed.from)}, got ${show(fixed.to)})${why && `: ${why}`}`)
  }
  return { shaping: diff(SHAPING_KEYS), hyper: diff(HYPER_KEYS) }
}

/**
 * The whole plan: config changes plus the data's fingerprint against the checkpoint's. Throws a one-line
 * UserError naming every change when data or shaping changed and `allow` is false.
 */
export function resumePlan(from: Checkpoint, cfg: TrainConfig, now: DataFingerprint, unit: string, allow: boolean): ResumePlan {
  const { shaping, hyper } = configChanges(from, cfg)
  const step = from.progress.step
  const data: ChangePoint[] = []
  const before = from.resume.fingerprint
  const notes: string[] = []
  if (before !== undefined) {
    for (const split of ['train', 'val'] as const) {
      const a = before[split], b = now[split]
      if (a.size !== b.size || a.sha256 !== b.sha256)
        data.push({ step, key: `data.${split}`, from: printed(a, unit), to: printed(b, unit) })
    }
  } else if (step > 0) {
    notes.push('the checkpoint records no fingerprint of its data (an older rnn wrote it): the data cannot be checked')
  }
  const reshaped = [...shaping, ...data]
  if (reshaped.length > 0 && !allow) {
    throw new UserError(`--resume: ${reshaped.map(describe).join('; ')}; the checkpoint's cursor, hidden state and best validation loss `
      + 'refer to the data as it was, so this would not continue the run; use the same data and settings, or --allow-changes '
      + 'to go on anyway (not bit-exact; the best validation loss restarts)')
  }
  if (reshaped.length > 0) {
    const best = from.progress.best_val_loss
    const was = best === null ? '' : ` (was ${best.toPrecision(4)} at step ${from.progress.best_step})`
    notes.push(`--allow-changes: ${reshaped.map(describe).join('; ')}; the run is no longer a bit-exact continuation: `
      + `the data cursor and hidden state restart and the best validation loss is reset${was}`)
  }
  if (hyper.length > 0) notes.push(`from step ${step} on: ${hyper.map(describe).join(', ')}`)
  return { changes: [...reshaped, ...hyper], reshaped: reshaped.length > 0, newLr: hyper.some((c) => c.key === 'lr'), notes }
}

function describe(c: ChangePoint): string {
  if (c.key.startsWith('data.')) return `the ${c.key === 'data.train' ? 'training' : 'validation'} split changed (${c.from} → ${c.to})`
  return `${flagOf(c.key)} ${show(c.from)} → ${show(c.to)}`
}

function printed(p: SplitPrint, unit: string): string {
  return `${p.size.toLocaleString('en-US')} ${unit}, sha256 ${p.sha256}`
}

function show(v: unknown): string {
  return v === null ? 'none' : Array.isArray(v) ? v.join(',') || 'none' : String(v)
}
