/**
 * The library API as a user gets it: `import { ... } from 'rnn'` from another project, with plain node (no
 * tsx) against the built dist/, and its type declarations checked by tsc in that project.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempWithText } from './helpers/cli.ts'

const consumer = mkdtempSync(join(tmpdir(), 'rnn-api-'))

beforeAll(() => {
  // the package as installed: its package.json, a dist/ built from the current sources (into a copy, so the
  // repository's dist/ never changes under a running CLI) and its dependencies
  const pkg = join(consumer, 'node_modules/rnn')
  mkdirSync(pkg, { recursive: true })
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-dist.mjs'), join(pkg, 'dist')], { stdio: 'inherit' })
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir')
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }))
}, 120_000)

describe("import { ... } from 'rnn'", () => {
  it('trains, samples, evaluates and inspects with plain node', () => {
    const { file } = tempWithText(6_000)
    writeFileSync(join(consumer, 'use.mjs'), `
      import { train, trainConfig, sample, evaluateText, loadCheckpoint, createModel, UserError } from 'rnn'
      const m = createModel({ cell: 'lstm', input_size: 3, hidden_size: 5, num_layers: 2, output_size: 2, input: 'dense', loss: 'mse' }, { seed: 4 })
      const mse = m.forward(new Float32Array(4 * 2 * 3).fill(0.5), new Float32Array(4 * 2 * 2), 4, 2, m.zeroState(2))
      m.params.grad.fill(0); m.backward()
      const gradOk = m.params.grad.some((g) => g !== 0) && Number.isFinite(mse)
      const config = trainConfig({ cell: 'gru', hidden_size: 24, seq_len: 16, batch_size: 4, steps: 20, eval_every: 10, out: ${JSON.stringify(join(consumer, 'ck.json'))} })
      const steps = []
      const r = await train({ corpus: ${JSON.stringify(file)}, config, events: { step: (e) => steps.push(e.step) } })
      const text = sample(r.checkpoint, { length: 30, seed: 3, temperature: 0.7 })
      const ev = evaluateText(r.checkpoint)
      const ck = loadCheckpoint(r.checkpoint)
      let bad = null
      try { trainConfig({ hidden_sise: 3 }) } catch (e) { bad = e instanceof UserError ? e.message : 'not a UserError' }
      console.log(JSON.stringify({ steps: steps.length, result: r.steps, chars: [...text].length, loss: ev.loss, best: r.best_val_loss, cell: ck.model.cell, bad, gradOk }))
    `)
    const out = spawnSync(process.execPath, ['use.mjs'], { cwd: consumer, encoding: 'utf8' })
    expect(out.status, out.stderr).toBe(0)
    const j = JSON.parse(out.stdout)
    expect(j).toMatchObject({ steps: 20, result: 20, chars: 30, cell: 'gru', gradOk: true })
    expect(Math.abs(j.loss - j.best)).toBeLessThan(1e-4)
    expect(j.bad).toMatch(/unknown key "hidden_sise" \(did you mean "hidden_size"\?\)/)
  })

  it('ships type declarations that tsc checks, and that catch a misuse', () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    const opts = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types')]
    writeFileSync(join(consumer, 'good.ts'), `
      import { trainConfig, train, sample, type TrainResult, type Checkpoint, loadCheckpoint } from 'rnn'
      const c = trainConfig({ cell: 'lstm', steps: 10 })
      const p: Promise<TrainResult> = train({ corpus: 'x.txt', config: c })
      const s: string = sample('ck.json', { length: 5 })
      const ck: Checkpoint = loadCheckpoint('ck.json')
      export { p, s, ck }
    `)
    writeFileSync(join(consumer, 'bad.ts'), `
      import { trainConfig } from 'rnn'
      export const c = trainConfig({ cell: 'transformer' })
    `)
    const good = spawnSync(process.execPath, [tsc, ...opts, 'good.ts'], { cwd: consumer, encoding: 'utf8' })
    expect(good.status, good.stdout).toBe(0)
    const bad = spawnSync(process.execPath, [tsc, ...opts, 'bad.ts'], { cwd: consumer, encoding: 'utf8' })
    expect(bad.status).not.toBe(0)
    expect(bad.stdout).toMatch(/transformer/)
  })
})
