/** The bar above the views: the input box, play / pause / step, the time scrubber, and the keyboard. */
import type { App } from './app.ts'
import { el, showChar } from './dom.ts'

export function mountControls(root: HTMLElement, app: App): void {
  const series = app.runner.data.kind === 'timeseries'
  const box = el('textarea', { id: 'input', rows: series ? 6 : 2, spellcheck: 'false', 'aria-label': series ? 'input rows' : 'input text' })
  box.value = app.state.text
  const error = el('p', { class: 'error', role: 'status' })
  const play = el('button', { type: 'button', id: 'play' }, 'play')
  const back = el('button', { type: 'button', id: 'back', title: 'step back (←)' }, '◀')
  const fwd = el('button', { type: 'button', id: 'fwd', title: 'step forward (→)' }, '▶')
  const scrub = el('input', { type: 'range', id: 'scrubber', min: 0, max: 0, step: 1, 'aria-label': 'time step' })
  const at = el('span', { id: 'at' })
  root.append(el('label', { for: 'input' }, series ? 'Input rows (one per line, target first): ' : 'Input text: '), box, error,
    el('div', { class: 'transport' }, undefined))
  root.lastElementChild!.append(back, play, fwd, scrub, at)

  box.addEventListener('input', () => app.set({ text: box.value }))
  play.addEventListener('click', () => (app.playing ? app.pause() : app.play()))
  back.addEventListener('click', () => app.step(-1))
  fwd.addEventListener('click', () => app.step(1))
  scrub.addEventListener('input', () => app.set({ t: Number(scrub.value) }))
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null
    if (target !== null && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT')) return
    if (e.key === ' ') { e.preventDefault(); if (app.playing) app.pause(); else app.play() }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); app.step(-1) }
    else if (e.key === 'ArrowRight') { e.preventDefault(); app.step(1) }
  })

  app.onRender((a) => {
    if (box.value !== a.state.text && document.activeElement !== box) box.value = a.state.text
    error.textContent = a.error === null ? '' : `Not read: ${a.error} (the views show the last input that could be read)`
    play.textContent = a.playing ? 'pause' : 'play'
    scrub.max = String(Math.max(0, a.T - 1))
    scrub.value = String(a.state.t)
    const label = a.input?.labels[a.state.t]
    const reads = label === undefined ? '' : `  reads ${series ? label : `'${showChar(label)}'`}`
    at.textContent = `t = ${a.state.t} of 0…${Math.max(0, a.T - 1)}${reads}`
  })
}
