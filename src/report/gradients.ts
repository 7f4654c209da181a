/**
 * Rendering a gradient report (src/inspect/source.ts → GradientReport): a chart per model and layer with
 * its summary lines, or CSV rows. The JSON form is the report's own data and needs no renderer.
 */
import type { ChalkInstance } from 'chalk'
import { summarize, VANISHING_RATIO, type SeriesSummary } from '../inspect/gradients.ts'
import type { GradientReport } from '../inspect/source.ts'
import { fmtSci, logChart, logRange, MAGNITUDE_LEGEND, sparkLine } from './chart.ts'

export function renderGradientReport(r: GradientReport, c: ChalkInstance, width = 80): string[] {
  const all = r.models.flatMap((m) => m.series)
  // one scale per quantity across every model and layer, so the charts compare side by side
  const dhRange = logRange(all.map((s) => s.dh_norm))
  const dcRange = logRange(all.flatMap((s) => (s.dc_norm === null ? [] : [s.dc_norm])))
  const whhRange = logRange(all.map((s) => s.whh_contrib_norm))
  const lossWord = r.loss_at === 'last' ? 'last-step loss' : `summed loss over ${r.seq_len} steps`
  const out: string[] = []
  for (const m of r.models) {
    // the recurrent weight: W_hh, or the Jordan cell's output feedback W_yh
    const w = m.cell === 'jordan' ? 'W_yh' : 'W_hh'
    for (const s of m.series) {
      const layers = m.series.length > 1 ? ` · layer ${s.layer}` : ''
      out.push(c.bold(`${m.cell}${layers}`) + c.dim(` · ‖∂S/∂h_t‖ by step t · S = ${lossWord} ${m.loss.toFixed(3)}`))
      out.push(...logChart(s.dh_norm, { chalk: c, width, range: dhRange }))
      if (s.dc_norm !== null) out.push(sparkLine('‖∂S/∂c‖', s.dc_norm, { chalk: c, width, range: dcRange }))
      out.push(sparkLine(w, s.whh_contrib_norm, { chalk: c, width, range: whhRange }))
      out.push(summaryLine('dh', summarize(s.dh_norm), c, r.loss_at))
      if (s.dc_norm !== null) out.push(summaryLine('dc', summarize(s.dc_norm), c, r.loss_at))
      out.push(whhLine(s.whh_contrib_norm, w))
      out.push('')
    }
  }
  const rows = [...new Set(r.models.map((m) => (m.cell === 'jordan' ? 'W_yh' : 'W_hh')))].join(' and ')
  out.push(c.dim(`‖∂S/∂c‖ and ${rows} rows: the same steps, log scale; ratio = first / last step.`))
  if (r.loss_at === 'all') out.push(c.dim(`S sums the ${r.seq_len} per-step losses (the engine's mean × ${r.seq_len}).`))
  if (r.batches > 1) out.push(c.dim(`Norms are means over ${r.batches} consecutive windows, each from a zero state.`))
  if (c.level > 0) out.push(c.dim(MAGNITUDE_LEGEND))
  return out
}

/**
 * "dh    first 3.1e-9  last 2.4e-1  ratio 1.3e-8  ×0.63/step, half-life 1.5 steps" (the factor is per
 * step going back in time), then a warning line if any.
 */
function summaryLine(name: string, s: SeriesSummary, c: ChalkInstance, lossAt: 'last' | 'all' = 'last'): string {
  let line = `  ${name.padEnd(2)}  first ${fmtSci(s.first)}  last ${fmtSci(s.last)}  ratio ${fmtSci(s.ratio)}`
  if (s.fit !== null) {
    const f = s.fit
    const per = f.factor < 1 ? `, half-life ${fmtSteps(f.steps)}` : f.factor > 1 ? `, doubles in ${fmtSteps(f.steps)}` : ''
    line += `  ×${fmtFactor(f.factor)}/step${per}`
  }
  const warn: string[] = []
  if (s.nonFinite) warn.push('not finite')
  // with a summed loss, earlier steps collect more loss terms, so some growth going back is expected
  else if (s.exploding) warn.push(`exploding: grows going back${lossAt === 'all' ? ' (partly expected with --loss-at all)' : ''}`)
  if (s.vanishing) warn.push(`vanishing: step 0 < ${fmtSci(VANISHING_RATIO, 0)} × last`)
  return warn.length === 0 ? line : `${line}\n${c.yellow(`        ⚠ ${warn.join('; ')}`)}`
}

/** Where step t's term of ∂S/∂W_hh (∂S/∂W_yh) is largest; step 0's is 0 because h_{-1} (ŷ_{-1}) is the zero state. */
function whhLine(v: readonly number[], w: string): string {
  let k = 0
  for (let t = 1; t < v.length; t++) if (v[t] > v[k]) k = t
  return `  ${w}  step t's term of ∂S/∂${w}: largest ${fmtSci(v[k])} at t=${k}, last ${fmtSci(v[v.length - 1])}`
}

function fmtFactor(x: number): string {
  return x >= 0.995 && x <= 1.005 ? x.toFixed(4) : x < 0.01 || x > 100 ? fmtSci(x, 2) : x.toFixed(2)
}

function fmtSteps(n: number): string {
  return !Number.isFinite(n) ? '∞ steps' : n >= 100 ? `${n.toFixed(0)} steps` : `${n.toPrecision(2)} steps`
}

/** One row per (cell, layer, step); dc_norm empty for cells without a cell state. */
export function gradientCsv(r: GradientReport): string[] {
  const rows = ['cell,layer,t,dh_norm,dc_norm,whh_contrib_norm']
  for (const m of r.models)
    for (const s of m.series)
      for (let t = 0; t < s.dh_norm.length; t++)
        rows.push(`${m.cell},${s.layer},${t},${s.dh_norm[t]},${s.dc_norm === null ? '' : s.dc_norm[t]},${s.whh_contrib_norm[t]}`)
  return rows
}
