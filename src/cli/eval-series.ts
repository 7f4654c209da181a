/** Rendering a time-series evaluation: a table of model vs baselines, or the JSON document. */
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'

import { evaluateSeries, isCsvPath, readForModel, type Metrics } from '../index.ts'
import type { Checkpoint, SeriesMeta } from '../model/checkpoint/schema.ts'
import type { Model } from '../model/model.ts'
import { colour, json, log, result } from './output.ts'

export function printSeriesEval(
  path: string, model: Model, ck: Checkpoint & { data: SeriesMeta }, file: string | undefined,
  o: { json?: boolean; horizon?: number; testSize?: number; levels: number[] },
): void {
  const input = file ?? ck.data.source
  if (input === null) throw new UserError(`${path}: no training file stored; name a CSV file to evaluate`)
  if (file !== undefined && !isCsvPath(file)) throw new UserError(`${file}: not a CSV file (.csv/.tsv), but ${path} is a time-series model`)
  const series = readForModel(ck, input)
  // on the training file itself, the test rows and the MASE scale are exactly those of training
  const { split } = ck.data
  const own = file === undefined
    || (ck.data.source !== null && resolve(file) === ck.data.source && series.rows === split.train + split.val + split.test)
  const r = evaluateSeries(model, ck, series, {
    horizon: o.horizon ?? ck.data.season,
    testSize: o.testSize ?? (own ? ck.data.split.test : null),
    trainRows: own && o.testSize === undefined ? ck.data.split.train : null,
    levels: o.levels,
  })
  if (o.json) { json(r); return }
  log(colour.dim(`${input}: ${r.test_rows} test rows, season ${r.season}, target ${ck.data.columns[0].name}`))
  if (ck.members !== undefined) {
    log(colour.dim(`model: the median forecast of an ensemble of ${ck.members.length + 1} (rnn train --ensemble)`))
  }
  const e = r.ets
  log(colour.dim(`exponential smoothing: ${e.name} (lowest AICc), fitted on the ${e.fit_rows} rows before the test rows: ` +
    `α ${e.alpha.toFixed(3)}, β ${e.beta.toFixed(3)}, γ ${e.gamma.toFixed(3)}`))
  const head = `${'forecast'.padEnd(26)}${'RMSE'.padStart(11)}${'MAE'.padStart(11)}${'sMAPE %'.padStart(10)}${'MASE'.padStart(8)}`
  const row = (name: string, m: Metrics, best: boolean) =>
    `${(best ? colour.green(name) : name).padEnd(best ? 26 + colour.green('').length : 26)}`
      + `${num(m.rmse).padStart(11)}${num(m.mae).padStart(11)}${m.smape.toFixed(2).padStart(10)}${m.mase.toFixed(3).padStart(8)}`
  for (const [title, block] of [['one step ahead', r.one_step], [`${r.horizon} steps ahead (rolling)`, r.multi_step]] as const) {
    const rows: [string, Metrics][] = [
      ['model', block.model], ['naive', block.naive], [`seasonal naive (s=${r.season})`, block.seasonal_naive],
      [`exp. smoothing ${r.ets.name}`, block.ets],
    ]
    const bestMase = Math.min(...rows.map(([, m]) => m.mase))
    result(colour.bold(title))
    result(head)
    for (const [name, m] of rows) result(row(name, m, m.mase === bestMase))
  }
  const iv = r.intervals
  if (iv === null) { log(colour.dim(`no prediction intervals: too few rows before the test rows to calibrate them`)); return }
  result(colour.bold(`prediction intervals (the model's errors from ${iv.calibration_origins} origins before the test rows)`))
  result(`${'level'.padEnd(8)}${'coverage, 1 step'.padStart(18)}${'interval score'.padStart(16)}`
    + `${`coverage, ${r.horizon} steps`.padStart(20)}${'interval score'.padStart(16)}`)
  iv.one_step.forEach((a, i) => {
    const b = iv.multi_step[i]
    result(`${`${a.level}%`.padEnd(8)}${pct(a.coverage).padStart(18)}${num(a.interval_score).padStart(16)}`
      + `${pct(b.coverage).padStart(20)}${num(b.interval_score).padStart(16)}`)
  })
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`

function num(x: number): string {
  return Math.abs(x) >= 1000 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(4)
}
