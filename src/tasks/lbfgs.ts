/**
 * Limited-memory BFGS with a backtracking (Armijo) line search: minimises a smooth function of a few hundred
 * parameters from its value and gradient. Used to fit exponential smoothing (ets.ts); small enough to read.
 */
interface MinimizeResult { x: Float64Array; f: number; iterations: number }

/** f(x, grad) returns the value and writes the gradient into grad; Infinity means "outside the domain". */
export function minimize(
  f: (x: Float64Array, grad: Float64Array) => number, x0: ArrayLike<number>, o: { maxIter?: number; memory?: number; tol?: number } = {},
): MinimizeResult {
  const n = x0.length, maxIter = o.maxIter ?? 200, mem = o.memory ?? 8, tol = o.tol ?? 1e-10
  let x = Float64Array.from(x0), g = new Float64Array(n)
  let fx = f(x, g)
  if (!Number.isFinite(fx)) return { x, f: fx, iterations: 0 }
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = []
  const dir = new Float64Array(n), xn = new Float64Array(n), gn = new Float64Array(n), alpha = new Float64Array(mem)
  let it = 0
  for (; it < maxIter; it++) {
    // two-loop recursion: dir = −H·g
    for (let i = 0; i < n; i++) dir[i] = -g[i]
    for (let k = S.length - 1; k >= 0; k--) { alpha[k] = rho[k] * dot(S[k], dir); axpy(-alpha[k], Y[k], dir) }
    if (S.length > 0) { const k = S.length - 1; scale(dot(S[k], Y[k]) / dot(Y[k], Y[k]), dir) }
    for (let k = 0; k < S.length; k++) { const beta = rho[k] * dot(Y[k], dir); axpy(alpha[k] - beta, S[k], dir) }
    let slope = dot(g, dir)
    if (!(slope < 0)) { for (let i = 0; i < n; i++) dir[i] = -g[i]; slope = -dot(g, g); S.length = Y.length = rho.length = 0 }
    if (slope === 0) break
    // first step of plain gradient descent is scaled to a unit move
    let step = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1
    let fn = Infinity
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * dir[i]
      fn = f(xn, gn)
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * step * slope) break
      step *= 0.5
    }
    if (!(Number.isFinite(fn) && fn <= fx)) break
    const s = new Float64Array(n), y = new Float64Array(n)
    for (let i = 0; i < n; i++) { s[i] = xn[i] - x[i]; y[i] = gn[i] - g[i] }
    const sy = dot(s, y)
    if (sy > 1e-12 * dot(y, y)) {
      if (S.length === mem) { S.shift(); Y.shift(); rho.shift() }
      S.push(s); Y.push(y); rho.push(1 / sy)
    }
    const done = fx - fn <= tol * Math.max(1, Math.abs(fx))
    ;[x, g] = [Float64Array.from(xn), Float64Array.from(gn)]
    fx = fn
    if (done) break
  }
  return { x, f: fx, iterations: it }
}

function dot(a: Float64Array, b: Float64Array): number { let t = 0; for (let i = 0; i < a.length; i++) t += a[i] * b[i]; return t }
function axpy(a: number, x: Float64Array, y: Float64Array): void { for (let i = 0; i < x.length; i++) y[i] += a * x[i] }
function scale(a: number, x: Float64Array): void { for (let i = 0; i < x.length; i++) x[i] *= a }
