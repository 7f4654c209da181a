/**
 * Flags as data: a FlagRow per option (its key in the command's schema, flag, argument and help), the
 * parsers that turn a flag's string into a typed value, and the one check of the values against a
 * command's zod schema (options/<command>.ts). Parsers only type values; ranges are the schemas', and
 * every message about a bad value comes from checkOptions here.
 */
import { InvalidArgumentError } from 'commander'
import { z } from 'zod'
import { UserError } from '../errors.ts'
import { CELL_KINDS } from '../engine/cells/cell.ts'

export interface FlagRow {
  key: string
  flag: string
  /** '<n>', or '' for a switch (--json, or --no-header setting its key to false). */
  arg: string
  help: string
  /** The string to a typed value (default: the string itself). */
  parse?: (v: string) => unknown
  /** The only values allowed (commander checks them, and shell completion offers them). */
  choices?: readonly string[]
  required?: boolean
  /** Options this one sets too (--explain-top implies --explain), by commander's name. */
  implies?: Record<string, unknown>
  /** An option this one cannot be given with, by commander's name. */
  conflicts?: string
}

export const int = (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer, got "${v}"`)
  return Number(v)
}
export const num = (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${v}"`)
  return n
}
export const oneOf = (names: readonly string[], aliases: Record<string, string> = {}) => (v: string): string => {
  const name = aliases[v] ?? v
  if (!names.includes(name)) throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got "${v}"`)
  return name
}
export const str = (v: string): string => v
export const memorySize = (v: string): number => {
  const n = parseMemorySize(v)
  if (n === null) throw new InvalidArgumentError(`expected a size such as 4G, 500M or a number of bytes, got "${v}"`)
  return n
}
export const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '')
export const delimiter = (v: string): string => {
  const d = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';' }[v] ?? v
  if (![',', ';', '\t'].includes(d)) throw new InvalidArgumentError(`expected , ; or tab, got "${v}"`)
  return d
}

export const thousands = (v: string): string => {
  const t = { space: ' ', comma: ',', dot: '.', apostrophe: "'" }[v] ?? v
  if (![',', '.', ' ', "'"].includes(t)) throw new InvalidArgumentError(`expected , . space or ', got "${v}"`)
  return t
}

const CELL_ALIASES: Record<string, string> = { rnn: 'rnn_tanh', tanh: 'rnn_tanh', relu: 'rnn_relu' }
export const parseCell = oneOf(CELL_KINDS, CELL_ALIASES)

/** "8G", "500M", "1.5GB", "2000000" → bytes (decimal units, like the messages). */
function parseMemorySize(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(v)
  if (m === null) return null
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't']
  const n = Math.round(Number(m[1]) * mult)
  return n > 0 ? n : null
}

/** A range of whole numbers, with the message every such flag gives: "must be from 1 to 10,000". */
export function between(lo: number, hi: number) {
  const message = `must be from ${lo.toLocaleString('en-US')} to ${hi.toLocaleString('en-US')}`
  return z.int().min(lo, message).max(hi, message)
}

/** The values a schema gives the options left out: its defaults (undefined for optional and required keys). */
export function defaultsOf(schema: z.ZodObject): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.shape).map(([k, s]) => [k, (s as z.ZodType).safeParse(undefined).data]))
}

/**
 * The options given (by schema key) checked by the schema, defaults filled in. The first problem is one
 * line naming the flag and the value: "--top-k: must be ≥ 1, got 0".
 */
export function checkOptions<S extends z.ZodObject>(schema: S, rows: readonly FlagRow[], given: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(given)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const key = String(issue.path[0])
  const flag = rows.find((f) => f.key === key)?.flag ?? key
  const v = given[key]
  const got = typeof v === 'number' || issue.code === 'invalid_value' ? `, got ${typeof v === 'number' ? v : JSON.stringify(v)}` : ''
  throw new UserError(`${flag}: ${problem(issue)}${got}`)
}

/** What is wrong, in the same words for every command and config file: a schema's own message, else the range or the choices. */
export function problem(issue: z.core.$ZodIssue): string {
  if (!/^(Too (small|big)|Invalid option)/.test(issue.message)) return issue.message
  const numeric = (o: string) => o === 'number' || o === 'int' || o === 'bigint'
  if (issue.code === 'too_small' && numeric(issue.origin)) return `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`
  if (issue.code === 'too_big' && numeric(issue.origin)) return `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'is empty'
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`
  return issue.message
}

/** Prediction-interval levels in percent ("80,95"), sorted and distinct; "none" gives none. */
export const levels = (v: string): number[] => {
  if (v.trim() === 'none') return []
  const ls = list(v).map(Number)
  if (ls.length === 0 || ls.some((L) => !(L > 0 && L < 100))) {
    throw new InvalidArgumentError(`expected percentages between 0 and 100 such as 80,95, or none; got "${v}"`)
  }
  return [...new Set(ls)].sort((a, b) => a - b)
}
