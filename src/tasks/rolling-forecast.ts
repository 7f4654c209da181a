/**
 * Forecasting by feeding predictions back: the model reads T rows of context and predicts the next row,
 * which becomes its next input. Used by validation during training, `rnn eval`, `rnn sample --horizon`, the
 * report and the explorer page (which bundles this file, so it imports nothing Node-only).
 */
import type { Rows, SeriesCodec } from '../data/codec.ts'
import type { Model } from '../model/model.ts'

/**
 * Origins forecast together: enough to keep the matrix products wide, few enough that the model's buffers
 * (T × FORECAST_BLOCK positions) stay small whatever the number of rows; every block has this shape (the
 * last is padded), so the model keeps one set of buffers.
 */
export const FORECAST_BLOCK = 256

/** One model, or an ensemble (rnn train --ensemble): its forecast is the median of its members'. */
export type Forecaster = Model | readonly Model[]

/**
 * Rolling forecasts for N origins: origin b reads rows [origins[b] - T, origins[b]) as context and
 * predicts `horizon` rows, feeding each prediction back as the next input. Returns [horizon][N][k] in
 * original units. Origins run FORECAST_BLOCK at a time; each origin's forecast is independent of the others.
 * Each member of an ensemble rolls its own forecasts forward; the result is their median, value by value.
 */
export function rollingForecast(
  f: Forecaster, codec: SeriesCodec, values: readonly ArrayLike<number>[], origins: readonly number[], T: number, horizon: number,
): Float64Array {
  if (!Array.isArray(f)) return forecastOne(f as Model, codec, values, origins, T, horizon)
  const models = f as readonly Model[]
  if (models.length === 1) return forecastOne(models[0], codec, values, origins, T, horizon)
  const each = models.map((m) => forecastOne(m, codec, values, origins, T, horizon))
  const out = new Float64Array(each[0].length), v = new Float64Array(models.length), n = models.length
  for (let i = 0; i < out.length; i++) {
    for (let m = 0; m < n; m++) v[m] = each[m][i]
    v.sort()
    out[i] = n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
  }
  return out
}

function forecastOne(
  model: Model, codec: SeriesCodec, values: readonly ArrayLike<number>[], origins: readonly number[], T: number, horizon: number,
): Float64Array {
  const N = origins.length, k = codec.k, blk = Math.min(FORECAST_BLOCK, N)
  const out = new Float64Array(horizon * N * k)
  const part = new Array<number>(blk)
  for (let s = 0; s < N; s += blk) {
    const n = Math.min(blk, N - s)
    for (let b = 0; b < blk; b++) part[b] = origins[s + Math.min(b, n - 1)]
    const pred = forecastBlock(model, codec, values, part, T, horizon)
    for (let h = 0; h < horizon; h++) out.set(pred.subarray(h * blk * k, (h * blk + n) * k), (h * N + s) * k)
  }
  return out
}

function forecastBlock(
  model: Model, codec: SeriesCodec, values: readonly ArrayLike<number>[], origins: readonly number[], T: number, horizon: number,
): Float64Array {
  const B = origins.length, I = codec.inputSize, k = codec.k
  const out = new Float64Array(horizon * B * k)
  // origin b's rows: the CSV's before the origin, its own forecasts from there on
  const rows: Rows[] = origins.map((o, b) => (i) => (i < o ? values[i] : out.subarray(((i - o) * B + b) * k, ((i - o) * B + b + 1) * k)))
  const x = new Float32Array(T * B * I)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) codec.encodeInput(x, (t * B + b) * I, rows[b], origins[b] - T + t)
  const state = model.zeroState(B)
  model.forward(x, null, T, B, state)
  const step = new Float32Array(B * I)
  const row = new Float64Array(k)
  let y = model.outputs().subarray((T - 1) * B * k, T * B * k)
  for (let h = 0; h < horizon; h++) {
    for (let b = 0; b < B; b++) {
      const i = origins[b] - 1 + h
      codec.decode(row, y, b * k, rows[b], i)
      out.set(row, (h * B + b) * k)
      codec.encodeInput(step, b * I, rows[b], i + 1)
    }
    if (h + 1 < horizon) {
      model.forward(step, null, 1, B, state)
      y = model.outputs().subarray(0, B * k)
    }
  }
  return out
}
