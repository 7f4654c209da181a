/**
 * PyTorch's default initialisation: every RNN weight and bias U(−1/√H, 1/√H) (nn.RNNBase.reset_parameters),
 * and the nn.Linear head's weight and bias U(−1/√fan_in, 1/√fan_in) with fan_in = H, the same bound.
 * Drawn tensor by tensor in state_dict order, so a seed fixes every value.
 */
import type { Params } from '../engine/params.ts'
import type { Rng } from '../engine/rng.ts'
import type { ModelSpec } from './spec.ts'

export function initParams(params: Params, spec: ModelSpec, rng: Rng, forgetBias?: number): void {
  const bound = 1 / Math.sqrt(spec.hidden_size)
  for (const t of params.tensors) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniform(-bound, bound)
  if (spec.cell === 'lstm' && forgetBias !== undefined) setForgetBias(params, spec, forgetBias)
}

/**
 * Sets the LSTM forget gate's total bias to b (Jozefowicz et al. 2015 recommend 1): rows H..2H-1 of
 * bias_ih get b and those of bias_hh 0, since only their sum matters.
 */
export function setForgetBias(params: Params, spec: ModelSpec, b: number): void {
  const H = spec.hidden_size
  for (let k = 0; k < spec.num_layers; k++) {
    const bih = params.tensors.find((t) => t.name === `bias_ih_l${k}`)!.data
    const bhh = params.tensors.find((t) => t.name === `bias_hh_l${k}`)!.data
    bih.fill(b, H, 2 * H)
    bhh.fill(0, H, 2 * H)
  }
}
