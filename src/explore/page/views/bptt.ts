/**
 * 6. bptt: backpropagation through time in two phases. Forward: each step's activations stored in a cache
 * that fills up step by step. Backward (from the last step to the first): ∂L/∂y_t at the output, through
 * the head into h_t, split into the W_ih and W_hh terms, and the running sums ∂L/∂W accumulating at the
 * shared parameters (heatmaps filling up). When the backward pass reaches step 0, the sums over all steps
 * are checked against the engine's gradient of the whole window, and the page says so with the norm of
 * the difference.
 */
import type { App, View } from '../app.ts'
import { accumulate, difference, type Sum } from '../accumulate.ts'
import { clear, el, fmt, heatmap, maxAbs, svgEl } from '../dom.ts'
import { frame, labelSelect, select } from './common.ts'
import type { Window } from '../../../inspect/gradients.ts'
import type { Model } from '../../../model/model.ts'

let cache: { pass: number; from: number; sums: Sum[] | null } = { pass: -1, from: 0, sums: null }
let checked = { pass: -1, diff: 0, norm: 0 }
/** The pass and first step the captions show (and whether the sums are still being added): the norms change with these. */
let captioned = ''
/**
 * The step-by-step sums still being added for the check at the end of the backward phase, a slice of steps per
 * task: after a keystroke all T steps' terms cost ~100 ms (2 × 256 LSTM, T = 61), twice the page's budget for
 * a keystroke. Replaced when a newer backward pass or another step is shown.
 */
let job: { app: App; pass: number; input: object; m: Model; w: Window } | null = null
/** A slice's time: a few steps of a 2 × 256 LSTM, short enough that a keystroke waits at most this long. */
const SLICE_MS = 6
/** Steps left to sum that are added at once, as when scrubbing or playing onto the last step. */
const AT_ONCE = 4
/** setTimeout(0) is held to 4 ms after a few nested calls; a message to the page's own port is not. */
let port: MessagePort | null = null, queued = false
let phaseSel: HTMLSelectElement, lossSel: HTMLSelectElement
let lane: HTMLElement, sumsBox: HTMLElement, check: HTMLElement, detail: HTMLElement

