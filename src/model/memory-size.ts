/** Memory sizes as flags give them. */

/** "8G", "500M", "1.5GB", "2000000" → bytes (decimal units, like the messages). */
export function parseMemorySize(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(v)
  if (m === null) return null
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't']
  const n = Math.round(Number(m[1]) * mult)
  return n > 0 ? n : null
}
