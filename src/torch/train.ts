/**
 * --engine torch: the run of src/tasks/train.ts (the same config checks, data, initial parameters, output
 * claim, events and checkpoints) with its steps taken by PyTorch's DistributedDataParallel through
 * torchrun. The CLI sets the run up exactly as the built-in engine would (tasks/train-run.ts), writes it
 * to a run folder (run-folder.ts), launches python/rnn_torch.py on it (launch.ts), renders the script's
 * events as its own and turns every state the script saves into a checkpoint (import-run.ts).
 * `prepareTorchRun` writes the folder only and gives the torchrun command, for a scheduler to run.
 */
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { corpusName } from '../data/text.ts'
import { abortError } from '../files/read-file.ts'
import { checkPrevious, claimOutput, keepPrevious, sameFile, type Output } from '../files/output-file.ts'
import { saveCheckpoint } from '../model/checkpoint/file.ts'
import { CHECKPOINT_FILE } from '../model/checkpoint/format.ts'
import type { Checkpoint } from '../model/checkpoint/schema.ts'
import { horizonNote } from '../engine/schedule.ts'
import { embedOf, type TrainConfig } from '../options/train.ts'
import { firstNonFinite } from '../tasks/non-finite.ts'
import { configChanges } from '../tasks/resume-changes.ts'
import { createRun, openRunData, type Run } from '../tasks/train-run.ts'
import { defaultCheckpointPath, stopError, type EvalEvent, type TrainOptions, type TrainResult } from '../tasks/train.ts'
import { importRun, type ImportedRun } from './import-run.ts'
import { runTorchrun, shellLine, torchrunArgs, type Launch, type ScriptEvent } from './launch.ts'
import { checkDevice, findTorchPython, lastLine, type TorchPython } from './python.ts'
import { claimRunFolder, LOG_DIR, runFolderOf, writeRunFolder, type RunDescription } from './run-folder.ts'

export interface TorchOptions {
  /** The interpreter to use ($RNN_PYTHON); found otherwise (python.ts). */
  python?: string
  device: 'cpu' | 'cuda'
  launch: Launch
}

/** The cells torch.nn has. */
const TORCH_CELLS = new Set(['rnn_tanh', 'rnn_relu', 'lstm', 'gru'])

/** Trains with PyTorch on this machine: --nproc processes, the result a checkpoint at the config's --out. */
export async function trainWithTorch(opts: TrainOptions, t: TorchOptions): Promise<TrainResult> {
  if (t.launch.nnodes > 1) {
    throw new UserError(`--nnodes ${t.launch.nnodes}: several machines are started by a scheduler; add --print-launch`)
  }
  checkConfig(opts.config, opts.from, t)
  // the interpreter is looked for while the data is read (importing torch takes seconds)
  const found = findTorchPython(t.python)
  found.catch(() => undefined)
  return withOutput(opts, async (out, claim) => {
    const setup = await setUp(opts, t, out, claim)
    const torch = await found
    checkDevice(torch, t.device, t.launch.nproc)
    return launchRun(opts, t, out, claim, setup, torch)
  })
}

/** A run folder and the command that runs it (`line`: the same, for a shell). */
export interface PreparedRun {
  dir: string; command: string[]; line: string; out: string
  /** null: a time budget (--max-seconds), whose steps the run measures */
  steps: number | null
}

/** Writes the run folder for a scheduler and returns it with torchrun's arguments; nothing is trained. */
export async function prepareTorchRun(opts: TrainOptions, t: TorchOptions): Promise<PreparedRun> {
  if (t.launch.nnodes > 1 && t.launch.rdzvEndpoint === null) {
    throw new UserError(`--nnodes ${t.launch.nnodes}: give --rdzv-endpoint host:port, a machine every node reaches`)
  }
  checkConfig(opts.config, opts.from, t)
  return withOutput(opts, async (out, claim) => {
    const { run, dir, description } = await setUp(opts, t, out, claim)
    const command = ['torchrun', ...torchrunArgs(dir, t.launch, description.run_id)]
    return { dir, command, line: shellLine(command), out, steps: Number.isFinite(run.target) ? run.target - run.startStep : null }
  })
}

/** The output claimed (not an input, not a foreign file, locked) around `body`. */
async function withOutput<R>(opts: TrainOptions, body: (out: string, claim: Output) => Promise<R>): Promise<R> {
  const given = opts.config.out ?? defaultCheckpointPath(corpusName(opts.corpus), opts.config.cell)
  if (opts.from !== undefined) configChanges(opts.from, opts.config)
  const inputs = [{ path: opts.corpus, what: 'the training data' }, ...(opts.inputs ?? [])]
  const claim = claimOutput(given, { kind: CHECKPOINT_FILE, flag: '--out', inputs, force: opts.force })
  try {
    return await body(resolve(given), claim)
  } finally {
    claim.release()
  }
}

function checkConfig(cfg: TrainConfig, from: Checkpoint | undefined, t: TorchOptions): void {
  if (cfg.label !== null || from?.kind === 'classifier')
    throw new UserError('--engine torch: trains language models and forecasters; '
      + 'a classifier trains with the built-in engine (leave out --engine)')
  if (!TORCH_CELLS.has(cfg.cell)) throw new UserError(`--engine torch: torch.nn has no ${cfg.cell} cell; use the built-in engine`)
  if (embedOf(cfg) !== undefined) {
    const what = cfg.tokens === 'word' ? '--tokens word' : '--embed'
    throw new UserError(`${what}: --engine torch reads one-hot characters; a model with an embedding trains with the built-in engine`)
  }
  const n = t.launch.nproc * t.launch.nnodes
  if (cfg.batch_size % n !== 0) {
    const procs = `--nproc ${t.launch.nproc}${t.launch.nnodes > 1 ? ` × --nnodes ${t.launch.nnodes}` : ''}`
    throw new UserError(`--batch ${cfg.batch_size}: must be a multiple of the ${n} processes (${procs}), `
      + 'each takes an equal share of the streams')
  }
}

