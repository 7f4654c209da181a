/**
 * Gradient clipping on the flat gradient buffer.
 *
 * clipGradNorm is torch.nn.utils.clip_grad_norm_: total = ‖g‖₂ over every parameter, then
 * g ← g · min(1, max_norm / (total + 1e-6)), never scaling up. It returns the pre-clip norm, which is
 * NaN or Infinity if any gradient is, so the trainer can refuse the step.
 */
export function gradNorm(g: Float32Array): number {
  let s = 0
  for (let i = 0; i < g.length; i++) s += g[i] * g[i]
  return Math.sqrt(s)
}

export function clipGradNorm(g: Float32Array, maxNorm: number): number {
  const total = gradNorm(g)
  const coef = maxNorm / (total + 1e-6)
  if (coef < 1) for (let i = 0; i < g.length; i++) g[i] *= coef
  return total
}

/** torch.nn.utils.clip_grad_value_: clamp every entry to [-v, v]. */
export function clipGradValue(g: Float32Array, v: number): void {
  for (let i = 0; i < g.length; i++) {
    if (g[i] > v) g[i] = v
    else if (g[i] < -v) g[i] = -v
  }
}
