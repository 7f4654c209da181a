/**
 * The README's pictures of `rnn explore`: one PNG per view (docs/explore/<view>.png), taken in headless
 * Chromium (Debian's, through playwright-core) from the explorer of a small LSTM trained on the bundled
 * text, at a step in the middle of the input; then a classifier's classify and state views
 * (docs/explore/classify.png, classify-state.png), from an LSTM trained on the bundled reviews.
 *
 *   npx tsx scripts/explore-screenshots.ts [checkpoint] [classifier]
 *   (defaults: trains a 2 × 64 LSTM for 600 steps, and a 1 × 64 max-pooling LSTM classifier for 400)
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BIN, ROOT } from '../test/helpers/cli.ts'
import { launch, open } from '../test/helpers/browser.ts'

const dir = mkdtempSync(join(tmpdir(), 'rnn-shots-'))
const rnn = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] }).toString()
let ck = process.argv[2] === undefined ? undefined : resolve(process.argv[2])
if (ck === undefined) {
  rnn('train', join(ROOT, 'data/moby-dick.txt'), '--hidden', '64', '--layers', '2', '--steps', '600', '--seq-len', '64', '--batch', '16', '--lr', '3e-3', '--eval-every', '200', '--out', 'm.json')
  ck = join(dir, 'm.json')
}
rnn('explore', ck, '--text', 'Call me Ishmael. Some years ago, never mind how long precisely', '--out', join(dir, 'e.html'))
const out = join(ROOT, 'docs/explore')
mkdirSync(out, { recursive: true })
const browser = await launch()
const views: [string, string][] = [
  ['unroll', '#t=16&param=weight_hh_l1'], ['sharing', '#t=16&param=weight_hh_l1'], ['state', '#view=state&t=16&unit=5&sort=variance'],
  ['generate', '#view=generate&temp=0.8'], ['vanishing', '#view=vanishing&t=20&compare=true'], ['bptt', '#view=bptt&phase=backward&t=30'],
]
for (const [view, hash] of views) {
  const o = await open(browser, join(dir, 'e.html'), hash, { width: 1100, height: 900 })
  if (view === 'generate') for (let i = 0; i < 12; i++) await o.page.locator('button.draw').click()
  const root = o.page.locator(`[data-view="${view}"]`)
  await root.scrollIntoViewIfNeeded()
  await o.page.evaluate('window.rnn.settled()')
  await o.page.waitForTimeout(500)
  await root.screenshot({ path: join(out, `${view}.png`) })
  if (o.problems.length > 0 || o.requests.length > 0) throw new Error(`${view}: ${[...o.problems, ...o.requests].join('; ')}`)
  await o.page.close()
}

let cls = process.argv[3] === undefined ? undefined : resolve(process.argv[3])
if (cls === undefined) {
  rnn('train', join(ROOT, 'data/reviews-amazon-yelp.csv'), '--text', 'sentence', '--label', 'label', '--hidden', '64', '--pool', 'max',
    '--steps', '400', '--lr', '3e-3', '--out', 'c.json')
  cls = join(dir, 'c.json')
}
rnn('explore', cls, '--text', 'The food was cold and the waiter rude.', '--out', join(dir, 'c.html'))
const shots: [string, string][] = [['classify', '#view=classify&t=20'], ['state', '#view=state&t=20&sort=label']]
for (const [view, hash] of shots) {
  const o = await open(browser, join(dir, 'c.html'), hash, { width: 1100, height: 900 })
  const root = o.page.locator(`[data-view="${view}"]`)
  await root.scrollIntoViewIfNeeded()
  await o.page.evaluate('window.rnn.settled()')
  await o.page.waitForTimeout(500)
  await root.screenshot({ path: join(out, view === 'classify' ? 'classify.png' : 'classify-state.png') })
  if (o.problems.length > 0 || o.requests.length > 0) throw new Error(`${view}: ${[...o.problems, ...o.requests].join('; ')}`)
  await o.page.close()
}
await browser.close()
console.log(`wrote ${views.map(([v]) => `docs/explore/${v}.png`).join(', ')}, docs/explore/classify.png, docs/explore/classify-state.png`)
