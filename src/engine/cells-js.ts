/**
 * The point-wise half of each cell's time step and the one-hot input layer, in portable TypeScript:
 * the 'js' kernels' versions, and the reference for the wasm ones (src/engine/wasm/assembly/cells.ts,
 * misc.ts). The formulas are documented with each cell in src/engine/cells/*.ts; the code here is what
 * those files held before the kernel layer, moved unchanged so the js path computes the same bits.
 */

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

/** pre [B][4H] = xw + W_hh h in; gates [B][4H] get i, f, g, o (may be pre itself); c, h [B][H] get c_t, h_t. */
export function lstmForward(pre: Float32Array, gates: Float32Array, bhh: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array, B: number, H: number): void {
  const H4 = 4 * H, a = pre
  for (let b = 0; b < B; b++) {
    const ab = b * H4, hb = b * H
    for (let j = 0; j < H; j++) {
      const i = sigmoid(a[ab + j] + bhh[j])
      const f = sigmoid(a[ab + H + j] + bhh[H + j])
      const g = Math.tanh(a[ab + 2 * H + j] + bhh[2 * H + j])
      const o = sigmoid(a[ab + 3 * H + j] + bhh[3 * H + j])
      gates[ab + j] = i; gates[ab + H + j] = f; gates[ab + 2 * H + j] = g; gates[ab + 3 * H + j] = o
      const cv = f * cPrev[hb + j] + i * g
      c[hb + j] = cv
      h[hb + j] = o * Math.tanh(cv)
    }
  }
}

/** dh direct in, total out; dhNext, dcNext from t+1 (dcNext becomes dc·f); dc, da out. */
export function lstmBackward(act: Float32Array, dh: Float32Array, dhNext: Float32Array, dcNext: Float32Array, c: Float32Array, cPrev: Float32Array, dc: Float32Array, da: Float32Array, B: number, H: number): void {
  const H4 = 4 * H
  for (let b = 0; b < B; b++) {
    const ab = b * H4, hb = b * H
    for (let j = 0; j < H; j++) {
      const k = hb + j
      const i = act[ab + j], f = act[ab + H + j], gg = act[ab + 2 * H + j], o = act[ab + 3 * H + j]
      const dhv = dh[k] + dhNext[k] // total dL/dh_t: direct + through step t+1
      dh[k] = dhv
      const tc = Math.tanh(c[k])
      const dcv = dcNext[k] + dhv * o * (1 - tc * tc) // total dL/dc_t
      dc[k] = dcv
      dcNext[k] = dcv * f
      da[ab + j] = dcv * gg * i * (1 - i)
      da[ab + H + j] = dcv * cPrev[k] * f * (1 - f)
      da[ab + 2 * H + j] = dcv * i * (1 - gg * gg)
      da[ab + 3 * H + j] = dhv * tc * o * (1 - o)
    }
  }
}

/** u = xw_t, v = W_hh h + b_hh [B][3H]; cache [B][4H] gets r, z, n, v_n; h [B][H] gets h_t. */
export function gruForward(u: Float32Array, v: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, B: number, H: number): void {
  const H3 = 3 * H, H4 = 4 * H
  for (let b = 0; b < B; b++) {
    const ub = b * H3, cb = b * H4, hb = b * H
    for (let j = 0; j < H; j++) {
      const r = sigmoid(u[ub + j] + v[ub + j])
      const z = sigmoid(u[ub + H + j] + v[ub + H + j])
      const vn = v[ub + 2 * H + j]
      const n = Math.tanh(u[ub + 2 * H + j] + r * vn)
      cache[cb + j] = r; cache[cb + H + j] = z; cache[cb + 2 * H + j] = n; cache[cb + 3 * H + j] = vn
      h[hb + j] = (1 - z) * n + z * hPrev[hb + j]
    }
  }
}

/** dh direct in, total out; dhNext from t+1 in, the direct path dh·z out; du, dv [B][3H] out. */
export function gruBackward(cache: Float32Array, hPrev: Float32Array, dh: Float32Array, dhNext: Float32Array, du: Float32Array, dv: Float32Array, B: number, H: number): void {
  const H3 = 3 * H, H4 = 4 * H
  for (let b = 0; b < B; b++) {
    const ub = b * H3, cb = b * H4, hb = b * H
    for (let j = 0; j < H; j++) {
      const k = hb + j
      const r = cache[cb + j], z = cache[cb + H + j], n = cache[cb + 2 * H + j], vn = cache[cb + 3 * H + j]
      const dhv = dh[k] + dhNext[k] // total dL/dh_t
      dh[k] = dhv
      const dan = dhv * (1 - z) * (1 - n * n)
      const dar = dan * vn * r * (1 - r)
      const daz = dhv * (hPrev[k] - n) * z * (1 - z)
      du[ub + j] = dar; du[ub + H + j] = daz; du[ub + 2 * H + j] = dan
      dv[ub + j] = dar; dv[ub + H + j] = daz; dv[ub + 2 * H + j] = dan * r
      dhNext[k] = dhv * z // the direct path h_{t-1} → h_t; the gate paths are added by the caller
    }
  }
}

/** h [B][H] = act(h + b_hh) in place, act = relu or tanh. */
export function rnnForward(h: Float32Array, bhh: Float32Array, B: number, H: number, relu: boolean): void {
  for (let b = 0, k = 0; b < B; b++) {
    if (relu) for (let j = 0; j < H; j++, k++) { const a = h[k] + bhh[j]; h[k] = a > 0 ? a : 0 }
    else for (let j = 0; j < H; j++, k++) h[k] = Math.tanh(h[k] + bhh[j])
  }
}

/** Over n entries: dh += dhNext (making it the total dL/dh_t), da = dh · act'(a) read back from h. */
export function rnnBackward(h: Float32Array, dh: Float32Array, dhNext: Float32Array, da: Float32Array, n: number, relu: boolean): void {
  if (relu) for (let k = 0; k < n; k++) { dh[k] += dhNext[k]; da[k] = h[k] > 0 ? dh[k] : 0 }
  else for (let k = 0; k < n; k++) { dh[k] += dhNext[k]; da[k] = dh[k] * (1 - h[k] * h[k]) }
}

/** One-hot input times W_ih [GH][V] is a column of W_ih: xw[n] = W_ih[:, id_n] + b_ih (id < 0: just b). */
export function embedForward(xw: Float32Array, ids: Int32Array, w: Float32Array, b: Float32Array, N: number, V: number, GH: number): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n], o = n * GH
    if (id < 0) xw.set(b, o) // an unknown character (eval) reads as the zero vector
    else for (let m = 0; m < GH; m++) xw[o + m] = w[m * V + id] + b[m]
  }
}

/**
 * The gather's backward: each position with id ≥ 0 adds its dxw into the column of its id; every position,
 * an unknown id included (its xw is b itself), adds it into gb.
 */
export function embedBackward(gw: Float32Array, gb: Float32Array, dxw: Float32Array, ids: Int32Array, N: number, V: number, GH: number): void {
  for (let n = 0; n < N; n++) {
    const id = ids[n], o = n * GH
    for (let m = 0; m < GH; m++) {
      const d = dxw[o + m]
      if (id >= 0) gw[m * V + id] += d
      gb[m] += d
    }
  }
}
