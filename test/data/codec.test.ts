import { describe, expect, it } from 'vitest'
import { fitStats, rowsOf, SeriesCodec, TRANSFORMS } from '../../src/data/codec.ts'

// a positive target with a growing season, and a feature column that crosses zero
const rows = Array.from({ length: 48 }, (_, t) => Float64Array.of(100 * 1.02 ** t * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)), Math.cos(t) - 0.2))

describe('series transforms', () => {
  for (const transform of TRANSFORMS) {
    it(`${transform}: every row's target encodes and decodes back to itself (to float32 precision)`, () => {
      const codec = new SeriesCodec(fitStats(['y', 'x'], rows, 36, 'rows', undefined, transform, 12), transform, 12)
      const y = new Float32Array(2), back = new Float64Array(2)
      for (let t = codec.firstRow + 1; t < rows.length; t++) {
        codec.encodeTarget(y, 0, rowsOf(rows), t - 1)
        codec.decode(back, y, 0, rowsOf(rows), t - 1)
        for (let j = 0; j < 2; j++) expect(Math.abs(back[j] - rows[t][j])).toBeLessThan(1e-6 * Math.max(1, Math.abs(rows[t][j])) * 4)
      }
    })
  }

  it('the log transforms normalise the logarithm of the target and leave the features alone', () => {
    const plain = fitStats(['y', 'x'], rows, 36, 'rows', undefined, 'difference')
    const logged = fitStats(['y', 'x'], rows, 36, 'rows', undefined, 'log-difference')
    const mean = rows.slice(0, 36).reduce((s, r) => s + Math.log(r[0]), 0) / 36
    expect(logged[0].mean).toBeCloseTo(mean, 12)
    expect(logged[1]).toEqual(plain[1])
    const codec = new SeriesCodec(logged, 'log-difference')
    const x = new Float32Array(4)
    codec.encodeInput(x, 0, rowsOf(rows), 5)
    expect(x[2]).toBeCloseTo((Math.log(rows[5][0] / rows[4][0]) - logged[0].diff_mean) / logged[0].diff_std, 5)
    expect(x[3]).toBeCloseTo((rows[5][1] - rows[4][1] - plain[1].diff_mean) / plain[1].diff_std, 5)
  })
})

describe('seasonal differences', () => {
  const m = 12
  for (const transform of ['seasonal-difference', 'log-seasonal-difference'] as const) {
    it(`${transform}: the change is taken one season back, and a predicted change of zero repeats last season (seasonal naive)`, () => {
      const stats = fitStats(['y', 'x'], rows, 36, 'rows', undefined, transform, m)
      const codec = new SeriesCodec(stats, transform, m)
      expect(codec.firstRow).toBe(m)
      const g = transform.startsWith('log') ? Math.log : (v: number) => v
      const x = new Float32Array(4)
      codec.encodeInput(x, 0, rowsOf(rows), 20)
      expect(x[2]).toBeCloseTo((g(rows[20][0]) - g(rows[8][0]) - stats[0].diff_mean) / stats[0].diff_std, 5)
      expect(x[3]).toBeCloseTo((rows[20][1] - rows[8][1] - stats[1].diff_mean) / stats[1].diff_std, 5)
      // the statistics are those of the lag-12 changes of the training rows
      const changes = Array.from({ length: 36 - m }, (_, i) => g(rows[i + m][0]) - g(rows[i][0]))
      expect(stats[0].diff_mean).toBeCloseTo(changes.reduce((a, b) => a + b, 0) / changes.length, 10)
      const y = Float32Array.from(stats.map((s) => -s.diff_mean / s.diff_std)), back = new Float64Array(2)
      codec.decode(back, y, 0, rowsOf(rows), 30)
      expect(back[0]).toBeCloseTo(rows[31 - m][0], 3)
      expect(back[1]).toBeCloseTo(rows[31 - m][1], 5)
    })
  }
})

describe('es: the target over its level and seasonal index', () => {
  const m = 12
  // the rows above with noise (without it their level and season explain them exactly: see the next test)
  const noisy = rows.map((r, t) => Float64Array.of(r[0] * (1 + 0.05 * Math.sin(7.3 * t)), r[1]))
  const ln = (t: number) => Math.log(noisy[t][0])
  const level = (t: number) => Array.from({ length: m }, (_, q) => ln(t - q)).reduce((a, b) => a + b) / m

  it('reads the level and the seasonal index from the rows before, as the formulas say', () => {
    const stats = fitStats(['y', 'x'], noisy, 40, 'rows', undefined, 'es', m)
    const codec = new SeriesCodec(stats, 'es', m)
    expect(codec.firstRow).toBe(2 * m)
    expect(stats[0].diff_std).toBeGreaterThan(0.01)
    // row 40's index: the mean log ratio to the level at rows 28, 16 (row 4 has no full season before it)
    const seasonal = ((ln(28) - level(28)) + (ln(16) - level(16))) / 2
    const x = new Float32Array(4)
    codec.encodeInput(x, 0, rowsOf(noisy), 40)
    expect(x[0]).toBeCloseTo((ln(40) - level(40) - stats[0].mean) / stats[0].std, 5)
    expect(x[2]).toBeCloseTo((ln(40) - level(39) - seasonal - stats[0].diff_mean) / stats[0].diff_std, 5)
    // the feature takes first differences
    expect(x[3]).toBeCloseTo((noisy[40][1] - noisy[39][1] - stats[1].diff_mean) / stats[1].diff_std, 5)
  })

  it('a series that is a level growing steadily times a fixed season leaves the network nothing to learn', () => {
    const season = [1.3, 0.8, 1.1, 0.9, 1.2, 0.7, 1.0, 1.05, 0.95, 1.15, 0.85, 1.0]
    const pure = Array.from({ length: 60 }, (_, t) => Float64Array.of(50 * 1.01 ** t * season[t % m]))
    const stats = fitStats(['y'], pure, 48, 'pure', undefined, 'es', m)
    // the change (the log ratio to the level-and-season forecast) is the same at every row
    expect(stats[0].diff_std).toBeLessThan(1e-9)
    const codec = new SeriesCodec(stats, 'es', m)
    const y = Float32Array.of(0), back = new Float64Array(1)
    for (let t = 2 * m; t < 59; t++) {
      codec.decode(back, y, 0, rowsOf(pure), t)
      expect(back[0] / pure[t + 1][0]).toBeCloseTo(1, 9)
    }
  })
})
