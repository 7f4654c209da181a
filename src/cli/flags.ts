/**
 * Commander's side of the flag tables (options/): a FlagRow becomes a commander option with its default in
 * the help, and the options given on the command line become values keyed by config key.
 */
import { Option, type Command } from 'commander'
import type { FlagRow } from '../options/parse.ts'

/** Commander's property name for a flag: --seq-len → seqLen. */
export function optionName(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

export function addFlags(cmd: Command, rows: FlagRow[], defaults: Record<string, unknown>): Command {
  for (const r of rows) {
    const d = defaults[r.key]
    if (r.arg === '') { cmd.addOption(new Option(r.flag, r.help)); continue }
    const shown = d !== null && d !== undefined && !(Array.isArray(d) && d.length === 0) ? ` (default: ${d})` : ''
    cmd.addOption(new Option(`${r.flag} ${r.arg}`, `${r.help}${shown}`).argParser(r.parse))
  }
  return cmd
}

/** Only the flags actually given, keyed by config key. */
export function pickFlags(rows: FlagRow[], opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    // a negatable flag (--no-header) reads as true unless given; a plain switch (--balance) as false
    if (r.arg === '' && r.flag.startsWith('--no-')) { if (opts[optionName(r.flag.replace(/^--no-/, '--'))] === false) out[r.key] = false; continue }
    if (r.arg === '') { if (opts[optionName(r.flag)] === true) out[r.key] = true; continue }
    const v = opts[optionName(r.flag)]
    if (v !== undefined) out[r.key] = v
  }
  return out
}
