/**
 * 1. unroll: the compact cell with its loop, unfolding into one copy per input step: x_t below, each
 * layer's h_t (and c_t for an LSTM) as a strip of its first units' real values, the prediction y_t above;
 * the step under the scrubber highlighted. Edges carry the name of the weight they apply, so the sharing
 * view can light up every use of one parameter. A classifier's head applies once: above the last step
 * (pool last), or above a bar gathering every step's h_t (pool mean/max), with the class it gives.
 */
import type { App, View } from '../app.ts'
import { clear, diverging, rgb, setIfChanged, showChar, svgEl, textIfChanged } from '../dom.ts'
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

/** One unrolled copy's elements whose content follows the values: redrawn in place while the layout holds. */
interface Copy { g: SVGGElement; xt: SVGTextElement; yt: SVGTextElement; h: SVGRectElement[][]; c: SVGRectElement[][] }
/** The copies drawn last and what their layout depends on (typing changes values, not the layout). */
let built: { layout: string; copies: Copy[] } | null = null

function draw(app: App, p: number): void {
  const tr = app.trace, input = app.input
  if (tr === null || input === null) { clear(svg); built = null; return }
  const { num_layers: L, cell } = app.runner.spec
  const steps = visibleSteps(tr.T, app.state.t, MAX_STEPS)
  // a classifier's head hangs off the last step: whether that step is in sight changes the layout
  const layout = `${steps.length} ${app.state.param} ${p} ${app.runner.classes !== null && steps.at(-1) === tr.T - 1}`
  // ~1,600 elements for 40 steps of a 2-layer LSTM: rebuilding them at every keystroke cost more than the model
  if (p === 1 && built?.layout === layout) { built.copies.forEach((c, i) => fill(c, app, steps[i])); return }
  clear(svg)
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
  const pool = app.runner.spec.pool
  compact.append(svgEl('text', { x: 65, y: 18, 'text-anchor': 'middle' }, pool === undefined ? 'y_t' : 'y once per text'))
  const barY = top + 4, pooled = pool === 'mean' || pool === 'max'
  if (pooled && steps.length > 0) {
    // mean/max: every step's h_t goes into one vector, which the head reads once
    const x1 = x0 + CW / 2 - 4, x2 = x0 + (steps.length - 1) * CW + CW / 2 - 4
    svg.append(svgEl('line', { x1: 40 + (x1 - 40) * ease, x2: 40 + (x2 - 40) * ease, y1: barY, y2: barY, class: 'pool-bar' }))
    svg.append(svgEl('text', { x: 106, y: barY + 4 }, `${pool} of h_t`))
  }
  svg.append(compact)
  const copies = steps.map((t, i) => {
    const x = 40 + (x0 + i * CW - 40) * ease
    const g = svgEl('g', { class: 'copy' })
    g.append(svgEl('rect', { x: x - 4, y: 4, width: CW - 8, height: height - 8, rx: 4, class: 'band' }))
    const xt = svgEl('text', { x: x + CW / 2 - 4, y: height - 12, 'text-anchor': 'middle', class: 'xt' })
    g.append(xt)
    g.append(edge(`M${x + CW / 2 - 4},${height - 26} L${x + CW / 2 - 4},${layerY(0) + 16}`, 'weight_ih_l0', app))
    const h: SVGRectElement[][] = [], c: SVGRectElement[][] = []
    for (let l = 0; l < L; l++) {
      const y = layerY(l)
      h.push(strip(g, tr.h[l][t].length, x + 4, y - 10, 'h'))
      if (tr.c !== null) c.push(strip(g, tr.c[l][t].length, x + 4, y + 2, 'c'))
      if (l > 0) g.append(edge(`M${x + CW / 2 - 4},${layerY(l - 1) - 14} L${x + CW / 2 - 4},${y + 16}`, `weight_ih_l${l}`, app))
      if (i > 0) g.append(edge(`M${x - 12},${y} L${x + 2},${y}`, `weight_hh_l${l}`, app))
    }
    const mid = x + CW / 2 - 4, last = t === tr.T - 1
    if (pool === undefined || last) g.append(edge(`M${mid},${pooled ? barY : layerY(L - 1) - 14} L${mid},${top - 6}`, 'head.weight', app))
    if (pooled) g.append(svgEl('path', { d: `M${mid},${layerY(L - 1) - 14} L${mid},${barY + 2}`, class: 'edge pool' }))
    const yt = svgEl('text', { x: mid, y: top - 12, 'text-anchor': 'middle', class: 'yt' })
    g.append(yt)
    svg.append(g)
    const copy = { g, xt, yt, h, c }
    fill(copy, app, t)
    return copy
  })
  built = p === 1 ? { layout, copies } : null
}

/** A copy's values at step t: the input and prediction labels, the state strips' colours, the highlight. */
function fill(copy: Copy, app: App, t: number): void {
  const tr = app.trace!, input = app.input!, vocab = app.runner.data.vocab
  setIfChanged(copy.g, 'class', t === app.state.t ? 'copy now' : 'copy')
  setIfChanged(copy.g, 'data-t', String(t))
  const label = input.labels[t]
  textIfChanged(copy.xt, vocab === null ? Number(label).toPrecision(4) : showChar(label))
  const classes = app.runner.classes
  textIfChanged(copy.yt, classes === null ? predictionLabel(tr.out[t], vocab, showChar)
    : t === tr.T - 1 ? predictionLabel(tr.out[t], classes, (c) => c) : '')
  copy.h.forEach((rects, l) => colour(rects, tr.h[l][t]))
  copy.c.forEach((rects, l) => colour(rects, tr.c![l][t]))
}

/** The first STRIP units of a state vector as squares, coloured by colour(). */
function strip(g: SVGGElement, units: number, x: number, y: number, what: string): SVGRectElement[] {
  const n = Math.min(STRIP, units), w = (CW - 16) / n
  return Array.from({ length: n }, (_, j) => {
    const r = svgEl('rect', { x: x + j * w, y, width: w, height: 8, class: `unit ${what}` })
    g.append(r)
    return r
  })
}

/** Red for positive, blue for negative values (set only where they changed: typing leaves the earlier steps as they were). */
function colour(rects: SVGRectElement[], v: Float32Array): void {
  rects.forEach((r, j) => setIfChanged(r, 'fill', rgb(diverging(v[j]))))
}

function edge(d: string, param: string, app: App): SVGPathElement {
  const on = app.state.param !== '' && (app.state.param === param || (app.state.param === 'head' && param === 'head.weight'))
  return svgEl('path', { d, class: on ? 'edge shared' : 'edge', 'data-param': param, 'marker-end': 'url(#arrow)' })
}
