/**
 * The learning-rate schedule: the lr of every step as a pure function of the step, the run's horizon and
 * the config, so a resumed run takes exactly the steps the uninterrupted one would have taken.
 *
 *   warm-up   steps 1..W: lr · s / W (W = warmup; none when 0)
 *   constant  lr                                    plateau  lr, halved by the loop on validation stalls
 *   cosine    lr · (f + (1 − f) · (1 + cos πp) / 2)  linear   lr · (1 − (1 − f) · p)
 *
 * with p = (s − W) / (H − W) clamped to [0, 1], H the horizon (the step at which the decay reaches the floor
 * f · lr, f = lr_floor) and s the step being taken, counted from 1. `lr` is the run's base rate: --lr,
 * times --lr-decay per epoch and halved by plateau, which the checkpoint stores (resume.lr) with H.
 *
 * A time budget's horizon is measured, and measured again as the run goes (a shared machine's speed drifts):
 * a new horizon keeps the decay's progress p₀ reached at that step s₀ (the knot) and runs it on from there,
 * p = p₀ + (1 − p₀) · (s − s₀) / (H − s₀), so the lr never jumps. The checkpoint stores the knot with H.
 */
export const LR_SCHEDULES = ['constant', 'cosine', 'linear', 'plateau'] as const
export type LrSchedule = (typeof LR_SCHEDULES)[number]

export interface ScheduleConfig { lr_schedule: LrSchedule; warmup: number; lr_floor: number }

/** Where a re-measured horizon took over: the decay's progress p (0..1) when step `step` was taken. */
export interface Knot { step: number; p: number }

/**
 * The factor on the base lr at step s (from 1); horizon null: not known yet (a time budget before it is
 * measured); knot: where the last re-measured horizon took over (null: none).
 */
export function lrFactor(s: number, horizon: number | null, c: ScheduleConfig, knot: Knot | null = null): number {
  const W = c.warmup
  if (W > 0 && s <= W) return s / W
  if (c.lr_schedule === 'constant' || c.lr_schedule === 'plateau' || horizon === null) return 1
  const p = decayProgress(s, horizon, W, knot)
  const f = c.lr_floor
  return c.lr_schedule === 'cosine' ? f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * p)) : 1 - (1 - f) * p
}

/**
 * How far the decay has gone at step s (0..1). Up to a knot the progress is read as a straight line from
 * the warm-up's end to it: the earlier horizon's line when there was one knot.
 */
export function decayProgress(s: number, horizon: number, W: number, knot: Knot | null): number {
  const line = (from: number, p0: number, to: number) => (to <= from ? 1 : p0 + (1 - p0) * (s - from) / (to - from))
  const p = knot === null ? line(W, 0, horizon)
    : s > knot.step ? line(knot.step, knot.p, horizon) : knot.step <= W ? 0 : knot.p * (s - W) / (knot.step - W)
  return Math.min(1, Math.max(0, p))
}

/** Validations without improvement after which plateau halves the base lr (and again after as many more). */
export const PLATEAU_PATIENCE = 2

/** The base lr after a validation: plateau halves it on every PLATEAU_PATIENCE-th stall in a row, never below the floor. */
export function afterValidation(lr: number, evalsSinceBest: number, peak: number, c: ScheduleConfig): number {
  if (c.lr_schedule !== 'plateau' || evalsSinceBest === 0 || evalsSinceBest % PLATEAU_PATIENCE !== 0) return lr
  return Math.max(lr / 2, peak * c.lr_floor)
}

/** Whether the lr depends on the horizon: a time budget measures one only for these (the others run to the time limit). */
export function decays(c: ScheduleConfig): boolean {
  return c.lr_schedule === 'cosine' || c.lr_schedule === 'linear'
}

/** A time budget's speed is measured from this many steps into the run (the first ones compile the kernels)… */
export const MEASURE_AFTER = 5
/** …over at least this many steps, and to the end of the warm-up. */
export const MEASURE_STEPS = 20

/** …and measured again, over the steps since, when these fractions of the budget have passed. */
export const REMEASURE_AT = [0.5, 0.75] as const

/**
 * The horizon of a run trained for a time budget: the steps that fit in the time left at the speed measured
 * so far, validations included. It aims at the whole budget (a horizon aimed short would leave time unused);
 * measured again later in the run, it follows a machine that slowed down or sped up. At least one more step
 * than taken.
 */
export function budgetHorizon(m: {
  step: number; elapsed: number; budget: number; secondsPerStep: number; secondsPerEval: number; evalEvery: number
}): number {
  const left = m.budget - m.elapsed - m.secondsPerEval // the final validation
  const perStep = m.secondsPerStep + m.secondsPerEval / m.evalEvery
  return m.step + Math.max(1, Math.floor(left / perStep))
}

/**
 * What a budgeted run says once its horizon is measured (either engine); `at`: the seconds into the run of
 * a measurement after the first.
 */
export function horizonNote(budget: number, secondsPerStep: number, secondsPerEval: number, steps: number, at?: number): string {
  const speed = `${secondsPerStep.toFixed(3)} s a step, ${secondsPerEval.toFixed(2)} s a validation`
  return at === undefined
    ? `--max-seconds ${budget}: ${speed}, so ${steps} steps (the schedule's horizon, measured again at `
      + `${REMEASURE_AT.map((f) => `${f * budget} s`).join(' and ')})`
    : `--max-seconds ${budget}: at ${at.toFixed(1)} s, ${speed}: the horizon is step ${steps}`
}
