/**
 * `rnn explore` on a CSV forecaster (the bundled data/seattle-weather.csv, two columns, differences): the
 * same views over rows, loaded offline in Chromium with no request, error or CSP violation, and the page's
 * gradients equal to `rnn inspect-gradients --json` on the same rows.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ROOT, runRnn } from '../helpers/cli.ts'
import { launch, open } from '../helpers/browser.ts'

const VIEWS = ['unroll', 'sharing', 'state', 'generate', 'vanishing', 'bptt']
const dir = mkdtempSync(join(tmpdir(), 'rnn-explore-'))
let browser: Browser

beforeAll(async () => {
  copyFileSync(join(ROOT, 'data/seattle-weather.csv'), join(dir, 'w.csv'))
  const t = await runRnn(['train', 'w.csv', '--target', 'temp_max', '--features', 'temp_min', '--hidden', '8', '--seq-len', '20', '--steps', '20', '--eval-every', '20', '--out', 'w.json'], { cwd: dir })
  expect(t.code, t.stderr).toBe(0)
  const e = await runRnn(['explore', 'w.json'], { cwd: dir })
  expect(e.code, e.stderr).toBe(0)
  browser = await launch()
})

afterAll(async () => { await browser?.close() })

it('a forecaster: every view draws over rows, offline, with no error; gradients equal inspect-gradients', async () => {
  const o = await open(browser, join(dir, 'w.explore.html'))
  const p = o.page
  for (const v of VIEWS) {
    await p.evaluate((name) => { (window as any).rnn.view(name); return (window as any).rnn.settled() }, v)
    const n = await p.locator(`[data-view="${v}"]`).evaluate((el) => el.querySelectorAll('svg *, canvas').length + (el.querySelector('.stage p') ? 1 : 0))
    expect(n, v).toBeGreaterThan(0)
  }
  const text = await p.evaluate(() => (window as any).rnn.state.text as string)
  const rows = text.split('\n')
  expect(rows).toHaveLength(48)
  expect(rows[0]).toBe('12.8, 5') // the first row of the CSV: temp_max, temp_min
  // forecasts in original units, one per step (the first row only gives the difference of the second)
  const fed = await p.evaluate((t) => (window as any).rnn.feed(t), text)
  expect(fed.probs).toBeNull()
  expect(fed.forecast).toHaveLength(47)
  expect(Math.abs(fed.forecast[0][0] - 10)).toBeLessThan(30)
  for (const lossAt of ['last', 'all']) {
    const g = await p.evaluate(([t, at]) => (window as any).rnn.gradients(t, { lossAt: at }), [text, lossAt])
    const r = await runRnn(['inspect-gradients', 'w.json', '--seq-len', '46', '--loss-at', lossAt, '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const cli = JSON.parse(r.stdout).series[0]
    expect(g.dh_norm[0]).toHaveLength(46)
    for (let t = 0; t < 46; t++) expect(Math.abs(g.dh_norm[0][t] - cli.dh_norm[t])).toBeLessThanOrEqual(1e-4 * cli.dh_norm[t] + 1e-12)
  }
  // generating: forecasts fed back after the input's rows, as rnn sample --input <rows> --horizon h prints them
  writeFileSync(join(dir, 'rows.csv'), 'temp_max,temp_min\n' + rows.map((r) => r.replace(', ', ',')).join('\n') + '\n')
  const cliAhead = await runRnn(['sample', 'w.json', '--input', 'rows.csv', '--horizon', '7', '--json'], { cwd: dir })
  expect(cliAhead.code, cliAhead.stderr).toBe(0)
  const want = JSON.parse(cliAhead.stdout).forecast.map((r: Record<string, number>) => r.temp_max)
  const ahead = await p.evaluate((t) => (window as any).rnn.forecast(t, 7), text)
  expect(ahead).toHaveLength(7)
  for (let h = 0; h < 7; h++) expect(Math.abs(ahead[h] - want[h])).toBeLessThanOrEqual(1e-9 * Math.abs(want[h]) + 1e-9)
  await p.evaluate(() => { (window as any).rnn.view('generate'); return (window as any).rnn.settled() })
  expect(await p.locator('[data-view="generate"] polyline[data-series="fed back"]').count()).toBe(1)
  expect(await p.locator('[data-view="generate"] .stage').textContent()).toMatch(/Fed back, the next 7 rows/)
  const b = await p.evaluate((t) => (window as any).rnn.bptt(t, { lossAt: 'all' }), text)
  expect(b.maxAbsDiff).toBeLessThanOrEqual(1e-5)
  expect(o.problems).toEqual([])
  expect(o.requests).toEqual([])
  await p.close()
})
