/**
 * `rnn export` / `rnn import` through the real CLI: a trained model survives export → import bit for bit
 * (every parameter's base64 equal) and the imported checkpoint samples, evaluates, is inspected and
 * fine-tunes like the original; weights from an independent writer (PyTorch's key layout, no metadata)
 * import with a vocabulary from the flags; every broken input is one line on stderr and a non-zero exit.
 * `rnn completion` is checked here too: it is generated from the same program.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCheckpoint } from '../../src/model/checkpoint/file.ts'
import { encodeSafetensors, float32Of, readSafetensors } from '../../src/interop/safetensors.ts'
import { readJson, runRnn, tempWithText, trainAirline } from '../helpers/cli.ts'
import { GOLDEN_DIR, loadCase } from '../helpers/golden.ts'

const WRITER = resolve(import.meta.dirname, '../fixtures/write_safetensors.py')
const SMALL = ['--hidden', '24', '--layers', '2', '--seq-len', '24', '--batch', '8', '--val-frac', '0.1', '--steps', '60', '--eval-every', '30']

function python(args: string[]): void {
  const r = spawnSync('python3', [WRITER, ...args], { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`python3 is required for this test: ${r.error.message}`)
  expect(r.status, r.stderr).toBe(0)
}

function oneLineError(r: { code: number | null; stderr: string }, want: RegExp): void {
  expect(r.code).not.toBe(0)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  expect(r.stderr.trim()).toMatch(want)
}

describe('rnn export → rnn import (text, 2-layer GRU)', () => {
  const { dir, file } = tempWithText(12_000)
  const ck = join(dir, 'checkpoints/text-gru.json')
  const st = join(dir, 'checkpoints/text-gru.safetensors')

  beforeAll(async () => {
    const t = await runRnn(['train', file, '--cell', 'gru', ...SMALL], { cwd: dir })
    expect(t.code, t.stderr).toBe(0)
    const e = await runRnn(['export', ck], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    const i = await runRnn(['import', st, '--out', 'imported.json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
  })

  it('writes PyTorch state_dict names and shapes, with the vocabulary, config and model as metadata', () => {
    const f = readSafetensors(st)
    expect([...f.tensors.keys()]).toEqual(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'rnn.bias_ih_l1', 'rnn.bias_hh_l1', 'head.weight', 'head.bias'])
    const orig = readJson(ck)
    const V = orig.data.vocab.length
    expect(f.tensors.get('rnn.weight_ih_l0')!.shape).toEqual([3 * 24, V])
    expect(f.tensors.get('head.weight')!.shape).toEqual([V, 24])
    expect(f.metadata.format).toBe('rnn-safetensors-v1')
    expect(JSON.parse(f.metadata.vocab)).toEqual(orig.data.vocab)
    expect(JSON.parse(f.metadata.config)).toEqual(orig.config)
    expect(JSON.parse(f.metadata.model)).toMatchObject({ cell: 'gru', hidden_size: 24, num_layers: 2, input_size: V, output_size: V })
    expect(Object.values(f.metadata).every((v) => typeof v === 'string')).toBe(true)
  })

  it('round trip is exact, and the imported checkpoint is valid with a fresh resume state', () => {
    const a = readJson(ck), b = loadCheckpoint(join(dir, 'imported.json'))
    expect(Object.keys(b.params)).toEqual(Object.keys(a.params))
    for (const k of Object.keys(a.params)) expect(b.params[k], k).toEqual(a.params[k])
    expect(b.model).toEqual(a.model)
    expect(b.data).toEqual(a.data)
    expect({ ...b.config, out: null }).toEqual({ ...a.config, out: null })
    expect(b.config.out).toBe(join(dir, 'imported.json'))
    expect(b.progress).toMatchObject({ step: 0, history: [], best_val_loss: null })
    expect(Object.keys(b.resume.optimizer.buffers).sort()).toEqual(['exp_avg', 'exp_avg_sq'])
    for (const t of Object.values(b.resume.optimizer.buffers)) expect(Buffer.from(t.data, 'base64').every((x) => x === 0)).toBe(true)
    expect(b.resume.state.h.shape).toEqual([2, 8, 24])
  })

  it('samples, evaluates and inspects like the original, and fine-tunes with --resume', async () => {
    const imp = join(dir, 'imported.json')
    const [s1, s2] = await Promise.all([runRnn(['sample', ck, '--length', '120', '--seed', '5'], { cwd: dir }), runRnn(['sample', imp, '--length', '120', '--seed', '5'], { cwd: dir })])
    expect(s2.code, s2.stderr).toBe(0)
    expect(s2.stdout).toBe(s1.stdout)
    const [e1, e2] = await Promise.all([runRnn(['eval', ck, '--json'], { cwd: dir }), runRnn(['eval', imp, '--json'], { cwd: dir })])
    expect(e2.code, e2.stderr).toBe(0)
    expect(JSON.parse(e2.stdout)).toEqual(JSON.parse(e1.stdout))
    const g = await runRnn(['inspect-gradients', imp, '--seq-len', '30', '--json'], { cwd: dir })
    expect(g.code, g.stderr).toBe(0)
    expect(JSON.parse(g.stdout).series).toHaveLength(2)
    const t = await runRnn(['train', '--resume', imp, '--steps', '10', '--eval-every', '10', '--json'], { cwd: dir })
    expect(t.code, t.stderr).toBe(0)
    expect(JSON.parse(t.stdout)).toMatchObject({ steps: 10, checkpoint: imp })
  })

  it('exports to --out, and the import works on a copy without the rnn. prefix', async () => {
    const r = await runRnn(['export', ck, '--out', 'out/m.safetensors', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ out: 'out/m.safetensors', tensors: 10 })
    const f = readSafetensors(join(dir, 'out/m.safetensors'))
    const bare = [...f.tensors.values()].map((t) => ({ name: t.name.replace(/^rnn\./, ''), shape: t.shape, data: float32Of('x', t) }))
    writeFileSync(join(dir, 'bare.safetensors'), encodeSafetensors(bare, f.metadata))
    const i = await runRnn(['import', 'bare.safetensors', '--out', 'bare.json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    expect(readJson(join(dir, 'bare.json')).params).toEqual(readJson(ck).params)
  })
})

describe('rnn import of weights from another writer (PyTorch key layout, no metadata)', () => {
  const { dir, file, text } = tempWithText(6_000)
  const V = new Set(text).size

  it('imports a 2-layer LSTM with --vocab-from; the model samples and evaluates', async () => {
    python(['random', join(dir, 't.safetensors'), '--cell', 'lstm', '--vocab', String(V), '--hidden', '16', '--layers', '2', '--no-prefix'])
    const i = await runRnn(['import', 't.safetensors', '--vocab-from', file, '--out', 't.json', '--json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    expect(JSON.parse(i.stdout)).toMatchObject({ cell: 'lstm', hidden_size: 16, num_layers: 2, input_size: V, output_size: V })
    const s = await runRnn(['sample', 't.json', '--length', '50'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    expect([...s.stdout.replace(/\n$/, '')]).toHaveLength(50)
    const e = await runRnn(['eval', 't.json', '--json'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    expect(JSON.parse(e.stdout).loss).toBeGreaterThan(0)
  })

  it('takes an rnn_relu cell and a vocabulary list from --config and --vocab', async () => {
    python(['random', join(dir, 'r.safetensors'), '--cell', 'rnn', '--vocab', '3', '--hidden', '4'])
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ cell: 'rnn_relu', optimizer: 'sgd', momentum: 0.9 }))
    writeFileSync(join(dir, 'v.json'), JSON.stringify(['a', 'b', '\n']))
    const i = await runRnn(['import', 'r.safetensors', '--config', 'cfg.json', '--vocab', 'v.json', '--out', 'r.json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    const ck = loadCheckpoint(join(dir, 'r.json'))
    expect(ck.model.cell).toBe('rnn_relu')
    expect(Object.keys(ck.resume.optimizer.buffers)).toEqual(['momentum_buffer'])
    expect(ck.data).toEqual({ kind: 'text', vocab: ['a', 'b', '\n'], source: null })
  })
})

describe('rnn export / import of a forecaster', () => {
  const dir = tempWithText(10).dir
  it('round trip keeps the parameters, columns and split, and eval agrees', async () => {
    const t = await trainAirline(dir, ['--hidden', '8', '--steps', '30', '--eval-every', '15', '--out', 'air.json'])
    expect(t.code, t.stderr).toBe(0)
    const e = await runRnn(['export', 'air.json'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    expect(JSON.parse(readSafetensors(join(dir, 'air.safetensors')).metadata.columns)[0].name).toBe('passengers')
    const i = await runRnn(['import', 'air.safetensors', '--out', 'air2.json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    const a = readJson(join(dir, 'air.json')), b = readJson(join(dir, 'air2.json'))
    expect(b.params).toEqual(a.params)
    expect(b.data).toEqual(a.data)
    const [ea, eb] = await Promise.all([runRnn(['eval', 'air.json', '--json'], { cwd: dir }), runRnn(['eval', 'air2.json', '--json'], { cwd: dir })])
    expect(eb.code, eb.stderr).toBe(0)
    expect(JSON.parse(eb.stdout)).toEqual(JSON.parse(ea.stdout))
  })
})

describe('rnn import errors: one line, non-zero exit', () => {
  const { dir, file, text } = tempWithText(3_000)
  const V = new Set(text).size
  let good: ReturnType<typeof readSafetensors>
  const write = (name: string, tensors: { name: string; shape: number[]; data: Float32Array }[], meta: Record<string, string> = {}) =>
    writeFileSync(join(dir, name), encodeSafetensors(tensors, meta))

  beforeAll(() => {
    python(['random', join(dir, 'good.safetensors'), '--cell', 'gru', '--vocab', String(V), '--hidden', '6'])
    good = readSafetensors(join(dir, 'good.safetensors'))
  })
  const all = () => [...good.tensors.values()].map((t) => ({ name: t.name, shape: t.shape, data: float32Of('x', t) }))
  const run = (args: string[]) => runRnn(['import', ...args, '--vocab-from', file, '--out', 'x.json'], { cwd: dir })

  it('a truncated file', async () => {
    const bytes = readFileSync(join(dir, 'good.safetensors'))
    writeFileSync(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 10))
    oneLineError(await run(['cut.safetensors']), /^rnn: cut\.safetensors: tensor "[^"]+": data ends at byte \d+ but the file holds \d+ bytes of data: truncated$/)
    writeFileSync(join(dir, 'tiny.safetensors'), bytes.subarray(0, 6))
    oneLineError(await run(['tiny.safetensors']), /^rnn: tiny\.safetensors: not a safetensors file: 6 bytes, too short for the 8-byte header length$/)
  })

  it('a header length beyond the file', async () => {
    const bytes = Buffer.from(readFileSync(join(dir, 'good.safetensors')))
    bytes.writeBigUInt64LE(BigInt(bytes.length), 0)
    writeFileSync(join(dir, 'long.safetensors'), bytes)
    oneLineError(await run(['long.safetensors']), /^rnn: long\.safetensors: header length \d+ is beyond the end of the file \(\d+ bytes\): truncated or not a safetensors file$/)
  })

  it('a wrong dtype, naming the tensor', async () => {
    python(['random', join(dir, 'f64.safetensors'), '--cell', 'gru', '--vocab', String(V), '--hidden', '6', '--f64', 'rnn.weight_hh_l0'])
    oneLineError(await run(['f64.safetensors']), /^rnn: f64\.safetensors: tensor "rnn\.weight_hh_l0": dtype F64, expected F32 \(in PyTorch: model\.float\(\) before saving\)$/)
  })

  it('a missing tensor, a wrong shape, an unexpected tensor', async () => {
    write('miss.safetensors', all().filter((t) => t.name !== 'rnn.bias_hh_l0'))
    oneLineError(await run(['miss.safetensors']), /^rnn: miss\.safetensors: tensor "rnn\.bias_hh_l0" is missing \(a gru of hidden size 6 and 1 layer needs \[18\]\)$/)
    write('shape.safetensors', all().map((t) => (t.name === 'rnn.bias_ih_l0' ? { ...t, shape: [17], data: t.data.subarray(0, 17) } : t)))
    oneLineError(await run(['shape.safetensors']), /^rnn: shape\.safetensors: tensor "rnn\.bias_ih_l0": shape \[17\], expected \[18\] for a gru of hidden size 6$/)
    write('extra.safetensors', [...all(), { name: 'rnn.weight_ih_l0_reverse', shape: [1], data: new Float32Array(1) }])
    oneLineError(await run(['extra.safetensors']), /^rnn: extra\.safetensors: unexpected tensor "rnn\.weight_ih_l0_reverse" \(a bidirectional RNN; only unidirectional models are supported\)$/)
    write('nohead.safetensors', all().filter((t) => !t.name.startsWith('head.')))
    oneLineError(await run(['nohead.safetensors']), /^rnn: nohead\.safetensors: tensor "head\.weight" is missing/)
  })

  it('vocabulary problems', async () => {
    oneLineError(await runRnn(['import', 'good.safetensors', '--out', 'x.json'], { cwd: dir }), /^rnn: good\.safetensors: no vocabulary in the metadata; give --vocab vocab\.json .* or --vocab-from corpus\.txt$/)
    writeFileSync(join(dir, 'v.json'), JSON.stringify(['a', 'b']))
    oneLineError(await runRnn(['import', 'good.safetensors', '--vocab', 'v.json', '--out', 'x.json'], { cwd: dir }), new RegExp(`^rnn: v\\.json: 2 characters, but the model has ${V} `))
    writeFileSync(join(dir, 'dup.json'), JSON.stringify(['a', 'ab']))
    oneLineError(await runRnn(['import', 'good.safetensors', '--vocab', 'dup.json', '--out', 'x.json'], { cwd: dir }), /^rnn: dup\.json: entry 1 \("ab"\) is not a single character \(2 code points: U\+0061 U\+0062\)$/)
    oneLineError(await runRnn(['import', 'good.safetensors', '--vocab', 'v.json', '--vocab-from', file, '--out', 'x.json'], { cwd: dir }), /^rnn: --vocab, --vocab-from: give one of them, not both$/)
  })

  it('a config whose cell disagrees with the tensors; golden weights that are not a text model', async () => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ cell: 'lstm' }))
    oneLineError(await run(['good.safetensors', '--config', 'c.json']), /^rnn: c\.json: cell "lstm" but tensor "rnn\.weight_hh_l0" has shape \[18,6\], a gru of hidden size 6$/)
    python(['golden', join(GOLDEN_DIR, 'lstm_L2_ce.json'), join(dir, 'g.safetensors')])
    const { input_size: I, output_size: O } = loadCase('lstm_L2_ce.json').config
    const notText = `rnn: g.safetensors: rnn.weight_ih_l0 reads ${I} inputs but head.weight predicts ${O}; a text model reads and predicts the same characters`
    oneLineError(await run(['g.safetensors']), new RegExp(`^${notText.replace(/[.]/g, '\\.')}$`))
    oneLineError(await runRnn(['import', 'nope.safetensors', '--vocab-from', file, '--out', 'x.json'], { cwd: dir }), /^rnn: nope\.safetensors: no such file$/)
    expect(existsSync(join(dir, 'x.json'))).toBe(false)
  })

  it('metadata that is not what rnn export writes', async () => {
    write('meta.safetensors', all(), { config: JSON.stringify({ learning_rate: 1 }) })
    oneLineError(await run(['meta.safetensors']), /^rnn: meta\.safetensors: __metadata__\.config: unknown key "learning_rate"$/)
    write('meta2.safetensors', all(), { vocab: '["a",' })
    oneLineError(await runRnn(['import', 'meta2.safetensors', '--out', 'x.json'], { cwd: dir }), /^rnn: meta2\.safetensors: __metadata__\.vocab is not valid JSON$/)
  })

  it('export of a missing checkpoint', async () => {
    oneLineError(await runRnn(['export', 'missing.json'], { cwd: dir }), /^rnn: missing\.json: no such checkpoint$/)
  })
})

describe('rnn completion', () => {
  const dir = tempWithText(10).dir
  it('bash: a valid script naming every subcommand and their long flags', async () => {
    const r = await runRnn(['completion', 'bash'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    writeFileSync(join(dir, 'rnn.bash'), r.stdout)
    const check = spawnSync('bash', ['-n', join(dir, 'rnn.bash')], { encoding: 'utf8' })
    expect(check.status, check.stderr).toBe(0)
    const help = await runRnn(['--help'], { cwd: dir })
    const subs = [...help.stdout.split(/^Commands:$/m)[1].matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1])
    expect(subs).toEqual(expect.arrayContaining(['train', 'sample', 'eval', 'export', 'import', 'report', 'completion']))
    for (const s of subs) expect(r.stdout, s).toMatch(new RegExp(`^ +${s}\\) flags=`, 'm'))
    for (const flag of ['--hidden', '--seq-len', '--no-header', '--report', '--vocab-from', '--top-p']) expect(r.stdout).toContain(flag)
    // completing in a real bash: `rnn tr<TAB>` and `rnn train --hid<TAB>`
    const complete = (line: string) => spawnSync('bash', ['-c', `source ${join(dir, 'rnn.bash')}; COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _rnn_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).stdout.trim()
    expect(complete('rnn tr')).toBe('train')
    expect(complete('rnn train --hid')).toBe('--hidden')
    expect(complete('rnn completion z')).toBe('zsh')
  })

  it('zsh: a script with every subcommand; an unknown shell is an error', async () => {
    const r = await runRnn(['completion', 'zsh'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.startsWith('#compdef rnn\n')).toBe(true)
    for (const s of ['train', 'sample', 'export', 'import', 'report']) expect(r.stdout).toMatch(new RegExp(`^ +${s}\\) _arguments`, 'm'))
    const zsh = spawnSync('zsh', ['-n', '-c', r.stdout], { encoding: 'utf8' })
    if (zsh.error === undefined) expect(zsh.status, zsh.stderr).toBe(0) // zsh is optional on this machine; bash is not
    const bad = await runRnn(['completion', 'fish'], { cwd: dir })
    expect(bad.code).not.toBe(0)
  })
})
