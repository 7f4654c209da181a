/**
 * The training loop for text (nanoGPT's train.py as a function): batches → forward → backward → clip →
 * optimizer step → every eval_every steps validate and checkpoint. It reports through events and never
 * prints; the CLI renders them. A non-finite loss or gradient stops training (or skips the batch with
 * on_nan = "skip") before any step is taken on it, so the last good checkpoint stays as it was.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DEFAULT_STEPS, type TrainConfig } from '../config.ts'
import { clipGradNorm, clipGradValue, gradNorm } from '../engine/clip.ts'
import { createOptimizer, defaultEps } from '../engine/optim.ts'
import { allocParams, type Params } from '../engine/params.ts'
import { createRng, type RngState } from '../engine/rng.ts'
import { UserError } from '../errors.ts'
import { firstNonFinite, MAX_SKIPS_IN_A_ROW } from './non-finite.ts'
import { abortError } from '../read-file.ts'
import { openTrainSource } from './open-source.ts'
import { checkPrevious, claimOutput, keepPrevious, sameFile, type Input, type Output } from '../output-file.ts'
import { configChanges, resumePlan, type ResumePlan } from './resume-changes.ts'
import { peakRssBytes, trainMemory, type TrainMemory } from './train-memory.ts'
import { corpusName } from '../data/text.ts'
import type { TrainSource } from '../data/source.ts'
import type { TextSource } from '../data/text-source.ts'
import type { ClassifierSource } from './classify-source.ts'
import type { SeriesSource } from '../data/series.ts'
import { FORECAST_BLOCK } from './rolling-forecast.ts'
import { decodeTensor, encodeTensor, saveCheckpoint, specOf, type Checkpoint, type HistoryPoint, type Progress } from '../model/checkpoint.ts'
import { initParams } from '../model/init.ts'
import { initFromLanguageModel } from '../model/init-from.ts'
import { showChars } from '../data/vocab.ts'
import { checkMemory, estimateTraining } from '../model/memory-estimate.ts'
import { Model, type State } from '../model/model.ts'
import { gateOrder, paramSpecs, type ModelSpec } from '../model/spec.ts'

export interface StepEvent { step: number; target: number; loss: number; lr: number; grad_norm: number; chars_per_s: number; seconds: number }
/** peak_rss_bytes: the process's peak resident set size so far. */
export interface EvalEvent { step: number; train_loss: number; val_loss: number; best_val_loss: number; improved: boolean; seconds: number; peak_rss_bytes: number }
export interface TrainEvents {
  /** The training file passed the checks and is being read (bytes: its size). */
  reading?(e: { path: string; bytes: number }): void
  start?(e: { corpus: string; kind: TrainSource['kind']; describe: string; params: number; target: number; out: string; resumed_from: number }): void
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
}

export type { TrainMemory }
export { peakRssBytes, trainMemory }

