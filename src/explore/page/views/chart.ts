/** A small log-scale line chart in SVG: one polyline per series over steps 0…n-1, a marker at step `at`. */
import { svgEl } from '../dom.ts'

export interface Line { name: string; values: readonly number[]; cls: string }
/** A shaded region between two curves over positions from…from+n-1 (a prediction interval). */
export interface Band { name: string; lower: readonly number[]; upper: readonly number[]; from: number; cls: string }

export function logChart(lines: readonly Line[], at: number, width = 640, height = 180): SVGSVGElement {
  const svg = svgEl('svg', { class: 'chart', width, height, role: 'img', 'aria-label': 'log-scale chart' })
  const all = lines.flatMap((l) => l.values.filter((v) => v > 0 && Number.isFinite(v)))
  const n = Math.max(2, ...lines.map((l) => l.values.length))
  if (all.length === 0) { svg.append(svgEl('text', { x: 10, y: 20 }, 'no finite positive values')); return svg }
  let lo = Math.log10(Math.min(...all)), hi = Math.log10(Math.max(...all))
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5 }
  const L = 56, R = 110, Tp = 10, B = 24
  const X = (t: number) => L + (t / (n - 1)) * (width - L - R)
  const Y = (v: number) => Tp + (1 - (Math.log10(v) - lo) / (hi - lo)) * (height - Tp - B)
  svg.append(svgEl('rect', { x: L, y: Tp, width: width - L - R, height: height - Tp - B, class: 'frame' }))
  // at most ~6 labelled decades
  const every = Math.max(1, Math.ceil((Math.floor(hi) - Math.ceil(lo)) / 6))
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e += every) {
    svg.append(svgEl('line', { x1: L, x2: width - R, y1: Y(10 ** e), y2: Y(10 ** e), class: 'grid' }))
    svg.append(svgEl('text', { x: L - 4, y: Y(10 ** e) + 4, 'text-anchor': 'end' }, `1e${e}`))
  }
  svg.append(svgEl('text', { x: L, y: height - 6 }, 't = 0'))
  svg.append(svgEl('text', { x: width - R, y: height - 6, 'text-anchor': 'end' }, `t = ${n - 1}`))
  if (at >= 0) svg.append(svgEl('line', { x1: X(at), x2: X(at), y1: Tp, y2: height - B, class: 'now-line' }))
  lines.forEach((l, i) => {
    const pts = l.values.map((v, t) => (v > 0 && Number.isFinite(v) ? `${X(t).toFixed(1)},${Y(v).toFixed(1)}` : '')).filter((p) => p !== '')
    svg.append(svgEl('polyline', { points: pts.join(' '), class: `line ${l.cls}`, 'data-series': l.name }))
    svg.append(svgEl('text', { x: width - R + 6, y: Tp + 12 + i * 14, class: `legend ${l.cls}` }, l.name))
  })
  return svg
}

/**
 * A linear line chart of values over positions 0…n-1 (a series may start later: `from`), with a dashed
 * vertical line at position `split` (where a forecast takes over from the data, or the step shown), and
 * shaded bands under the lines; the value axis spans the data and the bands, or `range`.
 */
export function lineChart(lines: readonly (Line & { from?: number })[], split: number, width = 640, height = 180,
  range?: [number, number], bands: readonly Band[] = []): SVGSVGElement {
  const svg = svgEl('svg', { class: 'chart', width, height, role: 'img', 'aria-label': 'line chart' })
  const all = [...lines.flatMap((l) => l.values), ...bands.flatMap((b) => [...b.lower, ...b.upper])].filter(Number.isFinite)
  const n = Math.max(2, ...lines.map((l) => (l.from ?? 0) + l.values.length), ...bands.map((b) => b.from + b.lower.length))
  if (all.length === 0) { svg.append(svgEl('text', { x: 10, y: 20 }, 'no finite values')); return svg }
  let [lo, hi] = range ?? [Math.min(...all), Math.max(...all)]
  if (hi - lo < 1e-12) { lo -= 1; hi += 1 }
  const L = 56, R = 110, Tp = 10, B = 24
  const X = (t: number) => L + (t / (n - 1)) * (width - L - R)
  const Y = (v: number) => Tp + (1 - (v - lo) / (hi - lo)) * (height - Tp - B)
  svg.append(svgEl('rect', { x: L, y: Tp, width: width - L - R, height: height - Tp - B, class: 'frame' }))
  for (const v of [lo, hi]) svg.append(svgEl('text', { x: L - 4, y: Y(v) + 4, 'text-anchor': 'end' }, String(Number(v.toPrecision(4)))))
  svg.append(svgEl('line', { x1: X(split), x2: X(split), y1: Tp, y2: height - B, class: 'now-line' }))
  for (const b of bands) {
    // the upper curve forward, the lower one back, closed (as the HTML report draws its bands)
    if (![...b.lower, ...b.upper].every(Number.isFinite)) continue
    const at = (v: number, t: number) => `${X(b.from + t).toFixed(1)},${Y(v).toFixed(1)}`
    const d = `M${[...b.upper.map(at), ...b.lower.map(at).reverse()].join(' L')} Z`
    svg.append(svgEl('path', { d, class: `pi ${b.cls}`, 'data-band': b.name }))
  }
  lines.forEach((l, i) => {
    const pts = l.values.map((v, t) => (Number.isFinite(v) ? `${X(t + (l.from ?? 0)).toFixed(1)},${Y(v).toFixed(1)}` : ''))
      .filter((p) => p !== '')
    svg.append(svgEl('polyline', { points: pts.join(' '), class: `line ${l.cls}`, 'data-series': l.name }))
    svg.append(svgEl('text', { x: width - R + 6, y: Tp + 12 + i * 14, class: `legend ${l.cls}` }, l.name))
  })
  return svg
}
