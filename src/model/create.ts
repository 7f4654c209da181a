/** A fresh model: the parameters of an architecture, with PyTorch's default initialisation (init.ts). */
import { allocParams } from '../engine/params.ts'
import { createRng, type Rng } from '../engine/rng.ts'
import { initParams } from './init.ts'
import { Model } from './model.ts'
import { paramSpecs, type ModelSpec } from './spec.ts'

/** Drawn from `rng` (training goes on drawing from it), else from a new one seeded with `seed` (default 1). */
export function createModel(spec: ModelSpec, o: { seed?: number; rng?: Rng; forgetBias?: number } = {}): Model {
  const params = allocParams(paramSpecs(spec))
  initParams(params, spec, o.rng ?? createRng(o.seed ?? 1), o.forgetBias)
  return new Model(spec, params)
}