export interface TrainResult {
  steps: number
  train_loss: number | null
  val_loss: number | null
  best_val_loss: number | null
  seconds: number
  chars_per_s: number
  checkpoint: string
  stopped: 'done' | 'interrupted' | 'early_stop' | 'time_limit'
  kind: TrainSource['kind']
  /** At the end of the run (peak_rss_bytes: over the whole run). */
  memory: TrainMemory
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

const pkgVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function defaultCheckpointPath(corpusName: string, cell: string): string {
  return join('checkpoints', `${corpusName}-${cell}.json`)
}

/**
 * Claims the output before anything else (not an input, not a foreign file, writable, locked against a
 * second writer), trains, and releases the lock however training ends.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const given = opts.config.out ?? defaultCheckpointPath(corpusName(opts.corpus), opts.config.cell)
  const out = resolve(given)
  // settings a resumed run cannot apply are refused before anything is claimed or read
  if (opts.from !== undefined) configChanges(opts.from, opts.config)
  const inputs = [{ path: opts.corpus, what: 'the training data' }, ...(opts.inputs ?? [])]
  const claim = claimOutput(given, { kind: 'checkpoint', flag: '--out', inputs, force: opts.force })
  try {
    return await trainInto(opts, out, claim)
  } finally {
    claim.release()
  }
}

async function trainInto(opts: TrainOptions, out: string, claim: Output): Promise<TrainResult> {
  const { events = {}, from } = opts
  const { source, T } = await openTrainSource(opts.corpus, opts.config, from, opts.signal, (bytes) => events.reading?.({ path: opts.corpus, bytes }))
  const cfg: TrainConfig = { ...opts.config, seq_len: T }
  const B = cfg.batch_size
  const fingerprint = source.fingerprint()
  const plan: ResumePlan | null = from ? resumePlan(from, cfg, fingerprint, source.kind === 'text' ? 'chars' : 'rows', opts.allowChanges === true) : null
  for (const n of plan?.notes ?? []) events.note?.(n)
  const inPlace = from !== undefined && opts.fromPath !== undefined && sameFile(claim.target, opts.fromPath)
  // a checkpoint of another run (or of this one before its data changed) is kept as <name>.prev.json
  let keepOld = claim.existing === 'same-kind' && (!inPlace || plan?.reshaped === true)
  if (keepOld) checkPrevious(claim.target)
  let savedStep: number | null = null

  const spec: ModelSpec = from ? specOf(from) : { cell: cfg.cell, hidden_size: cfg.hidden_size, num_layers: cfg.num_layers, ...source.io }
  // before allocating: a model too large for this machine is one line, not a process killed mid-allocation
  const extraPositions = source.kind === 'timeseries' ? T * FORECAST_BLOCK : 0
  checkMemory(estimateTraining(spec, { optimizer: cfg.optimizer, momentum: cfg.momentum, dropout: cfg.dropout, T, B, extraPositions }), cfg.max_memory)
  const params = allocParams(paramSpecs(spec))
  const rng = createRng(cfg.seed)
  const best = new Float32Array(params.data.length)
  if (from) {
    loadInto(params.data, params, from.resume.params ?? from.params)
    loadInto(best, params, from.params)
    rng.setState(from.resume.rng as RngState)
  } else {
    initParams(params, spec, rng, cfg.forget_bias ?? undefined)
    if (cfg.init_from !== null) {
      if (source.kind !== 'classifier') throw new UserError('--init-from: starts a classifier from a language model; give --label (and --text) too')
      const r = initFromLanguageModel(params, spec, (source as ClassifierSource).vocab, cfg.init_from)
      events.note?.(`initialised from ${cfg.init_from}: recurrent layers, and input weights of ${r.known} of ${spec.input_size} characters`
        + `${r.unknown.length > 0 ? ` (fresh: ${showChars(r.unknown.slice(0, 8))}${r.unknown.length > 8 ? ` and ${r.unknown.length - 8} more` : ''})` : ''}`)
    }
    best.set(params.data)
  }

  const model = new Model(spec, params)
  model.dropout = cfg.dropout
  model.classWeights = source.classWeights ?? null
  model.rng = rng
  const opt = createOptimizer(
    { name: cfg.optimizer, momentum: cfg.momentum, betas: [0.9, 0.999], alpha: 0.99, eps: defaultEps(cfg.optimizer) },
    params.data.length,
    from ? { name: from.resume.optimizer.name, step: from.resume.optimizer.step, buffers: Object.fromEntries(Object.entries(from.resume.optimizer.buffers).map(([k, v]) => [k, decodeTensor(v)])) } : undefined,
  )
  if (from && from.resume.optimizer.name !== cfg.optimizer) throw new UserError(`--optimizer: the checkpoint was trained with ${from.resume.optimizer.name}; a resumed run keeps its optimizer`)

  // other data, or the same cut otherwise (--allow-changes): the cursor and the carried state meant other positions
  const continues = from !== undefined && plan?.reshaped !== true
  const batcher = source.batcher(B, T, from ? (continues ? { ...from.resume.cursor } : { epoch: from.resume.cursor.epoch, chunk: 0 }) : { epoch: 0, chunk: 0 }, rng)
  const state: State = model.zeroState(B)
  if (from && continues) {
    state.h.set(decodeTensor(from.resume.state.h))
    if (state.c && from.resume.state.c) state.c.set(decodeTensor(from.resume.state.c))
  }
  const saved: State = model.zeroState(B)
  const progress: Progress = from ? structuredClone(from.progress) : { step: 0, epoch: 0, chars: 0, seconds: 0, best_val_loss: null, best_step: null, evals_since_best: 0, history: [] }
  if (plan !== null && plan.changes.length > 0) progress.changes = [...(progress.changes ?? []), ...plan.changes]
  if (plan?.reshaped) { progress.best_val_loss = null; progress.best_step = null; progress.evals_since_best = 0 }
  let lr = from && !plan?.newLr ? from.resume.lr : cfg.lr
  const startStep = progress.step
  const target = startStep + (cfg.steps ?? (cfg.epochs !== null ? Math.max(1, Math.round(cfg.epochs * batcher.chunksPerEpoch)) : DEFAULT_STEPS))
  events.start?.({ corpus: opts.corpus, kind: source.kind, describe: source.describe, params: params.data.length, target, out, resumed_from: startStep })
  // the training buffers now rather than at the first step, so the memory report counts them
  model.reserve(T, B)
  events.memory?.(trainMemory(model, opt, best, T, B))

  const t0 = performance.now(), secondsBefore = progress.seconds
  const elapsed = () => secondsBefore + (performance.now() - t0) / 1000
  let lossSum = 0, lossCount = 0, normSum = 0
  let lastTrain: number | null = null, lastVal: number | null = null
  let stopped: TrainResult['stopped'] = 'done'
  let lastEvalStep = -1
  let skipsInARow = 0
  // names only what this run wrote, or the resumed model: an earlier run's file there is not "the last good model"
  const stop = (step: number, what: string) => {
    const kept = savedStep !== null ? `${out} keeps the last good model of this run (step ${savedStep})`
      : inPlace && !keepOld ? `${out} is unchanged (the resumed model, step ${startStep})`
        : `no checkpoint written${claim.existing === 'none' ? '' : ` (${out}, from an earlier run, is unchanged)`}`
    return new UserError(`step ${step}: ${what}; training stopped, ${kept} (try a lower --lr or --clip 1)`, 3)
  }

  const save = () => {
    // never a checkpoint every later command would refuse: an update can overflow while loss and norm were finite
    const broken = firstNonFinite(params.data) ?? firstNonFinite(best)
    if (broken !== null) throw stop(progress.step, `a parameter is ${broken} after the update`)
    const isBest = progress.best_step === progress.step || progress.best_step === null
    if (progress.best_step === null) best.set(params.data)
    progress.seconds = elapsed()
    if (keepOld) { events.kept?.({ path: out, previous: keepPrevious(claim.target) }); keepOld = false }
    saveCheckpoint(out, {
      format: 'rnn-checkpoint', version: 1, rnn_version: pkgVersion, created: new Date().toISOString(), kind: source.kind,
      model: { ...spec, gate_order: gateOrder(spec.cell) },
      data: sourceMeta(source),
      config: cfg,
      params: encodeParams(params, best),
      progress,
      resume: {
        params: isBest ? null : encodeParams(params, params.data),
        optimizer: { name: opt.state.name, step: opt.state.step, buffers: Object.fromEntries(Object.entries(opt.state.buffers).map(([k, v]) => [k, encodeTensor(v, [v.length])])) },
        rng: rng.getState(),
        cursor: { ...batcher.cursor },
        state: { h: encodeTensor(state.h, [spec.num_layers, B, spec.hidden_size]), c: state.c ? encodeTensor(state.c, [spec.num_layers, B, spec.hidden_size]) : null },
        lr,
        fingerprint,
      },
    })
    savedStep = progress.step
    events.saved?.(out)
  }

  const validate = () => {
    const v = source.validate(model, T, B)
    // a validation is not a batch that can be skipped: the model as it is gives non-finite results
    if (!Number.isFinite(v)) throw stop(progress.step, `validation loss is ${v}`)
    lastEvalStep = progress.step
    lastVal = v
    lastTrain = lossCount > 0 ? lossSum / lossCount : lastTrain
    const improved = progress.best_val_loss === null || v < progress.best_val_loss
    if (improved) { progress.best_val_loss = v; progress.best_step = progress.step; progress.evals_since_best = 0; best.set(params.data) }
    else progress.evals_since_best++
    const point: HistoryPoint = { step: progress.step, seconds: elapsed(), lr, train_loss: lastTrain, val_loss: v, grad_norm: lossCount > 0 ? normSum / lossCount : null }
    progress.history.push(point)
    lossSum = 0; lossCount = 0; normSum = 0
    events.eval?.({ step: progress.step, train_loss: lastTrain ?? NaN, val_loss: v, best_val_loss: progress.best_val_loss!, improved, seconds: point.seconds, peak_rss_bytes: peakRssBytes() })
    save()
  }

  while (progress.step < target) {
    if (opts.signal?.aborted) { stopped = 'interrupted'; break }
    if (cfg.max_seconds !== null && elapsed() >= cfg.max_seconds) { stopped = 'time_limit'; break }
    const epochBefore = batcher.cursor.epoch
    batcher.next()
    if (!batcher.carry) { state.h.fill(0); state.c?.fill(0) }
    saved.h.set(state.h); if (state.c) saved.c!.set(state.c)
    params.grad.fill(0)
    const loss = model.forward(batcher.x, batcher.y, batcher.steps ?? T, B, state, true, batcher.lengths)
    let norm = NaN
    if (Number.isFinite(loss)) {
      model.backward()
      if (cfg.clip_value > 0) clipGradValue(params.grad, cfg.clip_value)
      norm = cfg.clip > 0 ? clipGradNorm(params.grad, cfg.clip) : gradNorm(params.grad)
    }
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      const what = !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${norm}`
      if (cfg.on_nan === 'stop') throw stop(progress.step + 1, what)
      if (++skipsInARow >= MAX_SKIPS_IN_A_ROW)
        throw stop(progress.step + 1, `${what}, the ${MAX_SKIPS_IN_A_ROW}th batch in a row skipped (--on-nan skip)`)
      state.h.set(saved.h); if (state.c) state.c.set(saved.c!)
      events.skipped?.({ step: progress.step + 1, reason: what })
      progress.step++
      continue
    }
    opt.step(params.data, params.grad, lr)
    skipsInARow = 0
    progress.step++
    progress.chars += T * B
    if (batcher.cursor.epoch !== epochBefore) { progress.epoch = batcher.cursor.epoch; lr *= cfg.lr_decay }
    lossSum += loss; lossCount++; normSum += norm
    const secs = elapsed()
    events.step?.({ step: progress.step, target, loss, lr, grad_norm: norm, seconds: secs, chars_per_s: ((progress.step - startStep) * T * B) / Math.max(1e-9, secs - secondsBefore) })
    if (progress.step % cfg.eval_every === 0) {
      validate()
      if (cfg.patience > 0 && progress.evals_since_best >= cfg.patience) { stopped = 'early_stop'; break }
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
    steps: progress.step, train_loss: lastTrain ?? (lossCount > 0 ? lossSum / lossCount : null), val_loss: lastVal, best_val_loss: progress.best_val_loss,
    seconds, chars_per_s: ((progress.step - startStep) * T * B) / Math.max(1e-9, seconds - secondsBefore), checkpoint: out, stopped, kind: source.kind,
    memory: trainMemory(model, opt, best, T, B),
  }
}

/** Copies a checkpoint's tensors into `buf`, laid out like params.data. */
function loadInto(buf: Float32Array, params: Params, set: Checkpoint['params']): void {
  params.tensors.forEach((t, i) => viewLike(buf, params, i).set(decodeTensor(set[t.name])))
}

/** What the checkpoint needs to use the model without the training data at hand. */
function sourceMeta(source: TrainSource): Checkpoint['data'] {
  if (source.kind === 'classifier') return { ...(source as ClassifierSource).meta, source: resolve(source.path) }
  if (source.kind === 'text') return { kind: 'text', vocab: [...(source as TextSource).vocab.chars], source: resolve(source.path) }
  const s = source as SeriesSource
  return {
    kind: 'timeseries', source: resolve(s.path), columns: [...s.codec.stats], transform: s.codec.transform, season: s.season, split: s.split,
    date: s.series.date === null ? null : { column: s.series.date.column, step: s.series.date.step },
  }
}

/** Tensor i's slice of a buffer laid out like params.data (offsets relative to it: it may sit inside a larger memory). */
function viewLike(buf: Float32Array, params: Params, i: number): Float32Array {
  const t = params.tensors[i]
  const start = (t.data.byteOffset - params.data.byteOffset) / 4
  return buf.subarray(start, start + t.data.length)
}

function encodeParams(params: Params, data: Float32Array): Checkpoint['params'] {
  const outp: Checkpoint['params'] = {}
  params.tensors.forEach((t, i) => { outp[t.name] = encodeTensor(viewLike(data, params, i), t.shape) })
  return outp
}
