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

/**
 * `bytes`: the file's contents when the caller has read them already (training reads them asynchronously).
 *
 * Read record by record: each record's used cells become numbers at once and nothing else of it is kept
 * (csv-parse's records with their info objects took ~1.3 GB for 1,000,000 rows of three columns).
 * Errors keep their precedence: a bad date anywhere is reported before a bad number anywhere.
 */
export function readSeries(path: string, o: CsvOptions, bytes?: Buffer): Series {
  const text = bytes !== undefined ? decodeText(path, bytes) : readText(path, 'csv')
  const delimiter = o.delimiter ?? detectDelimiter(text.slice(0, text.search(/\r?\n|$/)))
  const format: NumberFormat = { decimal: o.decimal ?? '.', thousands: o.thousands ?? null }
  const read = numberReader(format)
  let header: string[] | null = null, columns: string[] = [], used: number[] = []
  /** The date column (decided by the first data row; null: none), its first cell and line, and its first 3 cells. */
  let dateCol: number | null | undefined, firstDate = '', firstLine = 0
  const dateCells: string[] = []
  const lines: number[] = [], dates: number[] = [], cols: number[][] = []
  let numberError: string | null = null
  const onRecord = (record: string[], line: number): void => {
    if (header === null) {
      header = o.header ? record.map((h, i) => h || String(i)) : record.map((_, i) => String(i))
      if (o.header && header.every((h) => h !== '' && Number.isFinite(Number(h))))
        throw new UserError(`${path}:1: the first row looks like numbers, not column names (use --no-header)`)
      used = usedColumns(path, header, o)
      columns = used.map((c) => header![c])
      used.forEach(() => cols.push([]))
      if (format.decimal === format.thousands)
        throw new UserError(`--decimal, --thousands: both are "${format.decimal}"; a number cannot use one mark for both`)
      if (o.header) return
    }
    if (dateCol === undefined) {
      dateCol = header.findIndex((_, c) => !used.includes(c) && Number.isFinite(parseDate(record[c] ?? '')))
      if (dateCol < 0) dateCol = null
      else { firstDate = record[dateCol]; firstLine = line }
    }
    lines.push(line)
    if (dateCol !== null) {
      // every cell of the date column must be a date written like the first: not a reason to train without dates
      const cell = record[dateCol] ?? '', d = parseDate(cell)
      if (!Number.isFinite(d) || dateShape(cell) !== dateShape(firstDate)) {
        const like = `not a date written like ${JSON.stringify(firstDate)} on line ${firstLine}`
        const what = cell === '' ? 'is missing a date' : `has ${JSON.stringify(cell)}, ${like}`
        throw new UserError(`${path}:${line}: date column "${header[dateCol]}" ${what} (dates must all use one format)`)
      }
      dates.push(d)
      if (dateCells.length < 3) dateCells.push(cell)
    }
    // a bad cell is an error unless --fill says how to repair it, and a number written in another
    // convention (a decimal comma) is always an error: filling it would replace a real value
    for (let j = 0; j < used.length; j++) {
      const cell = record[used[j]] ?? '', v = read(cell)
      cols[j].push(v ?? NaN)
      if (v !== null || numberError !== null) continue
      const hint = cell === '' ? null : formatHint(cell, format)
      if (o.fill !== null && hint === null) continue
      const what = cell === '' ? 'is missing a value' : `is not a number: ${JSON.stringify(cell)}`
      numberError = `${path}:${line}: column "${columns[j]}" ${what} (${hint ?? '--fill previous|linear|drop repairs gaps'})`
    }
  }
  try {
    parse(text, {
      delimiter, skip_empty_lines: true, trim: true,
      on_record: (record: string[], ctx: { lines: number }) => { onRecord(record, ctx.lines); return null },
    })
  } catch (e) {
    if (e instanceof UserError) throw e
    const err = e as Error & { code?: string; lines?: number; record?: string[] }
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || err.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH')
      throw new UserError(`${path}:${err.lines}: ragged row: ${err.record?.length ?? '?'} fields where the first row has a different count`)
    throw new UserError(`${path}:${err.lines ?? '?'}: not a valid CSV file: ${err.message.replace(/^Invalid [^:]+: /, '')}`)
  }
  if (header === null) throw new UserError(`${path}: no rows`)
  const head: string[] = header
  if (lines.length === 0) throw new UserError(`${path}: no data rows after the header`)
  if (numberError !== null) throw new UserError(numberError)

  let rows: Columns = { cols, dates, lines }
  if (cols.some((c) => c.some(Number.isNaN))) {
    if (o.fill === 'drop') {
      const keep = lines.map((_, i) => cols.every((c) => !Number.isNaN(c[i])))
      const pick = <T>(a: T[]) => a.filter((_, i) => keep[i])
      rows = { cols: cols.map(pick), dates: dateCol === null ? dates : pick(dates), lines: pick(lines) }
      if (rows.lines.length === 0)
        throw new UserError(`${path}: --fill drop leaves no rows: every row has a missing or non-numeric value in ${columns.join(', ')}`)
    } else cols.forEach((c, j) => fillGaps(c, o.fill as 'previous' | 'linear', path, columns[j]))
  }
  let date: Series['date'] = null
  if (typeof dateCol === 'number') {
    const step = detectDateStep(rows.dates, dateCells)
    rows = checkDateGaps(path, rows, step, o.fill)
    date = { column: head[dateCol], values: rows.dates, step }
  }
  // one buffer for all the values, a view per row
  const n = rows.lines.length, k = columns.length, all = new Float64Array(n * k)
  for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) all[i * k + j] = rows.cols[j][i]
  const values = Array.from({ length: n }, (_, i) => all.subarray(i * k, (i + 1) * k))
  return { path, columns, delimiter, rows: n, date, values, lines: rows.lines }
}

