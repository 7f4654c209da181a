/**
 * Reading a CSV time series: csv-parse does the quoting, CRLF and BOM; this file picks the delimiter,
 * names the columns, recognises a date column, turns the used columns into numbers and repairs gaps only
 * when asked (--fill). Every problem is a UserError naming the file, the line and the column.
 */
import { parse } from 'csv-parse/sync'
import { UserError } from '../errors.ts'
import { decodeText, readText } from './text.ts'
import { addSteps, dateShape, detectDateStep, formatDate, parseDate, stepsBetween, type DateStep } from './dates.ts'
import { formatHint, numberReader, type Decimal, type NumberFormat, type Thousands } from './numbers.ts'

export type Fill = 'previous' | 'linear' | 'drop'

export interface CsvOptions {
  target: string
  features: string[]
  delimiter: string | null
  header: boolean
  fill: Fill | null
  /** Unset: "." and none, as Number() reads them. */
  decimal?: Decimal
  thousands?: Thousands | null
}

export interface Series {
  readonly path: string
  /** Used columns: the target first, then the features. */
  readonly columns: string[]
  /** [rows][columns] values in original units. */
  readonly values: Float64Array[]
  readonly rows: number
  readonly date: { column: string; values: number[]; step: DateStep } | null
  readonly delimiter: string
  /** Line in the file of each kept row, for messages. */
  readonly lines: number[]
}

const DELIMITERS = [',', ';', '\t']

/** The delimiter that splits the first line into the most fields (quotes respected). */
export function detectDelimiter(firstLine: string): string {
  let best = ',', bestN = 0
  for (const d of DELIMITERS) {
    let n = 0, quoted = false
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted
      else if (ch === d && !quoted) n++
    }
    if (n > bestN) { best = d; bestN = n }
  }
  return best
}

/** `bytes`: the file's contents when the caller has read them already (training reads them asynchronously). */
export function readSeries(path: string, o: CsvOptions, bytes?: Buffer): Series {
  const text = bytes !== undefined ? decodeText(path, bytes) : readText(path, 'csv')
  const delimiter = o.delimiter ?? detectDelimiter(text.slice(0, text.search(/\r?\n|$/)))
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, { delimiter, info: true, skip_empty_lines: true, trim: true }) as unknown as typeof records
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number; record?: string[] }
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || err.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH')
      throw new UserError(`${path}:${err.lines}: ragged row: ${err.record?.length ?? '?'} fields where the first row has a different count`)
    throw new UserError(`${path}:${err.lines ?? '?'}: not a valid CSV file: ${err.message.replace(/^Invalid [^:]+: /, '')}`)
  }
  if (records.length === 0) throw new UserError(`${path}: no rows`)
  const width = records[0].record.length
  const header = o.header ? records[0].record.map((h, i) => h || String(i)) : records[0].record.map((_, i) => String(i))
  const body = o.header ? records.slice(1) : records
  if (o.header && header.every((h) => h !== '' && Number.isFinite(Number(h))))
    throw new UserError(`${path}:1: the first row looks like numbers, not column names (use --no-header)`)
  if (body.length === 0) throw new UserError(`${path}: no data rows after the header`)

  const colIndex = (name: string, what: string): number => {
    let i = header.indexOf(name)
    const again = header.indexOf(name, i + 1)
    if (i >= 0 && again >= 0)
      throw new UserError(`${path}:1: ${what} column "${name}" is ambiguous: columns ${i} and ${again} are both named so; `
        + 'rename one, or give the column by its 0-based index')
    if (i < 0 && /^\d+$/.test(name) && Number(name) < width) i = Number(name)
    if (i < 0) throw new UserError(`${path}: ${what} column "${name}" not found (columns: ${header.join(', ')})`)
    return i
  }
  const ti = colIndex(o.target, 'target')
  const fi = o.features.map((f) => colIndex(f, 'feature'))
  const used = [ti, ...fi]
  const dup = used.find((c, k) => used.indexOf(c) !== k)
  if (dup !== undefined) throw new UserError(`--features: column "${header[dup]}" is ${dup === ti ? 'the target' : 'listed twice'}; each column may be used once`)

  const dateCol = findDateColumn(path, body, header, used)
  const columns = used.map((c) => header[c])
  let rows = body.map((r) => ({ line: r.info.lines, cells: used.map((c) => r.record[c]), date: dateCol === null ? NaN : parseDate(r.record[dateCol]) }))

  // parse numbers; a bad cell is an error unless --fill says how to repair it, and a number written in
  // another convention (a decimal comma) is always an error: filling it would replace a real value
  const format: NumberFormat = { decimal: o.decimal ?? '.', thousands: o.thousands ?? null }
  if (format.decimal === format.thousands)
    throw new UserError(`--decimal, --thousands: both are "${format.decimal}"; a number cannot use one mark for both`)
  const read = numberReader(format)
  const values: (number | null)[][] = rows.map((r) => r.cells.map(read))
  for (let i = 0; i < values.length; i++) {
    const j = values[i].indexOf(null)
    if (j < 0) continue
    const cell = rows[i].cells[j], hint = cell === '' ? null : formatHint(cell, format)
    if (o.fill !== null && hint === null) continue
    const what = cell === '' ? 'is missing a value' : `is not a number: ${JSON.stringify(cell)}`
    throw new UserError(`${path}:${rows[i].line}: column "${columns[j]}" ${what} (${hint ?? '--fill previous|linear|drop repairs gaps'})`)
  }
  const firstBad = values.findIndex((v) => v.includes(null))
  let filled = values
  if (firstBad >= 0) {
    if (o.fill === 'drop') {
      const keep = values.map((v) => !v.includes(null))
      rows = rows.filter((_, i) => keep[i]); filled = values.filter((_, i) => keep[i])
      if (rows.length === 0) throw new UserError(`${path}: --fill drop leaves no rows: every row has a missing or non-numeric value in ${columns.join(', ')}`)
    } else filled = fillGaps(values, o.fill!, path, columns)
  }
  let date: Series['date'] = null
  let out = filled as number[][], dates = rows.map((r) => r.date), lines = rows.map((r) => r.line)
  if (dateCol !== null) {
    const step = detectDateStep(dates, body.slice(0, 3).map((r) => r.record[dateCol]))
    ;({ out, dates, lines } = checkDateGaps(path, out, dates, lines, step, o.fill))
    date = { column: header[dateCol], values: dates, step }
  }
  return { path, columns, delimiter, rows: out.length, date, values: out.map((v) => Float64Array.from(v)), lines }
}

