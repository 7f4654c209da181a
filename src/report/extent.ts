/**
 * The smallest and largest of a list by a loop: Math.min(...xs) passes every element as an argument, which
 * overflows the call stack at around 100,000 of them (a long training history, a wide layer).
 */
export function minOf(xs: ArrayLike<number>): number {
  let m = Infinity
  for (let i = 0; i < xs.length; i++) if (xs[i] < m || Number.isNaN(xs[i])) m = xs[i]
  return m
}

export function maxOf(xs: ArrayLike<number>): number {
  let m = -Infinity
  for (let i = 0; i < xs.length; i++) if (xs[i] > m || Number.isNaN(xs[i])) m = xs[i]
  return m
}
