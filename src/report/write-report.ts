/** A checkpoint's HTML report, written atomically: shared by `rnn report` and `rnn train --report`. */
import { existsSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { writeFileAtomic } from '../files/atomic-write.ts'
import { UserError } from '../errors.ts'
import { loadCheckpoint } from '../model/checkpoint/file.ts'
import type { Checkpoint } from '../model/checkpoint/schema.ts'
import { renderReport } from './html.ts'
import { reportData } from './report-data.ts'

export function writeReport(
  checkpointPath: string, out: string, ck: Checkpoint = loadCheckpoint(checkpointPath),
): { out: string; bytes: number } {
  if (!/\.html?$/i.test(out)) throw new UserError(`--report/--out: ${out}: the report is an HTML file; name it *.html`)
  // the checkpoint's explorer page (rnn explore's default path), linked when it is there
  const explorer = checkpointPath.replace(/\.json$/i, '') + '.explore.html'
  const href = existsSync(explorer) ? relative(dirname(resolve(out)), resolve(explorer)) : null
  const html = renderReport(reportData(checkpointPath, ck), href)
  writeFileAtomic(out, html, 'report')
  return { out, bytes: Buffer.byteLength(html) }
}
