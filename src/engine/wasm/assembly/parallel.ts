/**
 * One product shared between threads (src/engine/kernels/threads.ts): the product is cut into chunks of whole
 * column panels (nn) or 4-row blocks (tn), and every thread runs `work`, which claims chunks one at a
 * time until none are left. A thread that is slow or descheduled just claims fewer: nobody waits for a
 * fixed half. Each output element belongs to exactly one chunk and is computed by the same tiles as in
 * the serial product, so the result does not depend on the number of threads or on who ran what.
 *
 * The job lives in a control block of i32 slots in the shared memory, written by the main thread:
 */
import { gemm_nn_packed_cols, gemm_nt_small_rows, gemm_tn_packed } from './gemm'

const SEQ: usize = 0      // job number; the main thread bumps it last, workers wait on it
const NEXT: usize = 4     // (job number & 0xfff) << 20 | next unclaimed chunk
const DONE: usize = 8     // chunks finished
const CHUNKS: usize = 12  // chunks in this job
const OP: usize = 16      // which product, below
const ARGS: usize = 20    // its arguments: c, a, b, N, P|M, J|K, units per chunk

export const OP_NN: i32 = 1  // gemm_nn_packed over column panels
export const OP_TN: i32 = 2  // gemm_tn_packed over 4-row blocks of C
export const OP_NT: i32 = 3  // gemm_nt_small over 4-row blocks of W (matrix-vector products: sampling)

const TAG_MASK: i32 = ~0xfffff

@inline function arg(ctl: usize, i: i32): i32 {
  return load<i32>(ctl + ARGS + (<usize>i << 2))
}

function runChunk(ctl: usize, i: i32): void {
  const c = <usize>arg(ctl, 0), a = <usize>arg(ctl, 1), b = <usize>arg(ctl, 2)
  const N = arg(ctl, 3), P = arg(ctl, 4), J = arg(ctl, 5), per = arg(ctl, 6)
  const op = load<i32>(ctl + OP)
  if (op == OP_NN) {
    const j0 = i * per * 8
    gemm_nn_packed_cols(c, a, b, N, P, J, j0, min(J, j0 + per * 8))
  } else if (op == OP_NT) {
    // C [N][M] += A [N][K] · W [M][K]ᵀ (P = K, J = M here)
    const m0 = i * per * 4
    gemm_nt_small_rows(c, a, b, N, P, J, m0, min(J, m0 + per * 4))
  } else {
    // C [M][K] rows m0.. (M = P, K = J here); A packed in 4-row blocks of N·16 bytes
    const m0 = i * per * 4
    gemm_tn_packed(c + <usize>m0 * (<usize>J << 2), a + <usize>(m0 >> 2) * (<usize>N << 4), b, N, min(P, m0 + per * 4) - m0, J)
  }
}

/** Claims and runs chunks of job `job` until none are left (or the job is over); returns how many it ran. */
export function work(ctl: usize, job: i32): i32 {
  const tag = (job & 0xfff) << 20
  let ran = 0
  while (true) {
    const v = atomic.load<i32>(ctl + NEXT)
    if ((v & TAG_MASK) != tag || (v & 0xfffff) >= atomic.load<i32>(ctl + CHUNKS)) return ran
    if (atomic.cmpxchg<i32>(ctl + NEXT, v, v + 1) != v) continue
    runChunk(ctl, v & 0xfffff)
    atomic.add<i32>(ctl + DONE, 1)
    ran++
  }
}
