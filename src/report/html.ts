/**
 * The training report as ONE self-contained HTML file: inline CSS and SVG, no scripts, no fonts or images
 * from anywhere (a Content-Security-Policy of default-src 'none' makes the browser enforce that), so it
 * can be mailed, archived or opened offline. Every string from the checkpoint is escaped.
 */
import { maxOf, minOf } from './extent.ts'
import { basename } from 'node:path'
import type { HistoryPoint } from '../model/checkpoint/schema.ts'
import type { ForecastData, GradientData, Maybe, ReportData } from './report-data.ts'
import { sampleLength, SAMPLE_SEED } from './report-data.ts'
import { esc, lineChart, type Series } from './svg.ts'
import type { OutputKind } from '../files/output-file.ts'

const TITLE = 'rnn report: '

/** A report as an output: an HTML file with this page's title. */
export const REPORT_FILE: OutputKind = {
  noun: 'rnn report', plural: 'reports',
  is: (head) => new RegExp(`^<!DOCTYPE html>[\\s\\S]*<title>${TITLE}`, 'i').test(head.toString('utf8')),
}

const CSS = `
:root { color-scheme: light; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; margin: 24px auto;
  max-width: 1160px; padding: 0 16px;
}
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub, .note, figcaption { color: #666; } .note { font-style: italic; }
.config { display: flex; flex-wrap: wrap; gap: 8px 40px; align-items: flex-start; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; } figcaption { font-size: 13px; margin: 2px 0 4px; } figcaption b { color: #222; }
svg.chart { max-width: 100%; height: auto; background: #fff; }
svg .grid { stroke: #eee; } svg .frame { stroke: #bbb; } svg text { font-size: 11px; fill: #555; }
svg .label { fill: #333; font-size: 12px; } svg .legend { fill: #333; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #eee; padding: 3px 12px 3px 0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; }
pre.sample { white-space: pre-wrap; background: #f7f7f7; border: 1px solid #e5e5e5; padding: 10px; max-width: 1120px; }
`

/** `explorer`: the relative link to this checkpoint's `rnn explore` page when it exists. */
export function renderReport(d: ReportData, explorer: string | null = null): string {
  const ck = d.checkpoint
  const unit = ck.data.kind === 'text' && ck.data.tokenizer?.kind === 'word' ? 'word' : 'character'
  const name = basename(d.path)
  const kind = ck.data.kind === 'timeseries' ? `forecaster of ${ck.data.columns[0].name}` : `${unit}-level language model`
  const body = [
    `<h1>rnn report: ${esc(name)}</h1>`,
    `<p class="sub">${esc(d.path)} · ${esc(kind)} · saved ${esc(ck.created)} by rnn ${esc(ck.rnn_version)}</p>`,
    summary(d),
    explorer === null
      ? '<p class="note">To watch this model work (unrolling, hidden states, generation, gradients through time), '
        + `run <code>rnn explore ${esc(d.path)}</code>: one more offline page.</p>`
      : `<p><a href="${esc(explorer)}">Explore this model</a>: an offline page that runs it and animates unrolling, hidden states, `
        + 'generation and gradients through time.</p>',
    '<h2>Training</h2>',
    training(ck.progress.history, ck.kind === 'text' ? `loss (nats/${unit === 'word' ? 'word' : 'char'})` : 'loss (MSE, normalised)'),
    '<h2>Gradient flow through time</h2>',
    gradientSection(d.gradients),
    d.sample !== null ? sampleSection(d.sample, unit === 'word' ? 'word' : 'char') : '',
    d.forecast !== null ? forecastSection(d.forecast) : '',
    '<h2>Configuration</h2>',
    configTables(ck.config),
  ]
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLE}${esc(name)}</title>
<style>${CSS}</style>
</head>
<body>
${body.filter((s) => s !== '').join('\n')}
</body>
</html>
`
}

function summary(d: ReportData): string {
  const ck = d.checkpoint, m = ck.model, p = ck.progress
  const last = p.history.at(-1)
  const rows: [string, string][] = [
    ['model', `${m.cell}, ${m.num_layers} layer${m.num_layers > 1 ? 's' : ''} × ${m.hidden_size} units, `
      + `${m.input_size} inputs → ${m.output_size} outputs`],
    ['parameters', d.parameters.toLocaleString('en-US')],
    ['trained', `${p.step.toLocaleString('en-US')} steps, ${p.epoch} epochs, ${duration(p.seconds)}`],
    ['best validation loss', p.best_val_loss === null ? '—' : `${num(p.best_val_loss)} at step ${p.best_step}`],
    ['last training loss', last?.train_loss == null ? '—' : `${num(last.train_loss)} at step ${last.step}`],
  ]
  return table(null, rows)
}

function training(h: readonly HistoryPoint[], lossLabel: string): string {
  if (h.length === 0) return '<p class="note">No training history in this checkpoint (imported, or saved before the first evaluation).</p>'
  const pts = (x: (p: HistoryPoint) => number, y: (p: HistoryPoint) => number | null) => h.map((p) => [x(p), y(p)] as const)
  const loss = (x: (p: HistoryPoint) => number): Series[] => [
    { name: 'training', points: pts(x, (p) => p.train_loss) },
    { name: 'validation', points: pts(x, (p) => p.val_loss) },
  ]
  const norms = h.map((p) => p.grad_norm).filter((v): v is number => v !== null && v > 0)
  const logNorm = norms.length > 1 && maxOf(norms) / minOf(norms) > 30
  return `<div class="grid">
