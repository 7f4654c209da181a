/**
 * What a text model reads and predicts, one token per step: characters (vocab.ts, the default) or words
 * (`--tokens word`, words.ts). Everything that turns text into ids and ids back into text (training,
 * sampling, eval, inspect-state, inspect-gradients, the report) goes through this interface, so none of
 * it asks which kind it has. The vocabulary and the tokenizer settings live in the checkpoint's data
 * record (`vocab`, `tokenizer`).
 */
import { UserError } from '../errors.ts'
import { inKnownForm, showChars, Vocab } from './vocab.ts'
import { eachWordToken, isWord, UNK, wordJoiner, wordTokens } from './words.ts'

export type TokenKind = 'char' | 'word'

export interface Tokens {
  readonly kind: TokenKind
  /** id → token. */
  readonly list: readonly string[]
  readonly size: number
  /** -1 outside the vocabulary. */
  id(token: string): number
  /** The tokens of `text`, at most `limit` (characters: its code points; words: the tokenizer's). */
  split(text: string, limit?: number): string[]
  /** Ids of the tokens of `text`: a character outside the vocabulary is -1, a word the id of <unk>. */
  encode(text: string): Int32Array
  /** The distinct tokens of `text` outside the vocabulary, in order of appearance. */
  unknown(text: string): string[]
  /** `text` in the Unicode normalisation form (NFC or NFD) with fewer unknown tokens. */
  inVocabForm(text: string): string
  /** Spacing while tokens stream out: each call gives a token's text with what goes before it. */
  joiner(): (token: string) => string
  /** Whether a generated token counts toward `rnn sample --length` (words: punctuation and line breaks do not). */
  counts(token: string): boolean
}

/** A word model's vocabulary: <unk> first, then the words and marks of the training text by frequency. */
export class WordVocab implements Tokens {
  readonly kind = 'word'
  readonly unk: number
  private readonly index: Map<string, number>

  constructor(readonly list: readonly string[]) {
    this.index = new Map(list.map((w, i) => [w, i]))
    const unk = this.index.get(UNK)
    if (unk === undefined) throw new Error(`a word vocabulary needs ${UNK}`)
    this.unk = unk
  }

  get size(): number { return this.list.length }
  id(token: string): number { return this.index.get(token) ?? -1 }
  split(text: string, limit = Infinity): string[] { return wordTokens(text, limit) }

  /** Without an array of token strings: ids grow in a typed array (a long corpus costs 4 bytes a token). */
  encode(text: string): Int32Array {
    let out = new Int32Array(1024), n = 0
    eachWordToken(text, (t) => {
      if (n === out.length) { const grown = new Int32Array(2 * n); grown.set(out); out = grown }
      out[n++] = this.index.get(t) ?? this.unk
    })
    return out.slice(0, n)
  }

  unknown(text: string): string[] {
    return [...new Set(wordTokens(text).filter((t) => !this.index.has(t)))]
  }

  inVocabForm(text: string): string { return inKnownForm(text, (t) => this.unknown(t).length) }

  joiner(): (token: string) => string { return wordJoiner() }
  counts(token: string): boolean { return isWord(token) }
}

/** The tokenizer settings a checkpoint records for a word model (absent: characters). */
interface TokenizerRecord { kind: 'word'; lowercase: true; unk: string }
export const WORD_TOKENIZER: TokenizerRecord = { kind: 'word', lowercase: true, unk: UNK }

/** The tokens of a checkpoint's text or classifier data record. */
export function tokensOf(data: { vocab: readonly string[]; tokenizer?: TokenizerRecord }): Tokens {
  return data.tokenizer?.kind === 'word' ? new WordVocab(data.vocab) : new Vocab(data.vocab)
}

/** A word vocabulary read from a file must be distinct non-empty tokens with <unk> among them. */
export function checkWordVocab(where: string, vocab: readonly string[]): void {
  const seen = new Map<string, number>()
  vocab.forEach((w, i) => {
    if (w === '') throw new UserError(`${where}: entry ${i} is an empty string, not a token`)
    const first = seen.get(w)
    if (first !== undefined) throw new UserError(`${where}: entry ${i} (${JSON.stringify(w)}) appears twice (also entry ${first})`)
    seen.set(w, i)
  })
  if (!seen.has(UNK)) throw new UserError(`${where}: a word vocabulary needs the token ${UNK}`)
}

/** 'words not in the model's vocabulary: "ishmael"', or the characters with their code points. */
export function unknownMessage(tokens: Pick<Tokens, 'kind'>, unknown: readonly string[]): string {
  return tokens.kind === 'word'
    ? `words not in the model's vocabulary: ${unknown.map((w) => JSON.stringify(w)).join(' ')}`
    : `characters not in the model's vocabulary: ${showChars(unknown)}`
}
