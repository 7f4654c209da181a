/**
 * Forecast quality on the real series bundled in data/ (a benchmark, not a test): trains each with the
 * default config through the real CLI, then prints the test MASE at a horizon of one season next to the
 * naive and seasonal-naive forecasts, as a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/forecast.ts [--steps n] [--seed n]
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const DATA = join(ROOT, 'data')
const args = process.argv.slice(2)
const extra = args.includes('--steps') ? ['--steps', args[args.indexOf('--steps') + 1]] : []
if (args.includes('--seed')) extra.push('--seed', args[args.indexOf('--seed') + 1])

const SERIES: { file: string; flags: string[] }[] = [
  { file: 'airline-passengers.csv', flags: ['--target', 'passengers'] },
  { file: 'mauna-loa-co2.csv', flags: ['--target', 'CO2', '--fill', 'linear'] },
  { file: 'seattle-weather.csv', flags: ['--target', 'temp_max'] },
  { file: 'seattle-weather.csv', flags: ['--target', 'temp_max', '--features', 'temp_min,precipitation,wind'] },
]

const rnn = (cwd: string, a: string[]) => execFileSync(process.execPath, [join(ROOT, 'bin/rnn'), ...a], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

const rows: string[] = []
for (const s of SERIES) {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-fc-'))
  copyFileSync(join(DATA, s.file), join(dir, s.file))
  const t = JSON.parse(rnn(dir, ['train', s.file, ...s.flags, ...extra, '--json']))
  const e = JSON.parse(rnn(dir, ['eval', t.checkpoint, '--json']))
  const m = e.multi_step, o = e.one_step
  const f = (x: number) => x.toFixed(3)
  const best = m.model.mase < m.seasonal_naive.mase ? 'yes' : 'no'
  rows.push(`| ${s.file} ${s.flags.filter((x) => !x.startsWith('--fill') && x !== 'linear').join(' ')} | ${e.season} | ${e.test_rows} | ${f(m.model.mase)} | ${f(m.naive.mase)} | ${f(m.seasonal_naive.mase)} | ${best} | ${f(o.model.mase)} | ${f(o.naive.mase)} | ${f(o.seasonal_naive.mase)} | ${t.seconds.toFixed(0)} s |`)
  process.stderr.write(rows.at(-1) + '\n')
}
console.log('| series | season | test rows | MASE model (h = season) | naive | seasonal naive | beats seasonal naive | MASE model (1 step) | naive | seasonal naive | training time |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const r of rows) console.log(r)
