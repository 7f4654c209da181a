/**
 * What a training run holds, set up before its first step: the data (and seq_len, once the data decided
 * it), what a resumed run changed, the model (fresh, started from a language model, or restored from the
 * checkpoint), the optimizer, the batcher at its cursor, the carried state and the progress so far.
 * src/tasks/train.ts runs the steps on it.
 */
import { DEFAULT_HIDDEN, DEFAULT_PATIENCE, DEFAULT_STEPS, type TrainConfig } from '../options/train.ts'
import { decays, type Knot } from '../engine/schedule.ts'
import { createOptimizer, torchOptions, type Optimizer } from '../engine/optim.ts'
import { allocParams, type Params } from '../engine/params.ts'
import { createRng, type Rng } from '../engine/rng.ts'
import { UserError } from '../errors.ts'
import type { Batcher } from '../data/batcher.ts'
import type { DataFingerprint } from '../data/fingerprint.ts'
import { showChars } from '../data/vocab.ts'
import { restoreOptimizer, restoreParams, restoreState, startProgress } from '../model/checkpoint/build.ts'
import { specOf, type Checkpoint, type Progress } from '../model/checkpoint/schema.ts'
import { createModel } from '../model/create.ts'
import { initFromLanguageModel } from '../model/init-from.ts'
import { checkMemory, estimateTraining } from '../model/memory-estimate.ts'
import { Model, type State } from '../model/model.ts'
import { paramSpecs, type ModelSpec } from '../model/spec.ts'
import type { ClassifierSource } from './classify-source.ts'
import { openTrainSource } from './open-source.ts'
import { resumePlan, type ResumePlan } from './resume-changes.ts'
import { FORECAST_BLOCK } from './rolling-forecast.ts'
import type { TrainSource } from './train-source.ts'

/** The data of a run: the source, the config with seq_len decided, and what a resumed run changed. */
interface RunData {
  source: TrainSource; cfg: TrainConfig; T: number; B: number; fingerprint: DataFingerprint; plan: ResumePlan | null
}

export interface Run extends RunData {
  spec: ModelSpec; params: Params
  /** The best-by-validation parameters, laid out like params.data. */
  best: Float32Array
  rng: Rng; model: Model; opt: Optimizer; batcher: Batcher
  /** The hidden (and cell) state carried from batch to batch. */
  state: State
  /**
   * lr: the base rate (engine/schedule.ts); horizon: where the schedule's decay ends (null: a time budget's,
   * not measured yet); knot: where a horizon measured again took over (null: none).
   */
  progress: Progress; lr: number; horizon: number | null; knot: Knot | null
  /** The step the run started from, and the one it stops at (Infinity: a time budget's, until the horizon is measured). */
  startStep: number; target: number
}

export async function openRunData(
  corpus: string, config: TrainConfig, from: Checkpoint | undefined, allowChanges: boolean,
  o: { signal?: AbortSignal; onRead?: (bytes: number) => void; note?: (message: string) => void },
): Promise<RunData> {
  const { source, T } = await openTrainSource(corpus, config, from, o.signal, o.onRead)
  // the data's kind settles what was left to it: the window, and the width of a model not given one
  const cfg: TrainConfig = {
    ...config, seq_len: T, hidden_size: config.hidden_size ?? DEFAULT_HIDDEN[source.kind],
    patience: config.patience ?? DEFAULT_PATIENCE[source.kind],
  }
  const fingerprint = source.fingerprint()
  const plan = from ? resumePlan(from, cfg, fingerprint, source.kind === 'text' ? 'chars' : 'rows', allowChanges) : null
  for (const n of plan?.notes ?? []) o.note?.(n)
  return { source, cfg, T, B: cfg.batch_size, fingerprint, plan }
}

