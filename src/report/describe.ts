/**
 * Rendering `rnn describe`: equations, a parameter table, and the network unrolled over a few steps,
 * drawn so that every step visibly uses the same W_ih, W_hh and head weights (parameter sharing).
 */
import { maxOf } from './extent.ts'
import type { ChalkInstance } from 'chalk'
import { cellEquations, cellNotes, headEquations, roleOf, type ModelDescription } from '../inspect/describe.ts'
import type { ModelSpec } from '../model/spec.ts'

export function renderDescription(spec: ModelSpec, d: ModelDescription, c: ChalkInstance, unroll = 4): string[] {
  const L = spec.num_layers
  const classes = d.head !== undefined && d.head.classes.length > 0 ? `: ${d.head.classes.join(', ')}` : ''
  const outputs = spec.pool !== undefined ? `${spec.output_size} classes${classes}` : `${spec.output_size} outputs`
  const tokens = d.tokens ?? 'char', token = tokens === 'word' ? 'words' : 'characters'
  const reads = spec.embedding_dim !== undefined ? ` (${token} through a ${spec.embedding_dim}-dimensional embedding)`
    : spec.input === 'one_hot' ? ` (one-hot ${token})` : ''
  const out = [
    c.bold(`${spec.cell}: ${L} layer${L === 1 ? '' : 's'} × ${spec.hidden_size} units, `
      + `${spec.input_size} inputs${reads}, ${outputs}`),
    '',
    c.bold(`Cell (${spec.cell === 'jordan' ? 'Jordan 1986; no PyTorch module' : 'PyTorch form'}), per layer and step t:`),
    ...cellEquations(spec.cell).map((e) => `  ${e}`),
    ...cellNotes(spec, tokens).map((n) => c.dim(`  ${n}`)),
    ...(spec.pool !== undefined
      ? ['', c.bold(`Classifier head (--pool ${spec.pool}), once per text of T characters, on the top layer:`),
        ...headEquations(spec.pool).map((e) => `  ${e}`)]
      : []),
    '',
    c.bold('Parameters:'),
  ]
  const shapes = d.params.map((p) => `[${p.shape.join(', ')}]`)
  const nameW = maxOf(d.params.map((p) => p.name.length)), shapeW = maxOf(shapes.map((s) => s.length))
  const countW = Math.max(fmtInt(d.total).length, maxOf(d.params.map((p) => fmtInt(p.count).length)))
  d.params.forEach((p, i) => {
    const role = c.dim(roleOf(p.name, spec, tokens))
    out.push(`  ${p.name.padEnd(nameW)}  ${shapes[i].padEnd(shapeW)}  ${fmtInt(p.count).padStart(countW)}  ${role}`)
  })
  out.push(`  ${'total'.padEnd(nameW)}  ${''.padEnd(shapeW)}  ${fmtInt(d.total).padStart(countW)}`)
  out.push('', c.bold(`Unrolled over ${unroll} steps:`), ...unrolled(spec, unroll, c))
  return out
}

const fmtInt = (n: number): string => n.toLocaleString('en-US')
const EMBEDDING_LEGEND = (c: ChalkInstance) => `  ${c.blue('E')} = embedding.weight: x_t is its row for the token w_t`
const SUB = '₀₁₂₃₄₅₆₇₈₉'
const sub = (n: number): string => [...String(n)].map((d) => SUB[Number(d)]).join('')
const CELL_WORD: Record<ModelSpec['cell'], string> = { rnn_tanh: 'tanh', rnn_relu: 'relu', lstm: 'lstm', gru: 'gru', jordan: 'jordan' }

/**
 * Rows from the outputs (top) down to the inputs, one box row per layer (top layer first):
 *
 *             ŷ₀            ŷ₁
 *             ↑W_hy         ↑W_hy
 *   h₋₁ ─W_hh→[ lstm ]─W_hh→[ lstm ]─W_hh→ h₁
 *             ↑W_ih         ↑W_ih
 *             x₀            x₁
 *
 * Each weight name is printed once per step in its own colour: the same tensors, reused at every step.
 */
