/** Printing a time-series forecast: CSV on stdout (date or step, target), or one JSON object. */
import type { Model } from '../model/model.ts'
import type { Checkpoint, SeriesMeta } from '../model/checkpoint/schema.ts'
import { UserError } from '../errors.ts'
import { forecast, readForModel } from '../index.ts'
import { codecOf, forecasterOf } from '../tasks/forecast.ts'
import { band, calibrate, MIN_ERRORS } from '../tasks/intervals.ts'
import { colour, json, log } from './output.ts'

export function printForecast(
  path: string, model: Model, ck: Checkpoint & { data: SeriesMeta },
  o: { horizon?: number; input?: string; json?: boolean; levels: number[] },
): void {
  const input = o.input ?? ck.data.source
  if (input === null) throw new UserError(`${path}: no training file stored; give --input <file.csv>`)
  const horizon = o.horizon ?? ck.data.season
  const series = readForModel(ck, input)
  const rows = forecast(model, ck, series, horizon)
  const target = ck.data.columns[0].name
  const codec = codecOf(ck)
  const cal = o.levels.length === 0 ? null
    : calibrate(forecasterOf(ck, model), codec, ck.config.seq_len!, series.values, series.rows, horizon, o.levels)
  if (o.levels.length > 0 && cal === null) {
    log(colour.dim(`no prediction intervals: ${input} has too few rows to calibrate ${horizon}-step bands `
      + `(${MIN_ERRORS} forecasts per step needed)`))
  }
  // per row: [lower_L, upper_L] for each level
  const bands = rows.map((r) => (cal === null ? [] : cal.levels.flatMap((_, l) => band(cal, codec, l, r.step, r.value))))
  const names = cal === null ? [] : cal.levels.flatMap((L) => [`lower_${L}`, `upper_${L}`])
  if (o.json) {
    const method = 'empirical quantiles of the model\'s errors at each step, forecasting from every earlier origin of the input'
    const intervals = cal === null ? null : { levels: cal.levels, calibration_origins: cal.origins, method }
    json({
      target, horizon, input, intervals,
      forecast: rows.map((r, i) => ({
        ...(r.date !== null ? { date: r.date } : { step: r.step }), [target]: r.value,
        ...Object.fromEntries(names.map((n, j) => [n, bands[i][j]])),
      })),
    })
    return
  }
  log(colour.dim(`${target}: ${horizon} step${horizon > 1 ? 's' : ''} after the last row of ${input}`))
  if (cal !== null) {
    log(colour.dim(`intervals at ${cal.levels.join(', ')}%: quantiles of the model's errors forecasting from ${cal.origins} `
      + 'earlier origins of the input'))
  }
  const first = ck.data.date?.column ?? 'step'
  process.stdout.write([first, target, ...names].map(csvField).join(',') + '\n')
  rows.forEach((r, i) => process.stdout.write([r.date ?? r.step, round(r.value), ...bands[i].map(round)].join(',') + '\n'))
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Seven significant digits: more than any CSV of measurements carries, without float noise. */
function round(x: number): string {
  return String(Number(x.toPrecision(7)))
}
