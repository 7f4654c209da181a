/**
 * The committed wasm binaries are what their sources build to: `npm run build:wasm`'s compiler (pinned
 * in package.json) rebuilds them into a temporary folder and every byte must match. A failure means a
 * source under src/engine/wasm/assembly changed without rebuilding, or the compiler version moved.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { buildWasm, WASM_DIR } from '../../../scripts/build-wasm.ts'

const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('rebuilding the wasm kernels gives the committed bytes', async () => {
  const outs = await buildWasm(dir)
  expect(outs.length).toBeGreaterThan(0)
  for (const out of outs) {
    const built = readFileSync(out), committed = readFileSync(join(WASM_DIR, basename(out)))
    expect(built.equals(committed), `${basename(out)}: rebuilt ${built.length} bytes differ from the committed ${committed.length}; run npm run build:wasm`).toBe(true)
  }
})