/**
 * Missing dates (a month absent from a monthly file) break the one-row-per-step assumption. They are an
 * error unless --fill: previous/linear insert the missing rows and fill them, drop accepts the gap.
 */
function checkDateGaps(path: string, values: number[][], dates: number[], lines: number[], step: DateStep, fill: Fill | null) {
  const out: number[][] = [values[0]], ds = [dates[0]], ls = [lines[0]]
  for (let i = 1; i < values.length; i++) {
    const k = stepsBetween(dates[i - 1], dates[i], step)
    if (!(k >= 1)) throw new UserError(`${path}:${lines[i]}: date ${formatDate(dates[i], step)} does not follow ${formatDate(dates[i - 1], step)} by a whole number of ${step.n > 1 ? `${step.n}-` : ''}${step.unit} steps (dates must increase regularly)`)
    if (k > 1 && fill !== 'drop') {
      if (fill === null) throw new UserError(`${path}:${lines[i]}: ${k - 1} missing ${step.unit}${k > 2 ? 's' : ''} before ${formatDate(dates[i], step)} (--fill previous|linear inserts them, --fill drop ignores the gap)`)
      for (let j = 1; j < k; j++) {
        const prev = values[i - 1], next = values[i]
        out.push(prev.map((p, c) => (fill === 'previous' ? p : p + ((next[c] - p) * j) / k)))
        ds.push(addSteps(dates[i - 1], step, j)); ls.push(lines[i])
      }
    }
    out.push(values[i]); ds.push(dates[i]); ls.push(lines[i])
  }
  return { out, dates: ds, lines: ls }
}

/**
 * The first unused column whose first cell is a date. Every other cell of it must then be a date written
 * the same way: a cell that is not (a date in another format, a missing one) is an error naming its line,
 * not a reason to train without dates.
 */
type Body = { record: string[]; info: { lines: number } }[]

function findDateColumn(path: string, body: Body, header: string[], used: number[]): number | null {
  for (let c = 0; c < header.length; c++) {
    const first = body[0].record[c] ?? ''
    if (used.includes(c) || !Number.isFinite(parseDate(first))) continue
    const shape = dateShape(first)
    for (const r of body) {
      const cell = r.record[c] ?? ''
      if (Number.isFinite(parseDate(cell)) && dateShape(cell) === shape) continue
      const like = `not a date written like ${JSON.stringify(first)} on line ${body[0].info.lines}`
      const what = cell === '' ? 'is missing a date' : `has ${JSON.stringify(cell)}, ${like}`
      throw new UserError(`${path}:${r.info.lines}: date column "${header[c]}" ${what} (dates must all use one format)`)
    }
    return c
  }
  return null
}

/** previous: carry the last value forward; linear: interpolate between neighbours (ends: nearest). */
function fillGaps(values: (number | null)[][], fill: 'previous' | 'linear', path: string, columns: string[]): number[][] {
  const out = values.map((r) => [...r])
  for (let j = 0; j < columns.length; j++) {
    const known = out.map((r, i) => (r[j] === null ? -1 : i)).filter((i) => i >= 0)
    if (known.length === 0) throw new UserError(`${path}: column "${columns[j]}" has no numeric values`)
    for (let i = 0; i < out.length; i++) {
      if (out[i][j] !== null) continue
      let k = 0
      while (k < known.length && known[k] < i) k++
      const before = k > 0 ? known[k - 1] : null, after = k < known.length ? known[k] : null
      if (fill === 'previous' || after === null || before === null) out[i][j] = out[(before ?? after)!][j]
      else out[i][j] = out[before][j]! + ((out[after][j]! - out[before][j]!) * (i - before)) / (after - before)
    }
  }
  return out as number[][]
}
