/**
 * `rnn train [file]`: flags → config → train() → progress on stderr → summary on stdout.
 * No maths here: the loop lives in src/tasks/train.ts.
 */
import { statSync } from 'node:fs'
import { Command } from 'commander'
import { readConfigFile } from '../../options/config-file.ts'
import { checkOptions } from '../../options/parse.ts'
import { resolveTrainConfig, TRAIN_FLAGS, TrainConfig } from '../../options/train.ts'
import { TORCH_ONLY, TRAIN_RUN_FLAGS, TrainRunOptions } from '../../options/train-run.ts'
import { UserError } from '../../errors.ts'
import { addFlags, pickFlags, readOptions } from '../flags.ts'
import { fmtBytes } from '../memory.ts'
import { colour, fmt, fmtDuration, fmtInt, json, log, result } from '../output.ts'

const READING_NOTE_BYTES = 10_000_000


export function command(): Command {
  const cmd = new Command('train')
    .description('train a character-level language model on a UTF-8 text file')
    .argument('[file]', 'text file to learn (default: the bundled data/moby-dick.txt)')
  addFlags(cmd, TRAIN_RUN_FLAGS, TrainRunOptions)
  addFlags(cmd, TRAIN_FLAGS, TrainConfig)
  cmd.addHelpText('after', `
Examples:
  rnn train                                  # the bundled text, default LSTM
  rnn train corpus.txt --cell gru --hidden 256 --layers 2 --dropout 0.2 --steps 5000
  rnn train corpus.txt --config my.json --lr 1e-3
  rnn train --resume checkpoints/corpus-lstm.json --steps 1000`)
  return cmd.action(run)
}