${figure('Loss against optimizer steps', 'training loss: mean over the interval before each evaluation; validation: the held-out split',
    lineChart({ id: 'loss-steps', title: 'loss by step', x: 'step', y: lossLabel, series: loss((p) => p.step) }))}
${figure('Loss against wall time', 'seconds of training (resumed runs continue the clock)',
    lineChart({ id: 'loss-time', title: 'loss by time', x: 'seconds', y: lossLabel, series: loss((p) => p.seconds) }))}
${figure('Learning rate', 'at each evaluation', lineChart({
    id: 'lr', title: 'learning rate', x: 'step', y: 'learning rate',
    series: [{ name: 'lr', points: pts((p) => p.step, (p) => p.lr), colour: '#2ca02c' }],
  }))}
${figure('Gradient norm', 'mean global gradient norm over each evaluation interval, before clipping', lineChart({
    id: 'grad-norm', title: 'gradient norm', x: 'step', y: '‖g‖', logY: logNorm,
    series: [{ name: '‖g‖', points: pts((p) => p.step, (p) => p.grad_norm), colour: '#9467bd' }],
  }))}
</div>`
}

function gradientSection(g: Maybe<GradientData>): string {
  if (!g.ok) return `<p class="note">Not computed: ${esc(g.note)}</p>`
  const v = g.value
  const series: Series[] = v.layers.map((l) => ({ name: `layer ${l.layer}`, points: l.dh_norm.map((y, t) => [t, y] as const) }))
  const caption = `‖∂S/∂h<sub>t</sub>‖ per layer, S = the loss at the last step (${num(v.loss)}), over ${esc(v.from)}, from a zero state. `
    + 'How much the last prediction depends on step t: a steep fall to the left means gradients vanish going back in time.'
  const chart = lineChart({
    id: 'grad-time', title: 'state gradient per timestep', x: 'timestep t', y: '‖∂S/∂h_t‖', logY: true, series, width: 1120,
  })
  return `<div class="grid">${figure('State gradient per timestep', caption, chart, true)}</div>`
}

function sampleSection(s: Maybe<string>, tokens: 'char' | 'word'): string {
  if (!s.ok) return `<h2>Sample</h2><p class="note">Not generated: ${esc(s.note)}</p>`
  const n = sampleLength(tokens)
  const command = `rnn sample --seed ${SAMPLE_SEED} --length ${n}`
  return `<h2>Sample</h2>
<p class="sub">${n} ${tokens === 'word' ? 'words' : 'characters'}, temperature 1, seed ${SAMPLE_SEED} `
    + `(the same as <code>${command}</code>)</p>