function unrolled(spec: ModelSpec, steps: number, c: ChalkInstance): string[] {
  if (spec.cell === 'jordan') return jordanUnrolled(spec, steps, c)
  const L = spec.num_layers
  const tag = (k: number) => (L > 1 ? String(k) : '')
  const hh = (k: number) => `W_hh${tag(k)}`, ih = (k: number) => `W_ih${tag(k)}`
  const arrowW = 2 + hh(0).length                  // "─W_hh→"
  const word = CELL_WORD[spec.cell]
  const box = `[${word.padStart(3 + Math.ceil(word.length / 2)).padEnd(6)}]`
  const block = arrowW + box.length
  const margin = 4                                 // "h₋₁ "
  const centre = (t: number) => margin + t * block + arrowW + Math.floor(box.length / 2)
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex
  // padEnd counts escape codes, so lay out on plain text and colour afterwards per segment
  const row = (label: (t: number) => string, paint: (s: string) => string) => {
    let plain = '', coloured = ''
    for (let t = 0; t < steps; t++) {
      const gap = ' '.repeat(Math.max(1, centre(t) - visible(plain).length))
      plain += gap + label(t); coloured += gap + paint(label(t))
    }
    return coloured
  }
  const state = spec.cell === 'lstm' ? 'h,c' : 'h'
  const lines = spec.pool === undefined
    ? [row((t) => `ŷ${sub(t)}`, (s) => s), row(() => '↑W_hy', c.magenta)]
    : classifierHead(spec.pool, steps, centre, c)
  for (let k = L - 1; k >= 0; k--) {
    let line = 'h₋₁ '
    for (let t = 0; t < steps; t++) line += c.yellow(`─${hh(k)}→`) + c.cyan(box)
    lines.push(`${line}${c.yellow(`─${hh(k)}→`)} h${sub(steps - 1)}`)
    lines.push(row(() => `↑${ih(k)}`, c.green))
  }
  lines.push(row((t) => `x${sub(t)}`, (s) => s))
  if (spec.embedding_dim !== undefined) lines.push(row(() => '↑E', c.blue), row((t) => `w${sub(t)}`, (s) => s))
  const layers = Array.from({ length: L }, (_, k) => k)
  lines.push('', c.dim(`Every step reuses the same tensors (parameter sharing); the arrows carry ${state}:`))
  for (const k of layers)
    lines.push(`  ${c.green(ih(k))} = weight_ih_l${k} + bias_ih_l${k}   ${c.yellow(hh(k))} = weight_hh_l${k} + bias_hh_l${k}`)
  lines.push(`  ${c.magenta('W_hy')} = head.weight + head.bias${spec.pool !== undefined ? ', once per text' : ''}`)
  if (spec.embedding_dim !== undefined) lines.push(EMBEDDING_LEGEND(c))
  return lines
}

/**
 * A classifier's head above the top layer: ŷ once, after the last step (pool last), or over a bar that
 * gathers every step's h into the mean or max (pool mean/max):
 *
 *                                          ŷ
 *                                          ↑W_hy
 *             ┌─ max ───────┬─────────────┤
 *             │h₀           │h₁           │h₂
 */
function classifierHead(pool: 'last' | 'mean' | 'max', steps: number, centre: (t: number) => number, c: ChalkInstance): string[] {
  const last = centre(steps - 1)
  const lines = [`${' '.repeat(last)}ŷ`, `${' '.repeat(last)}${c.magenta('↑W_hy')}`]
  if (pool === 'last') return lines
  const first = centre(0)
  const bar: string[] = Array.from({ length: last - first + 1 }, (_, i) => (i === last - first ? '┤' : i === 0 ? '┌' : '─'))
  for (let t = 1; t < steps - 1; t++) bar[centre(t) - first] = '┬'
  // the word goes on the dashes of the first segment (a step is wider than " mean ")
  const word = ` ${pool} `
  if (steps > 1) bar.splice(2, word.length, ...word)
  else bar.push(word.trimEnd())
  let ticks = ''
  for (let t = 0; t < steps; t++) ticks += `${' '.repeat(Math.max(1, centre(t) - ticks.length))}│h${sub(t)}`
  return [...lines, `${' '.repeat(first)}${bar.join('')}`, ticks]
}

