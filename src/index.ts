/**
 * The library API of rnn: everything the CLI does, as functions. `import { train, sample } from 'rnn'`.
 *
 *   const r = await train({ corpus: 'corpus.txt', config: trainConfig({ cell: 'gru', steps: 500 }) })
 *   console.log(sample(r.checkpoint, { temperature: 0.8, length: 200, seed: 1 }))
 *
 * Errors a user can fix are thrown as UserError with a one-line message naming the file, key or value.
 */
import { resolveTrainConfig, type TrainConfig } from './options/train.ts'
import { createRng } from './engine/rng.ts'
import { UserError } from './errors.ts'
import { unknownMessage } from './data/tokens.ts'
import { loadCheckpoint } from './model/checkpoint/file.ts'
import type { Checkpoint } from './model/checkpoint/schema.ts'
import { loadTextModel, modelFromCheckpoint } from './model/checkpoint/load.ts'
import { sampleText } from './model/sampler.ts'
import { allocParams } from './engine/params.ts'
import { initParams } from './model/init.ts'
import { Model } from './model/model.ts'
import { paramSpecs, type ModelSpec } from './model/spec.ts'

// configuration and training
export { TrainConfig, resolveTrainConfig, DEFAULT_STEPS } from './options/train.ts'
export {
  train, defaultCheckpointPath, type TrainOptions, type TrainResult, type TrainEvents, type StepEvent, type EvalEvent, type TrainMemory,
} from './tasks/train.ts'
// the same run with PyTorch taking the steps (torchrun, DDP), and a run folder's state as a checkpoint
export { trainWithTorch, prepareTorchRun, type TorchOptions, type PreparedRun } from './torch/train.ts'
export { importRun, type ImportedRun } from './torch/import-run.ts'

/** A validated training config: the defaults with `overrides` laid over them (unknown keys and bad values throw). */
export function trainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return resolveTrainConfig({ flags: overrides as Record<string, unknown> })
}

// checkpoints and models
export { loadCheckpoint, saveCheckpoint } from './model/checkpoint/file.ts'
export { specOf, type Checkpoint, type SeriesMeta, type TextMeta } from './model/checkpoint/schema.ts'
export { loadModel, loadTextModel, modelFromCheckpoint } from './model/checkpoint/load.ts'
export { Model, type State } from './model/model.ts'
export { paramSpecs, gateOrder, type ModelSpec } from './model/spec.ts'
export { initParams, setForgetBias } from './model/init.ts'

export { createModel } from './model/create.ts'

// text: sampling and evaluation
export { sampleText, explainText, type SampleOptions, type ExplainedStep, type Candidate } from './model/sampler.ts'
export { evaluateFile as evaluateText, type FileEval } from './tasks/evaluate-file.ts'
export { evaluateIds, type TextEval } from './tasks/evaluate.ts'
export { Vocab } from './data/vocab.ts'
export { WordVocab, tokensOf, type Tokens, type TokenKind } from './data/tokens.ts'
export { wordTokens, joinWords, normalizeWords, UNK } from './data/words.ts'

/** Generates `length` characters (a word model: words) from a text checkpoint (a path or a loaded Checkpoint), prime first. */
export function sample(
  checkpoint: string | Checkpoint,
  o: { temperature?: number; topK?: number; topP?: number; argmax?: boolean; prime?: string; length?: number; seed?: number } = {},
): string {
  const { model, vocab } = typeof checkpoint === 'string' ? loadTextModel(checkpoint) : modelFromCheckpoint(checkpoint)
  if (vocab === null) throw new UserError('sample: a time-series checkpoint; use forecast()')
  const prime = vocab.inVocabForm(o.prime ?? '')
  const unknown = vocab.unknown(prime)
  if (unknown.length > 0) throw new UserError(`prime: ${unknownMessage(vocab, unknown)}`)
  // a word model's tokens are spaced as text (data/words.ts), the prime's first
  const join = vocab.joiner()
  let text = vocab.split(prime).map(join).join('')
  const options = {
    temperature: o.temperature ?? 1, topK: o.topK ?? null, topP: o.topP ?? null, argmax: o.argmax ?? false, prime, length: o.length ?? 500,
  }
  for (const token of sampleText(model, vocab, options, createRng(o.seed ?? 1))) text += join(token)
  return text
}

// time series
export {
  forecast, evaluateSeries, readForModel, codecOf, metrics, type ForecastRow, type SeriesEval, type Metrics,
} from './tasks/forecast.ts'
export { readSeries, type Series, type CsvOptions } from './data/csv.ts'
export { rollingForecast } from './tasks/rolling-forecast.ts'
export { SeriesCodec } from './data/codec.ts'

// looking inside
export {
  inspectGradients, stateGradNorms, fitDecay, summarize, type GradientInspection, type GradientSeries, type LossAt,
} from './inspect/gradients.ts'
export { gradCheck, gradCheckFailures, sampleIndices } from './engine/gradcheck.ts'

// the engine
export { allocParams, view, type Params, type Tensor } from './engine/params.ts'
export { CELLS } from './engine/cells/index.ts'
export { CELL_KINDS, GATES, type CellKind, type Cell, type LayerBuffers } from './engine/cells/cell.ts'
export { createRng, type Rng } from './engine/rng.ts'
export { createOptimizer, type Optimizer, type OptimizerState, type OptimOptions, type OptimName } from './engine/optim.ts'
export { clipGradNorm, clipGradValue, gradNorm } from './engine/clip.ts'
export { crossEntropy, mse } from './engine/loss.ts'
export { setKernels, kernelName, availableKernels, KERNEL_NAMES, type KernelName } from './engine/kernels/index.ts'
export { setThreads, threadCount, defaultThreads, threadsReady, parallelStats, MAX_THREADS } from './engine/kernels/threads.ts'

// PyTorch interchange
export { readSafetensors, writeSafetensors, type SafetensorsFile } from './interop/safetensors.ts'
export { exportTensors, torchName } from './interop/export.ts'
export { importCheckpoint, type ImportOptions } from './interop/import.ts'
export { writeReport } from './report/write-report.ts'
export { defaultExportPath } from './interop/export.ts'
export { describeModel } from './inspect/describe.ts'
export { gradientReport } from './inspect/source.ts'
export { traceState } from './inspect/state.ts'
export { isCsvPath } from './tasks/open-source.ts'

export { UserError }
