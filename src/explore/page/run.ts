/**
 * The model in the page: the engine's own Model, sampler and gradient inspection (bundled from src/ at
 * build time, js kernels), so every number the views draw is the CLI's. An input is the text box parsed
 * into steps: characters of a text model or a classifier, or CSV rows encoded with the checkpoint's codec.
 * A classifier's output after step t is its class probabilities had the text ended there (inspect-state's),
 * and its loss sits at the head after the last step, against one label.
 */
import { rowsOf, SeriesCodec } from '../../data/codec.ts'
import { rollingForecast, type Forecaster } from '../../tasks/rolling-forecast.ts'
import { band, calibrate } from '../../tasks/intervals.ts'
import { Vocab } from '../../data/vocab.ts'
import { kernels } from '../../engine/kernels/index.ts'
import { allocParams, type Params } from '../../engine/params.ts'
import { createRng } from '../../engine/rng.ts'
import { forwardForInspection, inspectGradients, type GradientInspection, type LossAt, type Window } from '../../inspect/gradients.ts'
import { stepProbabilities } from '../../inspect/class-state.ts'
import { classifyTexts } from '../../tasks/classify.ts'
import { createModel } from '../../model/create.ts'
import { Model } from '../../model/model.ts'
import { explainText, sampleText, type ExplainedStep } from '../../model/sampler.ts'
import { paramSpecs, type CellKind, type ModelSpec } from '../../model/spec.ts'
import { decodeWeights, type PageData } from './data.ts'

/** The text box as steps: what step t reads (x) and, for all but the last step, what it predicts. */
export interface Input {
  readonly T: number
  readonly x: Int32Array | Float32Array
  /** Targets of steps 0..T-2 (the last step has no next character or row); a classifier: none (see window()). */
  readonly targets: Int32Array | Float32Array
  /** A short label per step: the character, or the row's target value. */
  readonly labels: string[]
  /** Time series: the raw rows, target first (for forecasts in original units). */
  readonly rows: number[][] | null
}

/** Prediction intervals of a forecast: [level][step] bounds, and the number of origins they were calibrated on. */
export interface Intervals { levels: number[]; origins: number; lower: number[][]; upper: number[][] }

/** What rnn sample's flags say, by their window.rnn names (topK / topP null: no cut). */
export interface SampleRequest {
  prime: string; length: number; temp: number; topK: number | null; topP: number | null; seed: number; argmax?: boolean
}

/** One forward pass over an input, per layer and step, copied out of the engine's buffers. */
export interface Trace {
  readonly T: number
  /** [layer][t][unit]: h_t after reading step t. */
  readonly h: Float32Array[][]
  /** [layer][t][unit], LSTM only. */
  readonly c: Float32Array[][] | null
  /** [layer][t][G·H]: the gate activations of LSTM (i,f,g,o) and GRU (r,z,n); null for plain RNNs. */
  readonly gates: Float32Array[][] | null
  /**
   * [t][O]: softmax over the vocabulary (text), the forecast of the next row in original units (series), or
   * a classifier's class probabilities had the text ended after step t.
   */
  readonly out: Float64Array[]
}

export class Runner {
  readonly vocab: Vocab | null
  readonly codec: SeriesCodec | null
  /** A classifier's classes (null for other models). */
  readonly classes: string[] | null
  readonly params: Params
  private readonly feedModel: Model
  private readonly gradModel: Model
  private forecaster: Forecaster | null = null
  private classifier: Model | null = null

  constructor(readonly data: PageData) {
    const spec = data.spec
    this.params = allocParams(paramSpecs(spec))
    this.params.data.set(decodeWeights(data.weights, this.params.data.length))
    this.feedModel = new Model(spec, this.params)
    this.gradModel = new Model(spec, this.params)
    this.vocab = data.vocab === null ? null : new Vocab(data.vocab)
    this.codec = data.series === null ? null : new SeriesCodec(data.series.columns, data.series.transform, data.series.season)
    this.classes = data.classifier?.classes ?? null
  }

  get spec(): ModelSpec { return this.data.spec }

