/** Printing a time-series forecast: CSV on stdout (date or step, target), or one JSON object. */
import type { Model } from '../model/model.ts'
import type { Checkpoint, SeriesMeta } from '../model/checkpoint/schema.ts'
import { UserError } from '../errors.ts'
import { forecast, readForModel } from '../index.ts'
import { colour, json, log } from './output.ts'

export function printForecast(path: string, model: Model, ck: Checkpoint & { data: SeriesMeta }, o: { horizon?: number; input?: string; json?: boolean }): void {
  const input = o.input ?? ck.data.source
  if (input === null) throw new UserError(`${path}: no training file stored; give --input <file.csv>`)
  const horizon = o.horizon ?? ck.data.season
  const series = readForModel(ck, input)
  const rows = forecast(model, ck, series, horizon)
  const target = ck.data.columns[0].name
  if (o.json) {
    json({ target, horizon, input, forecast: rows.map((r) => ({ ...(r.date !== null ? { date: r.date } : { step: r.step }), [target]: r.value })) })
    return
  }
  log(colour.dim(`${target}: ${horizon} step${horizon > 1 ? 's' : ''} after the last row of ${input}`))
  const first = ck.data.date?.column ?? 'step'
  process.stdout.write(`${csvField(first)},${csvField(target)}\n`)
  for (const r of rows) process.stdout.write(`${r.date ?? r.step},${round(r.value)}\n`)
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Seven significant digits: more than any CSV of measurements carries, without float noise. */
function round(x: number): string {
  return String(Number(x.toPrecision(7)))
}
