/**
 * `rnn explore` on a CSV forecaster (the bundled data/seattle-weather.csv, two columns, differences): the
 * same views over rows, loaded offline in Chromium with no request, error or CSP violation, and the page's
 * gradients equal to `rnn inspect-gradients --json` on the same rows, and forecasts with prediction intervals equal to
 * `rnn sample --level 80,95 --json`.
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

// the page carries every member: with the first one's weights alone its forecasts would not be the median of three
it("an ensemble's page forecasts the members' median with the CLI's bands (rnn train --ensemble)", async () => {
  const t = await runRnn(['train', 'w.csv', '--target', 'temp_max', '--features', 'temp_min', '--hidden', '8', '--seq-len', '20', '--steps', '20',
    '--eval-every', '20', '--ensemble', '3', '--out', 'e.json'], { cwd: dir })
  expect(t.code, t.stderr).toBe(0)
  const e = await runRnn(['explore', 'e.json'], { cwd: dir })
  expect(e.code, e.stderr).toBe(0)
  const o = await open(browser, join(dir, 'e.explore.html'))
  const p = o.page
  expect(await p.locator('header').textContent()).toMatch(/ensemble of 3 forecasters of temp_max/)
  const text = await p.evaluate(() => (window as any).rnn.state.text as string)
  writeFileSync(join(dir, 'e-rows.csv'), 'temp_max,temp_min\n' + text.split('\n').map((r) => r.replace(', ', ',')).join('\n') + '\n')
  const r = await runRnn(['sample', 'e.json', '--input', 'e-rows.csv', '--horizon', '7', '--level', '80,95', '--json'], { cwd: dir })
  expect(r.code, r.stderr).toBe(0)
  const cli = JSON.parse(r.stdout).forecast as Record<string, number>[]
  const ahead = await p.evaluate((x) => (window as any).rnn.forecast(x, 7), text)
  const iv = await p.evaluate((x) => (window as any).rnn.intervals(x, 7), text)
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b) + 1e-9
  cli.forEach((row, h) => {
    expect(close(ahead[h], row.temp_max), `step ${h + 1}: ${ahead[h]} vs ${row.temp_max}`).toBe(true)
    const page = [iv.lower[0][h], iv.upper[0][h], iv.lower[1][h], iv.upper[1][h]]
    ;[row.lower_80, row.upper_80, row.lower_95, row.upper_95].forEach((b, j) => expect(close(page[j], b), `step ${h + 1} bound ${j}`).toBe(true))
  })
  expect(o.problems).toEqual([])
  await p.close()
})

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
  const cliAhead = await runRnn(['sample', 'w.json', '--input', 'rows.csv', '--horizon', '7', '--level', '80,95', '--json'], { cwd: dir })
  expect(cliAhead.code, cliAhead.stderr).toBe(0)
  const cli = JSON.parse(cliAhead.stdout)
  const want = cli.forecast.map((r: Record<string, number>) => r.temp_max)
  const ahead = await p.evaluate((t) => (window as any).rnn.forecast(t, 7), text)
  expect(ahead).toHaveLength(7)
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b) + 1e-9
  for (let h = 0; h < 7; h++) expect(close(ahead[h], want[h]), `step ${h + 1}: ${ahead[h]} vs ${want[h]}`).toBe(true)
  // the prediction intervals: rnn sample --level 80,95's bounds, calibrated on the same rows
  expect(cli.intervals.levels).toEqual([80, 95])
  const bounds = (r: Record<string, number>) => [r.lower_80, r.upper_80, r.lower_95, r.upper_95]
  const iv = await p.evaluate((t) => (window as any).rnn.intervals(t, 7), text)
  expect(iv.origins).toBe(cli.intervals.calibration_origins)
  cli.forecast.forEach((r: Record<string, number>, h: number) => {
    const page = [iv.lower[0][h], iv.upper[0][h], iv.lower[1][h], iv.upper[1][h]]
    bounds(r).forEach((b, j) => expect(close(page[j], b), `step ${h + 1} bound ${j}: ${page[j]} vs ${b}`).toBe(true))
    expect(r.lower_95).toBeLessThan(r.lower_80)
    expect(r.upper_80).toBeLessThan(r.upper_95)
  })
  // the generate view shades both bands around the fed-back forecast and lists the same numbers
  await p.evaluate(() => { (window as any).rnn.view('generate'); return (window as any).rnn.settled() })
  const gen = p.locator('[data-view="generate"]')
  expect(await gen.locator('polyline[data-series="fed back"]').count()).toBe(1)
  expect(await gen.locator('.stage').textContent()).toMatch(/Fed back, the next 7 rows/)
  for (const L of ['80%', '95%']) expect(await gen.locator(`path.pi[data-band="${L}"]`).count(), L).toBe(1)
  const cells = await gen.locator('.intervals tr').evaluateAll((trs) => trs.slice(1).map((tr) =>
    [...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value')))))
  expect(cells).toHaveLength(7)
  cli.forecast.forEach((r: Record<string, number>, h: number) =>
    [r.temp_max, ...bounds(r)].forEach((v, j) => expect(close(cells[h][j], v), `table step ${h + 1} column ${j}`).toBe(true)))
  // too few rows to calibrate: no band, and the view says why
  await p.evaluate((t) => { (window as any).rnn.setText(t); return (window as any).rnn.settled() }, rows.slice(0, 24).join('\n'))
  expect(await gen.locator('path.pi').count()).toBe(0)
  expect(await gen.locator('.stage').textContent()).toMatch(/No prediction intervals: the input has too few rows/)
  expect(await p.evaluate((t) => (window as any).rnn.intervals(t, 7), rows.slice(0, 24).join('\n'))).toBeNull()
  const b = await p.evaluate((t) => (window as any).rnn.bptt(t, { lossAt: 'all' }), text)
  expect(b.maxAbsDiff).toBeLessThanOrEqual(1e-5)
  expect(o.problems).toEqual([])
  expect(o.requests).toEqual([])
  await p.close()
})
