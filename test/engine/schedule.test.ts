/**
 * The learning-rate schedule (src/engine/schedule.ts) against values worked out by hand: lr 0.01, warm-up
 * 10 steps, horizon 110, floor 0.1 (the decay runs over steps 10..110, so step 60 is half-way).
 */
import { describe, expect, it } from 'vitest'
import { afterValidation, budgetHorizon, horizonNote, lrFactor, type ScheduleConfig } from '../../src/engine/schedule.ts'

const cfg = (lr_schedule: ScheduleConfig['lr_schedule'], warmup = 10): ScheduleConfig => ({ lr_schedule, warmup, lr_floor: 0.1 })
const lr = (s: number, c: ScheduleConfig, horizon: number | null = 110, knot: { step: number; p: number } | null = null) =>
  0.01 * lrFactor(s, horizon, c, knot)

describe('lrFactor', () => {
  it('warms up linearly: step s of W takes lr·s/W', () => {
    for (const kind of ['constant', 'cosine', 'linear', 'plateau'] as const) {
      expect(lr(1, cfg(kind))).toBeCloseTo(0.001, 15)
      expect(lr(5, cfg(kind))).toBeCloseTo(0.005, 15)
      expect(lr(10, cfg(kind))).toBeCloseTo(0.01, 15)
    }
  })

  it('cosine: 0.01 at the end of warm-up, 0.0055 half-way, 0.001 at and after the horizon', () => {
    const c = cfg('cosine')
    expect(lr(11, c)).toBeCloseTo(0.01 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 100))), 15)
    expect(lr(60, c)).toBeCloseTo(0.0055, 15)                  // 0.1 + 0.9 · (1 + cos π/2) / 2 = 0.55
    expect(lr(35, c)).toBeCloseTo(0.01 * (0.1 + 0.9 * (1 + Math.SQRT1_2) / 2), 15) // p = 1/4: cos π/4 = √½
    expect(lr(110, c)).toBeCloseTo(0.001, 15)
    expect(lr(500, c)).toBeCloseTo(0.001, 15)
  })

  it('linear: 0.00775 at a quarter, 0.001 at the horizon', () => {
    const c = cfg('linear')
    expect(lr(35, c)).toBeCloseTo(0.00775, 15)                 // 1 − 0.9 · 0.25
    expect(lr(60, c)).toBeCloseTo(0.0055, 15)
    expect(lr(110, c)).toBeCloseTo(0.001, 15)
  })

  it('constant and plateau hold the base lr; no warm-up starts at full lr; an unmeasured horizon holds it too', () => {
    expect(lr(1, cfg('constant', 0))).toBe(0.01)
    expect(lr(100, cfg('plateau'))).toBe(0.01)
    expect(lr(1, cfg('cosine', 0), 100)).toBeCloseTo(0.01 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 100))), 15)
    expect(lr(50, cfg('cosine'), null)).toBe(0.01)
    // a horizon inside the warm-up: the decay has nothing to run over, the floor follows at once
    expect(lr(11, cfg('cosine'), 5)).toBeCloseTo(0.001, 15)
  })
})

describe('lrFactor after a knot (a horizon measured again)', () => {
  // half-way at step 60 (p = 0.5) the horizon moves from 110 to 160: the other half of the decay runs over 60..160
  const knot = { step: 60, p: 0.5 }
  it('goes on from the progress reached: no jump at the knot, three quarters at step 110, the floor at 160', () => {
    const c = cfg('cosine')
    expect(lr(60, c, 160, knot)).toBeCloseTo(0.0055, 15)
    expect(lr(61, c, 160, knot)).toBeCloseTo(0.01 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.505))), 15)
    expect(lr(110, c, 160, knot)).toBeCloseTo(0.01 * (0.1 + 0.9 * (1 - Math.SQRT1_2) / 2), 15) // p = 3/4: cos 3π/4 = −√½
    expect(lr(160, c, 160, knot)).toBeCloseTo(0.001, 15)
    expect(lr(200, c, 160, knot)).toBeCloseTo(0.001, 15)
    expect(lr(110, cfg('linear'), 160, knot)).toBeCloseTo(0.00325, 15)   // 1 − 0.9 · 0.75
  })

  it('before the knot: the earlier horizon\'s line; a horizon moved earlier steepens the rest', () => {
    const c = cfg('cosine')
    expect(lr(35, c, 160, knot)).toBeCloseTo(lr(35, c), 15)         // p = 1/4, as with horizon 110
    expect(lr(5, c, 160, knot)).toBeCloseTo(0.005, 15)              // the warm-up is untouched
    expect(lr(70, c, 80, knot)).toBeCloseTo(0.01 * (0.1 + 0.9 * (1 - Math.SQRT1_2) / 2), 15) // 0.5 + 0.5 · 10/20
    // a knot at the horizon itself (the decay done): the floor from then on
    expect(lr(111, c, 112, { step: 110, p: 1 })).toBeCloseTo(0.001, 15)
  })
})

describe('afterValidation (plateau)', () => {
  const c = cfg('plateau')
  it('halves the base lr on every second validation without improvement, never below the floor', () => {
    expect(afterValidation(0.01, 0, 0.01, c)).toBe(0.01)
    expect(afterValidation(0.01, 1, 0.01, c)).toBe(0.01)
    expect(afterValidation(0.01, 2, 0.01, c)).toBe(0.005)
    expect(afterValidation(0.005, 3, 0.01, c)).toBe(0.005)
    expect(afterValidation(0.005, 4, 0.01, c)).toBe(0.0025)
    expect(afterValidation(0.0015, 6, 0.01, c)).toBe(0.001)
    expect(afterValidation(0.01, 2, 0.01, cfg('cosine'))).toBe(0.01)
  })
})

describe('budgetHorizon', () => {
  it('fits the steps in the time left after the final validation, validations every eval_every steps included', () => {
    // 60 s: 2 s gone at step 100; left 60 − 2 − 0.5 = 57.5 s at 0.01 + 0.5/100 = 0.015 s a step → 3833 more
    expect(budgetHorizon({ step: 100, elapsed: 2, budget: 60, secondsPerStep: 0.01, secondsPerEval: 0.5, evalEvery: 100 })).toBe(3933)
    // no time left: one more step
    expect(budgetHorizon({ step: 20, elapsed: 70, budget: 60, secondsPerStep: 0.01, secondsPerEval: 0.5, evalEvery: 100 })).toBe(21)
  })
})

describe('horizonNote', () => {
  it('says the speed, the steps and when they are measured again; a later measurement says when and the new horizon', () => {
    expect(horizonNote(900, 0.15, 2.5, 5000)).toBe('--max-seconds 900: 0.150 s a step, 2.50 s a validation, so 5000 steps '
      + "(the schedule's horizon, measured again at 450 s and 675 s)")
    expect(horizonNote(900, 0.2, 2.5, 4200, 450.4)).toBe('--max-seconds 900: at 450.4 s, 0.200 s a step, 2.50 s a validation: '
      + 'the horizon is step 4200')
  })
})
