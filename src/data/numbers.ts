/**
 * Numbers in CSV cells. By default a cell is what JavaScript's Number() reads ("1.5", "-2e3"); --decimal ,
 * and --thousands . (or , space ') read the way many spreadsheets outside the English-speaking world write
 * them ("1.234,5"). A cell written in such a convention without the option is an error with a hint naming
 * the option, never a gap to fill: filling it would silently replace real values.
 */
export type Decimal = '.' | ','
export type Thousands = ',' | '.' | ' ' | "'"

export interface NumberFormat { decimal: Decimal; thousands: Thousands | null }

const esc = (c: string) => c.replace(/[.]/, '\\.')

/** A parser of cells: the number, or null for an empty or unreadable cell. */
export function numberReader(f: NumberFormat): (s: string) => number | null {
  if (f.decimal === '.' && f.thousands === null) return (s) => (s === '' || !Number.isFinite(Number(s)) ? null : Number(s))
  const t = f.thousands, d = f.decimal
  // the integer part either plain or grouped by threes; the other mark may not appear at all
  const grouped = t === null ? null : new RegExp(`^[+-]?\\d{1,3}(${esc(t)}\\d{3})+(?=${esc(d)}|[eE]|$)`)
  const other = d === ',' ? '.' : ','
  return (s) => {
    if (s === '') return null
    let x = s
    if (t !== null && x.includes(t)) {
      if (grouped === null || !grouped.test(x)) return null
      x = x.split(t).join('')
    }
    if (t !== other && x.includes(other)) return null
    if (d === ',') x = x.replace(',', '.')
    const n = Number(x)
    return Number.isFinite(n) ? n : null
  }
}

/**
 * The option that would read `cell` as a number when the current format does not, or null when the cell
 * does not look like a number written in another convention.
 */
export function formatHint(cell: string, f: NumberFormat): string | null {
  const s = cell.replace(/^[+-]/, '')
  const shown = (t: Thousands) => (t === ' ' ? "' '" : t === "'" ? `"'"` : t)
  const flag = (o: NumberFormat) =>
    [o.decimal !== '.' ? '--decimal ,' : '', o.thousands !== null ? `--thousands ${shown(o.thousands)}` : '']
      .filter((x) => x !== '').join(' ')
  const tries: [RegExp, NumberFormat, string][] = [
    [/^\d{1,3}(\.\d{3})+,\d+$/, { decimal: ',', thousands: '.' }, 'a decimal comma and thousands dots'],
    [/^\d{1,3}(,\d{3})+\.\d+$/, { decimal: '.', thousands: ',' }, 'thousands commas'],
    [/^\d{1,3}(\.\d{3}){2,}$/, { decimal: f.decimal === '.' ? ',' : f.decimal, thousands: '.' }, 'thousands dots'],
    [/^\d{1,3}(,\d{3}){2,}$/, { decimal: '.', thousands: ',' }, 'thousands commas'],
    [/^\d{1,3}( \d{3})+([.,]\d+)?$/, { decimal: s.includes(',') ? ',' : '.', thousands: ' ' }, 'thousands spaces'],
    [/^\d{1,3}('\d{3})+([.,]\d+)?$/, { decimal: s.includes(',') ? ',' : '.', thousands: "'" }, 'thousands apostrophes'],
    [/^\d{1,3},\d{3}$/, { decimal: ',', thousands: null }, ''],
    [/^\d*,\d+$/, { decimal: ',', thousands: null }, 'a decimal comma'],
    [/^\d+\.\d+$/, { decimal: '.', thousands: null }, 'a decimal point'],
  ]
  for (const [re, o, what] of tries) {
    if (!re.test(s) || (o.decimal === f.decimal && o.thousands === f.thousands)) continue
    if (what === '') return `a decimal comma or a thousands separator? use --decimal , or --thousands ,`
    return `${what}? use ${flag(o) || '--decimal .'}`
  }
  return null
}
