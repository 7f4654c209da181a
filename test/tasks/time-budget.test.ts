/**
 * A time budget's horizon (src/tasks/time-budget.ts) on a clock the test moves: measured once at the end of
 * the warm-up, then again at half and three quarters of the budget over the steps since, each new horizon
 * taking over at a knot where the decay had got to. Times are multiples of 1/8 so the sums are exact.
 */
import { describe, expect, it } from 'vitest'
import { decayProgress, type Knot } from '../../src/engine/schedule.ts'
import { TimeBudget, type HorizonFix } from '../../src/tasks/time-budget.ts'

/** A run of `budget` s whose steps take secondsAt(step) each and whose validations 0.25 s; returns every fix. */
function simulate(o: { budget: number; warmup: number; evalEvery: number; stepSeconds: (s: number) => number; steps: number }) {
  const tb = new TimeBudget({ budget: o.budget, startStep: 0, warmup: o.warmup, evalEvery: o.evalEvery })
  let now = 0
  const run: { horizon: number | null; knot: Knot | null } = { horizon: null, knot: null }
  const fixes: (HorizonFix & { step: number })[] = []
  const timeValidation = () => { now += 0.25; return 0.25 }
  for (let step = 1; step <= o.steps && now < o.budget; step++) {
    now += o.stepSeconds(step)
    if (step % o.evalEvery === 0) { now += 0.25; tb.validated(0.25) }
    const fix = tb.afterStep(step, () => now, run, timeValidation)
    if (fix) { run.horizon = fix.horizon; run.knot = fix.knot; fixes.push({ ...fix, step }) }
  }
  return fixes
}

describe('TimeBudget', () => {
  it('fixes the horizon at the end of the warm-up from the steps after the 5th, validation timed', () => {
    const [first] = simulate({ budget: 100, warmup: 30, evalEvery: 1000, stepSeconds: () => 0.125, steps: 30 })
    // step 30 at 3.75 s, then a 0.25 s validation: 95.75 s left after the final validation
    // at 0.125 + 0.25/1000 s a step → 764 more steps
    expect(first).toEqual({ step: 30, horizon: 30 + 764, knot: null, secondsPerStep: 0.125, secondsPerEval: 0.25 })
  })

  it('a machine that slows down: measured again at 50 s and 75 s over the steps since, the decay going on from its knot', () => {
    const fixes = simulate({ budget: 100, warmup: 30, evalEvery: 1000, stepSeconds: (s) => (s <= 30 ? 0.125 : 0.25), steps: 10_000 })
    expect(fixes.map((f) => f.step)).toEqual([30, 214, 314])
    const [, half, threeQuarters] = fixes
    // step 214 at 4 + 184 · 0.25 = 50 s: 0.25 s a step since step 30, 49.75 s left at 0.25025 s a step → 198 more
    expect(half).toMatchObject({ horizon: 214 + 198, secondsPerStep: 0.25, secondsPerEval: 0.25, at: 50 })
    expect(half.knot).toEqual({ step: 214, p: 184 / 764 })
    // step 314 at 75 s: 24.75 s left → 98 more; the knot's progress is the second line's at step 314
    expect(threeQuarters).toMatchObject({ horizon: 314 + 98, at: 75 })
    expect(threeQuarters.knot!.p).toBeCloseTo(decayProgress(314, 412, 30, half.knot), 15)
    expect(threeQuarters.knot!.p).toBeCloseTo(184 / 764 + (1 - 184 / 764) * 100 / 198, 15)
  })

  it('counts validations apart from steps: their time is measured again as their mean over the window', () => {
    const fixes = simulate({ budget: 100, warmup: 30, evalEvery: 50, stepSeconds: () => 0.125, steps: 10_000 })
    const half = fixes[1]
    expect(half.secondsPerStep).toBe(0.125)
    expect(half.secondsPerEval).toBe(0.25)
    // the same speed throughout: the horizon measured again is the first one (within a step of rounding)
    expect(Math.abs(half.horizon - fixes[0].horizon)).toBeLessThanOrEqual(1)
  })

  it('a budget already half gone when the horizon is fixed measures again only at the fractions still ahead', () => {
    const fixes = simulate({ budget: 10, warmup: 40, evalEvery: 1000, stepSeconds: () => 0.125, steps: 10_000 })
    // the warm-up ends at 5 s, the validation at 5.25 s: the first fix, then 7.5 s only
    expect(fixes.map((f) => f.at)).toEqual([undefined, 7.5])
  })
})