async function run(file: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const opts = readOptions(TrainRunOptions, TRAIN_RUN_FLAGS, raw)
  // the flags alone first, so a bad value's message names the flag rather than the config key
  const flags = pickFlags(TRAIN_FLAGS, raw)
  checkOptions(TrainConfig.partial(), TRAIN_FLAGS, flags)
  const { loadCheckpoint } = await import('../../index.ts')
  const resume = opts.resume
  const from = resume !== undefined ? loadCheckpoint(resume) : undefined
  const configFile = opts.config
  let config = resolveTrainConfig({ base: from?.config, file: configFile, flags })
  // what the user chose (the config file, then flags): the language model's and the recipe's values fill the rest
  const given = { ...(configFile !== undefined ? readConfigFile(configFile) : {}), ...flags }
  if (config.init_from !== null && from === undefined) {
    // the language model's architecture unless one was asked for (then it must match: init-from.ts)
    const { loadLanguageModel } = await import('../../model/init-from.ts')
    const lm = loadLanguageModel(config.init_from)
    const architecture = (['cell', 'hidden_size', 'num_layers'] as const).filter((k) => given[k] === undefined)
    config = { ...config, ...Object.fromEntries(architecture.map((k) => [k, lm.model[k]])) }
    // and its tokens: a word model's words and embedding width
    if (given.tokens === undefined) config = { ...config, tokens: lm.data.tokenizer !== undefined ? 'word' : 'char' }
    if (given.embed === undefined) config = { ...config, embed: lm.model.embedding_dim ?? null }
  }
  // a text model's size, batch and lr for a time budget, and the schedule, where the user chose none
  const { BUNDLED_TEXT } = await import('../../data/text.ts')
  const corpus = file ?? from?.data.source ?? BUNDLED_TEXT
  const { applyRecipe } = await import('../../options/recipe.ts')
  const recipe = applyRecipe(config, given, { corpusBytes: sizeOf(corpus), resumed: from !== undefined })
  config = recipe.config
  if (recipe.sized) log(colour.dim(recipe.why!))
  checkEngineOptions(opts, pickFlags(TRAIN_RUN_FLAGS, raw))
  const { configChanges } = await import('../../tasks/resume-changes.ts')
  if (from) configChanges(from, config)
  if (opts.printConfig) { json(config); return }
  if (opts.report !== undefined && !/\.html?$/i.test(opts.report))
    throw new UserError(`--report: ${opts.report}: the report is an HTML file; name it *.html`)
  if (opts.report !== undefined && (config.label !== null || from?.kind === 'classifier'))
    throw new UserError('--report: rnn report shows language models and forecasters, not classifiers '
      + '(rnn eval scores a classifier, rnn explore shows it read)')
  const inputs = [
    ...(configFile !== undefined ? [{ path: configFile, what: 'the --config file' }] : []),
    ...(resume !== undefined ? [{ path: resume, what: 'the resumed checkpoint' }] : []),
    ...(config.init_from !== null ? [{ path: config.init_from, what: 'the --init-from language model' }] : []),
  ]
  // the report's path is checked (and held) before training too, not found unusable after it
  const { claimOutput } = await import('../../files/output-file.ts')
  const { REPORT_FILE } = await import('../../report/html.ts')
  const report = opts.report !== undefined
    ? claimOutput(opts.report, {
      kind: REPORT_FILE, flag: '--report', inputs: [{ path: corpus, what: 'the training data' }, ...inputs], force: opts.force,
    })
    : null

  const { train, kernelName, threadCount } = await import('../../index.ts')
  if (opts.verbose) {
    const threads = `${threadCount()} thread${threadCount() === 1 ? '' : 's'}`
    log(colour.dim(`engine: ${kernelName()} kernels, ${threads} for the large products (--kernels, --threads)`))
  }
  const ctrl = new AbortController()
  let signalCode = 0
  // 128 + the signal's number, as a shell reports it; a closed terminal (SIGHUP) saves too
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalCode !== 0) process.exit(codes[sig]) // a second Ctrl-C: stop now (the exit hook still removes the lock)
    signalCode = codes[sig]!
    log(colour.yellow(`\n${sig}: stopping (the checkpoint is saved once a step has been taken)…`))
    ctrl.abort(new UserError(`${sig} before the first training step: stopped, nothing written`, signalCode))
  }
  for (const sig of Object.keys(codes)) process.on(sig, onSignal)
  const progress = await import('../progress.ts')
  const view = progress.trainView({ verbose: opts.verbose })
  try {
    // a large corpus takes a moment to read and encode: say so (Ctrl-C then stops without writing anything)
    const reading = (e: { path: string; bytes: number }) => {
      if (e.bytes >= READING_NOTE_BYTES) log(colour.dim(`reading ${e.path} (${fmtBytes(e.bytes)})…`))
    }
    const trainOpts = {
      config, corpus, from, fromPath: resume, inputs: inputs.filter((i) => i.path !== resume), force: opts.force,
      allowChanges: opts.allowChanges, events: { ...view.events, reading }, signal: ctrl.signal,
    }
    const torch = await import('../../torch/train.ts')
    const launch = { nproc: opts.nproc, nnodes: opts.nnodes, rdzvEndpoint: opts.rdzvEndpoint ?? null }
    const torchOpts = { python: process.env.RNN_PYTHON, device: opts.device, launch }
    // --transform auto on a CSV is several runs, one per transform (tasks/auto-transform.ts), with the built-in engine
    if (opts.engine === 'torch' && config.ensemble > 1) {
      throw new UserError('--ensemble: trains with the built-in engine; leave out --engine torch')
    }
    if (opts.engine === 'torch' && config.transform === 'auto' && config.target !== null && from === undefined) {
      log(colour.yellow('--engine torch: --transform auto (a run per transform) is the built-in engine\'s; '
        + 'using difference (--transform chooses)'))
      trainOpts.config = { ...config, transform: 'difference' }
    }
    if (opts.engine === 'torch' && opts.printLaunch) {
      printLaunch(await torch.prepareTorchRun(trainOpts, torchOpts), opts.json)
      return
    }
    const r = opts.engine === 'torch' ? await torch.trainWithTorch(trainOpts, torchOpts) : await train(trainOpts)
    view.stop()
    if (opts.verbose && r.memory !== null) log(colour.dim(`peak RSS ${fmtBytes(r.memory.peak_rss_bytes)} (process.resourceUsage().maxRSS)`))
    if (opts.report !== undefined) (await import('../../index.ts')).writeReport(r.checkpoint, opts.report)
    if (opts.json) {
      json({
        steps: r.steps, train_loss: r.train_loss, val_loss: r.val_loss, best_val_loss: r.best_val_loss, seconds: round(r.seconds),
        checkpoint: r.checkpoint, stopped: r.stopped, chars_per_s: Math.round(r.chars_per_s), memory: r.memory,
      })
    } else {
      const why = {
        done: '', interrupted: ' (interrupted)', early_stop: ' (early stop: no improvement)', time_limit: ' (time limit)',
      }[r.stopped]
      const unit = r.tokens ?? (r.kind === 'timeseries' ? 'row' : 'char')
      result(`trained ${fmtInt(r.steps)} steps in ${fmtDuration(r.seconds)}${why}, ${fmtInt(r.chars_per_s)} ${unit}s/s`)
      const best = r.best_val_loss
      if (best !== null && r.kind === 'text')
        result(`best validation loss ${fmt(best)} nats/${unit} (${fmt(best / Math.LN2)} bits/${unit})`)
      if (best !== null && r.kind === 'classifier')
        result(`best validation loss ${fmt(best)} (cross-entropy per text; rnn eval gives the test accuracy)`)
      if (best !== null && r.kind === 'timeseries')
        result(`best validation loss ${fmt(best)} (MSE on the normalised scale; rnn eval compares the test rows with baselines)`)
      result(`checkpoint ${r.checkpoint}`)
      if (opts.report !== undefined) result(`report ${opts.report}`)
    }
  } finally {
    report?.release()
    view.stop()
    for (const sig of Object.keys(codes)) process.off(sig, onSignal)
  }
  if (signalCode !== 0) process.exitCode = signalCode
}