<pre class="sample">${esc(s.value)}</pre>`
}

function forecastSection(m: Maybe<ForecastData>): string {
  if (!m.ok) return `<h2>Forecast on the test rows</h2><p class="note">Not computed: ${esc(m.note)}</p>`
  const f = m.value
  const x = (i: number) => f.first_row + i
  const series: Series[] = [
    { name: 'actual', points: f.actual.map((y, i) => [x(i), y] as const), colour: '#222' },
    { name: 'model', points: f.model.map((y, i) => [x(i), y] as const), colour: '#d62728' },
    { name: 'naive', points: f.naive.map((y, i) => [x(i), y] as const), colour: '#1f77b4', dashed: true },
    { name: `seasonal naive (s=${f.season})`, points: f.seasonal_naive.map((y, i) => [x(i), y] as const), colour: '#2ca02c', dashed: true },
    { name: `exp. smoothing ${f.eval.ets.name}`, points: f.ets.map((y, i) => [x(i), y] as const), colour: '#9467bd', dashed: true },
  ]
  const bands = f.bands.map((b) => ({
    name: `model, ${b.level}% interval`, colour: '#d62728',
    lower: b.lower.map((y, i) => [x(i), y] as const), upper: b.upper.map((y, i) => [x(i), y] as const),
  }))
  const span = f.dates !== null ? `, ${esc(f.dates[0])} to ${esc(f.dates.at(-1)!)}` : ''
  const caption = 'one step ahead: each row predicted from the rows before it; naive = the previous row, '
    + 'seasonal naive = the row one season earlier; exponential smoothing fitted on the rows before the test rows; '
    + `shaded: the model's ${f.bands.map((b) => `${b.level}%`).join(' and ')} prediction intervals, from its errors before the test rows `
    + `(${f.actual.length} test rows${span})`
  const e = f.eval
  const steps = [['one step ahead', e.one_step], [`${e.horizon} steps ahead (rolling)`, e.multi_step]] as const
  const rows = steps.flatMap(([title, b]) => ([
    ['model', b.model], ['naive', b.naive], [`seasonal naive (s=${e.season})`, b.seasonal_naive], [`exp. smoothing ${e.ets.name}`, b.ets],
  ] as const).map(([who, r]) => [title, who, num(r.rmse), num(r.mae), r.smape.toFixed(2), r.mase.toFixed(3)]))
  const chart = lineChart({
    id: 'forecast', title: 'forecast vs actual', x: f.dates !== null ? 'date' : 'row', y: f.target, series, bands, width: 1120,
    xTick: (r) => f.dates?.[Math.round(r) - f.first_row] ?? String(Math.round(r)),
  })
  return `<h2>Forecast on the test rows</h2>
<div class="grid">${figure(`${f.target}: forecast against actual`, caption, chart, true)}</div>
${table(['forecast', 'by', 'RMSE', 'MAE', 'sMAPE %', 'MASE'], rows, 2)}`
}

/** The config as three side-by-side key/value tables, so thirty keys do not make a page-long column. */
function configTables(config: Record<string, unknown>): string {
  const rows = Object.entries(config).map(([k, v]) => [k, v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v)])
  const per = Math.ceil(rows.length / 3)
  const parts = [0, 1, 2].map((i) => table(['key', 'value'], rows.slice(i * per, (i + 1) * per)))
  return `<div class="config">${parts.join('')}</div>`
}

function figure(title: string, captionHtml: string, svg: string, wide = false): string {
  const style = wide ? ' style="grid-column: 1 / -1"' : ''
  return `<figure${style}><figcaption><b>${esc(title)}</b> — ${captionHtml}</figcaption>${svg}</figure>`
}

/** A table of text cells (escaped here); columns from `numericFrom` on are right-aligned. */
function table(head: string[] | null, rows: readonly (readonly string[])[], numericFrom = Infinity): string {
  const cls = (i: number) => (i >= numericFrom ? ' class="num"' : '')
  const th = head === null ? '' : `<tr>${head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr>`
  return `<table>${th}${rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`
}

function num(x: number): string {
  return Math.abs(x) >= 1000 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(4) : x.toPrecision(4)
}

function duration(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
    : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
}
