/**
 * Training, for every kind of data (nanoGPT's train.py as a function): batches → forward → backward →
 * clip → optimizer step → every eval_every steps validate and save a checkpoint. It reports through events
 * and never prints; the CLI renders them. A non-finite loss or gradient stops training (or skips the batch
 * with on_nan = "skip") before any step is taken on it, so the last good checkpoint stays as it was.
 * The run's setup (data, model, optimizer, resumed state) is in train-run.ts.
 */
import { join, resolve } from 'node:path'
import type { TrainConfig } from '../options/train.ts'
import { clipGradNorm, clipGradValue, gradNorm } from '../engine/clip.ts'
import { UserError } from '../errors.ts'
import { abortError } from '../files/read-file.ts'
import { checkPrevious, claimOutput, keepPrevious, sameFile, type Input, type Output } from '../files/output-file.ts'
import { corpusName } from '../data/text.ts'
import type { TrainSource } from './train-source.ts'
import { encodeParams, resumeOf, toCheckpoint } from '../model/checkpoint/build.ts'
import { saveCheckpoint } from '../model/checkpoint/file.ts'
import { CHECKPOINT_FILE } from '../model/checkpoint/format.ts'
import type { Checkpoint, HistoryPoint } from '../model/checkpoint/schema.ts'
import { afterValidation, decays, horizonNote, lrFactor } from '../engine/schedule.ts'
import { TimeBudget } from './time-budget.ts'
import { firstNonFinite, MAX_SKIPS_IN_A_ROW } from './non-finite.ts'
import { configChanges } from './resume-changes.ts'
import { createRun, openRunData, type Run } from './train-run.ts'
import { trainEnsemble } from './ensemble.ts'
import { trainAutoTransform } from './auto-transform.ts'
import { peakRssBytes, trainMemory, type TrainMemory } from './train-memory.ts'

export interface StepEvent {
  step: number; target: number; loss: number; lr: number; grad_norm: number; chars_per_s: number; seconds: number
}
/** peak_rss_bytes: the process's peak resident set size so far. */
export interface EvalEvent {
  step: number; train_loss: number; val_loss: number; best_val_loss: number; improved: boolean; seconds: number; peak_rss_bytes: number
}
export interface TrainEvents {
  /** The training file passed the checks and is being read (bytes: its size). */
  reading?(e: { path: string; bytes: number }): void
  start?(e: {
    corpus: string; kind: TrainSource['kind']; tokens: TrainSource['tokens']; describe: string; params: number; target: number; out: string
    resumed_from: number
  }): void
  /** Before the first step, with the training buffers allocated. */
  memory?(m: TrainMemory): void
  step?(e: StepEvent): void
  eval?(e: EvalEvent): void
  saved?(path: string): void
  /** The checkpoint that was at the output, kept before the first save replaced it. */
  kept?(e: { path: string; previous: string }): void
  skipped?(e: { step: number; reason: string }): void
  /** Something the user should know that is not an error (settings changed on resume). */
  note?(message: string): void
  /** What takes the steps when it is not this process (--engine torch: processes, backend, device). */
  engine?(description: string): void
}

export type { TrainMemory }
export { peakRssBytes, trainMemory }

export interface TrainResult {
  steps: number
  train_loss: number | null
  val_loss: number | null
  best_val_loss: number | null
  seconds: number
  /** Positions (characters, words or rows) per second. */
  chars_per_s: number
  checkpoint: string
  stopped: 'done' | 'interrupted' | 'early_stop' | 'time_limit'
  kind: TrainSource['kind']
  tokens: TrainSource['tokens']
  /** At the end of the run (peak_rss_bytes: over the whole run); null with --engine torch (PyTorch's memory is its own). */
  memory: TrainMemory | null
}

export interface TrainOptions {
  config: TrainConfig
  corpus: string
  from?: Checkpoint
  /** The file `from` was read from: the output may be that file (the run then continues in place). */
  fromPath?: string
  /** Other files the run reads (a --config file): the output may not be one of them. */
  inputs?: Input[]
  /** Replace an output that exists and is not an rnn checkpoint. */
  force?: boolean
  /** Resume although the data or its shaping changed (not bit-exact; the best validation loss restarts). */
  allowChanges?: boolean
  events?: TrainEvents
  signal?: AbortSignal
}

