/**
 * The training loop for text (nanoGPT's train.py as a function): batches → forward → backward → clip →
 * optimizer step → every eval_every steps validate and checkpoint. It reports through events and never
 * prints; the CLI renders them. A non-finite loss or gradient stops training (or skips the batch with
 * on_nan = "skip") before any step is taken on it, so the last good checkpoint stays as it was.
 */
import { existsSync, accessSync, constants, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import { DEFAULT_STEPS, type TrainConfig } from '../config.ts'
import { clipGradNorm, clipGradValue, gradNorm } from '../engine/clip.ts'
import { heapStats, inHeap } from '../engine/memory.ts'
import { createOptimizer, defaultEps, type Optimizer } from '../engine/optim.ts'
import { allocParams, type Params } from '../engine/params.ts'
import { createRng, type RngState } from '../engine/rng.ts'
import { UserError } from '../errors.ts'
import { firstNonFinite, MAX_SKIPS_IN_A_ROW } from './non-finite.ts'
import { openTrainSource } from './open-source.ts'
import type { TrainSource } from '../data/source.ts'
import type { TextSource } from '../data/text-source.ts'
import type { SeriesSource } from '../data/series.ts'
import { decodeTensor, encodeTensor, saveCheckpoint, specOf, type Checkpoint, type HistoryPoint, type Progress } from '../model/checkpoint.ts'
import { initParams } from '../model/init.ts'
import { Model, type State } from '../model/model.ts'
import { gateOrder, paramSpecs, type ModelSpec } from '../model/spec.ts'

export interface StepEvent { step: number; target: number; loss: number; lr: number; grad_norm: number; chars_per_s: number; seconds: number }
/** peak_rss_bytes: the process's peak resident set size so far. */
export interface EvalEvent { step: number; train_loss: number; val_loss: number; best_val_loss: number; improved: boolean; seconds: number; peak_rss_bytes: number }
export interface TrainEvents {
  start?(e: { corpus: string; kind: 'text' | 'timeseries'; describe: string; params: number; target: number; out: string; resumed_from: number }): void
  /** Before the first step, with the training buffers allocated. */
  memory?(m: TrainMemory): void
  step?(e: StepEvent): void
  eval?(e: EvalEvent): void
  saved?(path: string): void
  skipped?(e: { step: number; reason: string }): void
}

/**
 * What training holds in memory, in bytes, from the arrays actually allocated (not from a formula). The
 * per-(T, B) buffers are `positions` = seq_len × batch_size rows each, so activation_bytes and
 * bptt_buffer_bytes are positions × their bytes per position: linear in seq_len × batch_size.
 */
export interface TrainMemory {
  parameters: number
  parameter_bytes: number
  gradient_bytes: number
  optimizer: string
  /** The optimizer's state buffers (Adam: exp_avg and exp_avg_sq). */
  optimizer_bytes: number
  /** The best-so-far parameters (what the checkpoint's `params` holds). */
  best_bytes: number
  seq_len: number
  batch_size: number
  positions: number
  /** Forward values kept for BPTT: h_1..h_T, c_1..c_T, gate activations, dropout masks and outputs. */
  activation_bytes: number
  activation_bytes_per_layer: number[]
  activation_bytes_per_position: number
  /** The other per-position buffers: input projections xw, backward's dh, dc, dxw, the head's logits and dlogits. */
  bptt_buffer_bytes: number
  bptt_buffer_bytes_per_position: number
  /** Workspace arrays without a position axis: initial state rows, dh0/dc0, step scratch, packed W_hh, embedding scratch. */
  fixed_workspace_bytes: number
  /** Buffers for another (T, B) the model keeps, e.g. a validation of another shape (none for text). */
  other_workspace_bytes: number
  /** The sum of the above: the engine's float32 buffers. */
  engine_bytes: number
  /** WebAssembly memory in use (engine buffers in it plus kernel scratch), null with the js kernels. */
  wasm_bytes: number | null
  /** The process's peak resident set size so far. */
  peak_rss_bytes: number
}

/** process.resourceUsage().maxRSS is in kibibytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}

/** The memory report of a training run: its model's workspaces, parameters, gradient and optimizer state. */
export function trainMemory(model: Model, opt: Optimizer, best: Float32Array, T: number, B: number): TrainMemory {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)
  const all = model.memory()
  const ws = all.find((w) => w.T === T && w.B === B), others = all.filter((w) => w !== ws)
  if (ws === undefined) throw new Error(`trainMemory: the model holds no buffers for (${T}, ${B}); call model.reserve first`)
  const positions = T * B
  const activation_bytes = sum(ws.activations)
  const bptt_buffer_bytes = sum(ws.work) + ws.io
  const params = model.params
  const optimizer_bytes = sum(Object.values(opt.state.buffers).map((b) => b.byteLength))
  const other_workspace_bytes = sum(others.map((w) => w.total))
  return {
    parameters: params.data.length,
    parameter_bytes: params.data.byteLength,
    gradient_bytes: params.grad.byteLength,
    optimizer: opt.state.name,
    optimizer_bytes,
    best_bytes: best.byteLength,
    seq_len: T, batch_size: B, positions,
    activation_bytes,
    activation_bytes_per_layer: [...ws.activations],
    activation_bytes_per_position: activation_bytes / positions,
    bptt_buffer_bytes,
    bptt_buffer_bytes_per_position: bptt_buffer_bytes / positions,
    fixed_workspace_bytes: ws.fixed,
    other_workspace_bytes,
    engine_bytes: params.data.byteLength + params.grad.byteLength + optimizer_bytes + best.byteLength + ws.total + other_workspace_bytes,
    wasm_bytes: inHeap(params.data) ? heapStats().usedBytes : null,
    peak_rss_bytes: peakRssBytes(),
  }
}

