/**
 * The horizon of a run trained for a time budget (--max-seconds without --steps or --epochs, a decaying
 * schedule): measured over the steps after the first MEASURE_AFTER (which compile the kernels), fixed at
 * the end of the warm-up, then measured again over the steps since when each REMEASURE_AT fraction of the
 * budget has passed, each time as a knot, so the decay ends when the budget does even on a machine whose
 * speed drifts (engine/schedule.ts). python/rnn_torch.py measures the same way for --engine torch.
 * Only the process that measured the horizon measures it again: a resumed run keeps what its checkpoint stores.
 */
import { budgetHorizon, decayProgress, MEASURE_AFTER, MEASURE_STEPS, REMEASURE_AT, type Knot } from '../engine/schedule.ts'

export interface HorizonFix {
  horizon: number; knot: Knot | null; secondsPerStep: number; secondsPerEval: number
  /** Seconds into the run of a measurement after the first (undefined: the first). */
  at?: number
}

interface Mark { step: number; seconds: number; validating: number; evals: number }

export class TimeBudget {
  private from: Mark | null = null
  private measured = false
  private next = 0
  private validating = 0
  private evals = 0
  private secondsPerEval = 0

  constructor(private readonly o: { budget: number; startStep: number; warmup: number; evalEvery: number }) {}

  /** A validation of the loop took `seconds` (they are not counted as steps' time). */
  validated(seconds: number): void { this.validating += seconds; this.evals++ }

  /**
   * After step `step`: the horizon and knot to go on with, or null to keep them. `elapsed`: the seconds into
   * the run now; `timeValidation` runs one validation and returns its seconds (for the first measurement).
   */
  afterStep(
    step: number, elapsed: () => number, current: { horizon: number | null; knot: Knot | null }, timeValidation: () => number,
  ): HorizonFix | null {
    const seconds = elapsed()
    const taken = step - this.o.startStep
    if (!this.measured) {
      if (taken === MEASURE_AFTER) this.from = this.mark(step, seconds)
      if (this.from === null || taken < MEASURE_AFTER + MEASURE_STEPS || step < this.o.warmup) return null
      const secondsPerStep = this.perStep(step, seconds)
      this.secondsPerEval = timeValidation()
      const after = elapsed()
      this.measured = true
      this.next = REMEASURE_AT.findIndex((f) => f * this.o.budget > after)
      if (this.next < 0) this.next = REMEASURE_AT.length
      this.from = this.mark(step, after)
      return { horizon: this.horizonAt(step, after, secondsPerStep), knot: null, secondsPerStep, secondsPerEval: this.secondsPerEval }
    }
    if (this.next >= REMEASURE_AT.length || seconds < REMEASURE_AT[this.next] * this.o.budget || current.horizon === null) return null
    while (this.next < REMEASURE_AT.length && REMEASURE_AT[this.next] * this.o.budget <= seconds) this.next++
    const secondsPerStep = this.perStep(step, seconds)
    const evals = this.evals - this.from!.evals
    if (evals > 0) this.secondsPerEval = (this.validating - this.from!.validating) / evals
    const knot = { step, p: decayProgress(step, current.horizon, this.o.warmup, current.knot) }
    this.from = this.mark(step, seconds)
    const horizon = this.horizonAt(step, seconds, secondsPerStep)
    return { horizon, knot, secondsPerStep, secondsPerEval: this.secondsPerEval, at: seconds }
  }

  private mark(step: number, seconds: number): Mark {
    return { step, seconds, validating: this.validating, evals: this.evals }
  }

  private perStep(step: number, seconds: number): number {
    const f = this.from!
    return (seconds - f.seconds - (this.validating - f.validating)) / Math.max(1, step - f.step)
  }

  private horizonAt(step: number, seconds: number, secondsPerStep: number): number {
    return budgetHorizon({
      step, elapsed: seconds, budget: this.o.budget, secondsPerStep, secondsPerEval: this.secondsPerEval, evalEvery: this.o.evalEvery,
    })
  }
}
