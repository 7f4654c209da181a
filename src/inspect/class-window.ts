/**
 * What `rnn inspect-gradients` reads for a classifier: --batches labelled texts of at least --seq-len
 * tokens (the held-out test rows of its training CSV, or the rows of a CSV given), each cut to its first
 * --seq-len tokens, so the loss sits at the head after exactly that many steps of every window.
 */
import { labelIds, readLabelled } from '../data/labelled.ts'
import { encodeTexts } from '../data/vocab.ts'
import type { Tokens } from '../data/tokens.ts'
import { UserError } from '../errors.ts'
import type { Checkpoint, ClassifierMeta } from '../model/checkpoint/schema.ts'
import { readClassifierData } from '../tasks/classify-source.ts'
import type { Window } from './gradients.ts'

export function classifierWindow(path: string, ck: Checkpoint & { data: ClassifierMeta }, vocab: Tokens,
  o: { file?: string; seqLen: number; offset: number; batches: number }): { file: string; window: Window } {
  let texts: string[], labels: Int32Array, file: string
  if (o.file !== undefined) {
    const rows = readLabelled(o.file, {
      text: ck.data.text_column, label: ck.data.label_column, delimiter: ck.config.delimiter, header: ck.config.header,
    })
    texts = rows.texts; labels = labelIds(rows, ck.data.classes); file = o.file
  } else {
    if (ck.data.source === null) throw new UserError(`${path}: no training file recorded; name a CSV file to read`)
    const d = readClassifierData(ck.data.source, ck.config, ck.data.classes)
    const rows = d.split.test.length > 0 ? d.split.test : d.split.val
    texts = rows.map((i) => d.rows.texts[i]); labels = Int32Array.from(rows, (i) => d.ids[i]); file = ck.data.source
  }
  const T = o.seqLen, B = o.batches
  const seqs = encodeTexts(texts, vocab)
  const long = seqs.map((s, i) => i).filter((i) => seqs[i].length >= T).slice(o.offset)
  if (long.length < B) {
    const lengths = seqs.map((s) => s.length).sort((a, b) => b - a)
    const fit = lengths[Math.min(lengths.length - 1, o.offset + B - 1)]
    const unit = vocab.kind === 'word' ? 'words and marks' : 'characters'
    throw new UserError(`${file}: ${long.length} texts from --offset ${o.offset} have at least --seq-len ${T} ${unit}; `
      + `--batches ${B} needs ${B} (try --seq-len ${fit})`)
  }
  const x = new Int32Array(T * B), targets = new Int32Array(B)
  for (let b = 0; b < B; b++) {
    const s = seqs[long[b]]
    for (let t = 0; t < T; t++) x[t * B + b] = s[t]
    targets[b] = labels[long[b]]
  }
  return { file, window: { x, targets, T, B } }
}
