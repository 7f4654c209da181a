/**
 * `rnn explore` on character models (a 2-layer LSTM and a GRU, trained for a few steps) in a real browser
 * (Debian's Chromium via playwright-core): the page loads from file:// with no request leaving it, no
 * console error and no CSP violation; every view draws; and the numbers read through window.rnn are the
 * CLI's: inspect-state, the forward pass of rnn sample, inspect-gradients and rnn sample (the page runs the CLI's default wasm kernels).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRnn, tempWithText } from '../helpers/cli.ts'
import { launch, open } from '../helpers/browser.ts'
import { pngStats } from '../helpers/png.ts'

const VIEWS = ['unroll', 'sharing', 'state', 'generate', 'vanishing', 'bptt']
const { dir, file } = tempWithText(12_000)
const TEXT = 'Call me Ishmael. Some years ago'
let browser: Browser

async function rnn(args: string[]) {
  const r = await runRnn(args, { cwd: dir })
  expect(r.code, r.stderr).toBe(0)
  return r
}

function expectClose(a: number[], b: number[], tol: number, what: string): void {
  expect(a.length, what).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])))
}

beforeAll(async () => {
  // markup and line separators in the training text reach the vocabulary and the default input
  writeFileSync(file, '<b>&</b>\u2028"x"\n' + readFileSync(file, 'utf8'))
  const train = (cell: string, out: string, extra: string[]) =>
    rnn(['train', 'text.txt', '--cell', cell, '--seq-len', '16', '--batch', '4', '--steps', '25', '--eval-every', '25', '--out', out, ...extra])
  await Promise.all([train('lstm', 'lstm.json', ['--hidden', '16', '--layers', '2']), train('gru', 'gru.json', ['--hidden', '12'])])
  await Promise.all([rnn(['explore', 'lstm.json']), rnn(['explore', 'gru.json', '--text', TEXT, '--out', 'gru.html'])])
  browser = await launch()
})

afterAll(async () => { await browser?.close() })

describe('the page file', () => {
  it('is one self-contained HTML file whose CSP allows exactly its inline script and style', () => {
    const html = readFileSync(join(dir, 'lstm.explore.html'), 'utf8')
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+';/)
    expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'|nonce|https?:/)
    expect(html.match(/<script type="module">/g)).toHaveLength(1)
    expect(html.match(/<script/g)).toHaveLength(2)
    expect(html).not.toMatch(/\ssrc=|@import|url\(http/i)
    const data = /<script type="application\/json" id="rnn-data">([\s\S]*?)<\/script>/.exec(html)![1]
    expect(data).not.toMatch(/[<\u2028\u2029]/)
    const parsed = JSON.parse(data)
    expect(parsed.input.startsWith('<b>&</b>\u2028"x"\n')).toBe(true)
    expect([...parsed.input]).toHaveLength(60)
    expect(parsed.vocab).toContain('<')
  })

  it('rnn report links to the explorer written beside the checkpoint', async () => {
    await rnn(['report', 'lstm.json'])
    expect(readFileSync(join(dir, 'lstm.html'), 'utf8')).toContain('<a href="lstm.explore.html">Explore this model</a>')
  })
})

describe.each([['lstm', 'lstm.explore.html', 2], ['gru', 'gru.html', 1]] as const)('%s explorer in Chromium', (cell, page, layers) => {
  it('loads offline with no requests, errors or CSP violations, and every view draws', async () => {
    const o = await open(browser, join(dir, page))
    for (const v of VIEWS) {
      await o.page.evaluate((name) => { (window as any).rnn.view(name); return (window as any).rnn.settled() }, v)
      const root = o.page.locator(`[data-view="${v}"]`)
      const drawn = await root.evaluate((el) => {
        const shapes = el.querySelectorAll('svg rect, svg path, svg line, svg polyline').length
        const inked = [...el.querySelectorAll('canvas')].some((c) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) return true
          return false
        })
        return { shapes, inked }
      })
      expect(drawn.shapes > 5 || drawn.inked, `${v}: ${JSON.stringify(drawn)}`).toBe(true)
      const png = await root.screenshot()
      expect(pngStats(png).inked, v).toBeGreaterThan(0.01)
    }
    expect(await o.page.title()).toBe(`rnn explore: ${cell === 'lstm' ? 'lstm.json' : 'gru.json'}`)
    expect(o.requests).toEqual([])
    expect(o.problems).toEqual([])
    await o.page.close()
  })

  it('rnn.feed: hidden states equal rnn inspect-state --json, probabilities the forward pass of rnn sample', async () => {
    const o = await open(browser, join(dir, page))
    const H = cell === 'lstm' ? 16 : 12
    const fed = await o.page.evaluate((t) => (window as any).rnn.feed(t), TEXT)
    expect(fed.hidden).toHaveLength(layers)
    const units = Array.from({ length: H }, (_, j) => j).join(',')
    const states = await Promise.all(Array.from({ length: layers }, (_, l) => rnn(['inspect-state', cell + '.json', '--text', TEXT, '--layer', String(l), '--units', units, '--json'])))
    states.forEach((r, l) => {
      const cli = JSON.parse(r.stdout)
      expect(fed.hidden[l]).toHaveLength(TEXT.length)
      for (let t = 0; t < TEXT.length; t++) expectClose(fed.hidden[l][t], cli.values[t], 1e-5, `layer ${l} t ${t}`)
    })
    // the distribution after the whole text: rnn sample --argmax --explain lists the model's own probabilities
    const vocab = JSON.parse(/id="rnn-data">([\s\S]*?)<\/script>/.exec(readFileSync(join(dir, page), 'utf8'))![1]).vocab as string[]
    const r = await rnn(['sample', cell + '.json', '--prime', TEXT, '--length', '1', '--argmax', '--explain', '--explain-top', String(vocab.length), '--json'])
    const candidates = JSON.parse(r.stdout).steps[0].candidates as { char: string; p: number }[]
    const last = fed.probs[TEXT.length - 1] as number[]
    expectClose(candidates.map((c) => last[vocab.indexOf(c.char)]), candidates.map((c) => c.p), 1e-5, 'probs')
    expect(o.problems).toEqual([])
    await o.page.close()
  })

  it('rnn.gradients equals rnn inspect-gradients --json, for the loss at the last step and summed over steps', async () => {
    writeFileSync(join(dir, 'window.txt'), TEXT)
    const o = await open(browser, join(dir, page))
    const clis = await Promise.all(['last', 'all'].map((at) => rnn(['inspect-gradients', cell + '.json', 'window.txt', '--seq-len', String(TEXT.length - 1), '--loss-at', at, '--json'])))
    for (const [i, lossAt] of ['last', 'all'].entries()) {
      const g = await o.page.evaluate(([t, at]) => (window as any).rnn.gradients(t, { lossAt: at }), [TEXT, lossAt])
      const cli = JSON.parse(clis[i].stdout)
      expect(cli.series).toHaveLength(layers)
      for (const s of cli.series) {
        expectClose(g.dh_norm[s.layer], s.dh_norm, 1e-4, `${lossAt} dh layer ${s.layer}`)
        if (s.dc_norm !== null) expectClose(g.dc_norm[s.layer], s.dc_norm, 1e-4, `${lossAt} dc layer ${s.layer}`)
      }
    }
    // the vanishing view draws the same (its backward pass shares the views' forward pass), for either loss
    await o.page.evaluate((t) => { const rnn = (window as any).rnn; rnn.setText(t); rnn.view('vanishing'); return rnn.settled() }, TEXT)
    for (const [i, lossAt] of ['last', 'all'].entries()) {
      await o.page.locator('[data-view="vanishing"] select[aria-label="loss at"]').selectOption(lossAt)
      const drawn = JSON.parse(await o.page.locator('[data-view="vanishing"] .flow').getAttribute('data-dh') ?? 'null')
      for (const s of JSON.parse(clis[i].stdout).series) expectClose(drawn[s.layer], s.dh_norm, 1e-4, `view ${lossAt} dh layer ${s.layer}`)
    }
    await o.page.close()
  })

  it('rnn.sample equals rnn sample character for character, on the same wasm kernels', async () => {
    const o = await open(browser, join(dir, page))
    expect(await o.page.evaluate(() => (window as any).rnn.kernels)).toBe('wasm (relaxed-simd)')
    // the header names the kernels that run
    expect(await o.page.locator('#kernels').textContent()).toBe('wasm (relaxed-simd) kernels')
    const cases = [
      { flags: ['--seed', '7', '--length', '120'], opts: { seed: 7, length: 120 } },
      { flags: ['--seed', '3', '--length', '80', '--temp', '0.7', '--top-k', '5', '--prime', 'The '], opts: { seed: 3, length: 80, temp: 0.7, topK: 5, prime: 'The ' } },
      { flags: ['--seed', '11', '--length', '80', '--top-p', '0.9', '--temp', '1.3'], opts: { seed: 11, length: 80, topP: 0.9, temp: 1.3 } },
    ]
    // the generate view draws its default settings' text (seed 1, 200 characters)
    const [view, ...clis] = await Promise.all([['--seed', '1', '--length', '200'], ...cases.map((c) => c.flags)].map((f) => rnn(['sample', cell + '.json', ...f])))
    for (const [i, c] of cases.entries()) {
      const page = await o.page.evaluate((opts) => (window as any).rnn.sample(opts), c.opts)
      expect(page).toBe(clis[i].stdout.replace(/\n$/, ''))
    }
    expect(await o.page.locator('[data-view="generate"] pre.sample').getAttribute('data-text')).toBe(view.stdout.replace(/\n$/, ''))
    // and on the reference kernels, rnn sample --kernels js
    await o.page.evaluate(() => (window as any).rnn.setKernels('js'))
    expect(await o.page.evaluate(() => (window as any).rnn.kernels)).toBe('js')
    expect(await o.page.locator('#kernels').textContent()).toBe('js kernels')
    const js = await Promise.all(cases.map((c) => rnn(['sample', cell + '.json', '--kernels', 'js', ...c.flags])))
    for (const [i, c] of cases.entries()) expect(await o.page.evaluate((opts) => (window as any).rnn.sample(opts), c.opts)).toBe(js[i].stdout.replace(/\n$/, ''))
    await o.page.close()
  })

  it("the bptt view's accumulated gradient equals the engine's whole-window gradient", async () => {
    const o = await open(browser, join(dir, page), '#view=bptt&phase=backward')
    for (const lossAt of ['last', 'all']) {
      const b = await o.page.evaluate(([t, at]) => (window as any).rnn.bptt(t, { lossAt: at }), [TEXT, lossAt])
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
    expect(await check.textContent()).toMatch(/equal the engine's gradient/)
    expect(o.problems).toEqual([])
    await o.page.close()
  })

  it('typing with the bptt view at the end of its backward phase checks the new text\'s sums after the keystroke', async () => {
    const o = await open(browser, join(dir, page), '#view=bptt&phase=backward&t=999')
    const checked = () => o.page.waitForFunction(() => document.querySelector<HTMLElement>('[data-view="bptt"] .check')!.dataset.diff !== undefined)
    await checked()
    const check = o.page.locator('[data-view="bptt"] .check')
    const before = Number(await check.getAttribute('data-norm'))
    // the last character typed over: the text keeps its length, so the scrubber stays on the last step
    const typed = await o.page.evaluate(() => {
      const rnn = (window as any).rnn, text: string = rnn.state.text
      rnn.setText(text.slice(0, -1) + (text.endsWith('e') ? 'a' : 'e'))
      const c = document.querySelector<HTMLElement>('[data-view="bptt"] .check')!
      const caption = document.querySelector('[data-view="bptt"] figcaption')!.textContent
      return { text: rnn.state.text as string, diff: c.dataset.diff, line: c.textContent, caption, t: rnn.state.t, T: rnn.state.T }
    })
    expect(typed.t).toBe(typed.T - 1)
    // in the keystroke's task the heatmaps show the engine's gradient; the step-by-step sums are not compared yet
    expect(typed.diff).toBeUndefined()
    expect(typed.line).toMatch(/^Adding the \d+ steps' terms one by one/)
    expect(typed.caption).toMatch(/^∂L\/∂\S+ of the whole window \(engine\): ‖·‖ = .*is being checked$/)
    await checked()
    const engine = await o.page.evaluate((t) => (window as any).rnn.bptt(t, { lossAt: (window as any).rnn.state.lossAt }), typed.text)
    const diff = Number(await check.getAttribute('data-diff')), norm = Number(await check.getAttribute('data-norm'))
    expect(Math.abs(norm - engine.norm)).toBeLessThanOrEqual(1e-5 * engine.norm)
    expect(Math.abs(before - engine.norm)).toBeGreaterThan(1e-5 * engine.norm)
    expect(diff).toBeLessThanOrEqual(1e-5 * norm)
    expect(await check.textContent()).toMatch(/equal the engine's gradient/)
    expect(await o.page.locator('[data-view="bptt"] figcaption').first().textContent()).toMatch(/^Σ ∂L\/∂\S+ so far: ‖·‖ = /)
    expect(o.problems).toEqual([])
    await o.page.close()
  })
})

describe('interaction', () => {
  it('typing changes the state view, play advances the scrubber, keys step, the hash restores a view', async () => {
    const o = await open(browser, join(dir, 'gru.html'), '#view=state&t=5&unit=3')
    const p = o.page
    expect(await p.evaluate(() => (window as any).rnn.state)).toMatchObject({ view: 'state', t: 5, unit: 3 })
    expect(await p.locator('[data-view="state"]').getAttribute('class')).toContain('active')
    const heat = () => p.locator('[data-view="state"] canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL())
    const before = await heat()
    await p.locator('#input').focus()
    await p.keyboard.press('End')
    await p.keyboard.type(' me')
    expect(await p.evaluate(() => (window as any).rnn.state.text)).toBe(TEXT + ' me')
    expect(await heat()).not.toBe(before)
    await p.locator('#input').blur()
    await p.locator('h1').click()
    await p.keyboard.press('ArrowRight')
    expect(await p.evaluate(() => (window as any).rnn.state.t)).toBe(6)
    await p.keyboard.press(' ')
    await p.waitForFunction(() => (window as any).rnn.state.t >= 8, undefined, { timeout: 10_000 })
    await p.locator('#play').click()
    expect(await p.evaluate(() => (window as any).rnn.state.playing)).toBe(false)
    // the state survives a reload (the address follows the state within a moment)
    const t = await p.evaluate(() => (window as any).rnn.state.t)
    await p.waitForFunction((t) => location.hash.includes('view=state') && location.hash.includes(`t=${t}&`), t)
    await p.reload()
    await p.waitForSelector('body[data-ready="true"]')
    expect(await p.evaluate(() => (window as any).rnn.state)).toMatchObject({ view: 'state', t, unit: 3, text: TEXT + ' me' })
    // an unknown character is reported in the page, not thrown
    await p.evaluate(() => (window as any).rnn.setText('Call me \u{1F600}'))
    expect(await p.locator('#controls .error').textContent()).toMatch(/not in the model's vocabulary/)
    expect(o.problems).toEqual([])
    expect(o.requests).toEqual([])
    await p.close()
  })
})

describe('options', () => {
  it('--weights f16 halves the weights and keeps the page within the stated rounding', async () => {
    const r = await rnn(['explore', 'gru.json', '--weights', 'f16', '--out', 'gru16.html', '--text', TEXT])
    expect(r.stderr).toMatch(/largest rounding error \d\.\d+e-\d+/)
    const o = await open(browser, join(dir, 'gru16.html'))
    const a = await o.page.evaluate((t) => (window as any).rnn.feed(t).hidden[0][30], TEXT)
    const o32 = await open(browser, join(dir, 'gru.html'))
    const b = await o32.page.evaluate((t) => (window as any).rnn.feed(t).hidden[0][30], TEXT)
    expectClose(a, b, 1e-2, 'f16 vs f32')
    expect(a).not.toEqual(b)
    await o.page.close(); await o32.page.close()
  })

  it('bad input: one line naming the flag, exit code 1, no file written', async () => {
    const cases = [
      [['--text', 'Call me \u{1F600}'], /^rnn: --text: characters not in the model's vocabulary: "\u{1F600}"\n$/u],
      [['--weights', 'f8'], /^rnn: --weights: .*f32.*f16.*\n$/],
      [['--out', 'x.txt'], /^rnn: --out: the explorer is an HTML file; name it \*\.html\n$/],
    ] as const
    const runs = await Promise.all(cases.map(([args]) => runRnn(['explore', 'gru.json', ...args, ...(args[0] === '--out' ? [] : ['--out', 'bad.html'])], { cwd: dir })))
    runs.forEach((r, i) => {
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(cases[i][1])
    })
    expect(() => readFileSync(join(dir, 'bad.html'))).toThrow()
  })

  it('never writes over its checkpoint or a file of another kind (--force for that one)', async () => {
    // a checkpoint is JSON whatever its name: one named *.html is still the command's input
    writeFileSync(join(dir, 'notes.html'), 'my notes')
    writeFileSync(join(dir, 'ck.html'), readFileSync(join(dir, 'gru.json')))
    const ckBefore = readFileSync(join(dir, 'ck.html'), 'utf8')
    const [ck, other] = await Promise.all([['ck.html', '--out', 'ck.html'], ['gru.json', '--out', 'notes.html']]
      .map((a) => runRnn(['explore', ...a], { cwd: dir })))
    expect(ck.code).toBe(1)
    expect(ck.stderr).toMatch(/^rnn: --out ck\.html: is the checkpoint explored of this command .*choose another --out\n$/)
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/^rnn: --out notes\.html: exists and is not an rnn explore page; .*--force.*\n$/)
    expect(readFileSync(join(dir, 'ck.html'), 'utf8')).toBe(ckBefore)
    expect(readFileSync(join(dir, 'notes.html'), 'utf8')).toBe('my notes')
    // an explorer page is replaced without --force; another file with it
    expect((await runRnn(['explore', 'gru.json', '--out', 'gru.html'], { cwd: dir })).code).toBe(0)
    const forced = await runRnn(['explore', 'gru.json', '--out', 'notes.html', '--force'], { cwd: dir })
    expect(forced.code, forced.stderr).toBe(0)
    expect(readFileSync(join(dir, 'notes.html'), 'utf8')).toMatch(/<title>rnn explore: /)
  })
})
