/**
 * Small DOM helpers for the views. Text goes in through textContent only (never innerHTML), so no string
 * from the checkpoint or the text box can become markup; inline styles are set through the CSSOM
 * (el.style), which the page's Content-Security-Policy allows, never as style="…" attributes.
 */
const SVG_NS = 'http://www.w3.org/2000/svg'

type Attrs = Record<string, string | number>

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  if (text !== undefined) e.textContent = text
  return e
}

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  if (text !== undefined) e.textContent = text
  return e
}

/** An attribute, left alone when it already has the value (setting it again costs the browser a style pass). */
export function setIfChanged(e: Element, name: string, value: string): void {
  if (e.getAttribute(name) !== value) e.setAttribute(name, value)
}

export function textIfChanged(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text
}

export function clear(e: Element): void {
  while (e.firstChild !== null) e.removeChild(e.firstChild)
}

/** Blue (negative) – white – red (positive) for v in [-1, 1] (clamped), as [r, g, b]. */
export function diverging(v: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0))
  const f = 1 - Math.abs(x)
  return x >= 0 ? [255, Math.round(255 * f), Math.round(255 * f)] : [Math.round(255 * f), Math.round(255 * f), 255]
}

export function rgb(c: [number, number, number]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`
}

/**
 * A rows × cols heatmap on a canvas, one cell per value, scaled by `scale` (values divided by it, then
 * clamped to [-1, 1]); the canvas is drawn at its natural size and stretched by CSS.
 */
export function heatmap(
  canvas: HTMLCanvasElement, rows: number, cols: number, at: ((r: number, c: number) => number) | ArrayLike<number>, scale = 1,
): void {
  const w = Math.max(1, cols), h = Math.max(1, rows)
  // setting a canvas's size, even to the same value, reallocates and clears it
  if (canvas.width !== w) canvas.width = w
  if (canvas.height !== h) canvas.height = h
  const ctx = canvas.getContext('2d')
  if (ctx === null) return
  const img = ctx.createImageData(w, h)
  const inv = scale > 0 ? 1 / scale : 1
  // a weight matrix is 10⁵-10⁶ cells: one 32-bit store per pixel from a table of diverging()'s colours, the
  // values read straight from an array when given one (a call per cell costs as much as the rest)
  const px = LITTLE_ENDIAN ? new Uint32Array(img.data.buffer) : null
  const flat = typeof at === 'function' ? null : at
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = (flat !== null ? flat[r * cols + c] : (at as (r: number, c: number) => number)(r, c)) * inv
      const x = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0
      const colour = PALETTE[255 + Math.round(255 * x)], o = r * cols + c
      if (px !== null) px[o] = colour
      else for (let k = 0; k < 4; k++) img.data[4 * o + k] = (colour >>> (8 * k)) & 255
    }
  ctx.putImageData(img, 0, 0)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** diverging()'s colour of x = (i - 255) / 255 as RGBA bytes read little-endian: blue (−1), white (0), red (+1). */
const PALETTE = Uint32Array.from({ length: 511 }, (_, i) => {
  const q = i - 255, f = 255 - Math.abs(q)
  const [r, g, b] = q >= 0 ? [255, f, f] : [f, f, 255]
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
})

/** The largest |v| of an array (1 if all zero), for colour scales. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (v > m && Number.isFinite(v)) m = v }
  return m > 0 ? m : 1
}

/** How a character of the input is shown in a cell: newline, tab and space made visible. */
export function showChar(ch: string): string {
  return ch === '\n' ? '⏎' : ch === '\t' ? '⇥' : ch === ' ' ? '␣' : ch
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  return a === 0 ? '0' : a >= 1000 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(3)
}
