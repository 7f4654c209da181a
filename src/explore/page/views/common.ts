/** What every view starts with: its heading, a line saying what it shows, and a body to draw into. */
import type { App } from '../app.ts'
import { el } from '../dom.ts'

export function frame(root: HTMLElement, title: string, what: string): HTMLElement {
  root.append(el('h2', {}, title), el('p', { class: 'what' }, what))
  const body = el('div', { class: 'body' })
  root.append(body)
  return body
}

/**
 * A classifier's gradient views differentiate the loss at its head against one class: the one it predicts
 * for the input (the default, '') or a class chosen here.
 */
export function labelSelect(app: App): HTMLSelectElement {
  const classes = app.runner.classes ?? []
  const options: [string, string][] = [['', 'loss against the predicted class']]
  for (const c of classes) options.push([c, `loss against "${c}"`])
  return select('loss against label', options, (v) => app.set({ label: v }))
}

/** A <select> whose options are [value, label] pairs, calling `on` with the chosen value. */
export function select(label: string, options: [string, string][], on: (v: string) => void): HTMLSelectElement {
  const s = el('select', { 'aria-label': label })
  for (const [v, l] of options) s.append(el('option', { value: v }, l))
  s.addEventListener('change', () => on(s.value))
  return s
}

/** Up to `max` steps around t: the steps a wide diagram shows. */
export function visibleSteps(T: number, t: number, max: number): number[] {
  const n = Math.min(T, max), first = Math.max(0, Math.min(T - n, t - Math.floor(n / 2)))
  return Array.from({ length: n }, (_, i) => first + i)
}

/** The prediction of step t as text: the most likely next character with its probability, or the forecast. */
export function predictionLabel(out: Float64Array, vocab: readonly string[] | null, show: (c: string) => string): string {
  if (vocab === null) return out[0].toPrecision(4)
  let best = 0
  for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i
  return `${show(vocab[best])} ${out[best].toFixed(2)}`
}
