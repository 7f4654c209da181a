/**
 * 1. unroll: the compact cell with its loop, unfolding into one copy per input step: x_t below, each
 * layer's h_t (and c_t for an LSTM) as a strip of its first units' real values, the prediction y_t above;
 * the step under the scrubber highlighted. Edges carry the name of the weight they apply, so the sharing
 * view can light up every use of one parameter.
 */
import type { App, View } from '../app.ts'
import { clear, diverging, rgb, showChar, svgEl } from '../dom.ts'
import { frame, predictionLabel, visibleSteps } from './common.ts'

const CW = 64, ROW = 52, STRIP = 8, UNFOLD_MS = 900, MAX_STEPS = 40
let svg: SVGSVGElement
let unfoldFrom = 0, unfolded = false, raf = 0

export const unroll: View = {
  name: 'unroll',
  title: '1 · Unrolling through time',
  mount(root, app) {
    const body = frame(root, this.title, 'The compact recurrent cell (left) is the same function applied once per input step. Unrolled, '
      + 'each copy reads x_t and h_(t-1) and writes h_t; the arrows are labelled with the weights they apply.')
    svg = svgEl('svg', { class: 'diagram', role: 'img', 'aria-label': 'unrolled network' })
    body.append(svg)
    void app
  },
  render(app) {
    // the loop unfolds once, when the page opens (not at every keystroke)
    if (!unfolded) { unfolded = true; unfoldFrom = performance.now() }
    draw(app, Math.min(1, (performance.now() - unfoldFrom) / UNFOLD_MS))
    cancelAnimationFrame(raf)
    const again = () => {
      const p = Math.min(1, (performance.now() - unfoldFrom) / UNFOLD_MS)
      draw(app, p)
      if (p < 1) raf = requestAnimationFrame(again)
    }
    if (performance.now() - unfoldFrom < UNFOLD_MS) raf = requestAnimationFrame(again)
  },
}

function draw(app: App, p: number): void {
  clear(svg)
  const tr = app.trace, input = app.input
  if (tr === null || input === null) return
  const { num_layers: L, cell } = app.runner.spec, vocab = app.runner.data.vocab
  const steps = visibleSteps(tr.T, app.state.t, MAX_STEPS)
  const x0 = 150, top = 40, height = top + (L + 1) * ROW + 50, width = x0 + steps.length * CW + 20
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('width', String(width)); svg.setAttribute('height', String(height))
  const defs = svgEl('defs')
  const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 6 6', refX: 5, refY: 3, markerWidth: 5, markerHeight: 5, orient: 'auto' })
  marker.append(svgEl('path', { d: 'M0,0 L6,3 L0,6 z', class: 'arrowhead' }))
  defs.append(marker)
  svg.append(defs)
  const layerY = (l: number) => top + (L - l) * ROW
  const ease = 1 - (1 - p) ** 3
  // the compact cell: one box per layer with its self-loop through W_hh
  const compact = svgEl('g', { class: 'compact' })
  for (let l = 0; l < L; l++) {
    const y = layerY(l)
    compact.append(svgEl('rect', { x: 30, y: y - 14, width: 70, height: 28, rx: 6, class: 'cell' }))
    compact.append(svgEl('text', { x: 65, y: y + 4, 'text-anchor': 'middle' }, `${cell} ${l}`))
    compact.append(edge(`M100,${y - 6} C130,${y - 30} 130,${y + 30} 100,${y + 6}`, `weight_hh_l${l}`, app))
  }
  compact.append(svgEl('text', { x: 65, y: height - 12, 'text-anchor': 'middle' }, 'x_t'))
  compact.append(svgEl('text', { x: 65, y: 18, 'text-anchor': 'middle' }, 'y_t'))
  svg.append(compact)
  steps.forEach((t, i) => {
    const x = 40 + (x0 + i * CW - 40) * ease
    const g = svgEl('g', { class: t === app.state.t ? 'copy now' : 'copy', 'data-t': t })
    g.append(svgEl('rect', { x: x - 4, y: 4, width: CW - 8, height: height - 8, rx: 4, class: 'band' }))
    const label = input.labels[t]
    const xt = vocab === null ? Number(label).toPrecision(4) : showChar(label)
    g.append(svgEl('text', { x: x + CW / 2 - 4, y: height - 12, 'text-anchor': 'middle', class: 'xt' }, xt))
    g.append(edge(`M${x + CW / 2 - 4},${height - 26} L${x + CW / 2 - 4},${layerY(0) + 16}`, 'weight_ih_l0', app))
    for (let l = 0; l < L; l++) {
      const y = layerY(l)
      strip(g, tr.h[l][t], x + 4, y - 10, 'h')
      if (tr.c !== null) strip(g, tr.c[l][t], x + 4, y + 2, 'c')
      if (l > 0) g.append(edge(`M${x + CW / 2 - 4},${layerY(l - 1) - 14} L${x + CW / 2 - 4},${y + 16}`, `weight_ih_l${l}`, app))
      if (i > 0) g.append(edge(`M${x - 12},${y} L${x + 2},${y}`, `weight_hh_l${l}`, app))
    }
    g.append(edge(`M${x + CW / 2 - 4},${layerY(L - 1) - 14} L${x + CW / 2 - 4},${top - 6}`, 'head.weight', app))
    const yt = predictionLabel(tr.out[t], vocab, showChar)
    g.append(svgEl('text', { x: x + CW / 2 - 4, y: top - 12, 'text-anchor': 'middle', class: 'yt' }, yt))
    svg.append(g)
  })
}

/** The first STRIP units of a state vector as coloured squares (red +, blue −). */
function strip(g: SVGGElement, v: Float32Array, x: number, y: number, what: string): void {
  const n = Math.min(STRIP, v.length), w = (CW - 16) / n
  for (let j = 0; j < n; j++) {
    const r = svgEl('rect', { x: x + j * w, y, width: w, height: 8, class: `unit ${what}` })
    r.setAttribute('fill', rgb(diverging(v[j])))
    g.append(r)
  }
}

function edge(d: string, param: string, app: App): SVGPathElement {
  const on = app.state.param !== '' && (app.state.param === param || (app.state.param === 'head' && param === 'head.weight'))
  return svgEl('path', { d, class: on ? 'edge shared' : 'edge', 'data-param': param, 'marker-end': 'url(#arrow)' })
}
