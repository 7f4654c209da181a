/**
 * Every golden case computed by PyTorch in float64 (test/fixtures/golden, or $RNN_GOLDEN_DIR): forward values,
 * losses, all gradients, total state gradients and their norms, optimizer trajectories, clipping,
 * truncated BPTT and ids read through nn.Embedding, compared within the README's float32 tolerances (rtol 1e-4, atol 1e-5), under every
 * kernel implementation (src/engine/kernels/): each must reproduce PyTorch on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clipGradNorm } from '../src/engine/clip.ts'
import { KERNEL_NAMES, kernelName, setKernels } from '../src/engine/kernels/index.ts'
import { createOptimizer, type OptimName } from '../src/engine/optim.ts'
import { Comparer, flat, goldenIndex, loadCase, modelOf, norms, stateOf, targetsOf, f32, type Json } from './helpers/golden.ts'
import type { Model } from '../src/model/model.ts'

const index = goldenIndex()

function expectClean(cmp: Comparer, name: string): void {
  console.log(cmp.summary(name))
  expect(cmp.failures, cmp.failures.join('\n')).toEqual([])
  expect(cmp.count).toBeGreaterThan(0)
}

/** Forward + backward over x[t0, t1) from the given state; returns the loss. */
function run(model: Model, c: Json, t0: number, t1: number, h: Json, cc: Json | undefined) {
  const { batch: B } = c.config
  const T = t1 - t0
  const state = stateOf(h, cc)
  model.params.grad.fill(0)
  const loss = model.forward(f32(c.inputs.x.slice(t0, t1)), targetsOf(c, t0, t1), T, B, state)
  model.backward()
  return { loss, state, T, B }
}

function checkParamGrads(cmp: Comparer, model: Model, grads: Json): void {
  for (const t of model.params.grads) cmp.check(`grad.${t.name}`, t.data, grads[`grad.${t.name}`])
}

function checkForwardBackward(c: Json): Comparer {
  const cmp = new Comparer()
  const model = modelOf(c)
  const { num_layers: L, hidden_size: H, seq_len } = c.config
  const direct: { perExample: number[]; overBatch: number[] }[] = []
  model.onDirectGrad = (l, dh) => { direct[l] = norms(dh, seq_len, c.config.batch, H) }
  const { loss, state, T, B } = run(model, c, 0, seq_len, c.inputs.h0, c.inputs.c0)
  const BH = B * H
  cmp.check('forward.loss', loss, c.forward.loss)
  for (let l = 0; l < L; l++) cmp.check(`forward.layer_outputs[${l}]`, model.layer(l).h.subarray(BH), c.forward.layer_outputs[l])
  cmp.check('forward.output', model.layer(L - 1).h.subarray(BH), c.forward.output)
  cmp.check('forward.head_output', model.outputs(), c.forward.head_output)
  cmp.check('forward.h_n', state.h, c.forward.h_n)
  if (c.forward.c_n !== undefined) cmp.check('forward.c_n', state.c!, c.forward.c_n)
  checkParamGrads(cmp, model, c.grads)
  cmp.check('grad.x', model.inputGrad(), c.grads['grad.x'])
  const dh0 = new Float32Array(L * BH), dc0 = new Float32Array(L * BH)
  for (let l = 0; l < L; l++) { dh0.set(model.layer(l).dh0, l * BH); if (c.inputs.c0) dc0.set(model.layer(l).dc0, l * BH) }
  cmp.check('grad.h0', dh0, c.grads['grad.h0'])
  if (c.grads['grad.c0'] !== undefined) cmp.check('grad.c0', dc0, c.grads['grad.c0'])
  const sg = c.state_grads
  for (let l = 0; l < L; l++) {
    const buf = model.layer(l)
    cmp.check(`dh_total[${l}]`, buf.dh, sg.dh_total[l])
    const n = norms(buf.dh, T, B, H)
    cmp.check(`dh_total_norm_per_example[${l}]`, n.perExample, sg.dh_total_norm_per_example[l])
    cmp.check(`dh_total_norm_over_batch[${l}]`, n.overBatch, sg.dh_total_norm_over_batch[l])
    cmp.check(`dh_direct_norm_per_example[${l}]`, direct[l].perExample, sg.dh_direct_norm_per_example[l])
    cmp.check(`dh_direct_norm_over_batch[${l}]`, direct[l].overBatch, sg.dh_direct_norm_over_batch[l])
    if (sg.dc_total !== undefined) {
      cmp.check(`dc_total[${l}]`, buf.dc, sg.dc_total[l])
      const m = norms(buf.dc, T, B, H)
      cmp.check(`dc_total_norm_per_example[${l}]`, m.perExample, sg.dc_total_norm_per_example[l])
      cmp.check(`dc_total_norm_over_batch[${l}]`, m.overBatch, sg.dc_total_norm_over_batch[l])
    }
  }
  return cmp
}

