/** Which checkpoint a command reads: the one named, else the most recently written in ./checkpoints. */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import { colour, log } from './output.ts'

export function pickCheckpoint(named: string | undefined): string {
  if (named !== undefined) return named
  const dir = 'checkpoints'
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => join(dir, f))
  } catch { /* no folder: same as no checkpoint */ }
  if (files.length === 0) throw new UserError(`no checkpoint in ./${dir}: name one, or train one first with \`rnn train\``)
  const latest = files.map((f) => ({ f, t: statSync(f).mtimeMs })).sort((a, b) => b.t - a.t)[0].f
  log(colour.dim(`using ${latest} (most recent in ./${dir})`))
  return latest
}
