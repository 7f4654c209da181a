/** Reading a PNG screenshot back: enough to tell a drawn page from a blank one. */
import { inflateSync } from 'node:zlib'
import { expect } from 'vitest'

/** Width, height and the share of non-white bytes of a PNG's pixel data (8-bit RGB/RGBA). */
export function pngStats(png: Buffer): { width: number; height: number; inked: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true)
  const idat: Buffer[] = []
  let width = 0, height = 0
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at), type = png.toString('latin1', at + 4, at + 8)
    if (type === 'IHDR') { width = png.readUInt32BE(at + 8); height = png.readUInt32BE(at + 12) }
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len))
    at += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  let inked = 0
  for (let i = 0; i < raw.length; i += 7) if (raw[i] < 200) inked++
  return { width, height, inked: inked / (raw.length / 7) }
}
