/**
 * Where output goes: results to stdout, progress and logs to stderr. Colour only on a TTY and never
 * under NO_COLOR; progress bars only when stderr is a TTY.
 */
import { Chalk } from 'chalk'

const colourOn = process.stderr.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb'
export const colour = new Chalk({ level: colourOn ? 1 : 0 })
export const stderrIsTTY = process.stderr.isTTY === true

export function log(line: string): void {
  process.stderr.write(line + '\n')
}

export function result(line: string): void {
  process.stdout.write(line + '\n')
}

export function json(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

export function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits)
}

export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}

export function fmtDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60)
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