function checkOptimizer(c: Json): Comparer {
  const cmp = new Comparer()
  const o = c.optimizer
  expect(o.weight_decay ?? 0, 'weight_decay is not supported').toBe(0)
  expect(o.lr_decay ?? 0, 'adagrad lr_decay is not supported').toBe(0)
  expect(o.amsgrad ?? false).toBe(false)
  expect(o.nesterov ?? false).toBe(false)
  expect(o.dampening ?? 0).toBe(0)
  expect(o.centered ?? false).toBe(false)
  expect(o.initial_accumulator_value ?? 0).toBe(0)
  const model = modelOf(c)
  const opt = createOptimizer({ name: o.name as OptimName, momentum: o.momentum ?? 0, betas: o.betas ?? [0.9, 0.999], alpha: o.alpha ?? 0.99, eps: o.eps ?? 1e-8 }, model.params.data.length)
  for (const s of c.steps) {
    const { loss } = run(model, c, 0, c.config.seq_len, c.inputs.h0, c.inputs.c0)
    cmp.check(`steps[${s.step}].loss`, loss, s.loss)
    checkParamGrads(cmp, model, s.grads)
    opt.step(model.params.data, model.params.grad, o.lr)
    for (const t of model.params.tensors) cmp.check(`steps[${s.step}].params.${t.name}`, t.data, s.params[t.name])
  }
  const { loss } = run(model, c, 0, c.config.seq_len, c.inputs.h0, c.inputs.c0)
  cmp.check('final_loss', loss, c.final_loss)
  return cmp
}

function checkClip(c: Json): Comparer {
  const cmp = new Comparer()
  expect(c.norm_type).toBe(2)
  const model = modelOf(c)
  const { loss } = run(model, c, 0, c.config.seq_len, c.inputs.h0, c.inputs.c0)
  cmp.check('loss', loss, c.loss)
  checkParamGrads(cmp, model, c.grads)
  const total = clipGradNorm(model.params.grad, c.max_norm)
  cmp.check('total_norm', total, c.total_norm)
  cmp.check('clip_coef', Math.min(1, c.max_norm / (total + 1e-6)), c.clip_coef)
  checkParamGrads(cmp, model, c.grads_clipped)
  return cmp
}

