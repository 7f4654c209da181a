import { describe, expect, it } from 'vitest'
import { IntervalScore, quantile } from '../../src/tasks/intervals.ts'
import { levels } from '../../src/options/parse.ts'

describe('prediction intervals', () => {
  it('quantiles interpolate between order statistics (type 7)', () => {
    const e = [-3, -1, 0, 2, 10]
    expect(quantile(e, 0)).toBe(-3)
    expect(quantile(e, 1)).toBe(10)
    expect(quantile(e, 0.5)).toBe(0)
    expect(quantile(e, 0.1)).toBeCloseTo(-2.2, 12) // position 0.4 between -3 and -1
    expect(quantile(e, 0.9)).toBeCloseTo(6.8, 12) // position 3.6 between 2 and 10
  })

  it('coverage and interval score by hand', () => {
    // 80% bands (α = 0.2, penalty 2/α = 10): inside, inside on the edge, 1 below, 2 above
    const s = new IntervalScore(80)
    s.add(5, 4, 6)
    s.add(6, 4, 6)
    s.add(3, 4, 6)
    s.add(8, 4, 6)
    // widths 2 each; misses 10·1 and 10·2
    expect(s.result()).toEqual({ level: 80, coverage: 0.5, interval_score: (4 * 2 + 10 + 20) / 4 })
  })

  it('--level lists percentages strictly between 0 and 100, or none', () => {
    expect(levels('95,80,80')).toEqual([80, 95])
    expect(levels('50')).toEqual([50])
    expect(levels('none')).toEqual([])
    for (const bad of ['', '0', '100', '80,x', '-5']) expect(() => levels(bad), bad).toThrow(/percentages between 0 and 100/)
  })
})
