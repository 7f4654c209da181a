/**
 * Text files in UTF-16 or UTF-32 (what some Windows tools save as "Unicode"): recognised by their
 * byte-order mark, or by the NUL byte every other byte that ASCII text in UTF-16 has, so the message says
 * what the file is and how to convert it instead of calling it binary.
 */
const BOMS: [bytes: number[], name: string][] = [
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32LE'], [[0x00, 0x00, 0xfe, 0xff], 'UTF-32BE'],
  [[0xff, 0xfe], 'UTF-16LE'], [[0xfe, 0xff], 'UTF-16BE'],
]

/** "UTF-16LE (byte-order mark FF FE)" or similar when `buf` is a UTF-16/32 text; null otherwise. */
export function wideEncoding(buf: Uint8Array): string | null {
  const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')
  for (const [bytes, name] of BOMS) if (bytes.every((b, i) => buf[i] === b)) return `${name} (byte-order mark ${hex(bytes)})`
  // no mark: ASCII in UTF-16 is a NUL at every odd (LE) or even (BE) offset and none at the others
  const n = Math.min(buf.length & ~1, 512)
  if (n < 8) return null
  let odd = 0, even = 0
  for (let i = 0; i < n; i += 2) { if (buf[i] === 0) even++; if (buf[i + 1] === 0) odd++ }
  if (odd === n / 2 && even === 0) return 'UTF-16LE (no byte-order mark)'
  if (even === n / 2 && odd === 0) return 'UTF-16BE (no byte-order mark)'
  return null
}

/** The one-line message for a file in a wide encoding. */
export function wideEncodingMessage(path: string, encoding: string): string {
  const name = encoding.startsWith('UTF-32') ? 'UTF-32' : 'UTF-16'
  return `${path}: text in ${encoding}, expected UTF-8; convert it first, e.g. iconv -f ${name} -t UTF-8 ${path} > utf8-copy`
}
