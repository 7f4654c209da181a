/**
 * window.rnn, the page's scripting API (documented in the README, used by the tests): the numbers behind
 * the views for any input, from the same engine code the CLI runs.
 */
import { kernelName, setKernels, type KernelName } from '../../engine/kernels/index.ts'
import { wasmVariant } from '../../engine/wasm/module.ts'
import type { LossAt } from '../../inspect/gradients.ts'
import { accumulate, difference } from './accumulate.ts'
import type { App } from './app.ts'
import type { Intervals, SampleRequest } from './run.ts'
import { DEFAULT_LEVELS } from '../../tasks/intervals.ts'
import { VIEWS, type ViewName } from './state.ts'

const plain = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from(r))

export function api(app: App) {
  const r = app.runner
  let own: ReturnType<typeof r.detached> | null = null
  const model = () => (own ??= r.detached())
  const label = (name: string | undefined) => {
    if (name === undefined || name === '') return -1
    const k = r.labelIndex(name)
    if (k < 0) throw new Error(`label "${name}" is not one of the classes (${(r.classes ?? []).join(', ')})`)
    return k
  }
  return {
    /** The kernels the page computes with: 'wasm' (the CLI's default binary, 'relaxed-simd' or 'simd') or 'js'. */
    get kernels(): string { return kernelName() === 'wasm' ? `wasm (${wasmVariant})` : 'js' },
    /** Switches the kernels, as the CLI's --kernels does ('js': the reference, float64 sums); redraws. */
    setKernels(name: KernelName): void { setKernels(name); app.onKernels(); app.set({}) },
    /** Hidden states [layer][t][unit] after each step, and per step the softmax over the vocabulary (text),
     *  the forecast of the next row in original units (time series), or a classifier's class probabilities had
     *  the text ended there (classProbs [t][class], as rnn inspect-state). */
    feed(text: string) {
      const tr = r.trace(r.parse(text))
      const out = plain(tr.out)
      const kind = r.data.kind
      return {
        hidden: tr.h.map(plain), cell: tr.c?.map(plain) ?? null,
        probs: kind === 'text' ? out : null, forecast: kind === 'timeseries' ? out : null, classProbs: kind === 'classifier' ? out : null,
      }
    },
    /** A classifier's verdict on a text: `rnn classify --json`'s object, from the same function. */
    classify(text: string): { text: string; label: string; probabilities: Record<string, number> } {
      const p = r.classify(text), classes = r.classes!
      let best = 0
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
      return { text, label: classes[best], probabilities: Object.fromEntries(classes.map((c, k) => [c, p[k]])) }
    },
    /** A forecaster's next `horizon` rows after the input rows (default: one season), each fed back: `rnn sample
     *  --input <rows> --horizon h`'s target values. */
    forecast(text: string, horizon = r.data.series?.season ?? 1): number[] {
      return r.forecast(r.parse(text), horizon).map((row) => row[0])
    },
    /** Prediction intervals around forecast(): `rnn sample --input <rows> --horizon h --level 80,95`'s bounds,
     *  lower / upper [level][step], and the origins calibrated on; null when the rows are too few to calibrate. */
    intervals(text: string, horizon = r.data.series?.season ?? 1, levels: number[] = [...DEFAULT_LEVELS]): Intervals | null {
      if (!levels.every((L) => L > 0 && L < 100)) throw new Error(`levels: ${levels.join(', ')}: each must be between 0 and 100`)
      const input = r.parse(text)
      return r.intervals(input, r.forecast(input, horizon), levels)
    },
    /** `rnn sample`'s text for the same options: the prime followed by `length` drawn characters. */
    sample(o: Partial<SampleRequest> = {}): string {
      return r.sample({
        prime: o.prime ?? '', length: o.length ?? 500, temp: o.temp ?? 1, topK: o.topK ?? null, topP: o.topP ?? null, seed: o.seed ?? 1,
        argmax: o.argmax,
      })
    },
    /** `rnn inspect-gradients`' series for the window: steps 0…T-2 of the input, each predicting the next; a
     *  classifier's: every step, the loss at its head against `label` (default: the class it predicts). */
    gradients(text: string, o: { lossAt?: LossAt; label?: string } = {}) {
      const g = r.gradients(r.parse(text), o.lossAt ?? 'last', model(), label(o.label))
      return {
        loss: g.loss,
        dh_norm: g.series.map((s) => s.dh_norm), dc_norm: g.series.map((s) => s.dc_norm),
        whh_contrib_norm: g.series.map((s) => s.whh_contrib_norm), decay_per_step: g.series.map((s) => s.decay_per_step),
      }
    },
    /** The bptt view's check: the per-step sums against the engine's gradient of the whole window. */
    bptt(text: string, o: { lossAt?: LossAt; label?: string } = {}): { diff: number; norm: number; maxAbsDiff: number } {
      const input = r.parse(text)
      r.gradients(input, o.lossAt ?? 'last', model(), label(o.label))
      const sums = accumulate(model(), r.window(input, label(o.label)), 0, 'api')
      let maxAbsDiff = 0
      for (const s of sums) for (let i = 0; i < s.sum.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(s.sum[i] - s.engine[i]))
      return { ...difference(sums), maxAbsDiff }
    },
    /** Shows a view (scrolled into sight) at step t. */
    view(name: ViewName, t?: number): void {
      if (!VIEWS.includes(name)) throw new Error(`unknown view "${name}" (have: ${VIEWS.join(', ')})`)
      app.show(name, t)
    },
    /** Replaces the input text, as typing in the box does. */
    setText(text: string): void { app.set({ text }) },
    play: () => app.play(), pause: () => app.pause(),
    /** Resolves when every view on screen has drawn the current state. */
    settled: () => app.settled(),
    get state() { return { ...app.state, T: app.T, playing: app.playing, error: app.error } },
  }
}
