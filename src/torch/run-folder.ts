/**
 * The run folder of --engine torch: everything python/rnn_torch.py needs, written once by the CLI, so a
 * scheduler can run it anywhere the folder is (a shared filesystem on a cluster):
 *
 *   run.json           this file's RunDescription: the model, the batch layout, the optimizer and the
 *                      settings of the loop, plus the parts of the checkpoint only the CLI knows
 *   tokens.i32         text: the training ids, then the validation ids used (int32 little-endian)
 *   series.f32         CSV: every row's encoded input [rows][I], then its target [rows][k] (float32)
 *   init.safetensors   the run's state at its start (see RunState): parameters, best parameters,
 *                      optimizer buffers per parameter, carried state [L][B][H]
 *   rnn_torch.py       the script, copied: the folder runs the script that matches its format
 *   state.safetensors  the script's output at each validation and at the end (import-run.ts reads it)
 */
import {
  closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync,
} from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { TrainConfig } from '../options/train.ts'
import { UserError } from '../errors.ts'
import { OPTIM_NAMES, torchOptions } from '../engine/optim.ts'
import { LR_SCHEDULES } from '../engine/schedule.ts'
import type { Params } from '../engine/params.ts'
import { encodeSafetensors, type F32Tensor } from '../interop/safetensors.ts'
import { Checkpoint, Knot } from '../model/checkpoint/schema.ts'
import { PACKAGE_VERSION } from '../package-version.ts'
import type { SeriesSource } from '../tasks/series-source.ts'
import type { TextSource } from '../tasks/text-source.ts'
import { VALIDATION_CHARS } from '../tasks/text-source.ts'
import { validationStreams } from '../tasks/evaluate.ts'
import type { Run } from '../tasks/train-run.ts'
import { rowsOf } from '../data/codec.ts'

export const RUN_FORMAT = 'rnn-torch-run'
export const RUN_VERSION = 1
export const RUN_FILE = 'run.json', STATE_FILE = 'state.safetensors'
const INIT_FILE = 'init.safetensors'
export const SCRIPT = 'rnn_torch.py', STOP_FILE = 'stop', LOG_DIR = 'logs'
/** The script as shipped in the package (src/torch/ and dist/torch/ are both two levels below the root). */
const SCRIPT_SOURCE = fileURLToPath(new URL(`../../python/${SCRIPT}`, import.meta.url))

const TextLayout = z.strictObject({ train: z.int().positive(), val: z.int().positive(), val_streams: z.int().positive() })
const SeriesLayout = z.strictObject({
  rows: z.int().positive(), first_row: z.int().min(0), windows: z.int().positive(),
  train_rows: z.int().positive(), val_rows: z.int().positive(),
})

export const RunDescription = z.strictObject({
  format: z.literal(RUN_FORMAT), version: z.literal(RUN_VERSION), rnn_version: z.string(), run_id: z.string(),
  kind: z.enum(['text', 'timeseries']), device: z.enum(['cpu', 'cuda']),
  model: Checkpoint.shape.model.omit({ gate_order: true, pool: true }),
  seq_len: z.int().positive(), batch_size: z.int().positive(), seed: z.int().min(0), dropout: z.number(),
  optimizer: z.strictObject({
    name: z.enum(OPTIM_NAMES), momentum: z.number(), betas: z.tuple([z.number(), z.number()]), alpha: z.number(), eps: z.number(),
  }),
  clip: z.number(), clip_value: z.number(), lr_decay: z.number(), eval_every: z.int().positive(), patience: z.int().min(0),
  on_nan: z.enum(['stop', 'skip']), max_seconds: z.number().nullable(),
  // the step the run ends at; null: a time budget's (the horizon the script measures, or the time limit)
  target: z.int().positive().nullable(),
  // the lr schedule (engine/schedule.ts): its config and where its decay ends (absent: at target, or measured)
  schedule: z.strictObject({
    lr_schedule: z.enum(LR_SCHEDULES), warmup: z.int().min(0), lr_floor: z.number(), peak: z.number(),
  }).optional(),
  horizon: z.int().positive().optional(),
  knot: Knot.optional(),                   // where a time budget's horizon measured again took over (engine/schedule.ts)
  data: z.union([TextLayout, SeriesLayout]),
  // what the checkpoint holds that the script neither needs nor changes
  checkpoint: z.strictObject({
    out: z.string(), data: Checkpoint.shape.data, config: TrainConfig, fingerprint: Checkpoint.shape.resume.shape.fingerprint,
  }),
})
export type RunDescription = z.infer<typeof RunDescription>

/** The state metadata of init.safetensors and state.safetensors (key "state", as JSON). */
export const RunState = z.strictObject({
  progress: Checkpoint.shape.progress, cursor: Checkpoint.shape.resume.shape.cursor, lr: z.number().positive(),
  optimizer_step: z.int().min(0), rng: z.tuple([z.int(), z.int(), z.int(), z.int()]),
  train_loss: z.number().nullable(), val_loss: z.number().nullable(),
  // where the schedule's decay ends, once known (a time budget's is measured by the script)
  horizon: z.int().positive().nullable().optional(),
  knot: Knot.nullable().optional(),
})
export type RunState = z.infer<typeof RunState>

/** Where a run writing the checkpoint `out` keeps its folder: beside it, `<name>.torch`. */
export function runFolderOf(out: string): string {
  return out.replace(/\.json$/i, '') + '.torch'
}

/** A fresh folder: an earlier run folder there is replaced; anything else is left alone and refused. */
export function claimRunFolder(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir)
    if (entries.length > 0 && !isRunFolder(dir)) {
      throw new UserError(`${dir}: exists and is not an rnn run folder; move it away or choose another --out`)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  mkdirSync(dir, { recursive: true })
}