export function defaultCheckpointPath(corpusName: string, cell: string): string {
  return join('checkpoints', `${corpusName}-${cell}.json`)
}

/**
 * One run; with --ensemble n, n runs in turn gathered into one checkpoint (ensemble.ts);
 * --transform auto: a run per transform, the best kept.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const given = opts.config.out ?? defaultCheckpointPath(corpusName(opts.corpus), opts.config.cell)
  // a CSV forecaster's encoding (text and classifiers have none); a resumed model keeps its own
  const forecaster = opts.config.target !== null && opts.config.label === null
  if (opts.config.transform === 'auto' && forecaster && opts.from === undefined) {
    return trainAutoTransform(opts, train, given)
  }
  return opts.config.ensemble > 1 ? trainEnsemble(opts, trainOne, given) : trainOne(opts)
}

/**
 * Claims the output before anything else (not an input, not a foreign file, writable, locked against a
 * second writer), trains, and releases the lock however training ends.
 */
async function trainOne(opts: TrainOptions): Promise<TrainResult> {
  const given = opts.config.out ?? defaultCheckpointPath(corpusName(opts.corpus), opts.config.cell)
  const out = resolve(given)
  // settings a resumed run cannot apply are refused before anything is claimed or read
  if (opts.from !== undefined) configChanges(opts.from, opts.config)
  const inputs = [{ path: opts.corpus, what: 'the training data' }, ...(opts.inputs ?? [])]
  const claim = claimOutput(given, { kind: CHECKPOINT_FILE, flag: '--out', inputs, force: opts.force })
  try {
    return await trainInto(opts, out, claim)
  } finally {
    claim.release()
  }
}


