/**
 * Dates in a CSV: recognising them (ISO-like forms only, so a column of years or ids stays numeric),
 * the file's step (monthly, daily, hourly, ...), calendar arithmetic to continue it, and formatting new
 * dates the way the file writes them.
 */
type DateUnit = 'second' | 'minute' | 'hour' | 'day' | 'month'
export interface DateStep { unit: DateUnit; n: number; format: 'month' | 'date' | 'datetime' }

const RE = /^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/

/** Milliseconds since the epoch (UTC) of an ISO-like date, or NaN. */
export function parseDate(s: string): number {
  const m = RE.exec(s.trim())
  if (m === null) return NaN
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3] ?? '1', m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number)
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return NaN
  return Date.UTC(y, mo - 1, d, h, mi, se)
}

/** How a date is written, digits aside: "2020-01-05" and "2020-1-5" alike, "2020/01/05" or "2020-01" not. */
export function dateShape(s: string): string {
  return s.trim().replace(/\d+/g, '0')
}

function formatOf(samples: string[]): DateStep['format'] {
  const s = samples[0]?.trim() ?? ''
  if (/^\d{4}[-/]\d{1,2}$/.test(s)) return 'month'
  return /[T ]\d/.test(s) ? 'datetime' : 'date'
}

const DAY = 86_400_000

/** The step between consecutive rows: the most common difference, in calendar units. */
export function detectDateStep(ms: number[], raw: string[] = []): DateStep {
  const diffs: number[] = []
  for (let i = 1; i < ms.length; i++) diffs.push(ms[i] - ms[i - 1])
  diffs.sort((a, b) => a - b)
  const d = diffs.length > 0 ? diffs[Math.floor(diffs.length / 2)] : DAY
  const format = formatOf(raw)
  const days = d / DAY
  if (days >= 28 && days <= 31) return { unit: 'month', n: 1, format }
  if (days >= 89 && days <= 92) return { unit: 'month', n: 3, format }
  if (days >= 365 && days <= 366) return { unit: 'month', n: 12, format }
  if (d % DAY === 0) return { unit: 'day', n: Math.max(1, days), format }
  if (d % 3_600_000 === 0) return { unit: 'hour', n: d / 3_600_000, format }
  if (d % 60_000 === 0) return { unit: 'minute', n: d / 60_000, format }
  return { unit: 'second', n: Math.max(1, Math.round(d / 1000)), format }
}

export function addSteps(ms: number, step: DateStep, k: number): number {
  if (step.unit === 'month') {
    const t = new Date(ms)
    return Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + step.n * k, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds())
  }
  const unitMs = { second: 1000, minute: 60_000, hour: 3_600_000, day: DAY }[step.unit]
  return ms + unitMs * step.n * k
}

export function formatDate(ms: number, step: DateStep): string {
  const iso = new Date(ms).toISOString()
  if (step.format === 'month') return iso.slice(0, 7)
  if (step.format === 'date') return iso.slice(0, 10)
  return iso.slice(0, 19).replace('T', ' ')
}

/** The usual season for a step: 12 months, 4 quarters, 7 days, 24 hours; null when there is none. */
export function seasonOfStep(step: DateStep): number | null {
  if (step.unit === 'month') return step.n === 1 ? 12 : step.n === 3 ? 4 : null
  if (step.unit === 'day') return step.n === 1 ? 7 : step.n === 7 ? 52 : null
  if (step.unit === 'hour' && step.n === 1) return 24
  return null
}

/** Rows between two dates in steps (1 = consecutive); NaN if not a whole number of steps. */
export function stepsBetween(a: number, b: number, step: DateStep): number {
  for (let k = 1; k <= 10_000; k++) {
    const t = addSteps(a, step, k)
    if (t === b) return k
    if (t > b) return NaN
  }
  return NaN
}
