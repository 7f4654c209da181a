/**
 * The 'wasm' kernels: the Kernels interface over the exports of kernels.wasm. Arrays that live in the
 * shared memory (allocF32 with wasm active) are passed as byte offsets: nothing is copied. An array from
 * elsewhere (a test's own Float32Array, an allocation after the reservation ran out) makes that one call
 * run on temporary copies in wasm memory, outputs copied back; if even those do not fit, the call goes
 * to the js kernels. That path allocates; the training loop never takes it.
 */
import type { Kernels } from './interface.ts'
import { heapAlloc, heapMemory, freeF32 } from '../memory.ts'
import type { Parallel } from './threads.ts'
import type { WasmKernels } from '../wasm/module.ts'

type F = Float32Array
type Arg = F | Int32Array | null

/** Row count from which a product packs its B operand per call (measured: bench/kernels.ts). */
const PACK_ROWS = 128
/** Below this many rows x · wᵀ runs as dot products on w in place (sampling: 1 row). */
const SMALL_N = 4

export function createWasmKernels(W: WasmKernels, par: Parallel, fallback: Kernels): Kernels {
  const buffer = heapMemory()!.buffer
  const on = (a: Arg): boolean => a === null || a.buffer === buffer
  const p = (a: Arg): number => (a === null ? 0 : a.byteOffset)

  /** Persistent scratch in wasm memory, grown on demand (outside any loop once shapes are known). */
  const pk: F[] = [new Float32Array(0), new Float32Array(0)]
  let ids: Int32Array = new Int32Array(0)
  const packScratch = (n: number, slot = 0): F | null => {
    if (pk[slot].length >= n) return pk[slot]
    freeF32(pk[slot])
    const a = heapAlloc(Math.max(n, 2 * pk[slot].length))
    pk[slot] = a ?? new Float32Array(0)
    return a
  }
  /** Floats of B [P][J] packed in 8-column panels (gemm.ts pack_rows / pack_cols). */
  const packed = (P: number, J: number): number => Math.ceil(J / 8) * 8 * P
  /** A prepared weight the fast path can use: in wasm memory and large enough. */
  const ready = (wp: F, P: number, J: number): boolean => wp.buffer === buffer && wp.length >= packed(P, J)
  const idsOf = (src: Int32Array, n: number): Int32Array | null => {
    if (src.buffer === buffer) return src
    if (ids.length < n) {
      freeF32(new Float32Array(ids.buffer, ids.byteOffset, ids.length))
      const a = heapAlloc(Math.max(n, 2 * ids.length))
      ids = a === null ? new Int32Array(0) : new Int32Array(a.buffer, a.byteOffset, a.length)
      if (a === null) return null
    }
    ids.set(src.subarray(0, n))
    return ids
  }

  /**
   * Runs `fast` on arrays all in wasm memory: foreign ones are replaced by copies of their first
   * lens[i] entries (outputs, bit i of outs, copied back afterwards). `slow` runs if copies do not fit.
   */
  function viaCopies(args: Arg[], lens: number[], outs: number, fast: (a: Arg[]) => void, slow: () => void): void {
    const tmp: Arg[] = [], owned: F[] = []
    for (let i = 0; i < args.length; i++) {
      const a = args[i]
      if (on(a)) { tmp.push(a); continue }
      const c = heapAlloc(Math.max(1, lens[i]))
      if (c === null) { owned.forEach(freeF32); slow(); return }
      owned.push(c)
      const isInt = a instanceof Int32Array
      const view = isInt ? new Int32Array(c.buffer, c.byteOffset, lens[i]) : c.subarray(0, lens[i])
      view.set(a!.subarray(0, lens[i]) as never)
      tmp.push(view)
    }
    fast(tmp)
    for (let i = 0; i < args.length; i++) if ((outs >> i) & 1 && tmp[i] !== args[i]) args[i]!.set(tmp[i]!.subarray(0, lens[i]) as never)
    owned.forEach(freeF32)
  }

  /** out += x · wᵀ: wᵀ packed into panels for this call (cost M·K against N·M·K), or dot products for a few rows. */
  function matmulAdd(out: F, x: F, w: F, N: number, K: number, M: number): void {
    if (!(on(out) && on(x) && on(w))) {
      viaCopies([out, x, w], [N * M, N * K, M * K], 0b1,
        (a) => matmulAdd(a[0] as F, a[1] as F, a[2] as F, N, K, M),
        () => fallback.matmulAdd(out, x, w, N, K, M))
      return
    }
    const t = N >= SMALL_N ? packScratch(packed(K, M)) : null
    if (t === null) { par.ntSmall(out.byteOffset, x.byteOffset, w.byteOffset, N, K, M); return }
    W.pack_cols(t.byteOffset, w.byteOffset, M, K)
    par.nnPacked(out.byteOffset, x.byteOffset, t.byteOffset, N, K, M)
  }

  function setBias(out: F, b: F | null, N: number, M: number): void {
    if (b === null) out.fill(0, 0, N * M)
    else W.fill_rows(out.byteOffset, b.byteOffset, N, M)
  }

  const k: Kernels = {
    name: 'wasm',
    matmul(out, x, w, b, N, K, M) {
      if (!(on(out) && on(x) && on(w) && on(b))) {
        viaCopies([out, x, w, b], [N * M, N * K, M * K, M], 0b1,
          (a) => k.matmul(a[0] as F, a[1] as F, a[2] as F, a[3] as F | null, N, K, M),
          () => fallback.matmul(out, x, w, b, N, K, M))
        return
      }
      setBias(out, b, N, M)
      matmulAdd(out, x, w, N, K, M)
    },
    matmulAdd,
    matmulBackwardX(dx, dout, w, N, K, M) {
      if (!(on(dx) && on(dout) && on(w))) {
        viaCopies([dx, dout, w], [N * K, N * M, M * K], 0b1,
          (a) => k.matmulBackwardX(a[0] as F, a[1] as F, a[2] as F, N, K, M),
          () => fallback.matmulBackwardX(dx, dout, w, N, K, M))
        return
      }
      // packing w pays back over many rows; a few rows (one time step) read it in place
      const t = N >= PACK_ROWS ? packScratch(packed(M, K)) : null
      if (t === null) { W.gemm_nn(dx.byteOffset, dout.byteOffset, w.byteOffset, N, M, K); return }
      W.pack_rows(t.byteOffset, w.byteOffset, M, K)
      par.nnPacked(dx.byteOffset, dout.byteOffset, t.byteOffset, N, M, K)
    },
    matmulBackwardW(dw, db, dout, x, N, K, M) {
      if (!(on(dw) && on(db) && on(dout) && on(x))) {
        viaCopies([dw, db, dout, x], [M * K, M, N * M, N * K], 0b11,
          (a) => k.matmulBackwardW(a[0] as F, a[1] as F | null, a[2] as F, a[3] as F, N, K, M),
          () => fallback.matmulBackwardW(dw, db, dout, x, N, K, M))
        return
      }
      // both operands packed into contiguous panels (gemm.ts gemm_tn_packed): it pays when many
      // row blocks (M / 4) reuse the B panels
      const tb = M >= PACK_ROWS ? packScratch(packed(N, K)) : null
      const ta = tb === null ? null : packScratch(Math.ceil(M / 4) * 4 * N, 1)
      if (tb === null || ta === null) W.gemm_tn(dw.byteOffset, dout.byteOffset, x.byteOffset, N, M, K)
      else {
        W.pack_rows(tb.byteOffset, x.byteOffset, N, K)
        W.pack_a4(ta.byteOffset, dout.byteOffset, N, M)
        par.tnPacked(dw.byteOffset, ta.byteOffset, tb.byteOffset, N, M, K)
      }
      if (db !== null) W.colsum_add(db.byteOffset, dout.byteOffset, N, M)
    },
    prepareForward(wp, w, M, K) {
      if (ready(wp, K, M) && on(w)) W.pack_cols(wp.byteOffset, w.byteOffset, M, K)
    },
    prepareBackward(wp, w, M, K) {
      if (ready(wp, M, K) && on(w)) W.pack_rows(wp.byteOffset, w.byteOffset, M, K)
    },
    matmulPrepared(out, x, w, wp, b, N, K, M) {
      if (!(on(out) && on(x) && on(b) && ready(wp, K, M))) { k.matmul(out, x, w, b, N, K, M); return }
      setBias(out, b, N, M)
      par.nnPacked(out.byteOffset, x.byteOffset, wp.byteOffset, N, K, M)
    },
    matmulAddPrepared(out, x, w, wp, N, K, M) {
      if (!(on(out) && on(x) && ready(wp, K, M))) { matmulAdd(out, x, w, N, K, M); return }
      par.nnPacked(out.byteOffset, x.byteOffset, wp.byteOffset, N, K, M)
    },
    matmulBackwardXPrepared(dx, dout, w, wp, N, K, M) {
      if (!(on(dx) && on(dout) && ready(wp, M, K))) { k.matmulBackwardX(dx, dout, w, N, K, M); return }
      par.nnPacked(dx.byteOffset, dout.byteOffset, wp.byteOffset, N, M, K)
    },
    lstmForward(pre, gates, bhh, cPrev, c, h, B, H) {
      const BH = B * H
      if (!(on(pre) && on(gates) && on(bhh) && on(cPrev) && on(c) && on(h))) {
        viaCopies([pre, gates, bhh, cPrev, c, h], [4 * BH, 4 * BH, 4 * H, BH, BH, BH], 0b110010,
          (v) => k.lstmForward(...(v as [F, F, F, F, F, F]), B, H),
          () => fallback.lstmForward(pre, gates, bhh, cPrev, c, h, B, H))
        return
      }
      W.lstm_fwd(p(pre), p(gates), p(bhh), p(cPrev), p(c), p(h), B, H)
    },
    lstmBackward(act, dh, dhNext, dcNext, c, cPrev, dc, da, B, H) {
      const BH = B * H
      if (!(on(act) && on(dh) && on(dhNext) && on(dcNext) && on(c) && on(cPrev) && on(dc) && on(da))) {
        viaCopies([act, dh, dhNext, dcNext, c, cPrev, dc, da], [4 * BH, BH, BH, BH, BH, BH, BH, 4 * BH], 0b11001010,
          (v) => k.lstmBackward(...(v as [F, F, F, F, F, F, F, F]), B, H),
          () => fallback.lstmBackward(act, dh, dhNext, dcNext, c, cPrev, dc, da, B, H))
        return
      }
      W.lstm_bwd(p(act), p(dh), p(dhNext), p(dcNext), p(c), p(cPrev), p(dc), p(da), B, H)
    },
    gruForward(u, v, hPrev, h, cache, B, H) {
      const BH = B * H
      if (!(on(u) && on(v) && on(hPrev) && on(h) && on(cache))) {
        viaCopies([u, v, hPrev, h, cache], [3 * BH, 3 * BH, BH, BH, 4 * BH], 0b11000,
          (a) => k.gruForward(...(a as [F, F, F, F, F]), B, H),
          () => fallback.gruForward(u, v, hPrev, h, cache, B, H))
        return
      }
      W.gru_fwd(p(u), p(v), p(hPrev), p(h), p(cache), B, H)
    },
    gruBackward(cache, hPrev, dh, dhNext, du, dv, B, H) {
      const BH = B * H
      if (!(on(cache) && on(hPrev) && on(dh) && on(dhNext) && on(du) && on(dv))) {
        viaCopies([cache, hPrev, dh, dhNext, du, dv], [4 * BH, BH, BH, BH, 3 * BH, 3 * BH], 0b111100,
          (a) => k.gruBackward(...(a as [F, F, F, F, F, F]), B, H),
          () => fallback.gruBackward(cache, hPrev, dh, dhNext, du, dv, B, H))
        return
      }
      W.gru_bwd(p(cache), p(hPrev), p(dh), p(dhNext), p(du), p(dv), B, H)
    },
    rnnForward(h, bhh, B, H, relu) {
      if (!(on(h) && on(bhh))) {
        viaCopies([h, bhh], [B * H, H], 0b1,
          (a) => k.rnnForward(a[0] as F, a[1] as F, B, H, relu),
          () => fallback.rnnForward(h, bhh, B, H, relu))
        return
      }
      W.rnn_fwd(h.byteOffset, bhh.byteOffset, B, H, relu ? 1 : 0)
    },
    rnnBackward(h, dh, dhNext, da, n, relu) {
      if (!(on(h) && on(dh) && on(dhNext) && on(da))) {
        viaCopies([h, dh, dhNext, da], [n, n, n, n], 0b1010,
          (a) => k.rnnBackward(...(a as [F, F, F, F]), n, relu),
          () => fallback.rnnBackward(h, dh, dhNext, da, n, relu))
        return
      }
      W.rnn_bwd(h.byteOffset, dh.byteOffset, dhNext.byteOffset, da.byteOffset, n, relu ? 1 : 0)
    },
    embedForward(xw, idsIn, w, b, wT, N, V, GH) {
      const id = idsOf(idsIn, N)
      if (id === null || !(on(xw) && on(w) && on(b) && on(wT))) { fallback.embedForward(xw, idsIn, w, b, wT, N, V, GH); return }
      // transposing W_ih (V·GH) pays when the positions outnumber the vocabulary; else read its columns
      if (N <= V) { W.embed_fwd_cols(xw.byteOffset, id.byteOffset, w.byteOffset, b.byteOffset, N, V, GH); return }
      W.transpose(wT.byteOffset, w.byteOffset, GH, V, 0)
      W.embed_fwd(xw.byteOffset, id.byteOffset, wT.byteOffset, b.byteOffset, N, GH)
    },
    crossEntropy(logits, targetsIn, N, V, dlogits) {
      const tg = idsOf(targetsIn, N), rows = packScratch(2 * N, 1)
      if (tg === null || rows === null || !(on(logits) && on(dlogits))) return fallback.crossEntropy(logits, targetsIn, N, V, dlogits)
      let counted = 0
      for (let n = 0; n < N; n++) if (targetsIn[n] >= 0) counted++
      const inv = 1 / counted
      W.xent(logits.byteOffset, tg.byteOffset, dlogits === null ? 0 : dlogits.byteOffset, rows.byteOffset, N, V, inv)
      // the loss from each row's Σ exp and max, summed in float64 like loss.ts
      let total = 0
      for (let n = 0; n < N; n++) {
        const k = targetsIn[n]
        if (k >= 0) total += Math.log(rows[2 * n]) + rows[2 * n + 1] - logits[n * V + k]
      }
      return total / counted
    },
    adam(p, g, m, v, b1, c1, b2, c2, stepSize, bc2Sqrt, eps) {
      if (!(on(p) && on(g) && on(m) && on(v))) return false
      W.adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, p.length, b1, c1, b2, c2, stepSize, bc2Sqrt, eps)
      return true
    },
    embedBackward(gw, gb, dxw, idsIn, gT, N, V, GH) {
      const id = idsOf(idsIn, N)
      if (id === null || !(on(gw) && on(gb) && on(dxw) && on(gT))) { fallback.embedBackward(gw, gb, dxw, idsIn, gT, N, V, GH); return }
      gT.fill(0, 0, V * GH)
      W.embed_bwd(gT.byteOffset, gb.byteOffset, dxw.byteOffset, id.byteOffset, N, GH)
      W.transpose(gw.byteOffset, gT.byteOffset, V, GH, 1)
    },
  }
  return k
}
