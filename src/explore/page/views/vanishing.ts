/**
 * 5. vanishing: the backward pass sweeping right to left along the unrolled steps, each step's arrow as
 * thick as the real ‖∂S/∂h_t‖ from the page's backward pass (log scale; ‖∂S/∂c_t‖ too for an LSTM), the
 * decay per step fitted as `rnn inspect-gradients` does, the loss at the last step or summed over steps,
 * and fresh cells of the other kinds on the same input for comparison.
 */
import type { App, View } from '../app.ts'
import { clear, el, fmt, svgEl } from '../dom.ts'
import { fitDecay, type GradientInspection } from '../../../inspect/gradients.ts'
import { CELL_KINDS, type CellKind } from '../../../model/spec.ts'
import { logChart, type Line } from './chart.ts'
import { frame, labelSelect, select } from './common.ts'

let lossSel: HTMLSelectElement, compareBox: HTMLInputElement, flow: HTMLElement, chart: HTMLElement, fit: HTMLElement
let freshKey = '', fresh: { cell: CellKind; g: GradientInspection }[] = []

export const vanishing: View = {
  name: 'vanishing',
  title: '5 · Vanishing gradients',
  backward: true,
  mount(root, app) {
    const body = frame(root, this.title, 'How much the loss S depends on the state at each earlier step: ‖∂S/∂h_t‖ from a real backward '
      + 'pass through the unrolled steps (arrow width and chart, log scale). Play to watch the backward pass travel right to left.')
    const losses: [string, string][] = [['last', 'S = loss at the last step'], ['all', 'S = sum of the losses of all steps']]
    // a classifier has one loss, at its head after the last step: the choice is the class it is measured against
    lossSel = app.runner.classes !== null ? labelSelect(app) : select('loss at', losses, (v) => app.set({ lossAt: v as 'last' | 'all' }))
    compareBox = el('input', { type: 'checkbox', 'aria-label': 'compare fresh cells' })
    compareBox.addEventListener('change', () => app.set({ compare: compareBox.checked }))
    const label = el('label', {}, ' compare with freshly initialised cells of every kind ')
    label.prepend(compareBox)
    flow = el('div', { class: 'flow' }); chart = el('div'); fit = el('p', { class: 'fit' })
    body.append(el('div', { class: 'row' }), flow, chart, fit)
    body.firstElementChild!.append(lossSel, label)
  },
  render(app) {
    const s = app.state
    lossSel.value = app.runner.classes !== null ? s.label : s.lossAt; compareBox.checked = s.compare
    clear(flow); clear(chart); clear(fit)
    const g = app.gradients()
    if (g === null) { fit.textContent = 'Needs at least two steps.'; return }
    const T = g.series[0].dh_norm.length, front = Math.max(0, T - 1 - s.t)
    flow.append(arrows(app, g, front))
    flow.dataset.dh = JSON.stringify(g.series.map((x) => x.dh_norm)) // what the arrows draw, for the tests
    const lines: Line[] = g.series.flatMap((x) => [
      { name: `‖∂S/∂h‖ layer ${x.layer}`, values: x.dh_norm, cls: `s${x.layer}` },
      ...(x.dc_norm !== null ? [{ name: `‖∂S/∂c‖ layer ${x.layer}`, values: x.dc_norm, cls: `s${x.layer} dashed` }] : []),
    ])
    if (s.compare)
      for (const f of freshGradients(app)) lines.push({ name: `fresh ${f.cell}`, values: f.g.series.at(-1)!.dh_norm, cls: 'fresh' })
    chart.append(logChart(lines, front))
    for (const x of g.series) {
      const d = fitDecay(x.dh_norm)
      const how = d === null ? 'no fit'
        : `× ${d.factor.toFixed(3)} per step going back (${d.factor < 1 ? 'halves' : 'doubles'} every ${fmt(d.steps)} steps)`
      fit.append(el('span', {}, `layer ${x.layer}: ${how}. `))
    }
    const against = app.runner.classes?.[app.runner.window(app.input!, app.runner.labelIndex(s.label)).targets[0]]
    const what = against !== undefined ? `, cross-entropy of the head's probabilities against "${against}"`
      : app.runner.vocab === null ? ', squared error' : ''
    fit.append(el('span', {}, `S = ${fmt(g.loss)} (nats${what}).`))
  },
}

/** One row of arrows per layer, pointing back in time, width from log ‖∂S/∂h_t‖; steps before `front` not yet reached. */
function arrows(app: App, g: GradientInspection, front: number): SVGSVGElement {
  const T = g.series[0].dh_norm.length, w = Math.max(8, Math.min(40, Math.floor(1000 / T))), rowH = 34
  const height = g.series.length * rowH + 20
  const svg = svgEl('svg', { class: 'flow-svg', width: T * w + 20, height, role: 'img', 'aria-label': 'gradient flow' })
  const all = g.series.flatMap((x) => x.dh_norm).filter((v) => v > 0 && Number.isFinite(v))
  const lo = Math.log10(Math.min(...all)), hi = Math.log10(Math.max(...all))
  g.series.forEach((x, r) => {
    const y = 16 + (g.series.length - 1 - r) * rowH
    svg.append(svgEl('text', { x: 0, y: y - 8 }, `layer ${x.layer}`))
    x.dh_norm.forEach((v, t) => {
      const k = v > 0 && hi > lo ? (Math.log10(v) - lo) / (hi - lo) : 1
      const cls = t >= front ? 'grad reached' : 'grad'
      const line = svgEl('line', { x1: 10 + (t + 1) * w, x2: 10 + t * w + 2, y1: y, y2: y, class: cls, 'data-t': t })
      line.setAttribute('stroke-width', (1 + 9 * k).toFixed(2))
      line.setAttribute('stroke-opacity', (0.25 + 0.75 * k).toFixed(2))
      svg.append(line)
    })
  })
  void app
  return svg
}

function freshGradients(app: App): { cell: CellKind; g: GradientInspection }[] {
  const key = `${app.state.text} ${app.state.lossAt} ${app.state.label}`
  if (key === freshKey) return fresh
  freshKey = key
  const input = app.input!, label = app.runner.labelIndex(app.state.label)
  // PyTorch's cells: the page does not show Jordan networks (rnn explore refuses them)
  const others = CELL_KINDS.filter((c) => c !== app.runner.spec.cell && c !== 'jordan')
  fresh = others.map((cell) => ({ cell, g: app.runner.gradients(input, app.state.lossAt, app.runner.fresh(cell), label) }))
  return fresh
}
