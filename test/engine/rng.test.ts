/**
 * The seeded generator: reproducible streams, distinct seeds, exact resume from a saved state (what a
 * checkpoint relies on), and rough distribution sanity for int() and normal().
 */
import { describe, expect, it } from 'vitest'
import { createRng, type Rng } from '../../src/engine/rng.ts'

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next())

describe('rng', () => {
  it('same seed, same stream (through every kind of draw)', () => {
    const a = createRng(42), b = createRng(42)
    const mixed = (r: Rng) => [r.next(), r.int(10), r.uniform(-2, 3), r.normal(), ...draw(r, 50)]
    expect(mixed(a)).toEqual(mixed(b))
  })

  it('different seeds give different streams, including 0 and seeds one apart', () => {
    const streams = [0, 1, 2, 42, 0xffffffff].map((s) => draw(createRng(s), 8).join(','))
    expect(new Set(streams).size).toBe(streams.length)
    // neighbouring seeds are not shifted copies of one another
    const a = draw(createRng(1), 100), b = new Set(draw(createRng(2), 100))
    expect(a.filter((v) => b.has(v)).length).toBe(0)
  })

  it('getState/setState resumes exactly, on the same or a fresh generator', () => {
    const a = createRng(7)
    draw(a, 13); a.normal()
    const saved = a.getState()
    const rest = [...draw(a, 20), a.normal(), a.int(1000)]
    const b = createRng(999)
    b.setState(saved)
    expect([...draw(b, 20), b.normal(), b.int(1000)]).toEqual(rest)
    a.setState(saved)
    expect([...draw(a, 20), a.normal(), a.int(1000)]).toEqual(rest)
  })

  it('state is four unsigned 32-bit words that survive a JSON round trip', () => {
    const a = createRng(3)
    draw(a, 5)
    const s = a.getState()
    expect(s).toHaveLength(4)
    for (const w of s) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true)
    const b = createRng(0)
    b.setState(JSON.parse(JSON.stringify(s)))
    expect(draw(b, 10)).toEqual(draw(a, 10))
  })

  it('getState returns a copy: drawing afterwards does not change it', () => {
    const a = createRng(5)
    const s = a.getState(), copy = [...s]
    draw(a, 10)
    expect(s).toEqual(copy)
  })

  it('next() is in [0, 1); int(n) covers exactly 0..n-1; uniform stays in [lo, hi)', () => {
    const r = createRng(11)
    for (const v of draw(r, 10_000)) expect(v >= 0 && v < 1).toBe(true)
    for (const n of [1, 2, 7, 10]) {
      const seen = new Set<number>()
      for (let i = 0; i < 2000; i++) {
        const k = r.int(n)
        expect(Number.isInteger(k) && k >= 0 && k < n, `int(${n}) gave ${k}`).toBe(true)
        seen.add(k)
      }
      expect(seen.size).toBe(n)
    }
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform(-3, -1)
      expect(u >= -3 && u < -1).toBe(true)
    }
  })

  it('int(n) is roughly uniform', () => {
    const r = createRng(12), n = 7, draws = 70_000
    const counts = new Array(n).fill(0)
    for (let i = 0; i < draws; i++) counts[r.int(n)]++
    // expected 10000 each, sd ≈ 93: ±500 is > 5 sd
    for (const c of counts) expect(Math.abs(c - draws / n)).toBeLessThan(500)
  })

  it('normal() has mean ≈ 0 and variance ≈ 1 over 1e5 draws, and is finite', () => {
    const r = createRng(13), n = 100_000
    let s = 0, s2 = 0, s4 = 0, bad = 0
    for (let i = 0; i < n; i++) {
      const z = r.normal()
      if (!Number.isFinite(z)) bad++
      s += z; s2 += z * z; s4 += z ** 4
    }
    expect(bad).toBe(0)
    const mean = s / n, variance = s2 / n - mean * mean
    // standard errors: mean 1/√n ≈ 0.003, variance √(2/n) ≈ 0.0045, 4th moment (3) ≈ 0.03
    expect(Math.abs(mean)).toBeLessThan(0.02)
    expect(Math.abs(variance - 1)).toBeLessThan(0.03)
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.2)
  })
})
