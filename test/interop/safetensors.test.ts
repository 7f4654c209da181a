/**
 * The safetensors reader and writer, and the state_dict importer, in process: round trips, every way a
 * file can be broken (one-line errors naming the problem), and weights written by an independent writer
 * (test/fixtures/write_safetensors.py, pure Python) from PyTorch's golden cases, which must decode to the
 * golden float32 values exactly and reproduce PyTorch's forward pass.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.ts'
import { allocParams } from '../../src/engine/params.ts'
import { stateDictOf } from '../../src/interop/state-dict.ts'
import { Model } from '../../src/model/model.ts'
import { paramSpecs } from '../../src/model/spec.ts'
import { encodeSafetensors, float32Of, parseSafetensors, readSafetensors } from '../../src/interop/safetensors.ts'
import { Comparer, f32, GOLDEN_DIR, loadCase, stateOf, targetsOf, type Json } from '../helpers/golden.ts'

const WRITER = resolve(import.meta.dirname, '../fixtures/write_safetensors.py')

/** A file from a hand-made header, for the broken cases. */
function fileOf(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = Buffer.from(JSON.stringify(header))
  const out = Buffer.alloc(8 + json.length + data.length)
  out.writeBigUInt64LE(lengthOverride ?? BigInt(json.length), 0)
  json.copy(out, 8)
  out.set(data, 8 + json.length)
  return out
}

function errorOf(f: () => unknown): string {
  try { f() } catch (e) {
    expect(e).toBeInstanceOf(UserError)
    return (e as Error).message
  }
  throw new Error('expected a UserError')
}