/** Text placed at columns (code points) on one line, each piece in its own colour. */
type Piece = [number, string, ((s: string) => string)?]
function line(pieces: Piece[]): string {
  let out = '', len = 0
  for (const [col, text, paint] of [...pieces].sort((a, b) => a[0] - b[0])) {
    out += ' '.repeat(Math.max(0, col - len)) + (paint ?? ((x: string) => x))(text)
    len = Math.max(len, col) + [...text].length
  }
  return out
}

/**
 * The Jordan network unrolled: what crosses from step t to step t+1 is the output ŷ_t, coming down from
 * the top into every layer through W_yh (the only recurrent state):
 *
 *                  ŷ₀ ─────┐             ŷ₁
 *                  ↑W_hy   │             ↑W_hy
 *   ŷ₋₁ ─W_yh→[   jordan   ]└W_yh→[   jordan   ]
 *                  ↑W_ih                 ↑W_ih
 *                  x₀                    x₁
 */
function jordanUnrolled(spec: ModelSpec, steps: number, c: ChalkInstance): string[] {
  const L = spec.num_layers
  const tag = (k: number) => (L > 1 ? String(k) : '')
  const yh = (k: number) => `W_yh${tag(k)}`, ih = (k: number) => `W_ih${tag(k)}`
  const arrowW = 2 + yh(0).length, box = '[   jordan   ]', block = arrowW + box.length, margin = 4
  const seg = (t: number) => margin + t * block                       // where the arrow into step t starts
  const centre = (t: number) => seg(t) + arrowW + Math.floor(box.length / 2)
  const each = (f: (t: number) => Piece[]) => Array.from({ length: steps }, (_, t) => f(t)).flat()
  const over = (t: number): Piece => [centre(t) + 3, `${'─'.repeat(seg(t + 1) - centre(t) - 3)}┐`, c.yellow]
  const down = (t: number): Piece[] => (t < steps - 1 ? [[seg(t + 1), '│', c.yellow]] : [])
  const lines = [
    // ŷ_t, and a line from it over to the next step's column
    line(each((t) => [[centre(t), `ŷ${sub(t)}`], ...(t < steps - 1 ? [over(t)] : [])])),
    line(each((t) => [[centre(t), '↑W_hy', c.magenta], ...down(t)])),
  ]
  for (let k = L - 1; k >= 0; k--) {
    const into = (t: number) => `${t === 0 ? '─' : k === 0 ? '└' : '├'}${yh(k)}→`
    lines.push(line([[0, 'ŷ₋₁'], ...each((t) => [[seg(t), into(t), c.yellow], [seg(t) + arrowW, box, c.cyan]])]))
    lines.push(line(each((t) => [[centre(t), `↑${ih(k)}`, c.green], ...(k > 0 ? down(t) : [])])))
  }
  lines.push(line(each((t) => [[centre(t), `x${sub(t)}`]])))
  if (spec.embedding_dim !== undefined) {
    lines.push(line(each((t) => [[centre(t), '↑E', c.blue]])), line(each((t) => [[centre(t), `w${sub(t)}`]])))
  }
  const legend = 'Every step reuses the same tensors (parameter sharing); the arrows carry ŷ, the previous output, into every layer:'
  lines.push('', c.dim(legend))
  for (let k = 0; k < L; k++) {
    lines.push(`  ${c.green(ih(k))} = weight_ih_l${k} + bias_ih_l${k}   ${c.yellow(yh(k))} = weight_yh_l${k} + bias_hh_l${k}`)
  }
  lines.push(`  ${c.magenta('W_hy')} = head.weight + head.bias, then ŷ = ${spec.loss === 'cross_entropy' ? 'softmax(y)' : 'y'}`)
  if (spec.embedding_dim !== undefined) lines.push(EMBEDDING_LEGEND(c))
  return lines
}
