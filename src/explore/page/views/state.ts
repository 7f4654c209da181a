/**
 * 3. state: one layer's h_t (or c_t, or the gates) as a units × time heatmap with the input under it.
 * Clicking a unit colours the input by that unit's activation (Karpathy's cell view); units can be sorted
 * by their variance over the input, or for a classifier by their correlation with the label over its
 * held-out rows (inspect-state --by-label), and a chart shows its class probabilities after each step.
 */
import type { App, View } from '../app.ts'
import { clear, diverging, el, heatmap, rgb, showChar } from '../dom.ts'
import { lineChart } from './chart.ts'
import { frame, select } from './common.ts'

let canvas: HTMLCanvasElement, chars: HTMLElement, coloured: HTMLElement, info: HTMLElement, probs: HTMLElement
let layerSel: HTMLSelectElement, quantitySel: HTMLSelectElement, sortSel: HTMLSelectElement
/** Row r of the heatmap shows unit order[r]. */
let order: number[] = []

export const stateView: View = {
  name: 'state',
  title: '3 · The hidden state, step by step',
  mount(root, app) {
    const body = frame(root, this.title, 'Each row is one unit, each column one step: the state right after reading the step below it '
      + '(red positive, blue negative). Click a row to colour the input by that unit.')
    const { num_layers: L, cell } = app.runner.spec
    layerSel = select('layer', Array.from({ length: L }, (_, l) => [String(l), `layer ${l}`]), (v) => app.set({ layer: Number(v) }))
    const q: [string, string][] = [['h', 'h_t (hidden state)']]
    if (cell === 'lstm') q.push(['c', 'c_t (cell state)'])
    if (cell === 'lstm' || cell === 'gru') q.push(['gates', `gates (${app.runner.data.gateOrder.join(', ')})`])
    quantitySel = select('quantity', q, (v) => app.set({ quantity: v as 'h' | 'c' | 'gates' }))
    const byLabel = app.runner.data.classifier?.byLabel ?? null
    const sorts: [string, string][] = [['index', 'units by index'], ['variance', 'units by variance']]
    if (byLabel !== null) sorts.push(['label', `units by |r| with the label (top layer, ${byLabel.rows} held-out rows)`])
    sortSel = select('sort units', sorts, (v) => app.set({ sort: v as 'index' | 'variance' | 'label' }))
    const note = el('span', { class: 'note' }, app.runner.classes !== null
      ? (byLabel === null ? '(sorting by the label needs the training CSV, which was not there when the page was written)' : '')
      : '(sorting by correlation with a label needs a classifier; this model predicts the next step)')
    canvas = el('canvas', { class: 'heat state-heat', 'aria-label': 'units by time heatmap' })
    canvas.addEventListener('click', (e) => {
      const r = Math.floor((e.offsetY / canvas.clientHeight) * canvas.height)
      const unit = order[r]
      if (unit !== undefined) app.set({ unit: app.state.unit === unit ? -1 : unit })
    })
    chars = el('div', { class: 'chars' })
    info = el('p', { class: 'info' })
    coloured = el('p', { class: 'coloured' })
    probs = el('div', { class: 'class-probs' })
    body.append(el('div', { class: 'row' }), canvas, chars, info, coloured, probs)
    body.firstElementChild!.append(layerSel, quantitySel, sortSel, note)
  },
  render(app) {
    const tr = app.trace, input = app.input
    if (tr === null || input === null) return
    const s = app.state, H = app.runner.spec.hidden_size
    const layer = Math.min(s.layer, tr.h.length - 1)
    layerSel.value = String(layer); quantitySel.value = s.quantity; sortSel.value = s.sort
    const rows = s.quantity === 'c' && tr.c !== null ? tr.c[layer]
      : s.quantity === 'gates' && tr.gates !== null ? tr.gates[layer] : tr.h[layer]
    const W = rows[0].length
    order = Array.from({ length: W }, (_, j) => j)
    const byLabel = app.runner.data.classifier?.byLabel ?? null
    if (s.sort === 'variance') {
      const v = variance(rows, W)
      order.sort((a, b) => v[b] - v[a] || a - b)
    } else if (s.sort === 'label' && byLabel !== null && layer === tr.h.length - 1 && W === H) order = byLabel.units.map((u) => u.unit)
    heatmap(canvas, W, tr.T, (r, c) => rows[c][order[r]])
    canvas.dataset.order = order.join(',')
    canvas.style.width = `${Math.max(200, Math.min(1100, tr.T * 14))}px`
    canvas.style.height = `${Math.max(60, Math.min(480, W * (W > 128 ? 2 : 5)))}px`
    chars.style.width = canvas.style.width
    clear(chars)
    const text = app.runner.vocab !== null
    input.labels.forEach((ch, t) => chars.append(el('span', { class: t === s.t ? 'now' : '' }, text ? showChar(ch) : '·')))
    const unit = s.unit >= 0 && s.unit < W ? s.unit : -1
    const what = s.quantity === 'gates' ? `gate unit ${unit} (${gateName(app, unit, H)})` : `unit ${unit}`
    info.textContent = unit < 0 ? `${W} rows; click one to colour the input by it.`
      : `${what} of layer ${layer}: ${rows[s.t][unit].toFixed(4)} at t = ${s.t}`
    classProbs(app)
    clear(coloured)
    if (unit >= 0) input.labels.forEach((ch, t) => {
      const span = el('span', { 'data-t': t }, app.runner.vocab !== null ? ch : `${ch} `)
      span.style.backgroundColor = rgb(diverging(rows[t][unit]))
      coloured.append(span)
    })
  },
}

/** A classifier's class probabilities after each step (had the text ended there), the step under the scrubber marked. */
function classProbs(app: App): void {
  clear(probs)
  const classes = app.runner.classes, tr = app.trace
  if (classes === null || tr === null) return
  const t = app.state.t, now = classes.map((c, k) => `${c} ${tr.out[t][k].toFixed(3)}`).join(', ')
  probs.append(el('p', {}, `Class probabilities had the text ended after step t (at t = ${t}: ${now}):`))
  const lines = classes.map((c, k) => ({ name: `P(${c})`, values: tr.out.map((p) => p[k]), cls: `s${k % 4}` }))
  probs.append(lineChart(lines, t, Math.max(320, Math.min(1100, tr.T * 14 + 170)), 160, [0, 1]))
}

function variance(rows: Float32Array[], W: number): Float64Array {
  const mean = new Float64Array(W), v = new Float64Array(W)
  for (const r of rows) for (let j = 0; j < W; j++) mean[j] += r[j] / rows.length
  for (const r of rows) for (let j = 0; j < W; j++) v[j] += (r[j] - mean[j]) ** 2
  return v
}

function gateName(app: App, unit: number, H: number): string {
  const g = app.runner.data.gateOrder[Math.floor(unit / H)]
  return `${g ?? '?'} gate, unit ${unit % H}`
}
