/**
 * Labelled sentences from a CSV file (one row per example: a text column and a label column), for
 * sequence classification: reading with every problem as a one-line error naming the file, line and
 * column; the class list; a seeded stratified split; and encoding the texts to character ids.
 */
import { parse } from 'csv-parse/sync'
import { createRng } from '../engine/rng.ts'
import { UserError } from '../errors.ts'
import { detectDelimiter } from './csv.ts'
import { decodeText, readText } from './text.ts'

export interface LabelledRows {
  readonly path: string
  readonly texts: string[]
  /** Each row's label, as written. */
  readonly labels: string[]
  /** The file line of each row, for messages. */
  readonly lines: number[]
  readonly textColumn: string
  readonly labelColumn: string
}

interface LabelledOptions { text: string; label: string; delimiter: string | null; header: boolean }

/** `bytes`: the file's contents when the caller has read them already. */
export function readLabelled(path: string, o: LabelledOptions, bytes?: Buffer): LabelledRows {
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
  const header = o.header ? records[0].record.map((h, i) => h || String(i)) : records[0].record.map((_, i) => String(i))
  const body = o.header ? records.slice(1) : records
  if (body.length === 0) throw new UserError(`${path}: no data rows after the header`)
  const column = (name: string, flag: string): number => {
    let i = header.indexOf(name)
    if (i < 0 && /^\d+$/.test(name) && Number(name) < header.length) i = Number(name)
    if (i < 0) throw new UserError(`${path}:1: ${flag}: column "${name}" not found (columns: ${header.join(', ')})`)
    return i
  }
  const ti = column(o.text, '--text'), li = column(o.label, '--label')
  if (ti === li) throw new UserError(`${path}:1: --text and --label name the same column "${header[ti]}"`)
  const texts: string[] = [], labels: string[] = [], lines: number[] = []
  for (const r of body) {
    const t = r.record[ti] ?? '', l = r.record[li] ?? ''
    if (t === '') throw new UserError(`${path}:${r.info.lines}: text column "${header[ti]}" is empty (every row needs a text)`)
    if (l === '') throw new UserError(`${path}:${r.info.lines}: label column "${header[li]}" is empty (every row needs a label)`)
    texts.push(t); labels.push(l); lines.push(r.info.lines)
  }
  return { path, texts, labels, lines, textColumn: header[ti], labelColumn: header[li] }
}

/** The distinct labels, sorted (numbers numerically); at least two. */
export function classesOf(rows: LabelledRows): string[] {
  const set = [...new Set(rows.labels)]
  const numeric = set.every((s) => Number.isFinite(Number(s)))
  set.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0))
  if (set.length < 2)
    throw new UserError(`${rows.path}: label column "${rows.labelColumn}" has one class only ("${set[0]}"); `
      + 'a classifier needs at least two')
  return set
}

/** Each row's class index in `classes`; a label not in it is an error naming its line. */
export function labelIds(rows: LabelledRows, classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]))
  return Int32Array.from(rows.labels, (l, i) => {
    const k = index.get(l)
    if (k === undefined)
      throw new UserError(`${rows.path}:${rows.lines[i]}: label "${l}" is not one of the model's classes (${classes.join(', ')})`)
    return k
  })
}

export interface Split { train: number[]; val: number[]; test: number[] }

/**
 * A seeded stratified split of row indices: each class's rows are shuffled, and round(frac × n) of them go
 * to validation and to test, so every split keeps the classes' proportions. Each part is in file order.
 */
export function stratifiedSplit(path: string, ids: Int32Array, C: number, valFrac: number, testFrac: number, seed: number): Split {
  const rng = createRng(seed)
  const out: Split = { train: [], val: [], test: [] }
  for (let c = 0; c < C; c++) {
    const rows: number[] = []
    ids.forEach((k, i) => { if (k === c) rows.push(i) })
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      const t = rows[i]; rows[i] = rows[j]; rows[j] = t
    }
    const nVal = Math.round(valFrac * rows.length), nTest = Math.round(testFrac * rows.length)
    out.val.push(...rows.slice(0, nVal))
    out.test.push(...rows.slice(nVal, nVal + nTest))
    out.train.push(...rows.slice(nVal + nTest))
  }
  for (const part of [out.train, out.val, out.test]) part.sort((a, b) => a - b)
  if (out.train.length === 0) throw new UserError(`${path}: --val-frac ${valFrac} and --test-frac ${testFrac} leave no training rows`)
  if (out.val.length === 0)
    throw new UserError(`${path}: ${ids.length} rows are too few for a validation split of ${valFrac} (raise --val-frac)`)
  return out
}
