/**
 * Flags as data: a FlagRow per option (its config key, flag, argument and help), and the parsers that turn
 * a flag's string into a typed value. Parsers only type values; ranges are checked by each command's zod
 * schema (options/<command>.ts), so a range and its message are written once.
 */
import { InvalidArgumentError } from 'commander'

export interface FlagRow { key: string; flag: string; arg: string; help: string; parse: (v: string) => unknown }

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

export const CELL_ALIASES: Record<string, string> = { rnn: 'rnn_tanh', tanh: 'rnn_tanh', relu: 'rnn_relu' }
export const parseCell = oneOf(['rnn_tanh', 'rnn_relu', 'lstm', 'gru'], CELL_ALIASES)

/** "8G", "500M", "1.5GB", "2000000" → bytes (decimal units, like the messages). */
export function parseMemorySize(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(v)
  if (m === null) return null
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't']
  const n = Math.round(Number(m[1]) * mult)
  return n > 0 ? n : null
}
