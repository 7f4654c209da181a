import { describe, expect, it } from 'vitest'
import { fitStats, lagOf, rowsOf, SeriesCodec, TRANSFORMS } from '../../src/data/codec.ts'

// a positive target with a growing season, and a feature column that crosses zero
const rows = Array.from({ length: 48 }, (_, t) => Float64Array.of(100 * 1.02 ** t * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)), Math.cos(t) - 0.2))

describe('series transforms', () => {
  for (const transform of TRANSFORMS) {
    it(`${transform}: every row's target encodes and decodes back to itself (to float32 precision)`, () => {
      const codec = new SeriesCodec(fitStats(['y', 'x'], rows, 36, 'rows', undefined, transform, lagOf(transform, 12)), transform, 12)
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