function isRunFolder(dir: string): boolean {
  try { return JSON.parse(readFileSync(join(dir, RUN_FILE), 'utf8')).format === RUN_FORMAT } catch { return false }
}

/** Writes the whole folder for `run`, which will write checkpoint `out`. */
export function writeRunFolder(dir: string, run: Run, o: { out: string; device: 'cpu' | 'cuda' }): RunDescription {
  const { cfg, source, spec, T, B } = run
  if (source.kind === 'classifier') throw new Error('a classifier has no torch run')
  const data = source.kind === 'text' ? writeTokens(dir, source as TextSource, B) : writeSeries(dir, source as SeriesSource, T)
  const opt = torchOptions(cfg.optimizer, cfg.momentum)
  const description: RunDescription = {
    format: RUN_FORMAT, version: RUN_VERSION, rnn_version: PACKAGE_VERSION, run_id: randomBytes(6).toString('hex'),
    kind: source.kind, device: o.device,
    model: {
      cell: spec.cell, input_size: spec.input_size, hidden_size: spec.hidden_size, num_layers: spec.num_layers,
      output_size: spec.output_size, input: spec.input, loss: spec.loss,
    },
    seq_len: T, batch_size: B, seed: cfg.seed, dropout: cfg.dropout,
    optimizer: { name: opt.name, momentum: opt.momentum, betas: opt.betas, alpha: opt.alpha, eps: opt.eps },
    clip: cfg.clip, clip_value: cfg.clip_value, lr_decay: cfg.lr_decay, eval_every: cfg.eval_every, patience: cfg.patience ?? 0,
    on_nan: cfg.on_nan, max_seconds: cfg.max_seconds, target: Number.isFinite(run.target) ? run.target : null,
    schedule: { lr_schedule: cfg.lr_schedule, warmup: cfg.warmup, lr_floor: cfg.lr_floor, peak: cfg.lr },
    horizon: run.horizon ?? (Number.isFinite(run.target) ? run.target : undefined), ...(run.knot ? { knot: run.knot } : {}), data,
    checkpoint: { out: o.out, data: source.record(), config: cfg, fingerprint: run.fingerprint },
  }
  writeFileSync(join(dir, RUN_FILE), JSON.stringify(description, null, 1))
  const state: RunState = {
    progress: run.progress, cursor: { ...run.batcher.cursor }, lr: run.lr, optimizer_step: run.opt.state.step,
    rng: run.rng.getState(), train_loss: null, val_loss: null,
  }
  const shape = [spec.num_layers, B, spec.hidden_size]
  writeFileSync(join(dir, INIT_FILE), encodeRunState(run.params, run.params.data, run.best, run.opt.state.buffers, run.state, shape, state))
  copyFileSync(SCRIPT_SOURCE, join(dir, SCRIPT))
  return description
}

/** The tensors of a run state: param.*, best.*, <buffer>.* per parameter, state.h and state.c. */
function encodeRunState(
  params: Params, latest: Float32Array, best: Float32Array, buffers: Record<string, Float32Array>,
  carried: { h: Float32Array; c: Float32Array | null }, shape: number[], state: RunState,
): Uint8Array {
  const tensors: F32Tensor[] = []
  const each = (prefix: string, flat: Float32Array) => {
    for (const t of params.tensors) tensors.push({ name: `${prefix}.${t.name}`, shape: t.shape, data: sliceOf(params, t.name, flat) })
  }
  each('param', latest)
  each('best', best)
  for (const [name, flat] of Object.entries(buffers)) each(name, flat)
  tensors.push({ name: 'state.h', shape, data: carried.h })
  if (carried.c !== null) tensors.push({ name: 'state.c', shape, data: carried.c })
  return encodeSafetensors(tensors, { state: JSON.stringify(state) })
}

/** Tensor `name`'s slice of a buffer laid out like params.data. */
export function sliceOf(params: Params, name: string, flat: Float32Array): Float32Array {
  const t = params.tensors.find((x) => x.name === name)!
  const start = (t.data.byteOffset - params.data.byteOffset) / 4
  return flat.subarray(start, start + t.data.length)
}

function writeTokens(dir: string, source: TextSource, B: number): RunDescription['data'] {
  const val = source.val.subarray(0, VALIDATION_CHARS)
  writeParts(join(dir, 'tokens.i32'), [source.train, val])
  return { train: source.train.length, val: val.length, val_streams: validationStreams(val.length, B) }
}

/** Every row's input and target, encoded as the engine encodes them (data/codec.ts), up to the test rows. */
function writeSeries(dir: string, source: SeriesSource, T: number): RunDescription['data'] {
  const { codec, split } = source, values = source.series.values
  const rows = split.train + split.val, I = codec.inputSize, k = codec.k
  const X = new Float32Array(rows * I), Y = new Float32Array(rows * k)
  for (let i = codec.firstRow; i < rows; i++) {
    codec.encodeInput(X, i * I, rowsOf(values), i)
    if (i + 1 < rows) codec.encodeTarget(Y, i * k, rowsOf(values), i)
  }
  writeParts(join(dir, 'series.f32'), [X, Y])
  const windows = split.train - 1 - codec.firstRow - T + 1
  return { rows, first_row: codec.firstRow, windows, train_rows: split.train, val_rows: split.val }
}

/** The arrays' bytes one after the other, without a copy of them all (a large corpus's ids). */
function writeParts(path: string, parts: readonly (Int32Array | Float32Array)[]): void {
  const fd = openSync(path, 'w')
  try {
    for (const a of parts) {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at)
    }
  } finally {
    closeSync(fd)
  }
}
