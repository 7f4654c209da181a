/**
 * exp, σ and tanh for f32, in f32x4 and scalar forms that run the same IEEE operations, so a value
 * gets the same bits whether it sits in a vector body or a scalar fringe. Wasm has no exp: these are
 * Cephes' expf and tanhf (degree-5 minimax polynomials after range reduction), about 2 ulp, far inside
 * the golden tolerances (rtol 1e-4) and deterministic across machines (no relaxed or host math).
 *
 * exp clamps its argument to [-87.3, 88]: 2^n stays a normal float and never overflows, so σ and tanh
 * saturate cleanly instead of producing inf/inf. NaN stays NaN (the trainer watches for it).
 *
 * Written for V8's x64 code: wasm's f32x4.min/max/floor/trunc_sat must honour NaN and -0 and cost a
 * handful of instructions each, so the clamp uses pmin/pmax (one minps/maxps, NaN kept as the first
 * operand) and the rounding x·log₂e → n uses the 1.5·2²³ trick: adding it leaves n in the low mantissa
 * bits, read as an integer without a conversion. V8 (11.x) also rebuilds every vector constant at each
 * use (3 instructions, inside the loop, often spilled): the constants are read from a table in a
 * data segment instead (one broadcast load each; page 0, below the arena of src/engine/memory.ts).
 */

const LOG2E: f32 = 1.44269504088896341
/** 1.5·2²³: f + MAGIC rounds f to an integer n (|n| < 2²²) held in the low bits of the result. */
const MAGIC: f32 = 12582912.0
const MAGIC_BITS: i32 = 0x4b400000
const LN2_HI: f32 = 0.693359375
const LN2_LO: f32 = -2.12194440e-4
const EXP_LO: f32 = -87.3
const EXP_HI: f32 = 88.0
const P0: f32 = 1.9875691500e-4
const P1: f32 = 1.3981999507e-3
const P2: f32 = 8.3334519073e-3
const P3: f32 = 4.1665795894e-2
const P4: f32 = 1.6666665459e-1
const P5: f32 = 5.0000001201e-1
// tanh(x) = x + x³·T(x²) below TANH_SMALL, where 1 - 2/(e^{2x}+1) would lose digits to cancellation
const TANH_SMALL: f32 = 0.625
const T0: f32 = -5.70498872745e-3
const T1: f32 = 2.06390887954e-2
const T2: f32 = -5.37397155531e-2
const T3: f32 = 1.33314422036e-1
const T4: f32 = -3.33332819422e-1

const TABLE = memory.data<f32>([
  EXP_LO, EXP_HI, LOG2E, MAGIC, LN2_HI, LN2_LO, P0, P1, P2, P3, P4, P5, 1, 2, -0.0, TANH_SMALL, T0, T1, T2, T3, T4,
])
const EXP_BIAS = memory.data<i32>([MAGIC_BITS - 127])
const I_EXP_LO = 0, I_EXP_HI = 1, I_LOG2E = 2, I_MAGIC = 3, I_LN2_HI = 4, I_LN2_LO = 5, I_P0 = 6
const I_ONE = 12, I_TWO = 13, I_SIGN = 14, I_TANH_SMALL = 15, I_T0 = 16

/** Table entry i in all four lanes. */
@inline function k(i: i32): v128 { return v128.load32_splat(TABLE + (<usize>i << 2)) }
/** 1.0 in all lanes, for the cells. */
@inline export function one4(): v128 { return k(I_ONE) }

@inline export function exp1(x: f32): f32 {
  x = min(max(x, EXP_LO), EXP_HI)
  const t = x * LOG2E + MAGIC
  const fx = t - MAGIC // n = round(x·log₂e)
  x = x - fx * LN2_HI
  x = x - fx * LN2_LO
  const z = x * x
  let y = P0 * x + P1
  y = y * x + P2
  y = y * x + P3
  y = y * x + P4
  y = y * x + P5
  y = y * z + x + 1
  // 2^n: n + 127 into the exponent field
  return y * reinterpret<f32>((reinterpret<i32>(t) - (MAGIC_BITS - 127)) << 23)
}

@inline export function exp4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, k(I_EXP_LO)), k(I_EXP_HI))
  const t = f32x4.add(f32x4.mul(x, k(I_LOG2E)), k(I_MAGIC))
  const fx = f32x4.sub(t, k(I_MAGIC))
  x = f32x4.sub(x, f32x4.mul(fx, k(I_LN2_HI)))
  x = f32x4.sub(x, f32x4.mul(fx, k(I_LN2_LO)))
  const z = f32x4.mul(x, x)
  let y = f32x4.add(f32x4.mul(k(I_P0), x), k(I_P0 + 1))
  y = f32x4.add(f32x4.mul(y, x), k(I_P0 + 2))
  y = f32x4.add(f32x4.mul(y, x), k(I_P0 + 3))
  y = f32x4.add(f32x4.mul(y, x), k(I_P0 + 4))
  y = f32x4.add(f32x4.mul(y, x), k(I_P0 + 5))
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), k(I_ONE))
  return f32x4.mul(y, i32x4.shl(i32x4.sub(t, v128.load32_splat(EXP_BIAS)), 23))
}

@inline export function sigmoid1(x: f32): f32 {
  return 1 / (1 + exp1(-x))
}

@inline export function sigmoid4(x: v128): v128 {
  const one = k(I_ONE)
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))))
}

@inline export function tanh1(x: f32): f32 {
  const ax = abs(x)
  if (ax < TANH_SMALL) {
    const z = x * x
    let p = T0 * z + T1
    p = p * z + T2
    p = p * z + T3
    p = p * z + T4
    return p * z * x + x
  }
  const t: f32 = 1 - 2 / (exp1(ax + ax) + 1)
  return x < 0 ? -t : t
}

@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x)
  const z = f32x4.mul(x, x)
  let p = f32x4.add(f32x4.mul(k(I_T0), z), k(I_T0 + 1))
  p = f32x4.add(f32x4.mul(p, z), k(I_T0 + 2))
  p = f32x4.add(f32x4.mul(p, z), k(I_T0 + 3))
  p = f32x4.add(f32x4.mul(p, z), k(I_T0 + 4))
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x)
  const one = k(I_ONE), sign = k(I_SIGN)
  const big = f32x4.sub(one, f32x4.div(k(I_TWO), f32x4.add(exp4(f32x4.add(ax, ax)), one)))
  // copy x's sign onto the large-argument branch (tanh is odd), then pick per lane
  const signed = v128.or(v128.andnot(big, sign), v128.and(x, sign))
  return v128.bitselect(small, signed, f32x4.lt(ax, k(I_TANH_SMALL)))
}
