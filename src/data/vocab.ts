import { UserError } from '../errors.ts'
import type { Tokens } from './tokens.ts'

/**
 * Vocabulary: the distinct Unicode code points of a text (not UTF-16 units, so "é" or "😀" is one
 * character), sorted, mapped to ids 0..V-1. Stored in the checkpoint as the list of characters. The
 * character tokens of a model (words: tokens.ts).
 */
export class Vocab implements Tokens {
  readonly kind = 'char'
  private readonly index: Map<string, number>

  constructor(readonly chars: readonly string[]) {
    this.index = new Map(chars.map((c, i) => [c, i]))
  }

  get list(): readonly string[] { return this.chars }

  /** The code points of `text` (at most `limit`). */
  split(text: string, limit = Infinity): string[] {
    const out: string[] = []
    if (limit <= 0) return out
    for (const ch of text) if (out.push(ch) >= limit) break
    return out
  }

  joiner(): (token: string) => string { return (ch) => ch }

  /** Every character counts toward a sample's length. */
  counts(): boolean { return true }

  /** Sorted distinct code points; walks the string by code point without making a string per character. */
  static fromText(text: string): Vocab {
    const seen = new Set<number>()
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!
      if (cp > 0xffff) i++
      seen.add(cp)
    }
    return new Vocab([...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp)))
  }

  get size(): number { return this.chars.length }

  id(ch: string): number { return this.index.get(ch) ?? -1 }

  /**
   * Ids of every code point, -1 outside the vocabulary, as one typed array: a 100 MB corpus costs 4 bytes
   * per character, not a JS array of numbers or strings.
   */
  encode(text: string): Int32Array {
    const byCode = new Map<number, number>()
    this.chars.forEach((c, i) => byCode.set(c.codePointAt(0)!, i))
    const out = new Int32Array(text.length) // UTF-16 units ≥ code points
    let n = 0
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!
      if (cp > 0xffff) i++
      out[n++] = byCode.get(cp) ?? -1
    }
    return n === out.length ? out : out.slice(0, n)
  }

  decode(ids: ArrayLike<number>): string {
    let s = ''
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]]
    return s
  }

  /**
   * `text` in the Unicode normalisation form (NFC or NFD) the vocabulary knows: "é" typed as e + U+0301
   * reads as the model's "é" (and the other way round). The text itself when it has no unknown characters,
   * or when neither form has fewer.
   */
  inVocabForm(text: string): string { return inKnownForm(text, (t) => this.unknown(t).length) }

  /** The characters of `text` not in the vocabulary, each once, in order of appearance. */
  unknown(text: string): string[] {
    const out = new Set<string>()
    for (const ch of text) if (!this.index.has(ch)) out.add(ch)
    return [...out]
  }
}

/** Each text as character ids (-1: a character the vocabulary lacks, read as the zero vector). */
export function encodeTexts(texts: readonly string[], vocab: Tokens): Int32Array[] {
  return texts.map((t) => vocab.encode(vocab.inVocabForm(t)))
}

/** "U+0065 U+0301": the code points of a string, for messages where two spellings look alike. */
function codePoints(s: string): string {
  return [...s].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')
}

/** '"Ω" (U+03A9) "́" (U+0301)': characters for a message, with code points (some look like others, or like nothing). */
export function showChars(chars: readonly string[]): string {
  return chars.map((c) => `${JSON.stringify(c)} (${codePoints(c)})`).join(' ')
}

/**
 * A vocabulary read from a file (a checkpoint, --vocab, safetensors metadata) must be what fromText
 * builds: distinct entries of exactly one code point each, none of them half of a surrogate pair. Anything
 * else would map two ids to one character, or sample text that is not valid Unicode.
 */
export function checkVocab(where: string, vocab: readonly string[]): void {
  const seen = new Map<string, number>()
  vocab.forEach((c, i) => {
    const n = [...c].length
    if (n === 0) throw new UserError(`${where}: entry ${i} is an empty string, not a character`)
    if (n > 1)
      throw new UserError(`${where}: entry ${i} (${JSON.stringify(c)}) is not a single character (${n} code points: ${codePoints(c)})`)
    const cp = c.codePointAt(0)!
    if (cp >= 0xd800 && cp <= 0xdfff) throw new UserError(`${where}: entry ${i} (${codePoints(c)}) is a lone surrogate, not a character`)
    const first = seen.get(c)
    if (first !== undefined) throw new UserError(`${where}: entry ${i} (${JSON.stringify(c)}) appears twice (also entry ${first})`)
    seen.set(c, i)
  })
}

/** Of `text` as given, in NFC and in NFD, the first with the fewest unknown tokens (`unknowns` counts them). */
export function inKnownForm(text: string, unknowns: (text: string) => number): string {
  let best = text, n = unknowns(text)
  for (const form of ['NFC', 'NFD'] as const) {
    if (n === 0) break
    const t = text.normalize(form), u = unknowns(t)
    if (u < n) { best = t; n = u }
  }
  return best
}
