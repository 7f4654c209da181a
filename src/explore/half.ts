/** float32 → IEEE binary16 (round to nearest even), for `rnn explore --weights f16`, with the largest error made. */
export function toHalf(a: Float32Array): { half: Uint16Array; maxError: number } {
  const half = new Uint16Array(a.length)
  const f = new Float32Array(1), u = new Uint32Array(f.buffer)
  let maxError = 0
  for (let i = 0; i < a.length; i++) {
    f[0] = a[i]
    const x = u[0], sign = (x >>> 16) & 0x8000, e = (x >>> 23) & 0xff, m = x & 0x7fffff
    let h: number
    if (e === 0xff) h = sign | 0x7c00 | (m !== 0 ? 0x200 : 0)
    else {
      const E = e - 127 + 15
      if (E >= 31) h = sign | 0x7c00
      else if (E <= 0) {
        // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
        if (E < -10) h = sign
        else {
          const mm = m | 0x800000, shift = 14 - E
          let v = mm >>> shift
          const rest = mm & ((1 << shift) - 1), halfway = 1 << (shift - 1)
          if (rest > halfway || (rest === halfway && (v & 1) === 1)) v++
          h = sign | v
        }
      } else {
        let v = (E << 10) | (m >>> 13)
        const rest = m & 0x1fff
        if (rest > 0x1000 || (rest === 0x1000 && (v & 1) === 1)) v++
        h = sign | v
      }
    }
    half[i] = h
    maxError = Math.max(maxError, Math.abs(fromHalf(h) - a[i]))
  }
  return { half, maxError }
}

export function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff
  if (e === 0) return s * m * 2 ** -24
  if (e === 31) return m === 0 ? s * Infinity : NaN
  return s * (1 + m / 1024) * 2 ** (e - 15)
}
