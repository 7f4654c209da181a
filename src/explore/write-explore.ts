/** `rnn explore`'s work: a checkpoint → one self-contained explorer HTML file, written atomically. */
import { existsSync } from 'node:fs'
import { basename, dirname, relative, resolve } from 'node:path'
import { writeFileAtomic } from '../files/atomic-write.ts'
import { UserError } from '../errors.ts'
import { loadCheckpoint } from '../model/checkpoint/file.ts'
import type { Checkpoint } from '../model/checkpoint/schema.ts'
import { pageScript } from './bundle.ts'
import { renderExplorer } from './html.ts'
import { pageData, type PageOptions } from './page-data.ts'

/** Where the explorer goes by default: beside the checkpoint, <name>.explore.html. */
export function defaultExplorePath(checkpoint: string): string {
  return checkpoint.replace(/\.json$/i, '') + '.explore.html'
}

interface Written { out: string; bytes: number; script: number; maxError: number }

export async function writeExplorer(
  checkpoint: string, out: string, o: PageOptions, ck: Checkpoint = loadCheckpoint(checkpoint),
): Promise<Written> {
  if (!/\.html?$/i.test(out)) throw new UserError(`--out: ${out}: the explorer is an HTML file; name it *.html`)
  const data = pageData(checkpoint, basename(checkpoint), ck, o)
  const script = await pageScript()
  // the report of the same checkpoint (rnn report's default path), linked when it is there
  const report = checkpoint.replace(/\.json$/i, '') + '.html'
  const href = existsSync(report) ? relative(dirname(resolve(out)), resolve(report)) : null
  const html = renderExplorer(data, script, href)
  writeFileAtomic(out, html, 'explorer')
  const maxError = Math.max(data.weights.maxError, ...(data.members ?? []).map((w) => w.maxError))
  return { out, bytes: Buffer.byteLength(html), script: Buffer.byteLength(script), maxError }
}
