/**
 * The explorer as ONE HTML file: the page data in a `<script type="application/json">` (with `<`, U+2028
 * and U+2029 escaped, so no string in it can end the element or break a parser), the bundled script and
 * the stylesheet inline, and a Content-Security-Policy that allows exactly those two by their sha256
 * hashes: no network, no other script, no eval, no inline style attributes. 'wasm-unsafe-eval' lets the
 * script compile the engine's wasm kernels it carries (WebAssembly only; JavaScript eval stays blocked).
 */
import { createHash } from 'node:crypto'
import { esc } from '../report/svg.ts'
import type { PageData } from './page/data.ts'
import { CSS } from './style.ts'
import type { OutputKind } from '../files/output-file.ts'

const TITLE = 'rnn explore: '

/** An explorer page as an output: an HTML file with this page's title. */
export const EXPLORER_FILE: OutputKind = {
  noun: 'rnn explore page', plural: 'explorer pages',
  is: (head) => new RegExp(`^<!DOCTYPE html>[\\s\\S]*<title>${TITLE}`, 'i').test(head.toString('utf8')),
}

/** The six views; a classifier's fourth reads a sentence and classifies it instead of generating. */
function views(kind: PageData['kind']): [string, string][] {
  return [
    ['unroll', 'Unrolling'], ['sharing', 'Sharing'], ['state', 'Hidden state'],
    kind === 'classifier' ? ['classify', 'Classification'] : ['generate', 'Generation'],
    ['vanishing', 'Vanishing gradients'], ['bptt', 'BPTT'],
  ]
}

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`
}

/** JSON that is safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no line separators. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

export function renderExplorer(d: PageData, script: string, reportHref: string | null): string {
  // a literal "</script" inside the bundle would end the element early
  const code = script.replace(/<\/(script)/gi, '<\\/$1')
  const csp = `default-src 'none'; script-src ${sha256(code)} 'wasm-unsafe-eval'; style-src ${sha256(CSS)}; img-src data:; `
    + "base-uri 'none'; form-action 'none'"
  const m = d.spec
  const what = d.kind === 'text' ? `character model, ${d.vocab!.length} characters`
    : d.kind === 'classifier'
      ? `classifier of ${d.vocab!.length} characters into ${d.classifier!.classes.join(', ')} (--pool ${d.classifier!.pool})`
      : d.members === null ? `forecaster of ${d.series!.columns[0].name}`
        : `ensemble of ${d.members.length + 1} forecasters of ${d.series!.columns[0].name} (forecasts: their median; views: the first)`
  const VIEWS = views(d.kind)
  const maxError = Math.max(d.weights.maxError, ...(d.members ?? []).map((w) => w.maxError))
  const weights = d.weights.dtype === 'f16' ? `float16 weights (largest rounding error ${maxError.toExponential(1)})`
    : 'float32 weights'
  const sub = [
    `${esc(m.cell)}, ${m.num_layers} layer${m.num_layers > 1 ? 's' : ''} × ${m.hidden_size} units`, esc(what),
    `trained ${d.trainedSteps.toLocaleString('en-US')} steps`, esc(weights),
    // the page fills in which kernels run (main.ts): WebAssembly SIMD where the browser has it, else js
    'computed in this page by rnn\'s own engine (<span id="kernels">its kernels</span>)',
    ...(reportHref === null ? [] : [`<a href="${esc(reportHref)}">training report</a>`]),
  ].join(' · ')
  const nav = VIEWS.map(([v, t]) => `<a href="#view=${v}">${t}</a>`).join(' · ')
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLE}${esc(d.name)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>rnn explore: ${esc(d.name)}</h1>
<p class="sub">${sub}</p>
<nav>${nav}</nav>
</header>
<section id="controls" aria-label="input and time"></section>
${VIEWS.map(([v]) => `<section data-view="${v}"></section>`).join('\n')}
<script type="application/json" id="rnn-data">${scriptJson(d)}</script>
<script type="module">${code}</script>
</body>
</html>
`
}
