/**
 * 4. classify (a classifier's page, in place of generate): the user types a sentence; bars show the class
 * probabilities of the whole sentence (what `rnn classify` prints, by the same function) and those had it
 * ended after the character under the scrubber, and the sentence is coloured character by character by
 * how sure the model was of each class as it read, so a sentence's sentiment is seen forming word by word.
 */
import type { App, View } from '../app.ts'
import { clear, el, fmt, rgb, svgEl } from '../dom.ts'
import { frame } from './common.ts'

let box: HTMLInputElement, verdict: HTMLElement, whole: HTMLElement, atStep: HTMLElement, reading: HTMLElement

export const classify: View = {
  name: 'classify',
  title: '4 · Classifying a sentence, one character at a time',
  mount(root, app) {
    const pool = app.runner.data.classifier!.pool
    const body = frame(root, this.title, 'Type a sentence: the model reads it character by character from a zero state, and its head turns '
      + `the ${pool === 'last' ? 'state after the last character' : `${pool} of the states`} `
      + 'into one probability per class. Underneath, the same probabilities had the sentence ended after each character.')
    box = el('input', { type: 'text', class: 'sentence', 'aria-label': 'sentence to classify', spellcheck: 'false' })
    box.addEventListener('input', () => app.set({ text: box.value }))
    verdict = el('p', { class: 'verdict' }); whole = el('div'); atStep = el('div'); reading = el('p', { class: 'coloured' })
    body.append(box, verdict, whole, atStep, reading)
  },
  render(app) {
    if (document.activeElement !== box && box.value !== app.state.text) box.value = app.state.text
    clear(whole); clear(atStep); clear(reading)
    const tr = app.trace, input = app.input, classes = app.runner.classes!
    if (tr === null || input === null) return
    const text = input.labels.join(''), t = Math.min(app.state.t, tr.T - 1)
    const p = app.runner.classify(text)
    const best = argmax(p)
    verdict.textContent = `${classes[best]} (p = ${fmt(p[best])}), as rnn classify says of "${text}"`
    verdict.dataset.label = classes[best]
    whole.append(el('p', {}, 'The whole sentence:'), bars(classes, p, 'whole'))
    atStep.append(el('p', {}, `Had it ended after character ${t} ('${input.labels[t]}'):`), bars(classes, tr.out[t], 'step'))
    // each character coloured by the class the model leaned to after reading it, and by how far
    input.labels.forEach((ch, i) => {
      const q = tr.out[i], k = argmax(q)
      const span = el('span', { 'data-t': i, title: classes.map((c, j) => `${c} ${q[j].toFixed(3)}`).join('  ') }, ch)
      span.style.backgroundColor = rgb(shade(k, (q[k] - 1 / classes.length) / (1 - 1 / classes.length)))
      if (i === t) span.classList.add('now')
      reading.append(span)
    })
  },
}

function argmax(p: ArrayLike<number>): number {
  let best = 0
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
  return best
}

/** One bar per class, the most probable marked. */
function bars(classes: string[], p: ArrayLike<number>, what: string): SVGSVGElement {
  const W = 460, bar = 18, best = argmax(p)
  const label = `class probabilities (${what})`
  const svg = svgEl('svg', { class: 'bars', width: W, height: classes.length * bar + 4, role: 'img', 'aria-label': label })
  svg.dataset.probs = JSON.stringify(Array.from(p))
  classes.forEach((c, r) => {
    const y = r * bar + 2, x0 = 110
    svg.append(svgEl('text', { x: 2, y: y + 13 }, c.length > 16 ? `${c.slice(0, 15)}…` : c))
    const width = Math.max(1, p[r] * (W - x0 - 60))
    svg.append(svgEl('rect', { x: x0, y, width, height: bar - 4, class: `bar${r === best ? ' drawn' : ''}` }))
    svg.append(svgEl('text', { x: x0 + 6 + p[r] * (W - x0 - 60), y: y + 13 }, fmt(p[r])))
  })
  return svg
}

/** Class k's colour at strength s in [0, 1]: the first class blue, the second red, others green, purple, … */
function shade(k: number, s: number): [number, number, number] {
  const base: [number, number, number][] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [148, 103, 189], [140, 86, 75]]
  const c = base[k % base.length], f = Math.max(0, Math.min(1, s)) * 0.6
  return [Math.round(255 + (c[0] - 255) * f), Math.round(255 + (c[1] - 255) * f), Math.round(255 + (c[2] - 255) * f)]
}