export const bptt: View = {
  name: 'bptt',
  title: '6 · Backpropagation through time',
  backward: true,
  mount(root, app) {
    const enters = app.runner.classes !== null
      ? 'the gradient enters once, at the head after the last step, reaches every h_t it pooled and flows back in time'
      : 'the gradient enters at each output, flows through the head into h_t and back in time'
    const body = frame(root, this.title, 'Forward, every step stores what the backward pass will need. Backward, from the last step to '
      + `the first, ${enters}, and every step adds its term to the gradient of the SAME shared weights. `
      + 'Scrub or play to move through a phase.')
    const phases: [string, string][] = [
      ['forward', 'phase 1: forward (fill the cache)'], ['backward', 'phase 2: backward (accumulate ∂L/∂W)'],
    ]
    phaseSel = select('phase', phases, (v) => app.set({ phase: v as 'forward' | 'backward' }))
    const losses: [string, string][] = [['last', 'loss at the last step'], ['all', 'loss summed over steps']]
    lossSel = app.runner.classes !== null ? labelSelect(app) : select('loss at', losses, (v) => app.set({ lossAt: v as 'last' | 'all' }))
    lane = el('div', { class: 'lane' }); detail = el('p', { class: 'detail' })
    sumsBox = el('div', { class: 'matrices' }); check = el('p', { class: 'check' })
    body.append(el('div', { class: 'row' }), lane, detail, sumsBox, check)
    body.firstElementChild!.append(phaseSel, lossSel)
  },
  render(app) {
    const s = app.state
    phaseSel.value = s.phase; lossSel.value = app.runner.classes !== null ? s.label : s.lossAt
    clear(lane); clear(detail)
    const input = app.input, tr = app.trace
    if (input === null || tr === null) return
    const g = app.backwardFor(s.lossAt)
    if (g === null) { detail.textContent = 'Needs at least two steps.'; return }
    const m = app.runner.lastBackward, w = app.runner.window(input, app.runner.labelIndex(s.label)), T = w.T
    const { hidden_size: H, num_layers: L } = app.runner.spec
    // forward: steps 0..t stored; backward: the pass has reached step T-1-t
    const step = s.phase === 'forward' ? Math.min(s.t, T - 1) : Math.max(0, T - 1 - s.t)
    lane.append(cacheLane(T, step, s.phase))
    const floats = (m.cell.hasC ? 2 : 1) * H * L + m.layer(0).G * H * L
    if (s.phase === 'forward') {
      const what = `h_0…h_${step + 1}${m.cell.hasC ? ', c_t' : ''}${m.layer(0).G > 1 ? ' and the gate activations' : ''}`
        + ` of ${L} layer${L > 1 ? 's' : ''}`
      detail.textContent = `Forward to step ${step}: stored ${what}: ${((step + 1) * floats).toLocaleString('en-US')} floats so far, `
        + `${(T * floats).toLocaleString('en-US')} for the window.`
    } else {
      const top = m.layer(L - 1), pool = app.runner.spec.pool, O = app.runner.spec.output_size
      const dh = norm(top.dh, step, H), dhh = norm(top.dhh, step, top.G * H), hPrev = norm(top.h, step, H)
      // a classifier's loss enters once, at the head after the last step, and reaches each h_t through the pooling
      const dy = norm(m.outputGrad(), pool === undefined ? step : 0, O)
      const into = pool === undefined
        ? `‖∂L/∂y_t‖ = ${fmt(dy)} → through W_hy into h_t: ‖∂L/∂h_t‖ = ${fmt(dh)} (head + later steps)`
        : `∂L/∂y enters once at the head (‖∂L/∂y‖ = ${fmt(dy)}), through W_hy and the ${pool} pooling into `
          + `h_t: ‖∂L/∂h_t‖ = ${fmt(dh)} (pooling + later steps)`
      detail.textContent = `Backward at step ${step}: ${into} → W_hh term ‖δ_t ⊗ h_(t-1)‖ = ${fmt(dhh * hPrev)}, `
        + `W_ih term ‖δ_t ⊗ x_t‖ from the same δ_t, and δ_t flows on to step ${step - 1 < 0 ? '(none: h_0)' : step - 1}.`
    }
    const from = s.phase === 'forward' ? T : step, pass = app.backwardPasses
    // the end of the backward phase for a new pass (a keystroke): the heatmaps show the engine's gradient of the
    // whole window, what the sums equal once checked, and the sums are added a slice per task after the keystroke
    const later = from === 0 && !(cache.pass === pass && cache.from <= AT_ONCE)
    if (!later) job = null
    else if (job?.pass !== pass) { job = { app, pass, input, m, w }; post() }
    const sums = later ? m.params.grads.map((g) => sumOf(g, g.data)) : running(pass, m, w, from)
    // the heatmaps are up to 10⁶ cells: redrawn only when their sums changed (in the forward phase they are all zero);
    // the engine's gradient drawn at the end stays when the sums of that pass are done (they are the same picture)
    const drawn = from >= T ? `zero ${m.params.data.length}` : `${pass} ${from}`
    const shown = (n: string) => n.startsWith('weight_hh') || n === 'head.weight' || n === `weight_ih_l${L - 1}`
    const figures = sums.filter((x) => x.rows > 1 && x.cols > 1 && shown(x.name))
    if (sumsBox.dataset.drawn !== drawn || sumsBox.children.length !== figures.length) {
      // the same matrices as drawn: into their canvases (new elements would be laid out and painted anew)
      const canvases = [...sumsBox.querySelectorAll<HTMLCanvasElement>('canvas.heat')]
      if (canvases.length === figures.length && figures.every((x, i) => canvases[i].dataset.param === x.name))
        figures.forEach((x, i) => drawSum(canvases[i], x))
      else {
        clear(sumsBox)
        for (const x of figures) sumsBox.append(sumFigure(x))
      }
      sumsBox.dataset.drawn = drawn; captioned = ''
    }
    const now = `${pass} ${from}${later ? ' checking' : ''}`
    if (captioned !== now) {
      captions(figures, (x) => later
        ? `∂L/∂${x.name} of the whole window (engine): ‖·‖ = ${fmt(l2(x.engine))}; its sum over the ${T} steps is being checked`
        : caption(x, from >= T))
      captioned = now
    }
    if (later) pending(T)
    else showCheck(pass, from, T, sums)
  },
}

const sumOf = (g: Model['params']['grads'][number], sum: Float32Array): Sum =>
  ({ name: g.name, rows: g.shape[0], cols: g.shape.length > 1 ? g.shape[1] : 1, sum, engine: g.data })

function captions(figures: Sum[], text: (x: Sum) => string): void {
  figures.forEach((x, i) => { sumsBox.children[i].querySelector('figcaption')!.textContent = text(x) })
}

/** The check line while the slices run: the dataset attributes appear only once the real sums are compared. */
function pending(T: number): void {
  delete check.dataset.diff; delete check.dataset.norm
  const so = cache.pass === job?.pass ? T - cache.from : 0
  check.textContent = `Adding the ${T} steps' terms one by one (${so} of ${T} so far) to compare their sum with the engine's `
    + 'gradient of the whole window…'
}

/** Queues the next slice; one at a time (a newer job takes over the message already queued). */
function post(): void {
  if (queued) return
  if (port === null) {
    const c = new MessageChannel()
    c.port1.onmessage = () => { queued = false; slice() }
    port = c.port2
  }
  queued = true
  port.postMessage(null)
}