/** The target's and the features' column indices, by name or 0-based index. */
function usedColumns(path: string, header: string[], o: CsvOptions): number[] {
  const colIndex = (name: string, what: string): number => {
    let i = header.indexOf(name)
    const again = header.indexOf(name, i + 1)
    if (i >= 0 && again >= 0)
      throw new UserError(`${path}:1: ${what} column "${name}" is ambiguous: columns ${i} and ${again} are both named so; `
        + 'rename one, or give the column by its 0-based index')
    if (i < 0 && /^\d+$/.test(name) && Number(name) < header.length) i = Number(name)
    if (i < 0) throw new UserError(`${path}: ${what} column "${name}" not found (columns: ${header.join(', ')})`)
    return i
  }
  const ti = colIndex(o.target, 'target')
  const used = [ti, ...o.features.map((f) => colIndex(f, 'feature'))]
  const dup = used.find((c, k) => used.indexOf(c) !== k)
  if (dup !== undefined)
    throw new UserError(`--features: column "${header[dup]}" is ${dup === ti ? 'the target' : 'listed twice'}; `
      + 'each column may be used once')
  return used
}

/** The kept rows by column (NaN: a gap), with each row's date and line. */
type Columns = { cols: number[][]; dates: number[]; lines: number[] }

/**
 * Missing dates (a month absent from a monthly file) break the one-row-per-step assumption. They are an
 * error unless --fill: previous/linear insert the missing rows and fill them, drop accepts the gap.
 */
function checkDateGaps(path: string, r: Columns, step: DateStep, fill: Fill | null): Columns {
  const { cols, dates, lines } = r
  const out: Columns = { cols: cols.map((c) => [c[0]]), dates: [dates[0]], lines: [lines[0]] }
  for (let i = 1; i < lines.length; i++) {
    const k = stepsBetween(dates[i - 1], dates[i], step)
    if (!(k >= 1))
      throw new UserError(`${path}:${lines[i]}: date ${formatDate(dates[i], step)} does not follow ${formatDate(dates[i - 1], step)} `
        + `by a whole number of ${step.n > 1 ? `${step.n}-` : ''}${step.unit} steps (dates must increase regularly)`)
    if (k > 1 && fill !== 'drop') {
      if (fill === null)
        throw new UserError(`${path}:${lines[i]}: ${k - 1} missing ${step.unit}${k > 2 ? 's' : ''} before ${formatDate(dates[i], step)} `
          + '(--fill previous|linear inserts them, --fill drop ignores the gap)')
      for (let j = 1; j < k; j++) {
        cols.forEach((c, m) => out.cols[m].push(fill === 'previous' ? c[i - 1] : c[i - 1] + ((c[i] - c[i - 1]) * j) / k))
        out.dates.push(addSteps(dates[i - 1], step, j)); out.lines.push(lines[i])
      }
    }
    cols.forEach((c, m) => out.cols[m].push(c[i]))
    out.dates.push(dates[i]); out.lines.push(lines[i])
  }
  return out
}

/** previous: carry the last value forward; linear: interpolate between neighbours (ends: nearest). In place; NaN is a gap. */
function fillGaps(c: number[], fill: 'previous' | 'linear', path: string, column: string): void {
  if (c.every(Number.isNaN)) throw new UserError(`${path}: column "${column}" has no numeric values`)
  for (let i = 0; i < c.length; i++) {
    if (!Number.isNaN(c[i])) continue
    let end = i
    while (end < c.length && Number.isNaN(c[end])) end++
    const before = i - 1, after = end < c.length ? end : -1
    for (let m = i; m < end; m++) {
      if (fill === 'previous' || before < 0 || after < 0) c[m] = c[before >= 0 ? before : after]
      else c[m] = c[before] + ((c[after] - c[before]) * (m - before)) / (after - before)
    }
    i = end - 1
  }
}
