/**
 * The HTML report (`rnn train --report`, `rnn report`) through the real CLI and in a real browser
 * (headless Chromium): one self-contained file with no scripts or network references, every chart present
 * with drawn lines, the sample equal to `rnn sample --seed 1 --length 400`, text from the data escaped,
 * no console messages (CSP violations or errors), and a screenshot that is not blank.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runRnn, tempWithText, trainAirline } from '../helpers/cli.ts'
import { dumpDom, screenshot } from '../helpers/chromium.ts'
import { pngStats } from '../helpers/png.ts'

/** Every <svg class="chart"> in the DOM: its id and the d attribute of each drawn line. */
function charts(dom: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const m of dom.matchAll(/<svg class="chart" data-chart="([^"]+)"[\s\S]*?<\/svg>/g))
    out.set(m[1], [...m[0].matchAll(/<path class="line"[^>]*\sd="([^"]*)"/g)].map((p) => p[1]))
  return out
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
}

function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i)
  expect(html).not.toMatch(/\s(src|href)=/i)
  expect(html).not.toMatch(/@import|url\(/i)
  // the one URL is the SVG namespace, an identifier that is never fetched
  expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//)
}

describe('HTML report of a text model', () => {
  const { dir, file } = tempWithText(15_000)
  const ckName = 'm<i>&amp.json'
  const ck = join(dir, ckName)

  beforeAll(async () => {
    // markup in the training text (so in the vocabulary and the sample) must come out as text
    writeFileSync(file, readFileSync(file, 'utf8') + '\n<script>alert("x & y")</script>\n'.repeat(40))
    const r = await runRnn(['train', file, '--hidden', '32', '--layers', '2', '--seq-len', '32', '--batch', '8', '--steps', '90', '--eval-every', '30', '--out', ckName, '--report', 'train.html'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('report train.html')
  })

  it('is one self-contained file with the sample of rnn sample --seed 1 --length 400', async () => {
    const html = readFileSync(join(dir, 'train.html'), 'utf8')
    expectSelfContained(html)
    expect(html).toContain('<title>rnn report: m&lt;i&gt;&amp;amp.json</title>')
    const s = await runRnn(['sample', ck, '--seed', '1', '--length', '400'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    const pre = /<pre class="sample">([\s\S]*?)<\/pre>/.exec(html)
    expect(pre).not.toBeNull()
    expect(unescape(pre![1])).toBe(s.stdout.replace(/\n$/, ''))
    for (const key of ['hidden_size', 'seq_len', 'optimizer', 'eval_every']) expect(html).toContain(`<td>${key}</td>`)
  })

  it('renders in Chromium: every chart drawn, no console messages, a non-blank screenshot', async () => {
    const page = join(dir, 'train.html')
    const dom = await dumpDom(page)
    expect(dom.code).toBe(0)
    expect(dom.console, dom.console.join('\n')).toEqual([])
    const found = charts(dom.stdout)
    expect([...found.keys()].sort()).toEqual(['grad-norm', 'grad-time', 'loss-steps', 'loss-time', 'lr'])
    expect(found.get('loss-steps')).toHaveLength(2)
    expect(found.get('loss-time')).toHaveLength(2)
    expect(found.get('grad-time')).toHaveLength(2) // one line per layer
    for (const [id, paths] of found) for (const d of paths) expect(d, id).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/)
    expect(dom.stdout).not.toContain('parsererror')
    // markup in the checkpoint's name (and in the sampled text) stayed text
    expect(dom.stdout).not.toMatch(/<script|<i>/i)
    expect(dom.stdout).toContain('m&lt;i&gt;&amp;amp.json')

    const png = join(dir, 'train.png')
    const shot = await screenshot(page, png)
    expect(shot.code).toBe(0)
    expect(shot.console).toEqual([])
    expect(existsSync(png)).toBe(true)
    expect(statSync(png).size).toBeGreaterThan(30_000)
    const st = pngStats(readFileSync(png))
    expect([st.width, st.height]).toEqual([1200, 2400])
    expect(st.inked).toBeGreaterThan(0.005)
  })

  it('the console check catches a page that loads from the network or runs a script', async () => {
    const bad = join(dir, 'bad.html')
    writeFileSync(bad, readFileSync(join(dir, 'train.html'), 'utf8').replace('</body>', '<img src="http://example.invalid/x.png"><script>1</script></body>'))
    expect((await dumpDom(bad)).console.length).toBeGreaterThan(0)
  })

  it('rnn report writes the same page for a checkpoint, and refuses a non-HTML name', async () => {
    const r = await runRnn(['report', ck, '--out', 'again.html'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(readFileSync(join(dir, 'train.html'), 'utf8'))
    const bad = await runRnn(['report', ck, '--out', 'report.png'], { cwd: dir })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr.trim()).toBe('rnn: --report/--out: report.png: the report is an HTML file; name it *.html')
    const early = await runRnn(['train', file, '--steps', '5', '--report', 'r.txt'], { cwd: dir })
    expect(early.code).not.toBe(0)
    expect(early.stderr.trim()).toBe('rnn: --report: r.txt: the report is an HTML file; name it *.html')
    const missing = await runRnn(['report', 'nope.json'], { cwd: dir })
    expect(missing.stderr.trim()).toBe('rnn: nope.json: no such checkpoint')
  })
})

describe('HTML report of a forecaster', () => {
  const { dir } = tempWithText(10)

  it('plots forecast against actual with both baselines and the metrics, and renders cleanly', async () => {
    const t = await trainAirline(dir, ['--hidden', '12', '--steps', '60', '--eval-every', '20', '--out', 'air.json'])
    expect(t.code, t.stderr).toBe(0)
    const ok = await runRnn(['report', 'air.json'], { cwd: dir })
    expect(ok.code, ok.stderr).toBe(0)
    const html = readFileSync(join(dir, 'air.html'), 'utf8')
    expectSelfContained(html)
    expect(html).toContain('Forecast on the test rows')
    expect(html).toMatch(/<td>seasonal naive \(s=12\)<\/td>/)
    expect(html).toMatch(/<td>exp. smoothing ETS\(A,[NA],[NAM]\)<\/td>/)
    for (const level of [80, 95]) expect(html).toMatch(new RegExp(`<path class="band" data-band="model, ${level}% interval" d="M[^"]+Z"`))
    const dom = await dumpDom(join(dir, 'air.html'))
    expect(dom.console, dom.console.join('\n')).toEqual([])
    const found = charts(dom.stdout)
    expect([...found.keys()].sort()).toEqual(['forecast', 'grad-norm', 'grad-time', 'loss-steps', 'loss-time', 'lr'])
    expect(found.get('forecast')).toHaveLength(5) // actual, model, naive, seasonal naive, exponential smoothing
    for (const d of found.get('forecast')!) expect(d.split('L')).toHaveLength(24) // 24 test rows
    const png = join(dir, 'air.png')
    expect((await screenshot(join(dir, 'air.html'), png)).code).toBe(0)
    expect(pngStats(readFileSync(png)).inked).toBeGreaterThan(0.005)
  })
})

describe('HTML report of a large text', () => {
  it('walks the text only as far as its 100-character window: 24 MB of text in a 64 MB heap', async () => {
    // spreading every character into an array (as before) ran out of a 64 MB heap on this file
    const { dir, text } = tempWithText(4000)
    writeFileSync(join(dir, 'big.txt'), text.repeat(Math.ceil(24e6 / text.length)))
    const train = await runRnn(['train', 'big.txt', '--hidden', '8', '--seq-len', '16', '--batch', '2', '--steps', '1', '--eval-every', '1',
      '--out', 'big.json'], { cwd: dir })
    expect(train.code, train.stderr).toBe(0)
    const r = await runRnn(['report', 'big.json', '--out', 'big.html'], { cwd: dir, env: { NODE_OPTIONS: '--max-old-space-size=64' } })
    expect(r.code, r.stderr.slice(-300)).toBe(0)
    expect(readFileSync(join(dir, 'big.html'), 'utf8')).toContain('the first 100 characters of')
  }, 60_000)
})
