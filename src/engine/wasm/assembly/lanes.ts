/**
 * Shorthands for the cells' SIMD steps (lstm.ts, gru.ts, rnn.ts): loads and stores at float index j of a
 * byte address, and f32x4 arithmetic.
 */

@inline export function ld(p: usize, j: i32): v128 { return v128.load(p + (<usize>j << 2)) }
@inline export function st(p: usize, j: i32, v: v128): void { v128.store(p + (<usize>j << 2), v) }
@inline export function ld1(p: usize, j: i32): f32 { return load<f32>(p + (<usize>j << 2)) }
@inline export function st1(p: usize, j: i32, v: f32): void { store<f32>(p + (<usize>j << 2), v) }
@inline export function add(a: v128, b: v128): v128 { return f32x4.add(a, b) }
@inline export function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b) }
@inline export function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b) }
