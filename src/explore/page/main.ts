/**
 * The explorer page's entry: reads the data the CLI embedded, builds the engine runner, mounts the
 * controls and the six views (each an element [data-view=name] already in the page), and exposes the
 * scripting API on window.rnn.
 */
import { App, type View } from './app.ts'
import { mountControls } from './controls.ts'
import type { PageData } from './data.ts'
import { Runner } from './run.ts'
import { api } from './api.ts'
import type { State } from './state.ts'
import { unroll } from './views/unroll.ts'
import { sharing } from './views/sharing.ts'
import { stateView } from './views/state.ts'
import { generate } from './views/generate.ts'
import { classify } from './views/classify.ts'
import { vanishing } from './views/vanishing.ts'
import { bptt } from './views/bptt.ts'

const data = JSON.parse(document.getElementById('rnn-data')!.textContent!) as PageData
const runner = new Runner(data)
const s = data.sample
const defaults: State = {
  text: data.input, t: 0, view: 'unroll', layer: data.spec.num_layers - 1, unit: -1, quantity: 'h', sort: 'index', param: '',
  lossAt: 'last', label: '', compare: false, phase: 'forward',
  temp: s.temp, topK: s.topK ?? 0, topP: s.topP ?? 1, seed: s.seed, length: s.length, prime: s.prime,
}
const app = new App(runner, defaults)
mountControls(document.getElementById('controls')!, app)
const views: View[] = [unroll, sharing, stateView, data.kind === 'classifier' ? classify : generate, vanishing, bptt]
for (const v of views) app.add(v, document.querySelector<HTMLElement>(`[data-view="${v.name}"]`)!)
window.addEventListener('hashchange', () => app.set(app.stateFromHash()))
for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
  a.addEventListener('click', (e) => { e.preventDefault(); app.show(a.getAttribute('href')!.replace('#view=', '') as State['view']) })
}
app.render()
const rnn = api(app)
;(window as unknown as { rnn: ReturnType<typeof api> }).rnn = rnn
// which kernels run is known only here: WebAssembly SIMD where the browser has it, else the js reference
const shown = document.getElementById('kernels')!
const showKernels = () => { shown.textContent = `${rnn.kernels} kernels` }
showKernels()
app.onKernels = showKernels
document.body.dataset.ready = 'true'
