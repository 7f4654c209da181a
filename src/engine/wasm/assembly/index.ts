/** The wasm kernel module's exports (see src/engine/kernels/wasm.ts for the calling side). */
export {
  gemm_nn, gemm_tn, gemm_nn_packed, gemm_nn_packed_cols, gemm_tn_packed, pack_rows, pack_cols, pack_a4, gemm_nt_small, gemm_nt_small_rows,
} from './gemm'
export { transpose, fill_rows, colsum_add, embed_fwd, embed_fwd_cols, embed_bwd } from './misc'
export { lstm_fwd, lstm_bwd } from './lstm'
export { gru_fwd, gru_bwd } from './gru'
export { rnn_fwd, rnn_bwd } from './rnn'
export { xent, adam } from './step'
export { work } from './parallel'
