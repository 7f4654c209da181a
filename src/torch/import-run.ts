/**
 * A run folder's state as an rnn checkpoint: run.json says what the model and the data are, the state file
 * (state.safetensors, written by python/rnn_torch.py) holds the parameters, the best parameters, the
 * optimizer's buffers per parameter (torch.optim's state, laid out again as the engine's flat buffers), the
 * carried state and the progress. The checkpoint is the one the built-in engine would have written at the
 * same step, so `rnn train --resume` continues it with either engine.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import { BUFFERS } from '../engine/optim.ts'
import { sizeOf, type Params, type Tensor } from '../engine/params.ts'
import { createRng, type RngState } from '../engine/rng.ts'
import { float32Of, readSafetensors, type SafetensorsFile } from '../interop/safetensors.ts'
import { encodeParams, resumeOf, toCheckpoint } from '../model/checkpoint/build.ts'
import { Checkpoint } from '../model/checkpoint/schema.ts'
import { paramSpecs, type ModelSpec } from '../model/spec.ts'
import { RUN_FILE, RUN_FORMAT, RUN_VERSION, RunDescription, RunState, sliceOf, STATE_FILE } from './run-folder.ts'

export interface ImportedRun {
  checkpoint: Checkpoint
  description: RunDescription
  state: RunState
  /** The latest and the best parameters, laid out like the engine's flat buffer. */
  latest: Float32Array
  best: Float32Array
}

function readRunDescription(dir: string): RunDescription {
  const path = join(dir, RUN_FILE)
  if (!existsSync(path)) {
    throw new UserError(`${dir}: not an rnn run folder (no ${RUN_FILE}; rnn train --engine torch --print-launch writes one)`)
  }
  let raw: unknown
  try { raw = JSON.parse(readFileSync(path, 'utf8')) } catch { throw new UserError(`${path}: invalid or truncated JSON`) }
  if ((raw as { format?: unknown })?.format !== RUN_FORMAT) {
    throw new UserError(`${path}: not an rnn run description (no "format": "${RUN_FORMAT}")`)
  }
  const version = (raw as { version?: unknown }).version
  if (version !== RUN_VERSION) {
    const newer = typeof version === 'number' && version > RUN_VERSION ? ', written by a newer rnn' : ''
    throw new UserError(`${path}: run format ${String(version)}${newer}; this rnn reads format ${RUN_VERSION}`)
  }
  const r = RunDescription.safeParse(raw)
  if (!r.success) throw new UserError(`${path}: ${r.error.issues[0].path.join('.') || '(top level)'}: ${r.error.issues[0].message}`)
  return r.data
}

/** The checkpoint of the run's latest saved state; a UserError when the run saved none yet. */
export function importRun(dir: string): ImportedRun {
  const description = readRunDescription(dir)
  const file = join(dir, STATE_FILE)
  if (!existsSync(file)) throw new UserError(`${dir}: no ${STATE_FILE} yet: the run has not reached its first validation or its end`)
  const st = readSafetensors(file)
  const state = stateOf(file, st)
  const spec: ModelSpec = description.model
  const params = plainParams(spec)
  const B = description.batch_size
  const latest = params.data
  const best = new Float32Array(latest.length)
  readInto(file, st, params, 'param', latest)
  readInto(file, st, params, 'best', best)
  const name = description.optimizer.name
  const buffers = Object.fromEntries(BUFFERS[name].map((b) => [b, new Float32Array(latest.length)]))
  for (const [b, flat] of Object.entries(buffers)) readInto(file, st, params, b, flat)
  const shape = [spec.num_layers, B, spec.hidden_size]
  const carried = { h: tensor(file, st, 'state.h', shape), c: spec.cell === 'lstm' ? tensor(file, st, 'state.c', shape) : null }
  const rng = createRng(0)
  rng.setState(state.rng as RngState)
  const { progress } = state
  const isBest = progress.best_step === progress.step || progress.best_step === null
  const resume = resumeOf({
    params, latest: isBest ? null : latest, optimizer: { name, step: state.optimizer_step, buffers }, rng,
    cursor: state.cursor, state: carried, batch: B, lr: state.lr, horizon: state.horizon ?? description.horizon ?? description.target,
    knot: state.horizon != null ? state.knot : description.knot,
    fingerprint: description.checkpoint.fingerprint,
  }, spec)
  const { data, config } = description.checkpoint
  const ck = toCheckpoint({ spec, data, config, params: encodeParams(params, best), progress, resume })
  const parsed = Checkpoint.safeParse(ck)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UserError(`${dir}: the run does not make a valid checkpoint: ${issue.path.join('.')}: ${issue.message}`)
  }
  return { checkpoint: parsed.data, description, state, latest, best }
}

/** Parameters in plain arrays (not the engine's arena: a checkpoint is made at every validation). */
function plainParams(spec: ModelSpec): Params {
  const specs = paramSpecs(spec)
  const data = new Float32Array(specs.reduce((n, s) => n + sizeOf(s.shape), 0))
  const tensors: Tensor[] = []
  let at = 0
  for (const s of specs) {
    tensors.push({ name: s.name, shape: s.shape, data: data.subarray(at, at + sizeOf(s.shape)) })
    at += sizeOf(s.shape)
  }
  return { data, grad: new Float32Array(0), tensors, grads: [] }
}

function stateOf(file: string, st: SafetensorsFile): RunState {
  let raw: unknown
  try { raw = JSON.parse(st.metadata.state ?? '') } catch { throw new UserError(`${file}: __metadata__.state is missing or not JSON`) }
  const r = RunState.safeParse(raw)
  if (!r.success) throw new UserError(`${file}: __metadata__.state.${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`)
  return r.data
}

/** `<prefix>.<name>` of every parameter into its slice of `flat`. */
function readInto(file: string, st: SafetensorsFile, params: Params, prefix: string, flat: Float32Array): void {
  for (const t of params.tensors) sliceOf(params, t.name, flat).set(tensor(file, st, `${prefix}.${t.name}`, t.shape))
}

function tensor(file: string, st: SafetensorsFile, name: string, shape: readonly number[]): Float32Array {
  const t = st.tensors.get(name)
  if (t === undefined) throw new UserError(`${file}: no tensor "${name}"`)
  if (t.shape.join() !== shape.join()) throw new UserError(`${file}: tensor "${name}" has shape [${t.shape}], expected [${shape}]`)
  return float32Of(file, t)
}
