/**
 * Commander's side of the flag tables (options/): a FlagRow becomes a commander option with its default in
 * the help, and the options given on the command line become values keyed as the command's schema keys them.
 */
import { Option, type Command } from 'commander'
import type { z } from 'zod'
import { checkOptions, defaultsOf, type FlagRow } from '../options/parse.ts'

/** Commander's property name for a flag: --seq-len → seqLen. */
function optionName(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** The rows as commander options, each showing the schema's default in its help. */
export function addFlags(cmd: Command, rows: readonly FlagRow[], schema: z.ZodObject): Command {
  const defaults = defaultsOf(schema)
  for (const r of rows) {
    const d = defaults[r.key]
    const shown = r.arg !== '' && d !== null && d !== undefined && !(Array.isArray(d) && d.length === 0) ? ` (default: ${d})` : ''
    const o = new Option(r.arg === '' ? r.flag : `${r.flag} ${r.arg}`, `${r.help}${shown}`)
    if (r.parse !== undefined && r.arg !== '') o.argParser(r.parse)
    if (r.choices !== undefined) o.choices(r.choices)
    if (r.required === true) o.makeOptionMandatory()
    if (r.implies !== undefined) o.implies(r.implies)
    if (r.conflicts !== undefined) o.conflicts(r.conflicts)
    cmd.addOption(o)
  }
  return cmd
}

/** The options commander parsed, checked by the command's schema (options/parse.ts: one message per problem). */
export function readOptions<S extends z.ZodObject>(schema: S, rows: readonly FlagRow[], opts: Record<string, unknown>): z.infer<S> {
  return checkOptions(schema, rows, pickFlags(rows, opts))
}

/** Only the flags actually given, keyed by config key. */
export function pickFlags(rows: readonly FlagRow[], opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    // a negatable flag (--no-header) reads as true unless given; a plain switch (--balance) as false
    if (r.arg === '' && r.flag.startsWith('--no-')) {
      if (opts[optionName(r.flag.replace(/^--no-/, '--'))] === false) out[r.key] = false
      continue
    }
    if (r.arg === '') { if (opts[optionName(r.flag)] === true) out[r.key] = true; continue }
    const v = opts[optionName(r.flag)]
    if (v !== undefined) out[r.key] = v
  }
  return out
}