  /** The text box as steps; throws an Error naming what cannot be read (unknown characters, bad numbers). */
  parse(text: string): Input {
    if (this.vocab !== null) {
      const unknown = this.vocab.unknown(text)
      if (unknown.length > 0)
        throw new Error(`characters not in the model's vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`)
      const ids = this.vocab.encode(text)
      return { T: ids.length, x: ids, targets: this.classes !== null ? new Int32Array(0) : ids.slice(1), labels: [...text], rows: null }
    }
    const codec = this.codec!, k = codec.k
    const rows = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line, i) => {
      const v = line.split(/[,;\s]+/).map(Number)
      const names = this.data.series!.columns.map((c) => c.name).join(', ')
      if (v.length !== k || v.some((n) => !Number.isFinite(n)))
        throw new Error(`row ${i + 1}: expected ${k} number${k > 1 ? 's' : ''} (${names}), got "${line}"`)
      return v
    })
    const first = codec.firstRow, T = rows.length - first
    if (T < 1) throw new Error(`needs at least ${first + 1} rows`)
    const I = codec.inputSize
    const x = new Float32Array(T * I), targets = new Float32Array(Math.max(0, T - 1) * k)
    for (let t = 0; t < T; t++) {
      const r = first + t
      codec.encodeInput(x, t * I, rowsOf(rows), r)
      if (t < T - 1) codec.encodeTarget(targets, t * k, rowsOf(rows), r)
    }
    return { T, x, targets, labels: rows.slice(first).map((r) => String(r[0])), rows }
  }

  /** Forward over every step of the input from a zero state. */
  trace(input: Input): Trace {
    const m = this.feedModel, { T } = input, { hidden_size: H, num_layers: L } = this.spec
    m.forward(input.x, null, T, 1, m.zeroState(1))
    const tr = this.traceOf(input, [m, T])
    if (this.classes === null) return tr
    const out = stepProbabilities(m, m.layer(L - 1).h.subarray(H, (T + 1) * H), T).map((p) => Float64Array.from(p))
    return { ...tr, out }
  }

  /**
   * The trace and the gradient views' backward pass from ONE forward pass: the gradient window (steps
   * 0…T-2, the loss at `lossAt`) runs on the gradient model, as the first half of what `rnn
   * inspect-gradients` runs, and the last step on the feed model from the state it left. finish() is the
   * second half (the gradient model's buffers must still hold this forward pass). Null for a classifier
   * (its window is every step, its outputs its head's) and for a single step.
   */
  traceForGradients(input: Input, lossAt: LossAt): { trace: Trace; finish: () => GradientInspection } | null {
    if (this.classes !== null || input.T < 2) return null
    const T = input.T, I = this.codec?.inputSize ?? 1, f = forwardForInspection(this.gradModel, this.window(input), lossAt)
    this.feedModel.forward(input.x.subarray((T - 1) * I, T * I), null, 1, 1, f.state)
    return { trace: this.traceOf(input, [this.gradModel, T - 1], [this.feedModel, 1]), finish: f.finish }
  }

  /** The input's steps copied out of the buffers of the models that ran them, in order: [model, steps]. */
  private traceOf(input: Input, ...parts: [Model, number][]): Trace {
    const { hidden_size: H, num_layers: L, output_size: O } = this.spec
    const each = <X>(f: (m: Model, t: number) => X): X[] => parts.flatMap(([m, n]) => Array.from({ length: n }, (_, t) => f(m, t)))
    // rows [from, from + n) of a [T][w] buffer, copied in one block per model (the buffers are reused by the next pass)
    const rows = (a: (m: Model) => Float32Array, w: number, from: number, width = w) => parts.flatMap(([m, n]) => {
      const block = a(m).slice(from * w, (from + n) * w)
      return Array.from({ length: n }, (_, t) => block.subarray(t * w, t * w + width))
    })
    const hasC = this.feedModel.cell.hasC, G = this.feedModel.layer(0).G
    const h = [], c = [], gates = []
    for (let l = 0; l < L; l++) {
      h.push(rows((m) => m.layer(l).h, H, 1))
      if (hasC) c.push(rows((m) => m.layer(l).c, H, 1))
      // the cache holds the gate activations first (a GRU's has more after them)
      if (G > 1) gates.push(rows((m) => m.layer(l).cache, this.feedModel.cell.cacheWidth(H), 0, G * H))
    }
    // a classifier's are its head's, after each step (trace())
    const out = this.classes !== null ? []
      : each((m, t) => m.outputs().subarray(t * O, (t + 1) * O)).map((y, t) => this.output(y, input, t))
    return { T: input.T, h, c: hasC ? c : null, gates: gates.length > 0 ? gates : null, out }
  }

  private output(y: Float32Array, input: Input, t: number): Float64Array {
    const out = new Float64Array(y.length)
    if (this.codec !== null) {
      this.codec.decode(out, y, 0, rowsOf(input.rows!), this.codec.firstRow + t)
      return out
    }
    let max = -Infinity, sum = 0
    for (const v of y) max = Math.max(max, v)
    for (let i = 0; i < y.length; i++) { out[i] = Math.exp(y[i] - max); sum += out[i] }
    for (let i = 0; i < y.length; i++) out[i] /= sum
    return out
  }

  /**
   * The window the gradient views differentiate: steps 0..T-2 of the input, each with its next step as
   * target; a classifier's: every step, with class `label` (-1: the class it predicts) as the one target.
   */
  window(input: Input, label = -1): Window {
    if (this.classes !== null) return { x: input.x, targets: Int32Array.of(label >= 0 ? label : this.predicted(input)), T: input.T, B: 1 }
    const T = input.T - 1
    if (T < 1) throw new Error('needs at least two steps to have a target')
    const I = this.codec?.inputSize ?? 1
    const x = input.x instanceof Int32Array ? input.x.slice(0, T) : input.x.slice(0, T * I)
    return { x, targets: input.targets, T, B: 1 }
  }

  /**
   * src/inspect/gradients.ts's inspectGradients (what `rnn inspect-gradients` runs) on the gradient model; afterwards
   * that model's buffers and params.grad hold this backward pass (bptt.ts reads them).
   */
  gradients(input: Input, lossAt: LossAt, model: Model = this.gradModel, label = -1): GradientInspection {
    return inspectGradients(model, this.window(input, label), lossAt)
  }

  /** `rnn classify`'s probabilities of the text (the same function), [class]. */
  classify(text: string): Float64Array {
    if (this.classes === null || this.vocab === null) throw new Error('not a classifier')
    this.classifier ??= new Model(this.spec, this.params)
    return classifyTexts(this.classifier, this.vocab, [text]).probs
  }

  /** The class a classifier gives the whole input (the first on a tie, as rnn classify). */
  predicted(input: Input): number {
    const p = this.classify(input.labels.join(''))
    let best = 0
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
    return best
  }

  /** A class name as its index; '' is -1 (the predicted class). */
  labelIndex(label: string): number {
    return label === '' || this.classes === null ? -1 : this.classes.indexOf(label)
  }

  /**
   * A model with its own copy of the parameters (and so of their gradients): window.rnn's calls run on it,
   * so they never change what the views read from the gradient model.
   */
  detached(): Model {
    const params = allocParams(paramSpecs(this.spec))
    params.data.set(this.params.data)
    return new Model(this.spec, params)
  }

  /**
   * `rnn sample --input <rows> --horizon h`: the next h rows after the input, each forecast fed back as the
   * next input, from the last seq_len rows (the same function the CLI runs). [h][column], original units.
   */
  forecast(input: Input, horizon: number): Float64Array[] {
    const codec = this.codec, info = this.data.series
    if (codec === null || info === null || input.rows === null) throw new Error('a text model: forecasting needs a time-series model')
    const T = info.seqLen, need = T + codec.firstRow, k = codec.k
    if (input.rows.length < need) throw new Error(`needs ${need} rows of context to forecast (seq_len ${T}), has ${input.rows.length}`)
    // an ensemble forecasts the median of its members', as the CLI's forecasterOf
    this.forecaster ??= this.data.members === null ? new Model(this.spec, this.params) : [
      new Model(this.spec, this.params),
      ...this.data.members.map((w) => {
        const params = allocParams(paramSpecs(this.spec))
        params.data.set(decodeWeights(w, params.data.length))
        return new Model(this.spec, params)
      }),
    ]
    const pred = rollingForecast(this.forecaster, codec, input.rows, [input.rows.length], T, horizon)
    return Array.from({ length: horizon }, (_, h) => pred.slice(h * k, (h + 1) * k))
  }

  /**
   * `rnn sample --input <rows> --horizon h --level …`'s prediction intervals around forecast(): the quantiles of
   * the model's errors forecasting from every earlier origin of the input (tasks/intervals.ts, the same
   * functions), as [lower, upper] per level and step; null when the input has too few rows to calibrate.
   */
  intervals(input: Input, ahead: readonly Float64Array[], levels: readonly number[]): Intervals | null {
    const codec = this.codec!, rows = input.rows!
    const cal = calibrate(this.forecaster!, codec, this.data.series!.seqLen, rows, rows.length, ahead.length, levels)
    if (cal === null) return null
    const bands = cal.levels.map((_, l) => ahead.map((p, h) => band(cal, codec, l, h + 1, p[0])))
    const side = (i: 0 | 1) => bands.map((b) => b.map((x) => x[i]))
    return { levels: cal.levels, origins: cal.origins, lower: side(0), upper: side(1) }
  }

  /** The model whose buffers hold the last gradients() pass. */
  get lastBackward(): Model { return this.gradModel }

  /** A freshly initialised model of another cell, same size and data, for the vanishing view's comparison. */
  fresh(cell: CellKind, seed = 1): Model {
    return createModel({ ...this.spec, cell }, { seed })
  }

  /** `rnn sample`'s generator on a model of its own (the feed model's buffers stay as they are). */
  sample(o: SampleRequest): string {
    const vocab = this.textVocab()
    let text = o.prime
    for (const ch of sampleText(new Model(this.spec, this.params), vocab, this.sampleOptions(o), createRng(o.seed))) text += ch
    return text
  }

  /** The same draws with each step's distribution and the model's top-layer state after the step's input. */
  *explain(o: SampleRequest, top: number): Generator<ExplainedStep & { h: Float32Array }> {
    const vocab = this.textVocab(), m = new Model(this.spec, this.params), H = this.spec.hidden_size
    for (const s of explainText(m, vocab, this.sampleOptions(o), createRng(o.seed), top))
      yield { ...s, h: m.layer(this.spec.num_layers - 1).h.slice(H, 2 * H) }
  }

  private sampleOptions(o: SampleRequest) {
    const unknown = this.textVocab().unknown(o.prime)
    if (unknown.length > 0)
      throw new Error(`prime: characters not in the model's vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`)
    return { temperature: o.temp, topK: o.topK, topP: o.topP, argmax: o.argmax ?? false, prime: o.prime, length: o.length }
  }

  private textVocab(): Vocab {
    if (this.vocab === null) throw new Error('a time-series model: sampling text needs a text model')
    return this.vocab
  }
}

export { kernels }
