/**
 * `rnn eval` as a library function: a checkpoint and a text file (default: the validation split of the
 * checkpoint's corpus, found by the path stored in it) → loss over one stream from a zero state.
 */
import { UserError } from '../errors.ts'
import { readText } from '../data/text.ts'
import { evaluateIds } from './evaluate.ts'
import { loadTextModel } from '../model/checkpoint/load.ts'
import { isCsvPath } from './open-source.ts'

export interface FileEval {
  loss: number; perplexity: number; bits_per_char: number; chars: number; unknown_chars: number; unknown_list: string[]; source: string
}

/** Chunk length for evaluation: long chunks amortise the per-call overhead; state carries across them. */
const EVAL_CHUNK = 256

/** `progress(done, total)`: characters predicted so far, called after every chunk. */
export function evaluateFile(checkpointPath: string, file?: string, progress?: (done: number, total: number) => void): FileEval {
  const { model, vocab, checkpoint } = loadTextModel(checkpointPath)
  let ids: Int32Array, source: string, text: string
  if (file !== undefined) {
    if (isCsvPath(file)) throw new UserError(`${file}: a CSV file, but ${checkpointPath} is a text model (character language model)`)
    text = readText(file)
    ids = vocab.encode(text)
    if (ids.includes(-1)) {
      const other = vocab.inVocabForm(text)
      if (other !== text) { text = other; ids = vocab.encode(text) }
    }
    source = file
  } else {
    const corpus = checkpoint.data.source
    if (corpus === null) throw new UserError(`${checkpointPath}: no training text path stored; name a text file to evaluate`)
    text = readText(corpus)
    const all = vocab.encode(text)
    ids = all.subarray(all.length - Math.floor(all.length * checkpoint.config.val_frac))
    source = `${corpus} (validation split)`
  }
  let unknown = 0
  for (let i = 1; i < ids.length; i++) if (ids[i] < 0) unknown++
  if (ids.length < 2) throw new UserError(`${file ?? source}: needs at least 2 characters to evaluate`)
  const r = evaluateIds(model, ids, 1, EVAL_CHUNK, 0, progress)
  return { ...r, unknown_chars: unknown, unknown_list: unknown > 0 ? vocab.unknown(text).slice(0, 10) : [], source }
}
