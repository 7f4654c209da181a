/**
 * A checkpoint from a model in memory, and back: the one place its record is put together (training's
 * saves, `rnn import`) and taken apart again (resuming). Key order follows the schema, so files read alike.
 */
import type { TrainConfig } from '../../options/train.ts'
import { createOptimizer, torchOptions, type OptimizerState } from '../../engine/optim.ts'
import type { Params } from '../../engine/params.ts'
import { createRng, type Rng, type RngState } from '../../engine/rng.ts'
import type { Knot } from '../../engine/schedule.ts'
import { PACKAGE_VERSION } from '../../package-version.ts'
import type { State } from '../model.ts'
import { gateOrder, type ModelSpec } from '../spec.ts'
import { FORMAT, VERSION } from './format.ts'
import type { Checkpoint, Progress, Resume } from './schema.ts'
import { decodeTensor, encodeTensor } from './tensor.ts'

interface CheckpointParts {
  spec: ModelSpec
  data: Checkpoint['data']
  config: TrainConfig
  /** The best-by-validation parameters: what sample, eval and export use. */
  params: Checkpoint['params']
  progress: Progress
  resume: Resume
}

export function toCheckpoint(p: CheckpointParts): Checkpoint {
  return {
    format: FORMAT, version: VERSION, rnn_version: PACKAGE_VERSION, created: new Date().toISOString(), kind: p.data.kind,
    model: { ...p.spec, gate_order: gateOrder(p.spec.cell) },
    data: p.data, config: p.config, params: p.params, progress: p.progress, resume: p.resume,
  }
}

/** The progress of a run before its first step. */
export function startProgress(): Progress {
  return { step: 0, epoch: 0, chars: 0, seconds: 0, best_val_loss: null, best_step: null, evals_since_best: 0, history: [] }
}

/** What a run needs to continue exactly; `latest` null when the latest parameters are the best ones. */
interface RunState {
  params: Params; latest: Float32Array | null; optimizer: OptimizerState; rng: Rng
  cursor: Resume['cursor']; state: State; batch: number; lr: number; horizon: number | null; knot?: Knot | null
  fingerprint?: Resume['fingerprint']
}

export function resumeOf(r: RunState, spec: ModelSpec): Resume {
  const shape = [spec.num_layers, r.batch, spec.hidden_size]
  return {
    params: r.latest === null ? null : encodeParams(r.params, r.latest),
    optimizer: encodeOptimizer(r.optimizer),
    rng: r.rng.getState(),
    cursor: { ...r.cursor },
    state: {
      h: encodeTensor(r.state.h, shape), c: r.state.c ? encodeTensor(r.state.c, shape) : null,
      ...(r.state.y ? { y: encodeTensor(r.state.y, [r.batch, spec.output_size]) } : {}),
    },
    lr: r.lr,
    horizon: r.horizon,
    ...(r.knot ? { knot: { ...r.knot } } : {}),
    ...(r.fingerprint !== undefined ? { fingerprint: r.fingerprint } : {}),
  }
}

/**
 * The resume record of weights trained elsewhere: zero optimizer buffers of the config's optimizer, the
 * RNG seeded from the config, cursor and carried state at zero; `size` is the number of parameters.
 */
export function freshResume(spec: ModelSpec, config: TrainConfig, size: number): Resume {
  const opt = createOptimizer(torchOptions(config.optimizer, config.momentum), size)
  const buffers = Object.fromEntries(Object.keys(opt.state.buffers).map((k) => [k, new Float32Array(size)]))
  const B = config.batch_size, shape = [spec.num_layers, B, spec.hidden_size]
  const zeros = () => new Float32Array(shape.reduce((a, b) => a * b, 1))
  return {
    params: null,
    optimizer: encodeOptimizer({ name: opt.state.name, step: 0, buffers }),
    rng: createRng(config.seed).getState(),
    cursor: { epoch: 0, chunk: 0 },
    state: {
      h: encodeTensor(zeros(), shape), c: spec.cell === 'lstm' ? encodeTensor(zeros(), shape) : null,
      ...(spec.cell === 'jordan' ? { y: encodeTensor(new Float32Array(B * spec.output_size), [B, spec.output_size]) } : {}),
    },
    lr: config.lr,
  }
}

function encodeOptimizer(s: OptimizerState): Resume['optimizer'] {
  const buffers = Object.fromEntries(Object.entries(s.buffers).map(([k, v]) => [k, encodeTensor(v, [v.length])]))
  return { name: s.name, step: s.step, buffers }
}

/** A buffer laid out like params.data (the best or the latest values), tensor by tensor under their names. */
export function encodeParams(params: Params, data: Float32Array): Checkpoint['params'] {
  const out: Checkpoint['params'] = {}
  params.tensors.forEach((t, i) => { out[t.name] = encodeTensor(viewLike(data, params, i), t.shape) })
  return out
}

/** Resuming: the latest parameters into params.data, the best into `best`, and the RNG's state. */
export function restoreParams(ck: Checkpoint, params: Params, best: Float32Array, rng: Rng): void {
  readParams(params.data, params, ck.resume.params ?? ck.params)
  readParams(best, params, ck.params)
  rng.setState(ck.resume.rng as RngState)
}

export function restoreOptimizer(ck: Checkpoint): OptimizerState {
  const o = ck.resume.optimizer
  return { name: o.name, step: o.step, buffers: Object.fromEntries(Object.entries(o.buffers).map(([k, v]) => [k, decodeTensor(v)])) }
}

/** The hidden (and cell) state, or a Jordan network's last output, the run carried into its next batch. */
export function restoreState(ck: Checkpoint, state: State): void {
  state.h.set(decodeTensor(ck.resume.state.h))
  if (state.c && ck.resume.state.c) state.c.set(decodeTensor(ck.resume.state.c))
  if (state.y && ck.resume.state.y) state.y.set(decodeTensor(ck.resume.state.y))
}

/** Copies a checkpoint's tensors into `buf`, laid out like params.data. */
function readParams(buf: Float32Array, params: Params, set: Checkpoint['params']): void {
  params.tensors.forEach((t, i) => viewLike(buf, params, i).set(decodeTensor(set[t.name])))
}

/** Tensor i's slice of a buffer laid out like params.data (offsets relative to it: it may sit inside a larger memory). */
function viewLike(buf: Float32Array, params: Params, i: number): Float32Array {
  const t = params.tensors[i]
  const start = (t.data.byteOffset - params.data.byteOffset) / 4
  return buf.subarray(start, start + t.data.length)
}
