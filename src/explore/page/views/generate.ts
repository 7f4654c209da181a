/**
 * 4. generate: character-level generation one draw at a time, with `rnn sample`'s own generator (same
 * seed, prime, length and settings: the same text as `rnn sample --kernels js`). Each step shows the input
 * character, the top layer's h_t, the top candidates after temperature / top-k / top-p as bars with the
 * drawn one marked, and the text so far. Play advances the draws. A time-series model shows its one-step
 * forecast against the next row at the step under the scrubber, and what `rnn sample --horizon` does after
 * the input: one season of forecasts, each fed back as the next input, shaded with its 80% and 95%
 * prediction intervals (`--level 80,95`, calibrated on the input's rows in the page).
 */
import type { App, View } from '../app.ts'
import { clear, diverging, el, fmt, rgb, showChar, svgEl } from '../dom.ts'
import type { ExplainedStep } from '../../../model/sampler.ts'
import { DEFAULT_LEVELS, MIN_ERRORS } from '../../../tasks/intervals.ts'
import type { Input, Intervals } from '../run.ts'
import { lineChart } from './chart.ts'
import { frame } from './common.ts'

const TOP = 10
type Step = ExplainedStep & { h: Float32Array }
let steps: Step[] = [], key = '', at = 0, error = '', drawn = ''
/** A forecaster's rows after the input and their bands, for the input they were computed for. */
let ahead: { input: Input; values: number[]; intervals: Intervals | null; error: string } | null = null
let controls: HTMLElement, stage: HTMLElement, full: HTMLElement
const inputs: Record<string, HTMLInputElement> = {}

export const generate: View = {
  name: 'generate',
  title: '4 · Generating, one character at a time',
  mount(root, app) {
    const series = app.runner.vocab === null
    const body = frame(root, series ? this.title.replace('one character', 'one row') : this.title, series
      ? 'A forecaster reads a row and predicts the next. For each step of the input: the forecast against the row that followed. '
        + 'After the input, generating means feeding each forecast back in as the next row, as rnn sample --horizon does.'
      : 'The model reads a character, updates h_t and gives a probability to every next character; temperature, top-k and top-p reshape '
        + 'that distribution, one character is drawn (seeded) and fed back in.')
    controls = el('div', { class: 'row' }); stage = el('div', { class: 'stage' }); full = el('pre', { class: 'sample' })
    body.append(controls, stage)
    if (series) return
    body.append(full)
    const V = app.runner.vocab!.size
    const add = (name: string, label: string, attrs: Record<string, string | number>) => {
      const i = el('input', { name, 'aria-label': label, ...attrs })
      i.addEventListener('input', () => { at = 0; app.set(read(app)) })
      inputs[name] = i
      controls.append(el('label', {}, `${label} `), i)
    }
    add('temp', 'temperature', { type: 'range', min: 0.1, max: 2, step: 0.05 })
    add('topK', 'top-k (0: off)', { type: 'range', min: 0, max: V, step: 1 })
    add('topP', 'top-p', { type: 'range', min: 0.05, max: 1, step: 0.01 })
    add('seed', 'seed', { type: 'number', min: 0, step: 1 })
    add('length', 'length', { type: 'number', min: 1, max: 2000, step: 1 })
    add('prime', 'prime', { type: 'text' })
    const next = el('button', { type: 'button', class: 'draw' }, 'draw next')
    next.addEventListener('click', () => { at = Math.min(at + 1, steps.length); app.render() })
    const all = el('button', { type: 'button', class: 'draw-all' }, 'draw all')
    all.addEventListener('click', () => { at = steps.length; app.render() })
    controls.append(next, all)
  },
  tick(app) {
    if (app.runner.vocab !== null) at = at >= steps.length ? 0 : at + 1
  },
  render(app) {
    if (app.runner.vocab === null) { renderSeries(app); return }
    const s = app.state
    for (const [k, v] of Object.entries({ temp: s.temp, topK: s.topK, topP: s.topP, seed: s.seed, length: s.length }))
      if (document.activeElement !== inputs[k]) inputs[k].value = String(v)
    if (document.activeElement !== inputs.prime) inputs.prime.value = s.prime
    const k = JSON.stringify([s.temp, s.topK, s.topP, s.seed, s.length, s.prime])
    if (k !== key) {
      key = k
      try {
        steps = [...app.runner.explain(options(app), TOP)]
        error = ''
      } catch (e) { steps = []; error = (e as Error).message }
      at = Math.min(at, steps.length)
    }
    // the draws depend on the settings and the step only: typing in the text box leaves them as they are
    if (drawn === `${key} ${at}`) return
    drawn = `${key} ${at}`
    drawStep(app)
  },
}

function read(app: App) {
  const n = (k: string, d: number) => { const v = Number(inputs[k].value); return Number.isFinite(v) ? v : d }
  const s = app.state
  return {
    temp: Math.max(0.05, n('temp', s.temp)), topK: Math.max(0, Math.round(n('topK', 0))), topP: Math.min(1, Math.max(0.01, n('topP', 1))),
    seed: Math.max(0, Math.round(n('seed', 1))), length: Math.max(1, Math.min(2000, Math.round(n('length', 200)))),
    prime: inputs.prime.value,
  }
}

function options(app: App) {
  const s = app.state
  const topK = s.topK > 0 ? s.topK : null, topP = s.topP < 1 ? s.topP : null
  return { prime: s.prime, length: s.length, temp: s.temp, seed: s.seed, topK, topP }
}