describe('safetensors format', () => {
  const a = { name: 'a', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, NaN, Infinity, -0]) }
  const b = { name: 'b.c', shape: [1], data: Float32Array.from([Math.fround(0.1)]) }

  it('writes an 8-byte-aligned header and reads back every byte and the metadata', () => {
    const bytes = encodeSafetensors([a, b], { format: 'x', vocab: '["a","<"]' })
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0))
    expect((8 + n) % 8).toBe(0)
    const header = JSON.parse(Buffer.from(bytes).toString('utf8', 8, 8 + n))
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] })
    expect(header['b.c'].data_offsets).toEqual([24, 28])
    const st = parseSafetensors('m.safetensors', bytes)
    expect(st.metadata).toEqual({ format: 'x', vocab: '["a","<"]' })
    const got = float32Of('m', st.tensors.get('a')!)
    expect(Buffer.from(got.buffer).equals(Buffer.from(a.data.buffer))).toBe(true) // NaN and -0 included
    expect(float32Of('m', st.tensors.get('b.c')!)[0]).toBe(Math.fround(0.1))
  })

  it('refuses broken files with one line naming the problem', () => {
    const good = encodeSafetensors([a], {})
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /^f: not a safetensors file: 5 bytes, too short for the 8-byte header length$/],
      [fileOf({}, undefined, 1000n), /^f: header length 1000 is beyond the end of the file \(\d+ bytes\): truncated or not a safetensors file$/],
      [good.subarray(0, good.length - 4), /^f: tensor "a": data ends at byte 24 but the file holds 20 bytes of data: truncated$/],
      [fileOf('nope'), /^f: the safetensors header is not a JSON object$/],
      [Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]), /^f: not a safetensors file: the header is not valid JSON$/],
      [fileOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /^f: tensor "w": 4 bytes for F32 shape \[2\] \(expected 8\)$/],
      [fileOf({ w: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /^f: tensor "w": unknown dtype "Q8"$/],
      [fileOf({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, v: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, new Uint8Array(8)), /^f: tensor "v" overlaps tensor "w" in the data$/],
      [fileOf({ __metadata__: { n: 3 } }), /^f: __metadata__\.n must be a string, got number$/],
      [fileOf({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /^f: tensor "w": shape must be a list of non-negative integers$/],
    ]
    for (const [bytes, want] of cases) {
      const msg = errorOf(() => parseSafetensors('f', bytes))
      expect(msg).toMatch(want)
      expect(msg).not.toContain('\n')
    }
  })

  it('decodes only float32, naming the tensor of any other dtype', () => {
    const st = parseSafetensors('f', fileOf({ 'rnn.weight_ih_l0': { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)))
    expect(errorOf(() => float32Of('f', st.tensors.get('rnn.weight_ih_l0')!))).toBe('f: tensor "rnn.weight_ih_l0": dtype F64, expected F32 (in PyTorch: model.float() before saving)')
  })

  it('names a missing file', () => {
    expect(errorOf(() => readSafetensors('/nonexistent/x.safetensors'))).toBe('/nonexistent/x.safetensors: no such file')
  })
})

/** Runs the Python writer; python3 missing or failing is a test failure, never a skip. */
function python(args: string[]): void {
  const r = spawnSync('python3', [WRITER, ...args], { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`python3 is required for this test: ${r.error.message}`)
  expect(r.status, r.stderr).toBe(0)
}

describe('weights from an independent writer reproduce PyTorch (golden cases)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-st-'))
  const cases: [string, boolean][] = [['lstm_L2_ce', false], ['gru_L1_ce', false], ['rnn_tanh_L1_ce', true], ['rnn_relu_L2_ce', false], ['gru_L2_mse', true]]

  for (const [name, noPrefix] of cases) {
    it(`${name}${noPrefix ? ' (keys without the rnn. prefix)' : ''}`, () => {
      const c: Json = loadCase(`${name}.json`)
      const file = join(dir, `${name}.safetensors`)
      python(['golden', join(GOLDEN_DIR, `${name}.json`), file, ...(noPrefix ? ['--no-prefix'] : [])])
      const names = Object.keys(JSON.parse(readFileSync(file).toString('utf8', 8, 8 + Number(readFileSync(file).readBigUInt64LE(0)))))
      expect(names.some((n) => n.startsWith('rnn.'))).toBe(!noPrefix)

      // rnn_relu has the same shapes as rnn_tanh: the cell comes from the config, as in `rnn import --config`
      const cell = c.config.cell === 'rnn_relu' ? 'rnn_relu' : undefined
      const dict = stateDictOf(file, readSafetensors(file), { cell, input: 'dense', loss: c.config.loss })
      expect(dict.spec).toEqual({ cell: c.config.cell, input_size: c.config.input_size, hidden_size: c.config.hidden_size, num_layers: c.config.num_layers, output_size: c.config.output_size, input: 'dense', loss: c.config.loss })
      for (const [pname, t] of dict.params) expect(Buffer.from(t.data.buffer).equals(Buffer.from(f32(c.params[pname]).buffer)), pname).toBe(true)
      expect([...dict.params.keys()]).toEqual(Object.keys(c.params))

      const params = allocParams(paramSpecs(dict.spec))
      for (const t of params.tensors) t.data.set(dict.params.get(t.name)!.data)
      const model = new Model(dict.spec, params)
      const { seq_len: T, batch: B } = c.config
      const loss = model.forward(f32(c.inputs.x), targetsOf(c), T, B, stateOf(c.inputs.h0, c.inputs.c0))
      const cmp = new Comparer()
      cmp.check('forward.head_output', model.outputs(), c.forward.head_output)
      cmp.check('forward.loss', loss, c.forward.loss)
      expect(cmp.failures, cmp.failures.join('\n')).toEqual([])
    })
  }

  it('infers the cell from the shapes and refuses a config that disagrees', () => {
    const file = join(dir, 'lstm_L2_ce.safetensors')
    python(['golden', join(GOLDEN_DIR, 'lstm_L2_ce.json'), file])
    const st = readSafetensors(file)
    const H = loadCase('lstm_L2_ce.json').config.hidden_size
    expect(stateDictOf(file, st, { input: 'dense', loss: 'cross_entropy' }).spec.cell).toBe('lstm')
    expect(errorOf(() => stateDictOf(file, st, { cell: 'gru', cellFrom: 'cfg.json', input: 'dense', loss: 'cross_entropy' })))
      .toBe(`cfg.json: cell "gru" but tensor "rnn.weight_hh_l0" has shape [${4 * H},${H}], a lstm of hidden size ${H}`)
  })
})
