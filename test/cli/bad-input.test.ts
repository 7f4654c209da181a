/**
 * The bad-input catalogue (issue 6): every row spawns the real CLI and expects a non-zero exit, one line on
 * stderr with the key words, no stack trace, and no file created or changed.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA, readJson, runRnn, tempWithText } from '../helpers/cli.ts'

const { dir, file, text } = tempWithText(6_000)
const TINY = ['--hidden', '8', '--seq-len', '16', '--batch', '4', '--steps', '3']
// files that are not regular or are huge (sparse) live outside `dir`, whose snapshot reads every file
const side = mkdtempSync(join(tmpdir(), 'rnn-side-'))
const FIFO = join(side, 'fifo.txt'), HUGE_TEXT = join(side, 'huge.txt')

/** The first bytes of a file, base64: enough to see a rewrite without reading a 600 MB sparse file whole. */
function head(p: string): string {
  const fd = openSync(p, 'r'), buf = Buffer.alloc(48)
  const n = readSync(fd, buf, 0, 48, 0)
  closeSync(fd)
  return buf.subarray(0, n).toString('base64')
}

/** Every file under dir with its size and mtime: what "nothing changed" means. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f), s = statSync(p, { throwIfNoEntry: false })
      if (s === undefined) { out[p] = 'dangling link'; continue }
      if (s.isDirectory()) walk(p)
      else out[p] = `${s.size}:${s.mtimeMs}:${head(p)}`
    }
  }
  walk(root)
  return out
}

beforeAll(async () => {
  const r = await runRnn(['train', file, ...TINY, '--out', 'good.json'], { cwd: dir })
  expect(r.code, r.stderr).toBe(0)
  const r2 = await runRnn(['train', join(DATA, 'airline-passengers.csv'), '--target', 'passengers', '--hidden', '8', '--steps', '3', '--out', 'series.json'], { cwd: dir })
  expect(r2.code, r2.stderr).toBe(0)
  const good = readFileSync(join(dir, 'good.json'), 'utf8')
  const ck = JSON.parse(good)
  writeFileSync(join(dir, 'truncated.json'), good.slice(0, good.length / 2))
  writeFileSync(join(dir, 'notjson.json'), 'hello, I am not JSON')
  writeFileSync(join(dir, 'shape.json'), JSON.stringify({ format: 'rnn-checkpoint', version: 1, kind: 'text', model: 3 }))
  writeFileSync(join(dir, 'short-param.json'), JSON.stringify({ ...ck, params: { ...ck.params, 'head.bias': { ...ck.params['head.bias'], data: 'AAAAAA==' } } }))
  writeFileSync(join(dir, 'newer.json'), JSON.stringify({ ...ck, version: 2 }))
  writeFileSync(join(dir, 'empty.txt'), '')
  writeFileSync(join(dir, 'binary.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]))
  writeFileSync(join(dir, 'latin1.txt'), Buffer.from('caf\xe9 au lait\n'.repeat(400), 'latin1'))
  writeFileSync(join(dir, 'malformed.json'), '{\n  "lr": 0.1,\n  "cell": lstm\n}')
  writeFileSync(join(dir, 'unknown-key.json'), '{"hidden_sise": 64}')
  writeFileSync(join(dir, 'wrong-type.json'), '{"num_layers": "two"}')
  writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n3,4\n')
  const rows = Array.from({ length: 60 }, (_, t) => [t, (t * 3) % 11, t % 4])
  const csv = (r: (string | number)[][]) => r.map((x) => x.join(',')).join('\n') + '\n'
  writeFileSync(join(dir, 'numbers.csv'), csv(rows))
  writeFileSync(join(dir, 'ragged.csv'), csv([['t', 'y', 'z'], ...rows.slice(0, 4), [4, 5], ...rows.slice(5)]))
  writeFileSync(join(dir, 'nan.csv'), csv([['t', 'y', 'z'], ...rows.slice(0, 7), [7, 'n/a', 1], ...rows.slice(8)]))
  writeFileSync(join(dir, 'gap.csv'), csv([['t', 'y', 'z'], ...rows.slice(0, 7), [7, '', 1], ...rows.slice(8)]))
  writeFileSync(join(dir, 'ok.csv'), csv([['t', 'y', 'z'], ...rows]))
  writeFileSync(join(dir, 'allbad.csv'), csv([['t', 'y'], ...rows.map(([t]) => [t, t % 2 === 0 ? '' : 'x'])]))
  writeFileSync(join(dir, 'flat.csv'), csv([['t', 'y', 'z'], ...rows.map(([t, y]) => [t, y, 5])]))
  const semi = (r: (string | number)[][]) => r.map((x) => x.join(';')).join('\n') + '\n'
  writeFileSync(join(dir, 'comma.csv'), semi([['t', 'y', 'z'], ...rows.map(([t, y, z]) => [t, `${y},5`, z])]))
  writeFileSync(join(dir, 'thousands.csv'), semi([['t', 'y', 'z'], ...rows.map(([t, y, z]) => [t, `${y + 1}.250.000`, z])]))
  writeFileSync(join(dir, 'dupcol.csv'), csv([['t', 'y', 'y'], ...rows]))
  const dated = rows.map(([, y, z], i) => [`2020-${String(1 + (i % 12)).padStart(2, '0')}-01`.replace('2020', String(2020 + Math.floor(i / 12))), y, z])
  writeFileSync(join(dir, 'mixed-dates.csv'), csv([['date', 'y', 'z'], ...dated.slice(0, 20), ['09/01/2021', 1, 1], ...dated.slice(21)]))
  writeFileSync(join(dir, 'huge-values.csv'), csv([['t', 'y', 'z'], ...rows.map(([t, y, z]) => [t, `${y + 1}e302`, z])]))
  writeFileSync(join(dir, 'outlier.csv'), csv([['t', 'y', 'z'], ...rows.slice(0, 59), [59, '1e40', 1]]))
  const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])
  writeFileSync(join(dir, 'utf16.txt'), utf16('Call me Ishmael.\n'.repeat(300)))
  writeFileSync(join(dir, 'utf16.csv'), utf16(csv([['t', 'y', 'z'], ...rows])))
  // a value of a tensor replaced, every byte else as trained
  const poke = (t: { data: string }, i: number, v: number) => {
    const b = Buffer.from(t.data, 'base64')
    b.writeFloatLE(v, 4 * i)
    return { ...t, data: b.toString('base64') }
  }
  const withParam = (name: string, i: number, v: number) => JSON.stringify({ ...ck, params: { ...ck.params, [name]: poke(ck.params[name], i, v) } })
  writeFileSync(join(dir, 'nan-bias.json'), withParam('head.bias', 2, NaN))
  writeFileSync(join(dir, 'inf-weight.json'), withParam('weight_hh_l0', 8 + 3, -Infinity))
  const withVocab = (i: number, c: string) => JSON.stringify({ ...ck, data: { ...ck.data, vocab: ck.data.vocab.map((x: string, k: number) => (k === i ? c : x)) } })
  writeFileSync(join(dir, 'vocab-dup.json'), withVocab(5, ck.data.vocab[3]))
  writeFileSync(join(dir, 'vocab-empty.json'), withVocab(4, ''))
  writeFileSync(join(dir, 'vocab-multi.json'), withVocab(6, 'ab'))
  writeFileSync(join(dir, 'vocab-surrogate.json'), withVocab(7, '\ud83d'))
  // 600 MB of nothing (sparse): larger than any string V8 can hold, read as one
  writeFileSync(join(dir, 'huge.json'), '')
  truncateSync(join(dir, 'huge.json'), 600_000_000)
  mkdirSync(join(dir, 'adir'))
  copyFileSync(join(dir, 'good.json'), join(dir, 'good-copy.json'))
  // files a careless --out could destroy
  writeFileSync(join(dir, 'notes.txt'), 'my notes\n')
  writeFileSync(join(dir, 'page.html'), '<!DOCTYPE html><title>my page</title>\n')
  writeFileSync(join(dir, 'small.json'), '{"hidden_size": 8}\n')
  symlinkSync('text.txt', join(dir, 'link-to-text.txt'))
  // the same characters in another order: other data that the model's vocabulary still covers
  writeFileSync(join(dir, 'other.txt'), [...text].reverse().join(''))
  const e = await runRnn(['export', 'good.json', '--out', 'good.safetensors'], { cwd: dir })
  expect(e.code, e.stderr).toBe(0)
  // a checkpoint (a file people download) that points its training data at an endless device
  writeFileSync(join(dir, 'zero-source.json'), JSON.stringify({ ...ck, data: { ...ck.data, source: '/dev/zero' } }))
  expect(spawnSync('mkfifo', [FIFO]).status).toBe(0)
  writeFileSync(HUGE_TEXT, ''); truncateSync(HUGE_TEXT, 600e6)
  const ex = await runRnn(['export', 'good.json', '--out', join(side, 'good.safetensors')], { cwd: dir })
  expect(ex.code, ex.stderr).toBe(0)
})

type Row = [what: string, args: string[], words: RegExp, cwd?: 'empty']
const CATALOGUE: Row[] = [
  // data
  ['a missing file', ['train', 'missing.txt'], /missing\.txt: no such file/],
  ['a directory', ['train', 'adir'], /adir: is a directory/],
  ['an empty file', ['train', 'empty.txt'], /empty\.txt: file is empty/],
  ['a binary file', ['train', 'binary.txt'], /binary\.txt: looks like a binary file/],
  ['a UTF-16 text file', ['train', 'utf16.txt'], /utf16\.txt: text in UTF-16LE \(byte-order mark FF FE\), expected UTF-8; convert it first, e\.g\. iconv -f UTF-16 -t UTF-8/],
  ['a UTF-16 CSV file', ['train', 'utf16.csv', '--target', 'y'], /utf16\.csv: text in UTF-16LE \(byte-order mark FF FE\), expected UTF-8/],
  ['a non-UTF-8 file', ['train', 'latin1.txt'], /latin1\.txt: not valid UTF-8 \(at line 1/],
  ['text shorter than one window', ['train', 'text.txt', '--seq-len', '500', '--batch', '32'], /text\.txt: 6000 characters is too short/],
  ['a CSV without a header row', ['train', 'numbers.csv', '--target', '1'], /numbers\.csv:1: the first row looks like numbers.*--no-header/],
  ['a ragged CSV row', ['train', 'ragged.csv', '--target', 'y'], /ragged\.csv:6: ragged row/],
  ['a non-numeric CSV value', ['train', 'nan.csv', '--target', 'y'], /nan\.csv:9: column "y" is not a number: "n\/a"/],
  ['a decimal comma', ['train', 'comma.csv', '--target', 'y'], /comma\.csv:2: column "y" is not a number: "0,5" \(a decimal comma\? use --decimal ,\)/],
  ['a decimal comma with --fill', ['train', 'comma.csv', '--target', 'y', '--fill', 'linear'], /comma\.csv:2: column "y" is not a number: "0,5" \(a decimal comma\? use --decimal ,\)/],
  ['thousands separators', ['train', 'thousands.csv', '--target', 'y'], /thousands\.csv:2: column "y" is not a number: "1\.250\.000" \(thousands dots\? use --decimal , --thousands \.\)/],
  ['one mark for both', ['train', 'comma.csv', '--target', 'y', '--decimal', ',', '--thousands', ','], /--decimal, --thousands: both are ","/],
  ['a column name used twice', ['train', 'dupcol.csv', '--target', 'y'], /dupcol\.csv:1: target column "y" is ambiguous: columns 1 and 2 are both named so.*0-based index/],
  ['dates in two formats', ['train', 'mixed-dates.csv', '--target', 'y'], /mixed-dates\.csv:22: date column "date" has "09\/01\/2021", not a date written like "2020-01-01" on line 2/],
  ['values whose variance overflows', ['train', 'huge-values.csv', '--target', 'y'], /huge-values\.csv:\d+: column "y": 1\.1e\+303 is too large to normalise/],
  ['a value out of float32 range once normalised', ['train', 'outlier.csv', '--target', 'y'], /outlier\.csv:61: column "y": 1e\+40 is out of range: .* overflows a 32-bit float/],
  ['a missing CSV value', ['train', 'gap.csv', '--target', 'y'], /gap\.csv:9: column "y" is missing a value/],
  ['an unknown column', ['train', 'ok.csv', '--target', 'sales'], /ok\.csv: target column "sales" not found \(columns: t, y, z\)/],
  ['the target listed as a feature', ['train', 'ok.csv', '--target', 'y', '--features', 'z,y'], /--features: column "y" is the target/],
  ['a feature listed twice', ['train', 'ok.csv', '--target', 'y', '--features', 'z,z'], /--features: column "z" is listed twice/],
  ['a constant column', ['train', 'flat.csv', '--target', 'y', '--features', 'z'], /flat\.csv: column "z" is constant/],
  ['--seq-len larger than the CSV', ['train', 'ok.csv', '--target', 'y', '--seq-len', '80'], /ok\.csv: 60 rows is too few: seq_len 80 needs at least \d+ rows/],
  // not regular files, or over the size limit: refused before reading (today /dev/zero reads until killed, a FIFO waits forever)
  ['/dev/zero as the corpus', ['train', '/dev/zero'], /^rnn: \/dev\/zero: is a character device, expected a text file$/],
  ['a FIFO as the corpus', ['train', FIFO], /fifo\.txt: is a FIFO \(named pipe\), expected a text file$/],
  ['a FIFO as the checkpoint', ['sample', FIFO], /fifo\.txt: is a FIFO \(named pipe\), expected a checkpoint file$/],
  ['a FIFO as the file to evaluate', ['eval', 'good.json', FIFO], /fifo\.txt: is a FIFO/],
  ['/dev/urandom as the config', ['train', 'text.txt', '--config', '/dev/urandom'], /\/dev\/urandom: is a character device, expected a JSON config file$/],
  ['a corpus over the size limit', ['train', HUGE_TEXT], /huge\.txt: 600 MB is larger than the 500 MB limit for a text file$/],
  ['data.source /dev/zero: eval', ['eval', 'zero-source.json'], /\/dev\/zero: is a character device/],
  ['data.source /dev/zero: inspect-gradients', ['inspect-gradients', 'zero-source.json'], /\/dev\/zero: is a character device/],
  ['data.source /dev/zero: train --resume', ['train', '--resume', 'zero-source.json', '--steps', '1'], /\/dev\/zero: is a character device/],
  ['import --vocab-from /dev/zero', ['import', join(side, 'good.safetensors'), '--vocab-from', '/dev/zero', '--out', 'x.json'], /\/dev\/zero: is a character device/],
  ['a safetensors FIFO', ['import', FIFO, '--out', 'x.json'], /fifo\.txt: is a FIFO \(named pipe\), expected a \.safetensors file$/],
  ['a vocabulary FIFO', ['import', join(side, 'good.safetensors'), '--vocab', FIFO, '--out', 'x.json'], /fifo\.txt: is a FIFO \(named pipe\), expected a vocabulary file$/],
  // crashes that were internal errors or hangs
  ['--fill drop that drops every row', ['train', 'allbad.csv', '--target', 'y', '--fill', 'drop'], /allbad\.csv: --fill drop leaves no rows: every row has a missing or non-numeric value in y$/],
  ['describe --unroll 100000', ['describe', '--unroll', '100000'], /--unroll: must be from 1 to 32, got 100000$/],
  ['sample --horizon 100000000', ['sample', 'series.json', '--horizon', '100000000'], /--horizon: must be from 1 to 1,000,000, got 100000000$/],
  ['inspect-gradients --seq-len 100000000', ['inspect-gradients', 'good.json', '--seq-len', '100000000'], /--seq-len: must be from 1 to 10,000, got 100000000$/],
  // the model's memory, estimated before allocating (today --hidden 20000 allocates until killed, 100000 is an internal error)
  ['--hidden 20000', ['train', 'text.txt', '--hidden', '20000'], /^rnn: training this model needs about [\d.]+ GB \(1,60\d,\d{3},\d{3} parameters: .*above the default --max-memory, 50% of this machine's .* of RAM; use a smaller --hidden/],
  ['--hidden 100000', ['train', 'text.txt', '--hidden', '100000'], /^rnn: training this model needs about [\d.]+ GB \(40,0\d\d,\d{3},\d{3} parameters/],
  ['a model above --max-memory', ['train', 'text.txt', ...TINY, '--max-memory', '100k'], /needs about [\d.]+ kB .* above --max-memory 100\.0 kB/],
  ['a --max-memory that is not a size', ['train', 'text.txt', '--max-memory', 'lots'], /--max-memory.*expected a size such as 4G/],
  // config and flags
  ['malformed JSON config', ['train', 'text.txt', '--config', 'malformed.json'], /malformed\.json: line 3: invalid JSON/],
  ['an unknown config key', ['train', 'text.txt', '--config', 'unknown-key.json'], /unknown-key\.json: unknown key "hidden_sise" \(did you mean "hidden_size"\?\)/],
  ['a wrong type in the config', ['train', 'text.txt', '--config', 'wrong-type.json'], /wrong-type\.json: key "num_layers"/],
  ['a zero size', ['train', 'text.txt', '--layers', '0'], /--layers: must be > 0, got 0$/],
  ['a negative size', ['train', 'text.txt', '--batch', '-4'], /--batch: must be > 0, got -4$/],
  ['dropout of 1', ['train', 'text.txt', '--dropout', '1'], /--dropout: must be < 1, got 1$/],
  ['a negative dropout', ['train', 'text.txt', '--dropout', '-0.1'], /--dropout: must be ≥ 0, got -0.1$/],
  ['a learning rate of 0', ['train', 'text.txt', '--lr', '0'], /--lr: must be > 0, got 0$/],
  ['--steps and --epochs both', ['train', 'text.txt', '--steps', '5', '--epochs', '1'], /not both/],
  ['an unknown cell', ['train', 'text.txt', '--cell', 'lstmm'], /--cell.*expected one of/],
  ['--threads 0', ['--threads', '0', 'train', 'text.txt'], /--threads.*'0' is invalid\. expected a whole number from 1 to 16/],
  ['an unknown optimizer', ['train', 'text.txt', '--optimizer', 'adamw'], /--optimizer.*expected one of sgd, adam, rmsprop, adagrad/],
  ['a non-numeric flag', ['train', 'text.txt', '--lr', 'fast'], /--lr.*expected a number, got "fast"/],
  // checkpoints
  ['a missing checkpoint', ['sample', 'nope.json'], /nope\.json: no such checkpoint/],
  ['a truncated checkpoint', ['sample', 'truncated.json'], /truncated\.json: not a checkpoint: invalid or truncated JSON/],
  ['a checkpoint that is not JSON', ['eval', 'notjson.json'], /notjson\.json: not a checkpoint/],
  ['JSON of the wrong shape', ['sample', 'shape.json'], /shape\.json: invalid checkpoint: /],
  ['a parameter of the wrong length', ['sample', 'short-param.json'], /short-param\.json: params\.head\.bias: 1 values for shape \[\d+\]/],
  ['a NaN parameter', ['sample', 'nan-bias.json'], /nan-bias\.json: params\.head\.bias\[2\] is NaN; a checkpoint holds finite numbers only/],
  ['an infinite parameter', ['eval', 'inf-weight.json'], /inf-weight\.json: params\.weight_hh_l0\[1, 3\] is -Infinity/],
  ['a vocabulary with a duplicate', ['sample', 'vocab-dup.json'], /vocab-dup\.json: data\.vocab: entry 5 \(".*"\) appears twice \(also entry 3\)/],
  ['a vocabulary with an empty string', ['sample', 'vocab-empty.json'], /vocab-empty\.json: data\.vocab: entry 4 is an empty string/],
  ['a vocabulary with a two-character entry', ['sample', 'vocab-multi.json'], /vocab-multi\.json: data\.vocab: entry 6 \("ab"\) is not a single character \(2 code points: U\+0061 U\+0062\)/],
  ['a vocabulary with a lone surrogate', ['sample', 'vocab-surrogate.json'], /vocab-surrogate\.json: data\.vocab: entry 7 \(U\+D83D\) is a lone surrogate/],
  ['a 600 MB checkpoint', ['sample', 'huge.json'], /huge\.json: 600 MB is larger than the largest checkpoint rnn reads \(537 MB\)/],
  ['a newer format version', ['sample', 'newer.json'], /newer\.json: written by a newer rnn \(checkpoint format 2\)/],
  ['a text checkpoint given CSV data', ['eval', 'good.json', 'data.csv'], /data\.csv: a CSV file, but good\.json is a text model/],
  ['a CSV checkpoint given text', ['eval', 'series.json', 'text.txt'], /text\.txt: not a CSV file.*time-series model/],
  ['resuming a text model on CSV data', ['train', 'data.csv', '--resume', 'good.json', '--target', 'a'], /the checkpoint is a text model/],
  ['no checkpoint in ./checkpoints', ['sample'], /no checkpoint in \.\/checkpoints/, 'empty'],
  // sampling
  ['a temperature of 0', ['sample', 'good.json', '--temp', '0'], /--temp: must be > 0, got 0/],
  ['a temperature that is not a number', ['sample', 'good.json', '--temp', 'hot'], /--temp.*expected a number/],
  ['top-k below 1', ['sample', 'good.json', '--top-k', '0'], /--top-k: must be ≥ 1/],
  ['top-p above 1', ['sample', 'good.json', '--top-p', '1.5'], /--top-p: must be in \(0, 1\]/],
  ['top-p of 0', ['sample', 'good.json', '--top-p', '0'], /--top-p: must be in \(0, 1\]/],
  ['a prime with unknown characters', ['sample', 'good.json', '--prime', 'Ω!'], /--prime: characters not in the model's vocabulary: "Ω" \(U\+03A9\)/],
  ['a negative length', ['sample', 'good.json', '--length', '-5'], /--length: must be ≥ 0/],
  ['an unwritable output folder', ['train', 'text.txt', ...TINY, '--out', 'empty.txt/sub/x.json'], /cannot write checkpoints there/],
  // outputs (issue 13): refused before any training, nothing overwritten
  ['--out naming the training text', ['train', 'text.txt', ...TINY, '--out', 'text.txt'], /^rnn: --out text\.txt: is the training data of this command \(text\.txt\)/],
  ['--out naming the training text through a link', ['train', 'text.txt', ...TINY, '--out', 'link-to-text.txt'], /--out link-to-text\.txt: is the training data/],
  ['--out naming the --config file', ['train', 'text.txt', ...TINY, '--config', 'small.json', '--out', 'small.json'], /--out small\.json: is the --config file/],
  ['--out naming a file that is not a checkpoint', ['train', 'text.txt', ...TINY, '--out', 'notes.txt'], /--out notes\.txt: exists and is not an rnn checkpoint.*--force/],
  ['--out naming a device', ['train', 'text.txt', ...TINY, '--out', '/dev/null'], /--out \/dev\/null: not a regular file/],
  ['--out naming a folder', ['train', 'text.txt', ...TINY, '--out', 'adir'], /--out adir: is a folder/],
  ['--out under /proc (where mkdir -p spins forever)', ['train', 'text.txt', ...TINY, '--out', '/proc/rnn-test/x.json'], /--out \/proc\/rnn-test\/x\.json: under \/proc/],
  ['--report naming a page that is not a report', ['train', 'text.txt', ...TINY, '--out', 'r.json', '--report', 'page.html'], /--report page\.html: exists and is not an rnn report/],
  ['export onto its own checkpoint', ['export', 'good.json', '--out', 'good.json'], /--out good\.json: is the checkpoint exported/],
  ['export onto a file that is not an export', ['export', 'good.json', '--out', 'notes.txt'], /--out notes\.txt: exists and is not an rnn export/],
  ['import onto its own input', ['import', 'good.safetensors', '--out', 'good.safetensors'], /--out good\.safetensors: is the imported weights/],
  ['a report onto a page that is not a report', ['report', 'good.json', '--out', 'page.html'], /--out page\.html: exists and is not an rnn report/],
  // resuming (issue 13): what the checkpoint's cursor, state and best loss refer to may not change silently
  ['resuming with another --batch', ['train', '--resume', 'good.json', '--batch', '8', '--steps', '2'], /^rnn: --resume: --batch 4 → 8; .*--allow-changes/],
  ['resuming with another --val-frac', ['train', '--resume', 'good.json', '--val-frac', '0.2', '--steps', '2'], /--resume: --val-frac 0\.1 → 0\.2; the training split changed/],
  ['resuming on other data', ['train', 'other.txt', '--resume', 'good.json', '--steps', '2'], /--resume: the training split changed \(5,400 chars, sha256 [0-9a-f]{16} → 5,400 chars, sha256 [0-9a-f]{16}\)/],
  ['resuming a forecaster with another --fill', ['train', '--resume', 'series.json', '--fill', 'linear', '--steps', '2'], /--resume: --fill none → linear; .*--allow-changes/],
  ['resuming with another --seed', ['train', '--resume', 'good.json', '--seed', '7', '--steps', '2'], /--seed: cannot change seed of a resumed model \(checkpoint has 1, got 7\)/],
]

describe('bad input: one line, non-zero exit, no stack, nothing changed', () => {
  for (const [what, args, words, where] of CATALOGUE) {
    it(what, async () => {
      const cwd = where === 'empty' ? tempWithText(10).dir : dir
      const before = snapshot(cwd)
      const r = await runRnn(args, { cwd })
      expect(r.code, r.stderr).not.toBe(0)
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('using '))
      expect(lines, r.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(words)
      expect(r.stderr).not.toMatch(/^\s+at /m)
      expect(r.stdout).toBe('')
      expect(snapshot(cwd)).toEqual(before)
    })
  }

  it.each([['RNN_THREADS', 'two', /^rnn: RNN_THREADS=two: expected a whole number from 1 to 16$/], ['RNN_KERNELS', 'gpu', /^rnn: RNN_KERNELS=gpu: expected wasm or js$/]])(
    'a bad %s in the environment', async (name, value, words) => {
      const before = snapshot(dir)
      const r = await runRnn(['sample', 'good.json', '--length', '5'], { cwd: dir, env: { [name]: value } })
      expect(r.code).toBe(1)
      expect(r.stderr.trim()).toMatch(words)
      expect(r.stdout).toBe('')
      expect(snapshot(dir)).toEqual(before)
    })

  it('report on a checkpoint with 100,000 history points (Math.max(...array) overflowed the stack)', async () => {
    const ck = readJson(join(dir, 'good.json'))
    const p0 = ck.progress.history[0]
    const history = Array.from({ length: 100_000 }, (_, i) => ({ ...p0, step: i + 1, seconds: i / 100, val_loss: 3 - i / 1e5, train_loss: 3 - i / 1e5, grad_norm: 1 + (i % 7) }))
    writeFileSync(join(side, 'long.json'), JSON.stringify({ ...ck, progress: { ...ck.progress, step: 100_000, history } }))
    const r = await runRnn(['report', join(side, 'long.json'), '--out', join(side, 'long.html')], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(side, 'long.html'), 'utf8')).toMatch(/<svg/)
  })

  it('--debug shows the stack of an internal error only', async () => {
    const r = await runRnn(['sample', 'good.json', '--temp', '0', '--debug'], { cwd: dir })
    expect(r.stderr.trim()).toBe('rnn: --temp: must be > 0, got 0')
  })

  it('the good checkpoints still load after all of it', async () => {
    expect(readJson(join(dir, 'good.json'))).toEqual(readJson(join(dir, 'good-copy.json')))
    const r = await runRnn(['sample', 'good.json', '--length', '5'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
  })
})
