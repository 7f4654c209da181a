import { describe, expect, it } from 'vitest'
import { fitStats, SeriesCodec, TRANSFORMS } from '../../src/data/codec.ts'

// a positive target with a growing season, and a feature column that crosses zero
const rows = Array.from({ length: 48 }, (_, t) => Float64Array.of(100 * 1.02 ** t * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)), Math.cos(t) - 0.2))

describe('series transforms', () => {
  for (const transform of TRANSFORMS) {
    it(`${transform}: every row's target encodes and decodes back to itself (to float32 precision)`, () => {
      const codec = new SeriesCodec(fitStats(['y', 'x'], rows, 36, 'rows', undefined, transform), transform)
      const y = new Float32Array(2), back = new Float64Array(2)
      for (let t = 1; t < rows.length; t++) {
        codec.encodeTarget(y, 0, rows[t], rows[t - 1])
        codec.decode(back, y, 0, rows[t - 1])
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
    codec.encodeInput(x, 0, rows[5], rows[4])
    expect(x[2]).toBeCloseTo((Math.log(rows[5][0] / rows[4][0]) - logged[0].diff_mean) / logged[0].diff_std, 5)
    expect(x[3]).toBeCloseTo((rows[5][1] - rows[4][1] - plain[1].diff_mean) / plain[1].diff_std, 5)
  })
})
