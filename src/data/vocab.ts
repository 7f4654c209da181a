/**
 * Vocabulary: the distinct Unicode code points of a text (not UTF-16 units, so "é" or "😀" is one
 * character), sorted, mapped to ids 0..V-1. Stored in the checkpoint as the list of characters.
 */
export class Vocab {
  private readonly index: Map<string, number>

  constructor(readonly chars: readonly string[]) {
    this.index = new Map(chars.map((c, i) => [c, i]))
  }

  static fromText(text: string): Vocab {
    const set = new Set<string>()
    for (const ch of text) set.add(ch)
    return new Vocab([...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!))
  }

  get size(): number { return this.chars.length }

  id(ch: string): number { return this.index.get(ch) ?? -1 }

  /** Ids of every code point; characters outside the vocabulary become -1. */
  encode(text: string): Int32Array {
    const out: number[] = []
    for (const ch of text) out.push(this.index.get(ch) ?? -1)
    return Int32Array.from(out)
  }

  decode(ids: ArrayLike<number>): string {
    let s = ''
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]]
    return s
  }

  /** The characters of `text` not in the vocabulary, each once, in order of appearance. */
  unknown(text: string): string[] {
    const out = new Set<string>()
    for (const ch of text) if (!this.index.has(ch)) out.add(ch)
    return [...out]
  }
}