function checkTbptt(c: Json): Comparer {
  const cmp = new Comparer()
  const model = modelOf(c)
  const { num_layers: L, hidden_size: H, batch: B } = c.config
  const BH = B * H
  // the state leaving chunk k is carried into chunk k+1 as values only: a fresh forward from it
  let h: Json = c.inputs.h0, cc: Json = c.inputs.c0
  let carried = stateOf(h, cc)
  for (const ch of c.chunks) {
    cmp.check(`chunks[${ch.index}].h_init`, carried.h, ch.h_init)
    if (ch.c_init !== undefined) cmp.check(`chunks[${ch.index}].c_init`, carried.c!, ch.c_init)
    const state = carried
    model.params.grad.fill(0)
    const T = ch.t_end - ch.t_start
    const loss = model.forward(f32(c.inputs.x.slice(ch.t_start, ch.t_end)), targetsOf(c, ch.t_start, ch.t_end), T, B, state)
    model.backward()
    const p = `chunks[${ch.index}]`
    cmp.check(`${p}.loss`, loss, ch.loss)
    cmp.check(`${p}.output`, model.layer(L - 1).h.subarray(BH), ch.output)
    cmp.check(`${p}.head_output`, model.outputs(), ch.head_output)
    cmp.check(`${p}.h_n`, state.h, ch.h_n)
    if (ch.c_n !== undefined) cmp.check(`${p}.c_n`, state.c!, ch.c_n)
    for (const t of model.params.grads) cmp.check(`${p}.grad.${t.name}`, t.data, ch.grads[`grad.${t.name}`])
    cmp.check(`${p}.grad.x`, model.inputGrad(), ch.grads['grad.x'])
    const dh0 = new Float32Array(L * BH), dc0 = new Float32Array(L * BH)
    for (let l = 0; l < L; l++) { dh0.set(model.layer(l).dh0, l * BH); if (state.c) dc0.set(model.layer(l).dc0, l * BH) }
    cmp.check(`${p}.grad.h_init`, dh0, ch.grads['grad.h_init'])
    if (ch.grads['grad.c_init'] !== undefined) cmp.check(`${p}.grad.c_init`, dc0, ch.grads['grad.c_init'])
    carried = { h: Float32Array.from(state.h), c: state.c === null ? null : Float32Array.from(state.c) }
  }
  expect(flat(c.chunks).data.length).toBeGreaterThan(0)
  return cmp
}

/** Ids read through nn.Embedding: the forward values and every gradient, embedding.weight's included. */
function checkEmbedding(c: Json): Comparer {
  const cmp = new Comparer()
  const model = modelOf(c)
  const { num_layers: L, hidden_size: H, seq_len: T, batch: B } = c.config
  const state = stateOf(c.inputs.h0, c.inputs.c0)
  model.params.grad.fill(0)
  const loss = model.forward(Int32Array.from(c.inputs.ids.flat()), targetsOf(c), T, B, state)
  model.backward()
  cmp.check('forward.loss', loss, c.forward.loss)
  cmp.check('forward.output', model.layer(L - 1).h.subarray(B * H), c.forward.output)
  cmp.check('forward.head_output', model.outputs(), c.forward.head_output)
  cmp.check('forward.h_n', state.h, c.forward.h_n)
  if (c.forward.c_n !== undefined) cmp.check('forward.c_n', state.c!, c.forward.c_n)
  checkParamGrads(cmp, model, c.grads)
  const dh0 = new Float32Array(L * B * H), dc0 = new Float32Array(L * B * H)
  for (let l = 0; l < L; l++) { dh0.set(model.layer(l).dh0, l * B * H); if (c.inputs.c0) dc0.set(model.layer(l).dc0, l * B * H) }
  cmp.check('grad.h0', dh0, c.grads['grad.h0'])
  if (c.grads['grad.c0'] !== undefined) cmp.check('grad.c0', dc0, c.grads['grad.c0'])
  expect(model.params.tensors[0].name).toBe('embedding.weight')
  return cmp
}

const CHECKS: Record<string, (c: Json) => Comparer> = {
  forward_backward: checkForwardBackward,
  embedding: checkEmbedding,
  optimizer: checkOptimizer,
  clip_grad_norm: checkClip,
  tbptt: checkTbptt,
}

describe.each(KERNEL_NAMES)('golden cases from PyTorch (float64) match the float32 engine, %s kernels', (kernels) => {
  const before = kernelName()
  beforeAll(() => setKernels(kernels))
  afterAll(() => setKernels(before))
  for (const entry of index) {
    it(`${entry.file} (${entry.kind})`, () => {
      const c = loadCase(entry.file)
      const check = CHECKS[c.kind]
      expect(check, `unknown golden kind "${c.kind}"`).toBeDefined()
      expectClean(check(c), c.name)
    })
  }
})