function drawStep(app: App): void {
  clear(stage)
  const s = app.state
  full.textContent = s.prime + steps.map((x) => x.char).join('')
  full.dataset.text = full.textContent
  if (error !== '') { stage.append(el('p', { class: 'error' }, error)); return }
  if (steps.length === 0) return
  const i = Math.max(0, Math.min(steps.length - 1, at - 1))
  const step = steps[i]
  const input = i === 0 ? (s.prime === '' ? '\n' : [...s.prime].at(-1)!) : steps[i - 1].char
  const hx = el('div', { class: 'hstrip' })
  for (let j = 0; j < Math.min(64, step.h.length); j++) {
    const c = el('span'); c.style.backgroundColor = rgb(diverging(step.h[j])); hx.append(c)
  }
  stage.append(el('p', {}, `draw ${i + 1} of ${steps.length}: reads '${showChar(input)}', h_t of the top layer:`), hx)
  const W = 420, bar = 18, height = (step.candidates.length + 1) * bar + 4
  const svg = svgEl('svg', { class: 'bars', width: W, height, role: 'img', 'aria-label': 'next-character probabilities' })
  step.candidates.forEach((c, r) => {
    const y = r * bar + 2, drawn = c.char === step.char
    svg.append(svgEl('text', { x: 2, y: y + 13 }, `'${showChar(c.char)}'`))
    svg.append(svgEl('rect', { x: 40, y, width: Math.max(1, c.p * (W - 120)), height: bar - 4, class: drawn ? 'bar drawn' : 'bar' }))
    svg.append(svgEl('text', { x: 46 + c.p * (W - 120), y: y + 13 }, `${fmt(c.p)}${drawn ? '  ← drawn' : ''}`))
  })
  if (!step.candidates.some((c) => c.char === step.char))
    svg.append(svgEl('text', { x: 2, y: step.candidates.length * bar + 15 }, `… drawn '${showChar(step.char)}' (p = ${fmt(step.p)})`))
  stage.append(svg)
  const so = el('p', { class: 'so-far' })
  so.append(document.createTextNode(s.prime + steps.slice(0, i).map((x) => x.char).join('')), el('mark', {}, step.char))
  stage.append(so)
}

function renderSeries(app: App): void {
  clear(stage); full.textContent = ''
  const tr = app.trace, input = app.input
  if (tr === null || input === null || input.rows === null) return
  const first = input.rows.length - input.T, t = app.state.t
  const next = input.rows[first + t + 1]
  const actual = next === undefined ? ' (no next row in the input)' : `, actual ${fmt(next[0])}, error ${fmt(tr.out[t][0] - next[0])}`
  stage.append(el('p', {}, `step ${t}: reads ${input.labels[t]}; forecast of the next row ${fmt(tr.out[t][0])}${actual}`))
  const horizon = app.runner.data.series!.season
  // the forecast after the input and its bands change with the rows only, not with the step shown
  if (ahead?.input !== input) {
    try {
      const rows = app.runner.forecast(input, horizon)
      ahead = { input, values: rows.map((r) => r[0]), intervals: app.runner.intervals(input, rows, DEFAULT_LEVELS), error: '' }
    } catch (e) { ahead = { input, values: [], intervals: null, error: (e as Error).message } }
  }
  if (ahead.error !== '') { stage.append(el('p', { class: 'error' }, `Generating ahead ${ahead.error}.`)); return }
  const { values, intervals: iv } = ahead
  const shown = input.rows.slice(-Math.max(3 * horizon, 24)).map((r) => r[0]), last = shown.length - 1
  const target = app.runner.data.series!.columns[0].name
  stage.append(el('p', {}, `Fed back, the next ${horizon} rows (one season) after the input's last row: `
    + `${values.map(fmt).join(', ')} (${target}; the same as rnn sample --horizon ${horizon} on these rows).`))
  // the widest band first, so the narrower one shades on top of it
  const bands = (iv?.levels ?? []).map((L, l) => ({
    name: `${L}%`, lower: [shown[last], ...iv!.lower[l]], upper: [shown[last], ...iv!.upper[l]], from: last, cls: `l${L}`,
  })).reverse()
  stage.append(lineChart([
    { name: 'input', values: shown, cls: 's0' },
    { name: 'fed back', values: [shown[last], ...values], cls: 's1 dashed', from: last },
  ], last, 640, 180, undefined, bands))
  stage.append(iv === null
    ? el('p', { class: 'note' }, `No prediction intervals: the input has too few rows to calibrate ${horizon}-step bands `
      + `(${MIN_ERRORS} forecasts from earlier origins per step needed, as rnn sample --level says); add rows to see them.`)
    : intervalTable(iv, values, target, horizon))
}

/** The bands as rnn sample --level prints them: a row per step, the forecast and each level's bounds. */
function intervalTable(iv: Intervals, values: readonly number[], target: string, horizon: number): HTMLElement {
  const box = el('div', { class: 'intervals' })
  box.append(el('p', {}, `Shaded: the ${iv.levels.join('% and ')}% prediction intervals, the quantiles of the model's errors `
    + `forecasting ${horizon} rows ahead from ${iv.origins} earlier origins of the input (tasks/intervals.ts, as rnn sample `
    + `--horizon ${horizon} --level ${iv.levels.join(',')} on these rows).`))
  const table = el('table'), head = el('tr')
  for (const h of ['step', target, ...iv.levels.flatMap((L) => [`lower_${L}`, `upper_${L}`])]) head.append(el('th', {}, h))
  table.append(head)
  values.forEach((v, h) => {
    const tr = el('tr')
    tr.append(el('td', {}, String(h + 1)))
    for (const x of [v, ...iv.levels.flatMap((_, l) => [iv.lower[l][h], iv.upper[l][h]])]) tr.append(el('td', { 'data-value': x }, fmt(x)))
    table.append(tr)
  })
  box.append(table)
  return box
}