export interface TrainResult {
  steps: number
  train_loss: number | null
  val_loss: number | null
  best_val_loss: number | null
  seconds: number
  chars_per_s: number
  checkpoint: string
  stopped: 'done' | 'interrupted' | 'early_stop' | 'time_limit'
  kind: 'text' | 'timeseries'
  /** At the end of the run (peak_rss_bytes: over the whole run). */
  memory: TrainMemory
}

export interface TrainOptions {
  config: TrainConfig
  corpus: string
  from?: Checkpoint
  events?: TrainEvents
  signal?: AbortSignal
}

const pkgVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function defaultCheckpointPath(corpusName: string, cell: string): string {
  return join('checkpoints', `${corpusName}-${cell}.json`)
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { events = {}, from } = opts
  const { source, T } = openTrainSource(opts.corpus, opts.config, from)
  const cfg: TrainConfig = { ...opts.config, seq_len: T }
  const B = cfg.batch_size
  const out = resolve(cfg.out ?? defaultCheckpointPath(source.name, cfg.cell))
  checkWritable(out)

  const spec: ModelSpec = from ? specOf(from) : { cell: cfg.cell, hidden_size: cfg.hidden_size, num_layers: cfg.num_layers, ...source.io }
  const params = allocParams(paramSpecs(spec))
  const rng = createRng(cfg.seed)
  const best = new Float32Array(params.data.length)
  if (from) {
    loadInto(params.data, params, from.resume.params ?? from.params)
    loadInto(best, params, from.params)
    rng.setState(from.resume.rng as RngState)
  } else {
    initParams(params, spec, rng, cfg.forget_bias ?? undefined)
    best.set(params.data)
  }

  const model = new Model(spec, params)
  model.dropout = cfg.dropout
  model.rng = rng
  const opt = createOptimizer(
    { name: cfg.optimizer, momentum: cfg.momentum, betas: [0.9, 0.999], alpha: 0.99, eps: defaultEps(cfg.optimizer) },
    params.data.length,
    from ? { name: from.resume.optimizer.name, step: from.resume.optimizer.step, buffers: Object.fromEntries(Object.entries(from.resume.optimizer.buffers).map(([k, v]) => [k, decodeTensor(v)])) } : undefined,
  )
  if (from && from.resume.optimizer.name !== cfg.optimizer) throw new UserError(`--optimizer: the checkpoint was trained with ${from.resume.optimizer.name}; a resumed run keeps its optimizer`)

  const batcher = source.batcher(B, T, from ? { ...from.resume.cursor } : { epoch: 0, chunk: 0 }, rng)
  const state: State = model.zeroState(B)
  if (from) {
    state.h.set(decodeTensor(from.resume.state.h))
    if (state.c && from.resume.state.c) state.c.set(decodeTensor(from.resume.state.c))
  }
  const saved: State = model.zeroState(B)
  const progress: Progress = from ? structuredClone(from.progress) : { step: 0, epoch: 0, chars: 0, seconds: 0, best_val_loss: null, best_step: null, evals_since_best: 0, history: [] }
  let lr = from ? from.resume.lr : cfg.lr
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
  const stop = (step: number, what: string) => {
    const kept = existsSync(out) ? `${out} keeps the last good model` : 'no checkpoint written'
    return new UserError(`step ${step}: ${what}; training stopped, ${kept} (try a lower --lr or --clip 1)`, 3)
  }

  const save = () => {
    // never a checkpoint every later command would refuse: an update can overflow while loss and norm were finite
    const broken = firstNonFinite(params.data) ?? firstNonFinite(best)
    if (broken !== null) throw stop(progress.step, `a parameter is ${broken} after the update`)
    const isBest = progress.best_step === progress.step || progress.best_step === null
    if (progress.best_step === null) best.set(params.data)
    progress.seconds = elapsed()
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
      },
    })
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
    const loss = model.forward(batcher.x, batcher.y, T, B, state, true)
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
  if (stopped !== 'interrupted' && lastEvalStep !== progress.step && progress.step > startStep) validate()
  else if (lastEvalStep !== progress.step) save()

  const seconds = elapsed()
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

/** Fails before training if the checkpoint folder cannot be created or written. */
function checkWritable(out: string): void {
  const dir = dirname(out)
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (e) {
    throw new UserError(`${dir}: cannot write checkpoints there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another --out`)
  }
}

