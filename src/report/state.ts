/** Rendering a StateTrace (src/inspect/state.ts) as a heatmap: one row per character (or word), one cell per unit. */
import type { ChalkInstance } from 'chalk'
import type { StateTrace } from '../inspect/state.ts'
import { HEAT_LEGEND_COLOUR, HEAT_LEGEND_PLAIN, heatCell, verticalHeaders } from './chart.ts'

/** How a character is shown at the start of its row: control characters escaped, one column wide. */
export function showChar(ch: string): string {
  if (ch === '\n') return '⏎'
  if (ch === '\t') return '⇥'
  if (ch === ' ') return '␣'
  if (ch === '\r') return '␍'
  const cp = ch.codePointAt(0)!
  return cp < 0x20 || cp === 0x7f ? '·' : ch
}

export function renderStateHeatmap(s: StateTrace, c: ChalkInstance): string[] {
  const after = s.probs === undefined ? '' : '; then the class probabilities had the text ended there'
  // "  a " : the token (a character, or a word padded to the longest) and a gap before the cells
  const shown = s.chars.map(showChar), width = Math.max(1, ...shown.map((t) => [...t].length))
  const lines = [c.dim(`layer ${s.layer}, unit indices read top to bottom${after}:`), ...verticalHeaders(s.units, 3 + width)]
  for (let t = 0; t < s.chars.length; t++) {
    const row = s.values[t].map((v) => heatCell(v, c)).join('')
    const probs = s.probs === undefined ? '' : `  ${s.classes!.map((c, k) => `${c} ${s.probs![t][k].toFixed(2)}`).join(' ')}`
    lines.push(`  ${shown[t] + ' '.repeat(width - [...shown[t]].length)} ${row}${probs}`)
  }
  lines.push(c.dim(`h in [-1, 1]: ${c.level > 0 ? HEAT_LEGEND_COLOUR : HEAT_LEGEND_PLAIN}`))
  return lines
}
