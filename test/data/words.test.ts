/**
 * Word tokens (src/data/words.ts, src/data/tokens.ts): the tokenizer, joining tokens back into text (the
 * round trip both ways), the vocabulary of the most frequent tokens, and <unk> for everything else.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { splitText } from '../../src/data/text.ts'
import { tokensOf, WordVocab, WORD_TOKENIZER } from '../../src/data/tokens.ts'
import { Vocab } from '../../src/data/vocab.ts'
import { buildWordVocab, isWord, joinWords, normalizeWords, UNK, wordTokens } from '../../src/data/words.ts'
import { DATA } from '../helpers/cli.ts'

const MOBY = readFileSync(join(DATA, 'moby-dick.txt'), 'utf8')

describe('the tokenizer', () => {
  it('reads lowercased runs of letters and digits, each mark on its own, line breaks as tokens', () => {
    expect(wordTokens('Whale’s ship—or not.\nCHAPTER 12, “Ahab!”')).toEqual(
      ['whale', '’', 's', 'ship', '—', 'or', 'not', '.', '\n', 'chapter', '12', ',', '“', 'ahab', '!', '”'])
    expect(wordTokens('a\r\nb\rc  \t d')).toEqual(['a', '\n', 'b', '\n', 'c', 'd'])
    expect(wordTokens('Café naïve ÉTÉ 3rd')).toEqual(['café', 'naïve', 'été', '3rd'])
    // a letter with a combining accent stays one word
    expect(wordTokens('Cafe\u0301 x')).toEqual(['cafe\u0301', 'x'])
    expect(wordTokens('one two three', 2)).toEqual(['one', 'two'])
    expect(wordTokens('   ')).toEqual([])
  })

  it('tells words from punctuation and line breaks', () => {
    expect(['whale', '12', UNK, 'été'].every(isWord)).toBe(true)
    expect(['.', '’', '\n', '—', '"'].some(isWord)).toBe(false)
  })
})

describe('joining tokens into text (the normalised form)', () => {
  it('spaces words, leans punctuation on its side, joins dashes, apostrophes, quotes and line breaks', () => {
    const normalised = [
      'call me ishmael. some years ago—never mind how long precisely—having',
      'little or no money in my purse, and nothing (at all) to interest me; “it’s broke a’ready,” said he.',
      'he said "yes, sir" and left: sea-captain o’clock s’pose 12/14… well?',
    ].join('\n')
    expect(joinWords(wordTokens(normalised))).toBe(normalised)
    expect(normalizeWords('Call  me\tIshmael .')).toBe('call me ishmael.')
  })

  it('tokens → text → tokens gives the same tokens, over the whole of Moby-Dick', () => {
    const tokens = wordTokens(MOBY)
    expect(tokens.length).toBeGreaterThan(25_000)
    expect(wordTokens(joinWords(tokens))).toEqual(tokens)
  })

  it('text → tokens → text is the text lowercased for all but one line of Moby-Dick', () => {
    const lines = MOBY.split('\n'), joined = normalizeWords(MOBY).split('\n')
    expect(joined).toHaveLength(lines.length)
    const differ = lines.filter((l, i) => l.toLowerCase().replace(/\s+/g, ' ').trim() !== joined[i])
    expect(differ).toEqual(['“He pays reg’lar,” was the rejoinder. “But come, it’s getting'])
  })
})

describe('the vocabulary and <unk>', () => {
  it('keeps <unk> and the most frequent tokens, ties in order of first appearance', () => {
    const { vocab, distinct } = buildWordVocab('b a c a b d a', 2)
    expect(vocab).toEqual([UNK, 'a', 'b'])
    expect(distinct).toBe(4)
    expect(buildWordVocab('x y z', 10).vocab).toEqual([UNK, 'x', 'y', 'z'])
  })

  it('reads every other word as <unk>, and names the unknown ones', () => {
    const v = new WordVocab([UNK, 'the', 'whale', '.'])
    expect(Array.from(v.encode('The WHALE, the Squid.'))).toEqual([1, 2, 0, 1, 0, 3])
    expect(v.unknown('The WHALE, the Squid.')).toEqual([',', 'squid'])
    expect(v.counts('whale')).toBe(true)
    expect(v.counts('.')).toBe(false)
    expect(() => new WordVocab(['a', 'b'])).toThrow(/<unk>/)
  })

  it('a checkpoint record with the tokenizer gives words, without it characters', () => {
    expect(tokensOf({ vocab: [UNK, 'a'], tokenizer: WORD_TOKENIZER })).toBeInstanceOf(WordVocab)
    expect(tokensOf({ vocab: ['a', 'b'] })).toBeInstanceOf(Vocab)
  })

  it('splits a text where a character model\'s validation split starts, counting code points', () => {
    const s = splitText('ab😀cdefghij', 0.3)
    expect(s).toEqual({ train: 'ab😀cdefg', val: 'hij', chars: 11 })
    expect(splitText('x'.repeat(10), 0.1).val).toBe('x')
  })
})
