/**
 * 2. sharing: every weight matrix drawn once as a heatmap of its real values. Hovering or selecting one
 * highlights each use of it in the unrolled view: the same numbers at every step. Next to it, what the
 * parameters cost shared, and what T separate copies would cost.
 */
import type { View } from '../app.ts'
import { clear, el, heatmap, maxAbs } from '../dom.ts'
import { frame } from './common.ts'

let grid: HTMLElement, cost: HTMLElement
const figures = new Map<string, HTMLElement>()

export const sharing: View = {
  name: 'sharing',
  title: '2 · Parameter sharing',
  mount(root, app) {
    const body = frame(root, this.title, 'The weights of the checkpoint, one heatmap per matrix (red positive, blue negative, rows = '
      + 'outputs). Hover or click one: the unrolled view lights up every step that applies it, because every step applies the same '
      + 'matrix.')
    cost = el('p', { class: 'cost' })
    grid = el('div', { class: 'matrices' })
    body.append(cost, grid)
    const { params } = app.runner
    for (const t of params.tensors) {
      if (t.shape.length !== 2) continue
      const name = t.name
      const canvas = el('canvas', { class: 'heat', 'data-param': name })
      heatmap(canvas, t.shape[0], t.shape[1], t.data, maxAbs(t.data))
      const fig = el('button', { type: 'button', class: 'matrix', 'data-param': name, title: `${name} [${t.shape.join(' × ')}]` })
      fig.append(canvas, el('span', {}, `${label(name)} ${t.shape.join('×')} · ${t.data.length.toLocaleString('en-US')}`))
      fig.addEventListener('mouseenter', () => app.set({ param: name }))
      fig.addEventListener('focus', () => app.set({ param: name }))
      fig.addEventListener('click', () => app.set({ param: app.state.param === name ? '' : name }))
      figures.set(name, fig)
      grid.append(fig)
    }
    grid.addEventListener('mouseleave', () => { if (document.activeElement?.parentElement !== grid) app.set({ param: '' }) })
  },
  render(app) {
    for (const [name, fig] of figures) fig.classList.toggle('selected', name === app.state.param)
    const n = app.runner.params.data.length, T = Math.max(1, app.T)
    clear(cost)
    // a classifier's head applies once per text, so only the recurrent weights would be copied per step
    const heads = app.runner.params.tensors.filter((x) => x.name.startsWith('head.'))
    const head = app.runner.classes !== null ? heads.reduce((k, x) => k + x.data.length, 0) : 0
    const unshared = (n - head) * T + head, times = (unshared / n).toFixed(unshared % n === 0 ? 0 : 1)
    const once = head > 0 ? ` (the head, ${head.toLocaleString('en-US')} of them, applied once per text)` : ''
    cost.append(
      el('b', {}, `${n.toLocaleString('en-US')} parameters`),
      document.createTextNode(` shared by all ${T} steps${once}. Unshared, ${T} copies would need ${unshared.toLocaleString('en-US')} `
        + `parameters (${times}×), and could not read a text longer than ${T} steps.`),
    )
  },
}

/** weight_hh_l0 → W_hh (layer 0), in the notation of the diagrams. */
function label(name: string): string {
  const m = /^weight_(ih|hh)_l(\d+)$/.exec(name)
  return m !== null ? `W_${m[1]} (layer ${m[2]})` : name === 'head.weight' ? 'W_hy (head)' : name
}
