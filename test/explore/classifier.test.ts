/**
 * `rnn explore` on classifiers (a 2-layer LSTM with max pooling and a GRU reading its last step, trained a few
 * steps on the bundled reviews) in Chromium: offline, no error; the six views draw, the fourth classifying
 * instead of generating; and the page's numbers are the CLI's: rnn classify --json, rnn inspect-state --json
 * (hidden states, class probabilities per step, --by-label's unit order), inspect-gradients --json with the
 * loss at the head, and the bptt view's sums against the engine's gradient.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATA, runRnn } from '../helpers/cli.ts'
import { launch, open } from '../helpers/browser.ts'
import { pngStats } from '../helpers/png.ts'
import { readClassifierData } from '../../src/tasks/classify-source.ts'

const VIEWS = ['unroll', 'sharing', 'state', 'classify', 'vanishing', 'bptt']
const TEXT = 'The food was cold and the waiter rude.'
const dir = mkdtempSync(join(tmpdir(), 'rnn-explore-cls-'))
let browser: Browser

async function rnn(args: string[]) {
  const r = await runRnn(args, { cwd: dir })
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

function expectClose(a: number[], b: number[], tol: number, what: string): void {
  expect(a.length, what).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])))
}

beforeAll(async () => {
  copyFileSync(join(DATA, 'reviews-amazon-yelp.csv'), join(dir, 'reviews.csv'))
  const train = (out: string, extra: string[]) =>
    rnn(['train', 'reviews.csv', '--text', 'sentence', '--label', 'label', '--batch', '16', '--steps', '40', '--eval-every', '20', '--lr', '0.01', '--out', out, ...extra])
  await Promise.all([
    train('lstm.json', ['--hidden', '16', '--layers', '2', '--pool', 'max']),
    train('gru.json', ['--cell', 'gru', '--hidden', '12', '--pool', 'last']),
  ])
  await Promise.all([rnn(['explore', 'lstm.json']), rnn(['explore', 'gru.json', '--text', TEXT, '--out', 'gru.html'])])
  browser = await launch()
})

afterAll(async () => { await browser?.close() })

describe.each([['lstm', 'lstm.explore.html', 2, 16], ['gru', 'gru.html', 1, 12]] as const)('%s classifier explorer', (cell, page, layers, H) => {
  it('loads offline with no request, error or CSP violation; the six views draw, classify in place of generate', async () => {
    const o = await open(browser, join(dir, page))
    expect(await o.page.locator('[data-view="generate"]').count()).toBe(0)
    expect(await o.page.locator('nav a').allTextContents()).toEqual(['Unrolling', 'Sharing', 'Hidden state', 'Classification', 'Vanishing gradients', 'BPTT'])
    for (const v of VIEWS) {
      await o.page.evaluate((name) => { (window as any).rnn.view(name); return (window as any).rnn.settled() }, v)
      const root = o.page.locator(`[data-view="${v}"]`)
      const shapes = await root.evaluate((el) => el.querySelectorAll('svg rect, svg path, svg line, svg polyline, canvas').length)
      expect(shapes, v).toBeGreaterThan(2)
      expect(pngStats(await root.screenshot()).inked, v).toBeGreaterThan(0.01)
    }
    // the head once: a prediction above the last step only, from a bar over every h_t for mean/max pooling
    await o.page.evaluate(() => (window as any).rnn.view('unroll', (window as any).rnn.state.T - 1))
    const heads = await o.page.locator('[data-view="unroll"] path[data-param="head.weight"]').count()
    expect(heads).toBe(1)
    expect(await o.page.locator('[data-view="unroll"] .pool-bar').count()).toBe(cell === 'lstm' ? 1 : 0)
    expect(await o.page.locator('[data-view="sharing"] .cost').textContent()).toMatch(/the head, \d+ of them, applied once per text/)
    expect(o.requests).toEqual([])
    expect(o.problems).toEqual([])
    await o.page.close()
  })

  it('rnn.classify equals rnn classify --json; feed equals inspect-state --json (states and class probabilities per step)', async () => {
    const o = await open(browser, join(dir, page))
    const sentences = [TEXT, 'Great phone, works well!', 'Not good at all.']
    for (const s of sentences) {
      const want = JSON.parse((await rnn(['classify', `${cell}.json`, s, '--json'])).stdout)
      const got = await o.page.evaluate((t) => (window as any).rnn.classify(t), s)
      expect(got.label).toBe(want.label)
      for (const c of Object.keys(want.probabilities)) expect(Math.abs(got.probabilities[c] - want.probabilities[c]), c).toBeLessThanOrEqual(1e-6)
    }
    const fed = await o.page.evaluate((t) => (window as any).rnn.feed(t), TEXT)
    expect(fed.probs).toBeNull()
    expect(fed.hidden).toHaveLength(layers)
    const units = Array.from({ length: H }, (_, j) => j).join(',')
    for (let l = 0; l < layers; l++) {
      const st = JSON.parse((await rnn(['inspect-state', `${cell}.json`, '--text', TEXT, '--layer', String(l), '--units', units, '--json'])).stdout)
      for (let t = 0; t < TEXT.length; t++) expectClose(fed.hidden[l][t], st.values[t], 1e-5, `layer ${l} t ${t}`)
      if (l === layers - 1) for (let t = 0; t < TEXT.length; t++) expectClose(fed.classProbs[t], st.probabilities[t], 1e-5, `probs t ${t}`)
    }
    await o.page.close()
  })

  it('rnn.gradients equals inspect-gradients --json (the loss at the head, against a given class and the predicted one)', async () => {
    const o = await open(browser, join(dir, page))
    for (const label of ['negative', 'positive']) {
      writeFileSync(join(dir, `one-${label}.csv`), `sentence,label\n"${TEXT}",${label}\n`)
      const cli = JSON.parse((await rnn(['inspect-gradients', `${cell}.json`, `one-${label}.csv`, '--seq-len', String(TEXT.length), '--json'])).stdout)
      const g = await o.page.evaluate(([t, k]) => (window as any).rnn.gradients(t, { label: k }), [TEXT, label])
      for (const s of cli.series) {
        expectClose(g.dh_norm[s.layer], s.dh_norm, 1e-4, `${label} dh layer ${s.layer}`)
        if (s.dc_norm !== null) expectClose(g.dc_norm[s.layer], s.dc_norm, 1e-4, `${label} dc layer ${s.layer}`)
      }
    }
    // no label: the class the model predicts
    const predicted = (await o.page.evaluate((t) => (window as any).rnn.classify(t), TEXT)).label
    const a = await o.page.evaluate((t) => (window as any).rnn.gradients(t), TEXT)
    const b = await o.page.evaluate(([t, k]) => (window as any).rnn.gradients(t, { label: k }), [TEXT, predicted])
    expect(a.dh_norm).toEqual(b.dh_norm)
    await expect(o.page.evaluate((t) => (window as any).rnn.gradients(t, { label: 'neutral' }), TEXT)).rejects.toThrow(/label "neutral" is not one of the classes/)
    await o.page.close()
  })

  it("the bptt view's accumulated gradient (the head's term once) equals the engine's", async () => {
    const o = await open(browser, join(dir, page), '#view=bptt&phase=backward&label=positive')
    for (const label of ['negative', 'positive']) {
      const b = await o.page.evaluate(([t, k]) => (window as any).rnn.bptt(t, { label: k }), [TEXT, label])
      expect(b.norm).toBeGreaterThan(0)
      expect(b.maxAbsDiff).toBeLessThanOrEqual(1e-5)
    }
    await o.page.evaluate(() => (window as any).rnn.settled())
    // the check is at the end of the backward pass (step 0), from the running sums of every step
    const check = o.page.locator('[data-view="bptt"] .check')
    expect(await check.getAttribute('data-diff')).toBeNull()
    expect(await check.textContent()).toMatch(/^1 of \d+ steps summed so far; when the backward pass reaches step 0/)
    await o.page.evaluate(() => { const rnn = (window as any).rnn; rnn.view('bptt', rnn.state.T - 1); return rnn.settled() })
    // the sums of every step are added after the view has drawn, a few steps per task: the check appears once compared
    await o.page.waitForFunction(() => document.querySelector<HTMLElement>('[data-view="bptt"] .check')!.dataset.diff !== undefined)
    expect(Number(await check.getAttribute('data-diff'))).toBeLessThanOrEqual(1e-5 * Number(await check.getAttribute('data-norm')))
    expect(Number(await check.getAttribute('data-norm'))).toBeGreaterThan(0)
    expect(await o.page.locator('[data-view="bptt"] select[aria-label="loss against label"]').inputValue()).toBe('positive')
    expect(await o.page.locator('[data-view="bptt"] .detail').textContent()).toMatch(/^Backward at step \d+: ∂L\/∂y enters once at the head/)
    expect(o.problems).toEqual([])
    await o.page.close()
  })
})

describe('interaction on a classifier page', () => {
  it('starts on the first held-out row; sorting by label is inspect-state --by-label; typing a sentence classifies it', async () => {
    const html = readFileSync(join(dir, 'lstm.explore.html'), 'utf8')
    const data = JSON.parse(/id="rnn-data">([\s\S]*?)<\/script>/.exec(html)![1])
    expect(data.kind).toBe('classifier')
    // the first held-out row, as rnn eval splits the CSV
    const ck = JSON.parse(readFileSync(join(dir, 'lstm.json'), 'utf8'))
    const split = readClassifierData(join(dir, 'reviews.csv'), ck.config, ck.data.classes)
    expect(data.input).toBe(split.rows.texts[split.split.test[0]])
    expect(data.classifier.classes).toEqual(['negative', 'positive'])
    const byLabel = JSON.parse((await rnn(['inspect-state', 'lstm.json', '--by-label', '--units', '16', '--json'])).stdout)
    expect(data.classifier.byLabel.rows).toBe(byLabel.rows)
    const o = await open(browser, join(dir, 'lstm.explore.html'), '#view=state&sort=label')
    const p = o.page
    const order = (await p.locator('[data-view="state"] canvas').getAttribute('data-order'))!.split(',').map(Number)
    expect(order).toEqual(byLabel.units.map((u: { unit: number }) => u.unit))
    expect(await p.locator('[data-view="state"] .class-probs polyline').count()).toBe(2)
    await p.evaluate(() => (window as any).rnn.view('classify'))
    const box = p.locator('[data-view="classify"] input.sentence')
    await box.fill('')
    await box.type('Not good at all.')
    expect(await p.evaluate(() => (window as any).rnn.state.text)).toBe('Not good at all.')
    const want = JSON.parse((await rnn(['classify', 'lstm.json', 'Not good at all.', '--json'])).stdout)
    expect(await p.locator('[data-view="classify"] .verdict').getAttribute('data-label')).toBe(want.label)
    const bars = JSON.parse((await p.locator('[data-view="classify"] svg.bars').first().getAttribute('data-probs'))!)
    expectClose(bars, [want.probabilities.negative, want.probabilities.positive], 1e-6, 'bars')
    expect(await p.locator('[data-view="classify"] .coloured span').count()).toBe('Not good at all.'.length)
    expect(o.problems).toEqual([])
    expect(o.requests).toEqual([])
    await p.close()
  })
})