/** What a scheduler runs on each machine, and how the result comes back. */
function printLaunch(p: { dir: string; command: string[]; line: string; out: string; steps: number | null }, asJson: boolean): void {
  if (asJson) {
    json({ folder: p.dir, command: p.command, import: ['rnn', 'import-run', p.dir], checkpoint: p.out, steps: p.steps })
    return
  }
  const steps = p.steps === null ? 'steps measured against --max-seconds' : `${fmtInt(p.steps)} steps`
  log(colour.dim(`wrote the run folder ${p.dir} (${steps}); every machine must see it at this path (a shared filesystem)`))
  result(p.line)
  log(colour.dim(`then, where the folder is: rnn import-run ${p.dir} (writes ${p.out}); touch ${p.dir}/stop stops the run and saves it`))
}

/** The engine's options apply to --engine torch only, and several machines only to a printed launch. */
function checkEngineOptions(opts: TrainRunOptions, given: Record<string, unknown>): void {
  const torchOnly = TORCH_ONLY.find((k) => given[k] !== undefined)
  if (opts.engine !== 'torch' && torchOnly !== undefined) {
    throw new UserError(`${TRAIN_RUN_FLAGS.find((r) => r.key === torchOnly)!.flag}: applies to --engine torch`)
  }
  if ((opts.nnodes > 1 || opts.rdzvEndpoint !== undefined) && !opts.printLaunch) {
    const flag = opts.nnodes > 1 ? '--nnodes' : '--rdzv-endpoint'
    throw new UserError(`${flag}: several machines are started by a scheduler; add --print-launch`)
  }
  if (opts.printLaunch && opts.report !== undefined) {
    throw new UserError('--report: --print-launch trains nothing here; run rnn report on the checkpoint rnn import-run writes')
  }
}

/** The corpus's size for the recipe; 0 when it cannot be read (training then says why, in one line). */
function sizeOf(path: string): number {
  try { return statSync(path).size } catch { return 0 }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

