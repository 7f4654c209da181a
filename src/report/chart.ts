/**
 * Terminal charts: a log-scale column chart of a series over time, an aligned sparkline row, and heatmap
 * rows. Pure functions from numbers to lines of text; colour comes from the Chalk instance passed in
 * (level 0 gives plain text, which is what tests and pipes see). Every line fits `width` columns.
 */
import { maxOf } from './extent.ts'
import type { ChalkInstance } from 'chalk'

const EIGHTHS = ['', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']

/** How T steps map onto at most `maxCols` columns: `per` consecutive steps share one column. */
interface Columns { readonly T: number; readonly per: number; readonly cols: number }

export function columnsFor(T: number, maxCols: number): Columns {
  const per = Math.max(1, Math.ceil(T / Math.max(1, maxCols)))
  return { T, per, cols: Math.ceil(T / per) }
}

/**
 * One value per column: the geometric mean of its steps (the natural average on a log scale); NaN if any
 * step is non-finite (so a blow-up is never averaged away), 0 if every step is 0.
 */
function bucket(values: readonly number[], c: Columns): number[] {
  const out: number[] = []
  for (let k = 0; k < c.cols; k++) {
    let logs = 0, n = 0, bad = false
    for (let t = k * c.per; t < Math.min(c.T, (k + 1) * c.per); t++) {
      const v = values[t]
      if (!Number.isFinite(v)) bad = true
      else if (v > 0) { logs += Math.log10(v); n++ }
    }
    out.push(bad ? NaN : n === 0 ? 0 : 10 ** (logs / n))
  }
  return out
}

/** A log10 range [lo, hi] in whole decades covering every positive finite value; null if there is none. */
export function logRange(series: readonly (readonly number[])[]): { lo: number; hi: number } | null {
  let min = Infinity, max = -Infinity
  for (const s of series) for (const v of s) if (v > 0 && Number.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v) }
  if (min === Infinity) return null
  const lo = Math.floor(Math.log10(min)) + 0, hi = Math.ceil(Math.log10(max)) + 0 // + 0: no -0
  return { lo, hi: hi > lo ? hi : lo + 1 }
}

/**
 * Colour by absolute order of magnitude, the same bands in every chart so cells can be compared at a
 * glance: ≥ 1 red, ≥ 1e-2 yellow, ≥ 1e-4 green, ≥ 1e-6 cyan, smaller blue.
 */
function magnitudeColour(v: number, c: ChalkInstance): (s: string) => string {
  if (!Number.isFinite(v)) return c.redBright.bold
  return v >= 1 ? c.red : v >= 1e-2 ? c.yellow : v >= 1e-4 ? c.green : v >= 1e-6 ? c.cyan : c.blue
}

export const MAGNITUDE_LEGEND = 'colour: ≥1 red, ≥1e-2 yellow, ≥1e-4 green, ≥1e-6 cyan, smaller blue; ! = not finite'

export function fmtSci(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  return v.toExponential(digits).replace('e+', 'e')
}

interface LogChartOptions {
  chalk: ChalkInstance
  /** Plot rows (each row holds 8 levels with ▁..█). */
  height?: number
  /** Total line width, labels included. */
  width?: number
  /** log10 range shared by several charts so they compare; default: this series' own. */
  range?: { lo: number; hi: number } | null
}

const LABEL = 7 // "1.0e-12" fits; the axis character follows

/** The columns a chart of `width` gives T steps: y labels and axis on the left, " t" after the x axis. */
function plotColumns(T: number, width: number): Columns {
  return columnsFor(T, width - LABEL - 4)
}

/**
 * Columns over time (left = step 0, right = the last step), bar height = log10 of the value, coloured by
 * magnitude, with y labels (top, middle, bottom) and an x axis of step numbers.
 */
export function logChart(values: readonly number[], o: LogChartOptions): string[] {
  const height = o.height ?? 8, width = o.width ?? 80
  const cols = plotColumns(values.length, width)
  const v = bucket(values, cols)
  const range = o.range ?? logRange([values]) ?? { lo: -1, hi: 0 }
  const span = range.hi - range.lo
  // bar length in eighths of a row; a positive value is never drawn as nothing
  const levels = v.map((x) => {
    if (!(x > 0) || !Number.isFinite(x)) return 0
    const f = (Math.log10(x) - range.lo) / span
    return Math.max(1, Math.min(height * 8, Math.round(f * height * 8)))
  })
  const lines: string[] = []
  for (let r = 0; r < height; r++) {
    const base = (height - 1 - r) * 8
    let row = ''
    for (let k = 0; k < cols.cols; k++) {
      const paint = magnitudeColour(v[k], o.chalk)
      if (Number.isNaN(v[k])) { row += r === 0 ? paint('!') : ' '; continue }
      if (v[k] === 0) { row += r === height - 1 ? o.chalk.dim('·') : ' '; continue }
      const fill = levels[k] - base
      row += fill <= 0 ? ' ' : paint(EIGHTHS[Math.min(8, fill)])
    }
    const label = r === 0 ? 10 ** range.hi : r === height - 1 ? 10 ** range.lo
      : r === Math.floor(height / 2) ? 10 ** (range.lo + span / 2) : null
    lines.push(`${(label === null ? '' : fmtSci(label, 0)).padStart(LABEL)} ┤${row}`.trimEnd())
  }
  lines.push(...timeAxis(cols))
  return lines
}

