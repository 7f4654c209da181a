/**
 * `rnn eval` as a library function: a checkpoint and a text file (default: the validation split of the
 * checkpoint's corpus, found by the path stored in it) → loss over one stream from a zero state.
 *
 * A word model's loss is per word (every token after the first predicted once; an unknown word is
 * predicted as <unk>), and also per character of the text it read: the same nats divided by the
 * characters a character model predicts on that text (all but the first), so the two kinds of model can
 * be compared on one file.
 */
import { UserError } from '../errors.ts'
import { readText, splitText } from '../data/text.ts'
import { evaluateIds } from './evaluate.ts'
import { loadTextModel } from '../model/checkpoint/load.ts'
import { isCsvPath } from './open-source.ts'
import { UNK } from '../data/words.ts'

export interface FileEval {
  /** Per token (character or word). */
  loss: number; perplexity: number; bits_per_char: number
  /** Characters predicted (a word model: the characters of the text but the first). */
  chars: number
  unknown_chars: number; unknown_list: string[]; source: string
  /** A word model: its loss per word and per character of the text. */
  words?: { words: number; unknown_words: number; bits_per_word: number; loss_per_char: number; perplexity_per_char: number }
}

/** Chunk length for evaluation: long chunks amortise the per-call overhead; state carries across them. */
const EVAL_CHUNK = 256

/** `progress(done, total)`: tokens predicted so far, called after every chunk. */
export function evaluateFile(checkpointPath: string, file?: string, progress?: (done: number, total: number) => void): FileEval {
  const { model, vocab, checkpoint } = loadTextModel(checkpointPath)
  let text: string, source: string
  if (file !== undefined) {
    if (isCsvPath(file)) throw new UserError(`${file}: a CSV file, but ${checkpointPath} is a text model (character language model)`)
    text = readText(file)
    if (vocab.unknown(text).length > 0) text = vocab.inVocabForm(text)
    source = file
  } else {
    const corpus = checkpoint.data.source
    if (corpus === null) throw new UserError(`${checkpointPath}: no training text path stored; name a text file to evaluate`)
    text = splitText(readText(corpus), checkpoint.config.val_frac).val
    source = `${corpus} (validation split)`
  }
  const ids = vocab.encode(text)
  const unk = vocab.kind === 'word' ? vocab.id(UNK) : -1, unit = vocab.kind === 'word' ? 'words or marks' : 'characters'
  let unknown = 0
  for (let i = 1; i < ids.length; i++) if (ids[i] === unk) unknown++
  if (ids.length < 2) throw new UserError(`${file ?? source}: needs at least 2 ${unit} to evaluate`)
  const r = evaluateIds(model, ids, 1, EVAL_CHUNK, 0, progress)
  const list = unknown > 0 ? vocab.unknown(text).slice(0, 10) : []
  if (vocab.kind === 'char') return { ...r, unknown_chars: unknown, unknown_list: list, source }
  let chars = 0
  for (let i = 0; i < text.length; i++, chars++) if (text.charCodeAt(i) >= 0xd800 && text.charCodeAt(i) < 0xdc00) i++
  const perChar = (r.loss * r.chars) / (chars - 1)
  const words = {
    words: r.chars, unknown_words: unknown, bits_per_word: r.bits_per_char, loss_per_char: perChar, perplexity_per_char: Math.exp(perChar),
  }
  return {
    loss: r.loss, perplexity: r.perplexity, bits_per_char: perChar / Math.LN2, chars: chars - 1, unknown_chars: 0, unknown_list: list,
    source, words,
  }
}