interface SetUp { run: Run; dir: string; description: RunDescription; inPlace: boolean; keepOld: boolean }

async function setUp(opts: TrainOptions, t: TorchOptions, out: string, claim: Output): Promise<SetUp> {
  const note = (m: string) => opts.events?.note?.(m)
  const data = await openRunData(opts.corpus, opts.config, opts.from, opts.allowChanges === true,
    { signal: opts.signal, onRead: (bytes) => opts.events?.reading?.({ path: opts.corpus, bytes }), note })
  const inPlace = opts.from !== undefined && opts.fromPath !== undefined && sameFile(claim.target, opts.fromPath)
  const keepOld = claim.existing === 'same-kind' && (!inPlace || data.plan?.reshaped === true)
  if (keepOld) checkPrevious(claim.target, CHECKPOINT_FILE)
  const run = createRun(data, opts.from, note, true)
  const dir = runFolderOf(out)
  claimRunFolder(dir)
  const description = writeRunFolder(dir, run, { out, device: t.device })
  return { run, dir, description, inPlace, keepOld }
}

async function launchRun(
  opts: TrainOptions, t: TorchOptions, out: string, claim: Output, s: SetUp, torch: TorchPython,
): Promise<TrainResult> {
  const { events = {} } = opts
  const { run, dir, description } = s
  const { source, params, startStep, T, B } = run
  let target = run.target
  const secondsBefore = run.progress.seconds
  let keepOld = s.keepOld, savedStep: number | null = null, last: ImportedRun | null = null
  let stopped: TrainResult['stopped'] | null = null, failure: UserError | null = null
  events.start?.({
    corpus: opts.corpus, kind: source.kind, tokens: source.tokens, describe: source.describe, params: params.data.length, target, out,
    resumed_from: startStep,
  })
  const logs = join(dir, LOG_DIR)
  const stop = (step: number, what: string) =>
    stopError(step, what, { out, savedStep, resumedInPlace: s.inPlace && !keepOld, startStep, existing: claim.existing })
  const charsPerSecond = (step: number, secs: number) => ((step - startStep) * T * B) / Math.max(1e-9, secs - secondsBefore)

  const save = () => {
    const imported = importRun(dir)
    const broken = firstNonFinite(imported.latest) ?? firstNonFinite(imported.best)
    if (broken !== null) throw stop(imported.state.progress.step, `a parameter is ${broken} after the update`)
    if (keepOld) { events.kept?.({ path: out, previous: keepPrevious(claim.target, CHECKPOINT_FILE) }); keepOld = false }
    saveCheckpoint(out, imported.checkpoint)
    savedStep = imported.state.progress.step
    last = imported
    events.saved?.(out)
  }
  const onEvent = (e: ScriptEvent) => {
    const n = (k: string) => e[k] as number
    const plural = (k: string, word: string) => `${n(k)} ${word}${n(k) === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`
    switch (e.event) {
      case 'ready': {
        const how = `${String(e.backend)}, ${String(e.device)}, ${plural('threads', 'thread')} each`
        events.engine?.(`PyTorch ${String(e.torch)}: ${plural('processes', 'process')} (${how}) via ${torch.python}`)
        break
      }
      case 'step': {
        const step = n('step'), seconds = n('seconds')
        events.step?.({
          step, target, loss: n('loss'), lr: n('lr'), grad_norm: n('grad_norm'), seconds, chars_per_s: charsPerSecond(step, seconds),
        })
        break
      }
      case 'horizon': {
        const { seconds_per_step: perStep, seconds_per_eval: perEval, at } = e as Record<string, number | undefined>
        target = n('steps')
        events.note?.(horizonNote(opts.config.max_seconds!, perStep!, perEval!, target, at))
        break
      }
      case 'skipped': events.skipped?.({ step: n('step'), reason: String(e.reason) }); break
      case 'eval': events.eval?.(e as unknown as EvalEvent); break
      case 'saved': save(); break
      case 'nan': failure ??= stop(n('step'), String(e.what)); break
      case 'error': failure ??= new UserError(`--engine torch: process ${n('rank')}: ${String(e.message)} (logs: ${logs})`)
        break
      case 'done': stopped = e.stopped as TrainResult['stopped']
    }
  }
  const args = torchrunArgs(dir, t.launch, description.run_id)

  const fin = await runTorchrun(torch.python, dir, args, { onEvent, signal: opts.signal })
  if (failure !== null) throw failure
  if (stopped === null) {
    const why = lastLine(fin.stderr.replace(/^\[[^\]]*\]:/gm, '')) || `exit code ${fin.code ?? fin.signal}`
    throw new UserError(`--engine torch: torchrun stopped before the run ended: ${why} (logs: ${logs})`)
  }
  rmSync(dir, { recursive: true, force: true })
  const done = last as ImportedRun | null
  if (done === null) {
    throw opts.signal?.aborted ? abortError(opts.signal) : new UserError('stopped before the first training step: nothing written')
  }
  const { progress } = done.state
  return {
    steps: progress.step, train_loss: done.state.train_loss, val_loss: done.state.val_loss, best_val_loss: progress.best_val_loss,
    seconds: progress.seconds, chars_per_s: charsPerSecond(progress.step, progress.seconds), checkpoint: out,
    stopped: stopped as TrainResult['stopped'],
    kind: source.kind, tokens: source.tokens, memory: null,
  }
}
