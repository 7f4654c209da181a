/**
 * Word tokens (`--tokens word`): a text becomes the lowercased runs of letters and digits (with the marks
 * that combine with them) and every other visible character as a token of its own; a line break is a
 * token too ("\n": line breaks are part of what a text looks like), other whitespace only separates.
 * "Whale’s ship—or not." → whale ’ s ship — or not .
 *
 * Joining tokens back (detokenising) puts one space between tokens except where punctuation leans on a
 * side: none before closing marks (. , ; : ! ? ) ] } ” » …), none after opening ones (( [ { “ ‘ « ¿ ¡),
 * none around dashes, hyphens and slashes, none before an apostrophe that follows a word or a closing mark,
 * none after it when a clitic follows (’s, ’t, ’ll…) or it follows a one-letter word (o’clock),
 * straight double quotes alternating opening and closing, and nothing around a line break. Words come out
 * lowercased (capitals are not restored). The text a model's tokens stand for is its normalised form:
 * normalizeWords(text) = joinWords(wordTokens(text)), and joining never loses a token:
 * wordTokens(joinWords(tokens)) = tokens.
 */

/** The token that stands for every word outside the vocabulary. */
export const UNK = '<unk>'

const TOKEN = /[\p{L}\p{N}\p{M}]+|\r\n?|\n|[^\s]/gu
const WORDLIKE = /[\p{L}\p{N}]/u

/**
 * Calls `f` with each token of `text` in order, lowercased; stops when f returns false. No array of
 * tokens is made, so a long text costs nothing beyond what f keeps.
 */
export function eachWordToken(text: string, f: (token: string) => boolean | void): void {
  const re = new RegExp(TOKEN.source, 'gu')
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const t = m[0]
    // "\r\n" and a lone "\r" are line breaks too
    const token = t[0] === '\r' ? '\n' : WORDLIKE.test(t) ? t.toLowerCase() : t
    if (f(token) === false) return
  }
}

/** The tokens of `text`, lowercased; at most `limit` of them (the start of a long text). */
export function wordTokens(text: string, limit = Infinity): string[] {
  const out: string[] = []
  if (limit > 0) eachWordToken(text, (t) => out.push(t) < limit)
  return out
}

/** A word (letters or digits, or the unknown word), as opposed to punctuation or a line break. */
export function isWord(token: string): boolean {
  return token === UNK || WORDLIKE.test(token)
}

const CLOSING = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '”', '»', '…', '%'])
const OPENING = new Set(['(', '[', '{', '“', '«', '¿', '¡', '‘'])
const JOINING = new Set(['-', '—', '–', '/'])
const APOSTROPHES = new Set(['’', "'"])
const CLITICS = new Set(['s', 't', 'd', 'm', 'll', 're', 've'])

/**
 * Spacing as tokens stream out: each call returns the text of the next token with the separator it
 * needs after the tokens before it ('' at the start).
 */
export function wordJoiner(): (token: string) => string {
  let prev: string | null = null, prevPrev: string | null = null, quotes = 0
  return (token) => {
    let sep = ' '
    const openQuote = token === '"' && quotes % 2 === 0
    if (prev === null || prev === '\n' || token === '\n') sep = ''
    else if (CLOSING.has(token) || JOINING.has(token) || JOINING.has(prev) || OPENING.has(prev)) sep = ''
    else if (token === '"') sep = openQuote ? ' ' : ''
    else if (prev === '"' && quotes % 2 === 1) sep = ''
    // an apostrophe (or closing single quote) leans on what it follows, and a clitic or the rest of an
    // elided word on it: whale’s, o’clock, s’pose; but goin’ a-whalin’
    else if (APOSTROPHES.has(token) && (isWord(prev) || CLOSING.has(prev))) sep = ''
    else if (APOSTROPHES.has(prev) && prevPrev !== null && isWord(prevPrev) && (CLITICS.has(token) || [...prevPrev].length === 1)) sep = ''
    if (token === '"') quotes++
    prevPrev = prev
    prev = token
    return sep + token
  }
}

/** The tokens as text (see the header for the spacing). */
export function joinWords(tokens: readonly string[]): string {
  const join = wordJoiner()
  let s = ''
  for (const t of tokens) s += join(t)
  return s
}

/** What a word model sees of a text, as text: lowercased, spaced as joinWords spaces tokens. */
export function normalizeWords(text: string): string {
  return joinWords(wordTokens(text))
}

/**
 * The vocabulary of a word model: UNK, then the `size` most frequent tokens of the training text (ties
 * in order of first appearance, so the list is a function of the text), and how many distinct tokens it had.
 */
export function buildWordVocab(text: string, size: number): { vocab: string[]; distinct: number } {
  const count = new Map<string, number>()
  eachWordToken(text, (t) => { count.set(t, (count.get(t) ?? 0) + 1) })
  count.delete(UNK)
  // Map iteration follows insertion order, i.e. first appearance; the sort is stable
  const byFreq = [...count.entries()].sort((a, b) => b[1] - a[1]).slice(0, size).map(([t]) => t)
  return { vocab: [UNK, ...byFreq], distinct: count.size }
}