/** One slice of the check's sums; the last one compares them and shows the check where the view still waits for it. */
function slice(): void {
  const j = job
  if (j === null) return
  // another pass or input has overwritten the gradient model's buffers: the view restarts it when it draws again
  if (j.app.backwardPasses !== j.pass || j.app.input !== j.input) { job = null; return }
  const start = performance.now(), T = j.w.T
  let from = cache.pass === j.pass ? cache.from : T
  while (from > 0) {
    running(j.pass, j.m, j.w, --from)
    if (performance.now() - start >= SLICE_MS) break
  }
  if (from > 0) { pending(T); post(); return }
  job = null
  // the view draws again (the others have not changed) when it still shows the end of the backward phase
  const s = j.app.state
  if (s.phase === 'backward' && s.t >= T - 1) bptt.render(j.app)
}

/**
 * At the end of the backward phase the running sums hold every step's term: they are compared with the
 * engine's gradient of the whole window (once per backward pass). Before that, the line says where it will be.
 */
function showCheck(pass: number, from: number, T: number, sums: Sum[]): void {
  if (from > 0) {
    delete check.dataset.diff; delete check.dataset.norm
    const so = from >= T ? 'Phase 2 adds each step\'s terms' : `${T - from} of ${T} steps summed so far`
    check.textContent = `${so}; when the backward pass reaches step 0, the sums are compared with the engine's gradient `
      + 'of the whole window.'
    return
  }
  if (checked.pass !== pass) checked = { pass, ...difference(sums) }
  const full = checked
  check.dataset.diff = String(full.diff); check.dataset.norm = String(full.norm)
  check.textContent = `Summed over all ${T} steps, the accumulated ∂L/∂W equal the engine's gradient of the whole window: `
    + `‖Σ_t terms − engine‖ = ${full.diff.toExponential(2)} (‖engine‖ = ${fmt(full.norm)}, `
    + `relative ${(full.diff / Math.max(full.norm, 1e-30)).toExponential(2)}).`
}

/** The sums over steps ≥ from for backward pass `pass`: continued from the last call when it stopped later. */
function running(pass: number, m: Model, w: Window, from: number): Sum[] {
  if (cache.pass === pass && cache.from >= from && cache.sums !== null)
    cache = { pass, from, sums: accumulate(m, w, from, 'running', cache.from, cache.sums) }
  else cache = { pass, from, sums: accumulate(m, w, from, 'running') }
  return cache.sums!
}

function sumFigure(x: Sum): HTMLElement {
  const c = el('canvas', { class: 'heat', 'data-param': x.name })
  drawSum(c, x)
  const fig = el('figure', { class: 'matrix' })
  fig.append(c, el('figcaption', {}, caption(x)))
  return fig
}

function drawSum(c: HTMLCanvasElement, x: Sum): void {
  heatmap(c, x.rows, x.cols, x.sum, maxAbs(x.engine))
}

/** `none`: no step summed yet (the sums are zeros). */
const caption = (x: Sum, none = false) => `Σ ∂L/∂${x.name} so far: ‖·‖ = ${none ? '0' : fmt(l2(x.sum))} of ${fmt(l2(x.engine))}`

/** One box per step: filled when its activations are stored (forward) or its gradient term added (backward). */
function cacheLane(T: number, step: number, phase: 'forward' | 'backward'): SVGSVGElement {
  const w = Math.max(6, Math.min(28, Math.floor(1000 / T)))
  const svg = svgEl('svg', { class: 'cache', width: T * w + 10, height: 34, role: 'img', 'aria-label': 'cache' })
  for (let t = 0; t < T; t++) {
    const done = phase === 'forward' ? t <= step : t >= step
    const cls = `slot ${done ? (phase === 'forward' ? 'stored' : 'summed') : ''}${t === step ? ' now' : ''}`
    svg.append(svgEl('rect', { x: 4 + t * w, y: 6, width: w - 2, height: 20, class: cls, 'data-t': t }))
  }
  return svg
}

function norm(a: Float32Array, t: number, W: number): number {
  let s = 0
  for (let i = t * W; i < (t + 1) * W; i++) s += a[i] * a[i]
  return Math.sqrt(s)
}

function l2(a: Float32Array): number {
  // four running sums: one chain of dependent additions is a third of the speed
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0
  for (; i + 3 < a.length; i += 4) { s0 += a[i] * a[i]; s1 += a[i + 1] * a[i + 1]; s2 += a[i + 2] * a[i + 2]; s3 += a[i + 3] * a[i + 3] }
  for (; i < a.length; i++) s0 += a[i] * a[i]
  return Math.sqrt(s0 + s1 + s2 + s3)
}
