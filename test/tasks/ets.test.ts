import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { etsCandidates, etsForecast, etsLoss, fitEts, fitEtsSpec, type EtsFit } from '../../src/tasks/ets.ts'
import { minimize } from '../../src/tasks/lbfgs.ts'

const column = (path: string, name: string): number[] => {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','))
  const i = head.indexOf(name)
  return rows.map((r) => Number(r[i]))
}
const reference = JSON.parse(readFileSync('test/fixtures/ets/statsmodels.json', 'utf8')) as {
  series: { file: string; column: string; season: number; rows: number; test_rows: number
    variants: { trend: string; season: string; one_step_mae: number; aicc: number | null }[] }[]
}
const oneStepMae = (fit: EtsFit, y: number[], start: number) => {
  const origins = Array.from({ length: y.length - start }, (_, i) => start + i)
  const p = etsForecast(fit, y, origins, 1)
  return origins.reduce((t, o, i) => t + Math.abs(p[i] - y[o]), 0) / origins.length
}

describe('exponential smoothing against statsmodels (fixture from scripts/ets_reference.py)', () => {
  for (const s of reference.series) {
    it(`${s.file}: every variant's one-step MAE within 2%, and the AICc choice`, () => {
      const y = column(s.file, s.column)
      expect(y.length).toBe(s.rows)
      const start = s.rows - s.test_rows, fitRows = y.slice(0, start)
      const specs = etsCandidates(fitRows, s.season)
      expect(specs.map((v) => `${v.trend}/${v.season}`).sort()).toEqual(s.variants.map((v) => `${v.trend}/${v.season}`).sort())
      for (const v of s.variants) {
        const fit = fitEtsSpec(fitRows, specs.find((x) => x.trend === v.trend && x.season === v.season)!)
        expect(Math.abs(oneStepMae(fit, y, start) / v.one_step_mae - 1), `${v.trend}/${v.season}`).toBeLessThan(0.02)
      }
      const theirs = s.variants.filter((v) => v.aicc !== null).sort((a, b) => a.aicc! - b.aicc!)[0]
      expect(Math.abs(oneStepMae(fitEts(fitRows, s.season), y, start) / theirs.one_step_mae - 1)).toBeLessThan(0.02)
    })
  }
})

describe('exponential smoothing', () => {
  it('the hand-written gradient of the sum of squares equals finite differences, for every variant', () => {
    const y = column('data/airline-passengers.csv', 'passengers').slice(0, 48)
    for (const spec of etsCandidates(y, 12)) {
      const loss = etsLoss(Float64Array.from(y, (v) => v / 200), spec)
      // logits of the smoothing values first, then states near the series' scale
      const x = Float64Array.from({ length: loss.size }, (_, i) => (i < 3 ? 0.4 * i - 0.5 : 1 + 0.05 * Math.cos(i)))
      const g = new Float64Array(x.length)
      loss.value(x, g)
      const f = (p: Float64Array) => loss.value(p, null)
      for (let i = 0; i < x.length; i++) {
        const h = 1e-6, xp = x.slice(), xm = x.slice()
        xp[i] += h; xm[i] -= h
        const fd = (f(xp) - f(xm)) / (2 * h)
        expect(Math.abs(g[i] - fd), `${spec.trend}/${spec.season} parameter ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)))
      }
    }
  })

  it('multi-step forecasts follow the recursion by hand (additive trend and season)', () => {
    const fit: EtsFit = { trend: 'add', season: 'add', m: 2, alpha: 0.5, beta: 0.25, gamma: 0.25, level: 10, slope: 1,
      seasonal: [-1, 1], sse: 0, aicc: 0, rows: 0 }
    const y = [10, 13]
    // row 0: ŷ = 10 + 1 − 1 = 10; l = .5(10+1) + .5(11) = 11; b = .25(1) + .75(1) = 1; s = .25(10 − 11) + .75(−1) = −1
    // row 1: ŷ = 11 + 1 + 1 = 13; l = .5(13 − 1) + .5(12) = 12; b = .25(1) + .75 = 1; s = .25(13 − 12) + .75(1) = 1
    // from origin 2: rows 2, 3, 4 = 12 + 1 − 1, 12 + 2 + 1, 12 + 3 − 1
    expect(Array.from(etsForecast(fit, y, [2], 3))).toEqual([12, 15, 14])
    expect(Array.from(etsForecast(fit, y, [0, 1], 1))).toEqual([10, 13])
  })

  it('L-BFGS finds the minimum of a badly scaled quadratic', () => {
    const f = (x: Float64Array, g: Float64Array) => { g[0] = 2 * (x[0] - 3); g[1] = 200 * (x[1] + 1); return (x[0] - 3) ** 2 + 100 * (x[1] + 1) ** 2 }
    const r = minimize(f, [0, 0])
    expect(r.x[0]).toBeCloseTo(3, 6)
    expect(r.x[1]).toBeCloseTo(-1, 6)
  })
})
