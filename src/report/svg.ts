/**
 * Inline SVG line charts for the HTML report: axes with round-number ticks (powers of ten on a log
 * scale), one path per series, a legend. Pure functions from numbers to markup; every piece of text goes
 * through `esc`, so a column name or a config value can never inject markup. Non-finite points (and
 * non-positive ones on a log scale) break the line instead of bending the axis.
 */
import { maxOf, minOf } from './extent.ts'

export interface Series { name: string; points: readonly (readonly [number, number | null])[]; colour?: string; dashed?: boolean }
/** A shaded band between two curves at the same x values (a prediction interval). */
interface Band {
  name: string; lower: readonly (readonly [number, number])[]; upper: readonly (readonly [number, number])[]; colour: string
}
interface ChartSpec {
  id: string; title: string; x: string; y: string; series: readonly Series[]; logY?: boolean; width?: number; height?: number
  bands?: readonly Band[]
  /** Labels for x ticks (dates for rows); default: the number. */
  xTick?: (x: number) => string
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const M = { left: 68, right: 16, top: 30, bottom: 46 }

export function lineChart(c: ChartSpec): string {
  const W = c.width ?? 560, H = c.height ?? 300
  const usable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!c.logY || v > 0)
  const bandPts = (c.bands ?? []).flatMap((b) => [...b.lower, ...b.upper])
  const pts = [...c.series.flatMap((s) => s.points), ...bandPts].filter((p) => usable(p[1]) && Number.isFinite(p[0]))
  const head = `<svg class="chart" data-chart="${esc(c.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" `
    + `aria-label="${esc(c.title)}" xmlns="http://www.w3.org/2000/svg">`
  // the title is the figure's caption in the page; the SVG carries it as its accessible name
  if (pts.length === 0) return `${head}<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`
  const xs = axis(pts.map((p) => p[0]), false, true), ys = axis(pts.map((p) => p[1] as number), c.logY === true, false)
  const px = (x: number) => M.left + ((x - xs.lo) / (xs.hi - xs.lo)) * (W - M.left - M.right)
  const py = (y: number) => H - M.bottom - ((ys.f(y) - ys.f(ys.lo)) / (ys.f(ys.hi) - ys.f(ys.lo))) * (H - M.top - M.bottom)
  const parts = [head, grid(xs, ys, px, py, W, H, c.xTick), labels(c, W, H)]
  // bands under the lines: the upper curve forward, the lower one back, closed
  for (const b of c.bands ?? []) {
    const ok = (p: readonly [number, number]) => usable(p[1]) && Number.isFinite(p[0])
    if (!b.lower.every(ok) || !b.upper.every(ok) || b.upper.length === 0) continue
    const d = [...b.upper, ...[...b.lower].reverse()].map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${f(px(x))} ${f(py(y))}`).join('') + 'Z'
    parts.push(`<path class="band" data-band="${esc(b.name)}" d="${d}" fill="${b.colour}" fill-opacity="0.15" stroke="none"/>`)
  }
  c.series.forEach((s, i) => {
    const colour = s.colour ?? PALETTE[i % PALETTE.length]
    const d = pathOf(s.points, usable, px, py)
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : ''
    parts.push(`<path class="line" data-series="${esc(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"${dash}/>`)
    const shown = s.points.filter((p) => usable(p[1]))
    // few points: mark them, so a single evaluation is still visible
    if (shown.length <= 30)
      for (const p of shown) parts.push(`<circle cx="${f(px(p[0]))}" cy="${f(py(p[1] as number))}" r="2.5" fill="${colour}"/>`)
  })
  parts.push(legend(c.series, W))
  parts.push('</svg>')
  return parts.join('')
}

function pathOf(
  points: Series['points'], usable: (v: number | null) => v is number, px: (x: number) => number, py: (y: number) => number,
): string {
  let d = '', pen = false
  for (const [x, y] of points) {
    if (!usable(y) || !Number.isFinite(x)) { pen = false; continue }
    d += `${pen ? 'L' : 'M'}${f(px(x))} ${f(py(y))}`
    pen = true
  }
  return d
}

interface Axis { lo: number; hi: number; ticks: number[]; log: boolean; f: (v: number) => number }

/**
 * Round-number ticks: 1-2-5 steps, or whole decades on a log scale. A value axis is widened to round
 * numbers; a `tight` one (steps, seconds, rows) spans exactly the data, with the round ticks inside it.
 */
function axis(values: number[], log: boolean, tight: boolean): Axis {
  let lo = minOf(values), hi = maxOf(values)
  if (log) {
    let a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi))
    if (a === b) { a -= 1; b += 1 }
    const every = Math.max(1, Math.ceil((b - a) / 8))
    const ticks: number[] = []
    for (let e = a; e <= b; e += every) ticks.push(10 ** e)
    return { lo: 10 ** a, hi: 10 ** b, ticks, log, f: Math.log10 }
  }
  if (lo === hi) { const pad = Math.abs(lo) * 0.1 || 1; lo -= pad; hi += pad }
  const step = niceStep((hi - lo) / 5)
  if (!tight) { lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step }
  const ticks: number[] = []
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t)
  return { lo, hi, ticks, log, f: (v) => v }
}

function niceStep(raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw)), m = raw / e
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e
}

function grid(
  xs: Axis, ys: Axis, px: (x: number) => number, py: (y: number) => number, W: number, H: number,
  xTick = (v: number) => tickLabel(v, false),
): string {
  const out: string[] = [
    `<rect class="frame" x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none"/>`,
  ]
  for (const t of xs.ticks) {
    const x = f(px(t))
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}"/>`
      + `<text class="tick" x="${x}" y="${H - M.bottom + 14}" text-anchor="middle">${esc(xTick(t))}</text>`)
  }
  for (const t of ys.ticks) {
    const y = f(py(t))
    out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/>`
      + `<text class="tick" x="${M.left - 6}" y="${y + 4}" text-anchor="end">${esc(tickLabel(t, ys.log))}</text>`)
  }
  return out.join('')
}

function labels(c: ChartSpec, W: number, H: number): string {
  const yMid = (M.top + H - M.bottom) / 2
  return `<text class="label" x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(c.x)}</text>` +
    `<text class="label" x="14" y="${yMid}" text-anchor="middle" transform="rotate(-90 14 ${yMid})">`
      + `${esc(c.y + (c.logY ? ' (log)' : ''))}</text>`
}

function legend(series: readonly Series[], W: number): string {
  let x = W - M.right
  const out: string[] = []
  for (let i = series.length - 1; i >= 0; i--) {
    const s = series[i], colour = s.colour ?? PALETTE[i % PALETTE.length]
    const w = 34 + 6.6 * s.name.length
    x -= w
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : ''
    out.push(`<line x1="${f(x)}" x2="${f(x + 18)}" y1="14" y2="14" stroke="${colour}" stroke-width="2.5"${dash}/>`
      + `<text class="legend" x="${f(x + 22)}" y="18">${esc(s.name)}</text>`)
  }
  return `<g class="legend">${out.join('')}</g>`
}

function tickLabel(v: number, log: boolean): string {
  if (v === 0) return '0'
  if (log) return Math.abs(Math.log10(v)) <= 3 ? String(Number(v.toPrecision(3))) : `1e${Math.round(Math.log10(v))}`
  const a = Math.abs(v)
  return a >= 1e5 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)))
}

function f(v: number): string {
  return v.toFixed(1)
}