/** `elsewhere`: another engine takes the steps (--engine torch), so this process holds no training buffers to estimate. */
export function createRun(
  data: RunData, from: Checkpoint | undefined, note?: (message: string) => void, elsewhere = false,
): Run {
  const { source, cfg, T, B, plan } = data
  const spec: ModelSpec = from ? specOf(from) : { cell: cfg.cell, hidden_size: cfg.hidden_size!, num_layers: cfg.num_layers, ...source.io }
  // before allocating: a model too large for this machine is one line, not a process killed mid-allocation
  const extraPositions = source.kind === 'timeseries' ? T * FORECAST_BLOCK : 0
  const memory = estimateTraining(spec, { optimizer: cfg.optimizer, momentum: cfg.momentum, dropout: cfg.dropout, T, B, extraPositions })
  if (!elsewhere) checkMemory(memory, cfg.max_memory)
  const rng = createRng(cfg.seed)
  const model = from ? new Model(spec, allocParams(paramSpecs(spec))) : createModel(spec, { rng, forgetBias: cfg.forget_bias ?? undefined })
  const params = model.params
  const best = new Float32Array(params.data.length)
  if (from) restoreParams(from, params, best, rng)
  else {
    if (cfg.init_from !== null) initFrom(source, params, spec, cfg.init_from, note)
    best.set(params.data)
  }
  model.dropout = cfg.dropout
  model.classWeights = source.classWeights ?? null
  model.rng = rng
  const opt = createOptimizer(torchOptions(cfg.optimizer, cfg.momentum), params.data.length, from ? restoreOptimizer(from) : undefined)
  if (from && from.resume.optimizer.name !== cfg.optimizer)
    throw new UserError(`--optimizer: the checkpoint was trained with ${from.resume.optimizer.name}; a resumed run keeps its optimizer`)

  // other data, or the same cut otherwise (--allow-changes): the cursor and the carried state meant other positions
  const continues = from !== undefined && plan?.reshaped !== true
  const cursor = from ? (continues ? { ...from.resume.cursor } : { epoch: from.resume.cursor.epoch, chunk: 0 }) : { epoch: 0, chunk: 0 }
  const batcher = source.batcher(B, T, cursor, rng)
  const state = model.zeroState(B)
  if (from && continues) restoreState(from, state)
  const progress = from ? structuredClone(from.progress) : startProgress()
  if (plan !== null && plan.changes.length > 0) progress.changes = [...(progress.changes ?? []), ...plan.changes]
  if (plan?.reshaped) { progress.best_val_loss = null; progress.best_step = null; progress.evals_since_best = 0 }
  const lr = from && !plan?.newLr ? from.resume.lr : cfg.lr
  const startStep = progress.step
  const { horizon, target } = runLength(cfg, from, startStep, batcher.chunksPerEpoch)
  const knot = horizon !== null && horizon === from?.resume.horizon ? from.resume.knot ?? null : null
  return { ...data, spec, params, best, rng, model, opt, batcher, state, progress, lr, horizon, knot, startStep, target }
}

/**
 * Where the run stops and where its schedule ends. --max-seconds alone has no step count: the run goes to
 * the horizon the first steps measure (src/tasks/train.ts, or python/rnn_torch.py for --engine torch), and a
 * resumed one to the horizon its checkpoint stores, or on until the time limit once that is passed.
 * A resumed run keeps its horizon (past it the lr stays at the floor); a fresh one with a length ends there.
 */
function runLength(
  cfg: TrainConfig, from: Checkpoint | undefined, startStep: number, chunksPerEpoch: number,
): { horizon: number | null; target: number } {
  const stored = from?.resume.horizon
  if (cfg.max_seconds !== null && cfg.steps === null && cfg.epochs === null) {
    // a schedule that does not decay runs to the time limit: no horizon to measure
    const horizon = decays(cfg) ? stored ?? null : null
    return { horizon, target: horizon !== null && horizon > startStep ? horizon : Infinity }
  }
  const steps = cfg.steps ?? (cfg.epochs !== null ? Math.max(1, Math.round(cfg.epochs * chunksPerEpoch)) : DEFAULT_STEPS)
  const target = startStep + steps
  return { horizon: stored ?? target, target }
}

function initFrom(source: TrainSource, params: Params, spec: ModelSpec, path: string, note?: (message: string) => void): void {
  if (source.kind !== 'classifier')
    throw new UserError('--init-from: starts a classifier from a language model; give --label (and --text) too')
  const vocab = (source as ClassifierSource).vocab
  const r = initFromLanguageModel(params, spec, vocab, path)
  const missing = spec.input_size - r.known, more = missing > r.unknown.length ? ` and ${missing - r.unknown.length} more` : ''
  const shown = vocab.kind === 'word' ? r.unknown.map((w) => JSON.stringify(w)).join(' ') : showChars(r.unknown)
  const fresh = missing > 0 ? ` (fresh: ${shown}${more})` : ''
  const what = vocab.kind === 'word' ? 'words and marks' : 'characters'
  note?.(`initialised from ${path}: recurrent layers, and input weights of ${r.known} of ${spec.input_size} ${what}${fresh}`)
}
