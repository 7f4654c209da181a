/**
 * Seeded PRNG: xoshiro128** (Blackman & Vigna), 32-bit state words so it runs on plain JS integers.
 * One generator drives init, dropout, batching and sampling; its four-word state goes into the
 * checkpoint, so a resumed run draws exactly the numbers the uninterrupted run would have drawn.
 */
export type RngState = [number, number, number, number]

export interface Rng {
  /** Uniform in [0, 1) with 32 random bits. */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number
  /** Standard normal (Box-Muller; the spare value is not cached, so state is just the four words). */
  normal(): number
  getState(): RngState
  setState(s: RngState): void
}

/** splitmix32 turns any seed into four well-mixed, not-all-zero state words. */
function seedState(seed: number): RngState {
  let x = (seed >>> 0) ^ 0x9e3779b9
  const out: number[] = []
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    out.push((z ^ (z >>> 16)) >>> 0)
  }
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1
  return out as RngState
}

export function createRng(seed: number): Rng {
  let [a, b, c, d] = seedState(seed)
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    c ^= a; d ^= b; b ^= c; a ^= d
    c ^= t
    d = rotl(d, 11)
    return r
  }
  const next = () => nextU32() / 4294967296
  return {
    next,
    int: (n) => Math.floor(next() * n),
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = 1 - next() // (0, 1]: log is finite
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next())
    },
    getState: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
    setState: (s) => { [a, b, c, d] = s.map((v) => v >>> 0) as RngState },
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
