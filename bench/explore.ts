/**
 * The explorer page's size and speed (`npm run bench:explore`), measured in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core): a 2 × 256 LSTM on the bundled text (one training step: the
 * speed does not depend on the weights), its explorer file, then in the page:
 *   - the page code (the minified bundle) and the whole file, float32 and float16 weights;
 *   - typing one character: rnn.setText() recomputes the input, the forward pass and redraws every view (and at the
 *     end of the bptt view's backward phase, separately, the time until its check of the new sums appears);
 *   - the backward pass over 100 steps: rnn.gradients() on a 101-character text.
 * Medians of several runs, after a warm-up. Not a test: the figures go to BENCHMARKS.md.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, ROOT } from '../test/helpers/cli.ts'
import { launch, open } from '../test/helpers/browser.ts'
import { execFileSync } from 'node:child_process'

const dir = mkdtempSync(join(tmpdir(), 'rnn-bench-explore-'))
const rnn = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] }).toString()
rnn('train', join(ROOT, 'data/moby-dick.txt'), '--hidden', '256', '--layers', '2', '--seq-len', '32', '--batch', '4', '--steps', '1', '--eval-every', '1', '--out', 'b.json')
rnn('explore', 'b.json', '--out', 'b32.html')
rnn('explore', 'b.json', '--out', 'b16.html', '--weights', 'f16')
const html = readFileSync(join(dir, 'b32.html'), 'utf8')
const code = /<script type="module">([\s\S]*?)<\/script>/.exec(html)![1]
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
console.log(`page code (minified): ${kb(Buffer.byteLength(code))}`)
console.log(`explorer file, 2 x 256 LSTM: float32 ${(statSync(join(dir, 'b32.html')).size / 2 ** 20).toFixed(2)} MB, float16 ${(statSync(join(dir, 'b16.html')).size / 2 ** 20).toFixed(2)} MB`)

const browser = await launch()
const t0 = Date.now()
const o = await open(browser, join(dir, 'b32.html'))
console.log(`kernels in the page: ${await o.page.evaluate(() => (window as any).rnn.kernels)}`)
console.log(`open to ready: ${Date.now() - t0} ms (file:// load, decode, first forward and render)`)
// a string, not a function: tsx would wrap the function's inner names in a helper the page does not have
const r: { T: number; forward: number; backward: number; gemv: number } = await o.page.evaluate(`(async () => {
  const rnn = window.rnn
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const base = rnn.state.text
  const forward = []
  for (let i = 0; i < 12; i++) {
    const t = performance.now()
    rnn.setText(base + 'e'.repeat(i % 2 === 0 ? 1 : 2))
    await rnn.settled()
    forward.push(performance.now() - t)
  }
  const text = (base + base + base).slice(0, 101)
  const backward = []
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    rnn.gradients(text, { lossAt: 'all' })
    backward.push(performance.now() - t)
  }
  // the machine's speed at the same moment: a plain float32 matrix-vector loop, 1024 x 512
  const w = new Float32Array(1024 * 512).fill(0.5), x = new Float32Array(512).fill(0.25), y = new Float32Array(1024)
  const t = performance.now()
  for (let r = 0; r < 50; r++) for (let m = 0; m < 1024; m++) { let s = 0; for (let k = 0; k < 512; k++) s += w[m * 512 + k] * x[k]; y[m] = s }
  const gemv = (50 * 1024 * 512) / (performance.now() - t) / 1e6
  return { T: base.length + 1, forward: median(forward.slice(2)), backward: median(backward.slice(1)), gemv }
})()`)
// the same in a window tall enough to show all six views at once (both backward views draw every time); then with
// the bptt view at the end of its backward phase, where each new input's sums over every step are added after the
// keystroke, a slice per task, and compared with the engine's gradient: how long until the check line shows it
const tall = await open(browser, join(dir, 'b32.html'), '', { width: 1200, height: 9000 })
type Typing = { drawn: number; painted: number; checked: number | null; check?: string }
const typing = (hash: string, edit: string, waitCheck: boolean) => tall.page.evaluate(`(async () => {
  const rnn = window.rnn
  location.hash = '${hash}'
  await new Promise((done) => setTimeout(done, 50))
  const base = rnn.state.text, drawn = [], painted = [], checked = []
  const median = (xs) => xs.slice(2).sort((a, b) => a - b)[Math.floor((xs.length - 2) / 2)]
  // a task queued from the next animation frame runs once that frame's style, layout and paint are done
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))
  // the moment the check's data-diff is set again (after the keystroke removed it): an observer's timestamp
  const check = document.querySelector('[data-view=bptt] .check')
  let seen = null, checkedAt = 0
  new MutationObserver(() => {
    if (seen !== null && check.dataset.diff !== undefined) { checkedAt = performance.now(); seen(); seen = null }
  }).observe(check, { attributes: true, attributeFilter: ['data-diff'] })
  for (let i = 0; i < 12; i++) {
    await frame()
    const shown = new Promise((done) => { seen = done })
    const t = performance.now()
    rnn.setText(${edit})
    await rnn.settled()
    drawn.push(performance.now() - t)
    await frame()
    painted.push(performance.now() - t)
    if (${waitCheck}) { await shown; checked.push(checkedAt - t) }
  }
  seen = null
  return { drawn: median(drawn), painted: median(painted), checked: ${waitCheck} ? median(checked) : null, check: check.dataset.diff }
})()`) as Promise<Typing>
const all = await typing('', `base + 'e'.repeat(i % 2 === 0 ? 1 : 2)`, false)
// the text keeps its length (the last character typed over), so the scrubber stays on the last step
const end = await typing('phase=backward&t=999', `base + (i % 2 === 0 ? 'e' : 'a')`, true)
if (end.check === undefined) throw new Error('the bptt view did not reach the end of its backward phase')
const ms = (x: Typing) => `${x.drawn.toFixed(1)} ms (${x.painted.toFixed(1)} ms until the browser has painted)`
console.log(`typing one character (T = ${r.T}), until every view on screen has drawn (medians): at the top of the page (unroll, `
  + `sharing, state on screen) ${r.forward.toFixed(1)} ms; all six views on screen (two need a backward pass) ${ms(all)}; `
  + `the same with the bptt view at the end of its backward phase (the engine's gradient drawn) ${ms(end)}, `
  + `its check (the sums of every step added after the keystroke, compared) shown ${end.checked!.toFixed(1)} ms after the keystroke`)
console.log(`backward pass over 100 steps (forward + BPTT + norms): ${r.backward.toFixed(1)} ms (median)`)
console.log(`reference: a plain JS matrix-vector loop ran at ${r.gemv.toFixed(2)} GMAC/s in the page meanwhile (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`)
if (o.problems.length > 0 || o.requests.length > 0) console.log('problems:', o.problems, o.requests)
await browser.close()
