/**
 * Forecast quality on the real series bundled in data/ (a benchmark, not a test): trains each with the
 * default config through the real CLI, then prints the test MAE one step ahead and at a horizon of one
 * season next to the tool's exponential smoothing (ETS), seasonal naive and naive forecasts, as a Markdown
 * table for BENCHMARKS.md. Any other arguments are passed to `rnn train` (e.g. --transform log-difference).
 *
 *   npx tsx bench/forecast.ts [--steps n] [--seed n] [train flags...]
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const DATA = join(ROOT, 'data')
const args = process.argv.slice(2)
const extra = args

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
  const f = (x: number) => x.toPrecision(4)
  const pc = (x: number) => `${Math.round(100 * x)}%`
  const cover = (iv: { one_step: { coverage: number }[]; multi_step: { coverage: number }[] } | null) =>
    iv === null ? 'none' : `${iv.one_step.map((b) => pc(b.coverage)).join(' / ')}; ${iv.multi_step.map((b) => pc(b.coverage)).join(' / ')}`
  const mark = (x: number, ref: number) => (x <= ref ? `**${f(x)}**` : f(x))
  rows.push(`| ${s.file} ${s.flags.filter((x) => !x.startsWith('--fill') && x !== 'linear').join(' ')} | ${e.season} | ${e.test_rows} | ` +
    `${mark(o.model.mae, o.ets.mae)} | ${f(o.ets.mae)} ${e.ets.name} | ${f(o.seasonal_naive.mae)} | ${f(o.naive.mae)} | ` +
    `${mark(m.model.mae, m.seasonal_naive.mae)} | ${f(m.ets.mae)} | ${f(m.seasonal_naive.mae)} | ${f(m.naive.mae)} | ${cover(e.intervals)} | ${t.seconds.toFixed(0)} s |`)
  process.stderr.write(rows.at(-1) + '\n')
}
console.log(`rnn train … ${extra.join(' ')}: MAE on the test rows; bold: the model at or below ETS (one step) or seasonal naive (one season)`)
console.log('| series | season | test rows | model, 1 step | ETS | seasonal naive | naive | model, h = season | ETS | seasonal naive | naive | coverage of the 80 / 95% bands: 1 step; h | training time |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const r of rows) console.log(r)
