/**
 * Layer 0's input projection xw = W_ih x_t + b_ih for every step at once, and its backward: what the model
 * reads at each step, in one of three ways.
 *
 *   one-hot ids          xw = column id of W_ih, + b_ih (a gather: kernels' embedForward)
 *   ids + embedding      x_t = E[id] (nn.Embedding, embedding.weight [V][E]), then xw = W_ih x_t + b_ih
 *   dense values         xw = W_ih x_t + b_ih
 *
 * The backward pass takes dL/dxw of layer 0 and adds the gradients of W_ih, b_ih (and E), and for dense
 * input leaves dL/dx in the workspace.
 */
import { embeddingBackward, embeddingForward } from '../engine/embedding.ts'
import { kernels, matmul, matmulBackwardW, matmulBackwardX } from '../engine/kernels/index.ts'
import type { ModelSpec } from './spec.ts'
import type { Workspace } from './workspace.ts'

type F = Float32Array

/** Layer 0's input weights and their gradients; emb/gEmb null without an embedding. */
export interface InputWeights {
  readonly w_ih: F; readonly b_ih: F; readonly gw_ih: F; readonly gb_ih: F; readonly emb: F | null; readonly gEmb: F | null
}

export function inputForward(spec: ModelSpec, ws: Workspace, p: InputWeights, x: Int32Array | Float32Array): void {
  const buf = ws.layers[0], GH = buf.G * spec.hidden_size, N = ws.T * ws.B
  if (p.emb !== null) {
    const E = spec.embedding_dim!
    embeddingForward(ws.emb, x as Int32Array, p.emb, N, E)
    matmul(buf.xw, ws.emb, p.w_ih, p.b_ih, N, E, GH)
  } else if (spec.input === 'one_hot') kernels().embedForward(buf.xw, x as Int32Array, p.w_ih, p.b_ih, ws.embedT, N, spec.input_size, GH)
  else matmul(buf.xw, x as Float32Array, p.w_ih, p.b_ih, N, spec.input_size, GH)
}

export function inputBackward(spec: ModelSpec, ws: Workspace, p: InputWeights, x: Int32Array | Float32Array): void {
  const buf = ws.layers[0], GH = buf.G * spec.hidden_size, N = ws.T * ws.B, I = spec.input_size
  if (p.emb !== null) {
    const E = spec.embedding_dim!
    matmulBackwardW(p.gw_ih, p.gb_ih, buf.dxw, ws.emb, N, E, GH)
    ws.demb.fill(0)
    matmulBackwardX(ws.demb, buf.dxw, p.w_ih, N, E, GH)
    embeddingBackward(p.gEmb!, ws.demb, x as Int32Array, N, E)
  } else if (spec.input === 'one_hot') kernels().embedBackward(p.gw_ih, p.gb_ih, buf.dxw, x as Int32Array, ws.embedGradT, N, I, GH)
  else {
    matmulBackwardW(p.gw_ih, p.gb_ih, buf.dxw, x as Float32Array, N, I, GH)
    ws.dx.fill(0)
    matmulBackwardX(ws.dx, buf.dxw, p.w_ih, N, I, GH)
  }
}