async function trainInto(opts: TrainOptions, out: string, claim: Output): Promise<TrainResult> {
  const { events = {}, from } = opts
  const note = (m: string) => events.note?.(m)
  const data = await openRunData(opts.corpus, opts.config, from, opts.allowChanges === true,
    { signal: opts.signal, onRead: (bytes) => events.reading?.({ path: opts.corpus, bytes }), note })
  const inPlace = from !== undefined && opts.fromPath !== undefined && sameFile(claim.target, opts.fromPath)
  // a checkpoint of another run (or of this one before its data changed) is kept as <name>.prev.json
  let keepOld = claim.existing === 'same-kind' && (!inPlace || data.plan?.reshaped === true)
  if (keepOld) checkPrevious(claim.target, CHECKPOINT_FILE)
  const run = createRun(data, from, note)
  const { cfg, source, model, params, best, batcher, state, progress, startStep, T, B } = run
  events.start?.({
    corpus: opts.corpus, kind: source.kind, tokens: source.tokens, describe: source.describe, params: params.data.length,
    target: run.target, out,
    resumed_from: startStep,
  })
  // the training buffers now rather than at the first step, so the memory report counts them
  model.reserve(T, B)
  events.memory?.(trainMemory(model, run.opt, best, T, B))

  const t0 = performance.now(), secondsBefore = progress.seconds
  const elapsed = () => secondsBefore + (performance.now() - t0) / 1000
  const charsPerSecond = (secs: number) => ((progress.step - startStep) * T * B) / Math.max(1e-9, secs - secondsBefore)
  const mean = { loss: 0, norm: 0, count: 0 }
  let lastTrain: number | null = null, lastVal: number | null = null
  let stopped: TrainResult['stopped'] = 'done'
  let lastEvalStep = -1, savedStep: number | null = null, skipsInARow = 0
  // names only what this run wrote, or the resumed model: an earlier run's file there is not "the last good model"
  const stop = (step: number, what: string) =>
    stopError(step, what, { out, savedStep, resumedInPlace: inPlace && !keepOld, startStep, existing: claim.existing })

  const save = () => {
    // never a checkpoint every later command would refuse: an update can overflow while loss and norm were finite
    const broken = firstNonFinite(params.data) ?? firstNonFinite(best)
    if (broken !== null) throw stop(progress.step, `a parameter is ${broken} after the update`)
    progress.seconds = elapsed()
    if (keepOld) { events.kept?.({ path: out, previous: keepPrevious(claim.target, CHECKPOINT_FILE) }); keepOld = false }
    saveCheckpoint(out, checkpointOf(run))
    savedStep = progress.step
    events.saved?.(out)
  }

  const validate = () => {
    const t = performance.now()
    const v = source.validate(model, T, B)
    // a validation is not a batch that can be skipped: the model as it is gives non-finite results
    if (!Number.isFinite(v)) throw stop(progress.step, `validation loss is ${v}`)
    lastEvalStep = progress.step
    lastVal = v
    lastTrain = mean.count > 0 ? mean.loss / mean.count : lastTrain
    const improved = progress.best_val_loss === null || v < progress.best_val_loss
    if (improved) { progress.best_val_loss = v; progress.best_step = progress.step; progress.evals_since_best = 0; best.set(params.data) }
    else progress.evals_since_best++
    run.lr = afterValidation(run.lr, progress.evals_since_best, cfg.lr, cfg)
    const point: HistoryPoint = {
      step: progress.step, seconds: elapsed(), lr: lrAt(progress.step), train_loss: lastTrain, val_loss: v,
      grad_norm: mean.count > 0 ? mean.norm / mean.count : null,
    }
    progress.history.push(point)
    mean.loss = 0; mean.norm = 0; mean.count = 0
    events.eval?.({
      step: progress.step, train_loss: lastTrain ?? NaN, val_loss: v, best_val_loss: progress.best_val_loss!, improved,
      seconds: point.seconds,
      peak_rss_bytes: peakRssBytes(),
    })
    save()
    budget?.validated((performance.now() - t) / 1000)
  }

  // the lr of step s (from 1); the loop has not taken it yet when validate() records the lr of the last one
  const lrAt = (s: number) => run.lr * lrFactor(s, run.horizon, cfg, run.knot)
  // a time budget without a step count: the first steps measure its horizon, later ones again
  const budget = run.horizon === null && decays(cfg)
    ? new TimeBudget({ budget: cfg.max_seconds!, startStep, warmup: cfg.warmup, evalEvery: cfg.eval_every }) : null
  const timeValidation = () => {
    const t = performance.now()
    source.validate(model, T, B)
    return (performance.now() - t) / 1000
  }

  const carried = model.zeroState(B)
  while (progress.step < run.target) {
    if (opts.signal?.aborted) { stopped = 'interrupted'; break }
    if (cfg.max_seconds !== null && elapsed() >= cfg.max_seconds) { stopped = 'time_limit'; break }
    const epochBefore = batcher.cursor.epoch
    batcher.next()
    if (!batcher.carry) { state.h.fill(0); state.c?.fill(0); state.y?.fill(0) }
    copyState(carried, state)
    const { loss, norm } = forwardBackward(run)
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      const what = !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${norm}`
      if (cfg.on_nan === 'stop') throw stop(progress.step + 1, what)
      if (++skipsInARow >= MAX_SKIPS_IN_A_ROW)
        throw stop(progress.step + 1, `${what}, the ${MAX_SKIPS_IN_A_ROW}th batch in a row skipped (--on-nan skip)`)
      copyState(state, carried)
      events.skipped?.({ step: progress.step + 1, reason: what })
      progress.step++
      continue
    }
    const lr = lrAt(progress.step + 1)
    run.opt.step(params.data, params.grad, lr)
    skipsInARow = 0
    progress.step++
    progress.chars += T * B
    if (batcher.cursor.epoch !== epochBefore) { progress.epoch = batcher.cursor.epoch; run.lr *= cfg.lr_decay }
    mean.loss += loss; mean.norm += norm; mean.count++
    const secs = elapsed()
    events.step?.({ step: progress.step, target: run.target, loss, lr, grad_norm: norm, seconds: secs, chars_per_s: charsPerSecond(secs) })
    if (progress.step % cfg.eval_every === 0) {
      validate()
      if (cfg.patience! > 0 && progress.evals_since_best >= cfg.patience!) { stopped = 'early_stop'; break }
    }
    const fix = budget?.afterStep(progress.step, elapsed, run, timeValidation)
    if (fix) {
      run.horizon = run.target = fix.horizon
      run.knot = fix.knot
      note(horizonNote(cfg.max_seconds!, fix.secondsPerStep, fix.secondsPerEval, fix.horizon, fix.at))
    }
    // let signal handlers (Ctrl-C) run between steps: the loop itself is synchronous
    await new Promise<void>((r) => setImmediate(r))
  }
  // interrupted before the first step: nothing was learnt, so nothing is written
  if (stopped === 'interrupted' && progress.step === startStep) throw abortError(opts.signal!)
  if (stopped !== 'interrupted' && lastEvalStep !== progress.step && progress.step > startStep) validate()
  else if (lastEvalStep !== progress.step) save()

  const seconds = elapsed()
  // a classifier's batches have their own lengths: the report counts the longest shape's buffers
  model.reserve(T, B)
  return {
    steps: progress.step, train_loss: lastTrain ?? (mean.count > 0 ? mean.loss / mean.count : null), val_loss: lastVal,
    best_val_loss: progress.best_val_loss, seconds, chars_per_s: charsPerSecond(seconds),
    checkpoint: out, stopped, kind: source.kind, tokens: source.tokens,
    memory: trainMemory(model, run.opt, best, T, B),
  }
}

/** The error that stops a run at a non-finite value, saying what the output holds now. */
export function stopError(
  step: number, what: string,
  o: { out: string; savedStep: number | null; resumedInPlace: boolean; startStep: number; existing: Output['existing'] },
): UserError {
  const kept = o.savedStep !== null ? `${o.out} keeps the last good model of this run (step ${o.savedStep})`
    : o.resumedInPlace ? `${o.out} is unchanged (the resumed model, step ${o.startStep})`
      : `no checkpoint written${o.existing === 'none' ? '' : ` (${o.out}, from an earlier run, is unchanged)`}`
  return new UserError(`step ${step}: ${what}; training stopped, ${kept} (try a lower --lr or --clip 1)`, 3)
}

/** One batch's loss, then its gradient clipped, with the norm before clipping; NaN norm when the loss is not finite. */
function forwardBackward(run: Run): { loss: number; norm: number } {
  const { model, params, batcher, state, cfg } = run
  params.grad.fill(0)
  const loss = model.forward(batcher.x, batcher.y, batcher.steps ?? run.T, run.B, state, true, batcher.lengths)
  if (!Number.isFinite(loss)) return { loss, norm: NaN }
  model.backward()
  if (cfg.clip_value > 0) clipGradValue(params.grad, cfg.clip_value)
  return { loss, norm: cfg.clip > 0 ? clipGradNorm(params.grad, cfg.clip) : gradNorm(params.grad) }
}

function copyState(to: Run['state'], from: Run['state']): void {
  to.h.set(from.h)
  if (to.c && from.c) to.c.set(from.c)
  if (to.y && from.y) to.y.set(from.y)
}

/** The run as a checkpoint: the best parameters, and the latest too when they differ (see build.ts). */
function checkpointOf(run: Run): Checkpoint {
  const { progress, params, best, spec } = run
  if (progress.best_step === null) best.set(params.data)
  const isBest = progress.best_step === progress.step || progress.best_step === null
  const resume = resumeOf({
    params, latest: isBest ? null : params.data, optimizer: run.opt.state, rng: run.rng, cursor: run.batcher.cursor,
    state: run.state, batch: run.B, lr: run.lr, horizon: run.horizon, knot: run.knot, fingerprint: run.fingerprint,
  }, spec)
  return toCheckpoint({ spec, data: run.source.record(), config: run.cfg, params: encodeParams(params, best), progress, resume })
}