/** "└┬────┬──── t" with ticks at round step numbers, and the numbers under them (never past the axis). */
function timeAxis(cols: Columns, indent = LABEL + 1): string[] {
  const every = niceStep(cols.T, Math.max(1, Math.floor(cols.cols / 8)) * cols.per)
  let axis = '', labels = ''
  for (let k = 0; k < cols.cols; k++) {
    const t0 = k * cols.per, t1 = Math.min(cols.T, t0 + cols.per)
    const tick = Math.ceil(t0 / every) * every
    const marked = tick < t1 && labels.length < k + (k === 0 ? 1 : 0) && k + String(tick).length <= cols.cols
    axis += marked ? '┬' : '─'
    if (marked) labels = labels.padEnd(k) + String(tick) + ' '
  }
  return [`${' '.repeat(indent)}└${axis} t`, `${' '.repeat(indent + 1)}${labels}`.trimEnd()]
}

/** The smallest of 1, 2, 5, 10, 20, 50, … steps at least `min`. */
function niceStep(T: number, min: number): number {
  for (let p = 1; p <= T * 10; p *= 10) for (const m of [1, 2, 5]) if (m * p >= min) return m * p
  return Math.max(1, T)
}

/** One row of ▁..█ on the same columns as a chart (log scale in `range`), for a second series. */
function sparkRow(values: readonly number[], cols: Columns, range: { lo: number; hi: number }, c: ChalkInstance): string {
  let row = ''
  for (const x of bucket(values, cols)) {
    if (Number.isNaN(x)) { row += magnitudeColour(x, c)('!'); continue }
    if (!(x > 0)) { row += ' '; continue }
    const f = (Math.log10(x) - range.lo) / (range.hi - range.lo)
    row += magnitudeColour(x, c)(EIGHTHS[Math.max(1, Math.min(8, Math.round(f * 8)))])
  }
  return row
}

export function sparkLine(
  label: string, values: readonly number[], o: { chalk: ChalkInstance; width?: number; range?: { lo: number; hi: number } | null },
): string {
  const width = o.width ?? 80
  const cols = plotColumns(values.length, width)
  const range = o.range ?? logRange([values]) ?? { lo: -1, hi: 0 }
  return `${label.slice(0, LABEL).padStart(LABEL)} │${sparkRow(values, cols, range, o.chalk)}`
}

const SHADES = [' ', '░', '▒', '▓', '█']
// ansi256 blues and reds from faint to strong (index 0 unused). Chalk emits 256-colour codes at any
// level above 0; a 16-colour terminal may show them coarsely, but the shade glyph still carries the size
const BLUES = [0, 67, 33, 27, 21]
const REDS = [0, 174, 209, 202, 196]

/**
 * One heatmap cell, two columns wide, for v in [-1, 1] (clamped). With colour: a block whose shade and
 * colour intensity grow with |v|, red for positive, blue for negative. Without colour the sign is
 * written out: "+▓", "-░", and " ·" for |v| < 0.1.
 */
export function heatCell(v: number, c: ChalkInstance): string {
  if (!Number.isFinite(v)) return c.redBright('!!')
  const a = Math.min(1, Math.abs(v))
  const k = Math.max(1, Math.min(4, Math.ceil(a * 4)))
  if (c.level === 0) return a < 0.1 ? ' ·' : (v > 0 ? '+' : '-') + SHADES[k]
  return c.ansi256((v > 0 ? REDS : BLUES)[k])(SHADES[k].repeat(2))
}

export const HEAT_LEGEND_COLOUR = 'red > 0 > blue, stronger = larger |h| (░ ▒ ▓ █)'
export const HEAT_LEGEND_PLAIN = '+ positive, - negative; ░ ▒ ▓ █ = |h| up to 1; · near 0'

/** Column headers for heatmap cells: each unit index written top to bottom, right-aligned in its cell. */
export function verticalHeaders(units: readonly number[], indent: number, w = 2): string[] {
  const digits = maxOf(units.map((u) => String(u).length))
  const lines: string[] = []
  for (let d = 0; d < digits; d++) {
    let line = ' '.repeat(indent)
    for (const u of units) line += (String(u).padStart(digits)[d] ?? ' ').padStart(w)
    lines.push(line.trimEnd())
  }
  return lines
}
