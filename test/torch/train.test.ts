/**
 * --engine torch (issue 20) through the real CLI and a real torchrun: PyTorch takes the built-in engine's
 * steps (per-step losses within 1e-4 for text and CSV, with clipping, lr decay and an epoch boundary), two
 * gloo processes reach the parameters of one, the checkpoint samples, evaluates (rnn eval reproduces the
 * validation loss the run reported) and resumes with the built-in engine, --print-launch's command run by
 * hand comes back through rnn import-run, Ctrl-C saves, and bad input is one line. Needs a python3 that
 * imports torch ≥ 1.13 ($RNN_PYTHON, /usr/bin/python3 or python3; CI installs Debian's python3-torch):
 * without one these tests fail, saying so.
 */
import { spawn } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { lrFactor } from '../../src/engine/schedule.ts'
import { findTorchPython } from '../../src/torch/python.ts'
import { DATA, readJson, runRnn, tempWithText } from '../helpers/cli.ts'

// two layers, clipping that bites, an epoch boundary at step 16 with lr decay (1,200 chars: 16 chunks of 4 × 16)
const TEXT = ['--hidden', '24', '--layers', '2', '--batch', '4', '--seq-len', '16', '--lr', '0.01', '--clip', '0.5', '--lr-decay', '0.5', '--eval-every', '1']
const SERIES = ['--target', 'passengers', '--transform', 'difference', '--hidden', '16', '--batch', '8', '--lr', '0.01', '--steps', '20', '--eval-every', '1']

/** Tensors of a checkpoint's latest parameters (resume.params when they differ from the best). */
function latest(ck: any): Record<string, Float32Array> {
  const set = ck.resume.params ?? ck.params
  return Object.fromEntries(Object.entries(set).map(([k, t]: [string, any]) => {
    const b = Buffer.from(t.data, 'base64')
    return [k, new Float32Array(b.buffer, b.byteOffset, b.length / 4)]
  }))
}

/** The worst |a - b| - (atol + rtol |b|) over every parameter: ≤ 0 when all are within float32 tolerance. */
function worstExcess(a: Record<string, Float32Array>, b: Record<string, Float32Array>, rtol = 1e-4, atol = 1e-5): number {
  let worst = -Infinity
  for (const [k, x] of Object.entries(a)) for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - b[k][i]) - (atol + rtol * Math.abs(b[k][i])))
  return worst
}

function expectSameSteps(torch: any[], builtin: any[], tol = 1e-4): void {
  expect(torch.map((h) => h.step)).toEqual(builtin.map((h) => h.step))
  torch.forEach((h, i) => {
    expect(Math.abs(h.train_loss - builtin[i].train_loss), `train loss at step ${h.step}`).toBeLessThan(tol)
    expect(Math.abs(h.val_loss - builtin[i].val_loss), `validation loss at step ${h.step}`).toBeLessThan(tol)
    expect(h.lr).toBeCloseTo(builtin[i].lr, 12)
  })
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

describe('rnn train --engine torch on text', () => {
  const { dir } = tempWithText(1200)
  let python = ''
  let summary: any
  beforeAll(async () => {
    python = (await findTorchPython(process.env.RNN_PYTHON)).python
    const ten = await runRnn(['train', 'text.txt', ...TEXT, '--steps', '10', '--out', 'ten.json'], { cwd: dir })
    expect(ten.code, ten.stderr).toBe(0)
    const [builtin, torch, resumed] = await Promise.all([
      runRnn(['train', 'text.txt', ...TEXT, '--steps', '25', '--out', 'builtin.json'], { cwd: dir }),
      runRnn(['train', 'text.txt', ...TEXT, '--steps', '20', '--engine', 'torch', '--out', 'torch.json', '--json'], { cwd: dir }),
      runRnn(['train', '--resume', 'ten.json', '--steps', '10', '--engine', 'torch', '--out', 'ten-torch.json'], { cwd: dir }),
    ])
    for (const r of [builtin, torch, resumed]) expect(r.code, r.stderr).toBe(0)
    summary = JSON.parse(torch.stdout)
  }, 240_000)

  it('takes the built-in engine\'s steps: the losses of the first 20 agree within 1e-4', () => {
    const torch = readJson(join(dir, 'torch.json')), builtin = readJson(join(dir, 'builtin.json'))
    expect(summary.steps).toBe(20)
    expect(summary.memory).toBeNull()
    expect(torch.progress.epoch).toBe(1)
    expect(torch.resume.lr).toBeCloseTo(0.005, 12)
    expectSameSteps(torch.progress.history, builtin.progress.history.slice(0, 20))
    expect(existsSync(join(dir, 'torch.torch'))).toBe(false)
  })

  it('follows the lr schedule as the built-in engine does (warm-up, cosine decay to the floor)', async () => {
    const sched = ['--lr-schedule', 'cosine', '--warmup', '4', '--lr-floor', '0.2', '--steps', '12']
    const [b, t] = await Promise.all([
      runRnn(['train', 'text.txt', ...TEXT, ...sched, '--out', 'cos-builtin.json'], { cwd: dir }),
      runRnn(['train', 'text.txt', ...TEXT, ...sched, '--engine', 'torch', '--out', 'cos-torch.json'], { cwd: dir }),
    ])
    for (const r of [b, t]) expect(r.code, r.stderr).toBe(0)
    const builtin = readJson(join(dir, 'cos-builtin.json')), torch = readJson(join(dir, 'cos-torch.json'))
    expectSameSteps(torch.progress.history, builtin.progress.history)
    expect(torch.resume.horizon).toBe(12)
    expect(torch.progress.history.at(-1).lr).toBeCloseTo(0.002, 12) // the floor: 0.2 × lr
  }, 120_000)

  it('--max-seconds alone: measures the steps that fit, says so, decays over them and stores them as the horizon', async () => {
    const args = ['--hidden', '24', '--batch', '4', '--seq-len', '16', '--lr', '0.01', '--eval-every', '50']
    const sched = ['--lr-schedule', 'cosine', '--warmup', '4', '--lr-floor', '0.2', '--max-seconds', '6']
    const r = await runRnn(['train', 'text.txt', ...args, ...sched, '--engine', 'torch', '--out', 'budget.json', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const said = r.stderr.match(/--max-seconds 6: [\d.]+ s a step, [\d.]+ s a validation, so (\d+) steps \(the schedule's horizon/)
    expect(said, r.stderr).not.toBeNull()
    expect(Number(said![1])).toBeGreaterThan(25) // not the 2,000 steps of a run without a length
    // measured again at 3 s (and 4.5 s unless the run ended before), a new horizon taking over where the decay had got to
    const again = [...r.stderr.matchAll(/--max-seconds 6: at ([\d.]+) s, [\d.]+ s a step, [\d.]+ s a validation: the horizon is step (\d+)/g)]
    expect(again.length, r.stderr).toBeGreaterThanOrEqual(1)
    expect(again.every((m) => Number(m[1]) >= 3)).toBe(true)
    const horizon = Number(again.at(-1)![2])
    const out = JSON.parse(r.stdout), ck = readJson(join(dir, 'budget.json')), knot = ck.resume.knot
    expect(ck.resume.horizon).toBe(horizon)
    expect(knot.step).toBeGreaterThan(25)
    expect(knot.p).toBeGreaterThan(0)
    if (out.stopped === 'done') expect(out.steps).toBe(horizon)
    else expect([out.stopped, out.steps <= horizon]).toEqual(['time_limit', true])
    const last = ck.progress.history.at(-1)
    expect(last.lr).toBeCloseTo(0.01 * lrFactor(last.step, horizon, { lr_schedule: 'cosine', warmup: 4, lr_floor: 0.2 }, knot), 12)
  }, 120_000)

  it('writes a checkpoint that samples, and rnn eval reproduces the validation loss it reported', async () => {
    const s = await runRnn(['sample', 'torch.json', '--length', '40'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    expect([...s.stdout.trimEnd()].length).toBeGreaterThan(30)
    const e = await runRnn(['eval', 'torch.json', '--json'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    expect(Math.abs(JSON.parse(e.stdout).loss - summary.best_val_loss)).toBeLessThan(1e-4)
  })

  it('resumes with the built-in engine where the built-in run would be (optimizer state, cursor, carried state)', async () => {
    const r = await runRnn(['train', '--resume', 'torch.json', '--steps', '5', '--out', 'resumed.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const builtin = readJson(join(dir, 'builtin.json')), resumed = readJson(join(dir, 'resumed.json'))
    expectSameSteps(resumed.progress.history.slice(20), builtin.progress.history.slice(20))
    expect(worstExcess(latest(resumed), latest(builtin))).toBeLessThanOrEqual(0)
  })

  it('resumes a built-in run (its optimizer state, cursor and carried state into torch.optim and the streams)', () => {
    const builtin = readJson(join(dir, 'builtin.json')), resumed = readJson(join(dir, 'ten-torch.json'))
    expect(resumed.progress.step).toBe(20)
    expectSameSteps(resumed.progress.history.slice(10), builtin.progress.history.slice(10, 20))
  })

  it('--print-launch: its torchrun command with 2 gloo processes, run by hand, imports to the parameters of 1', async () => {
    const p = await runRnn(['train', 'text.txt', ...TEXT, '--steps', '20', '--engine', 'torch', '--nproc', '2', '--print-launch', '--out', 'two.json', '--json'], { cwd: dir })
    expect(p.code, p.stderr).toBe(0)
    const launch = JSON.parse(p.stdout)
    expect(launch.command.slice(0, 9)).toEqual(['torchrun', '--nnodes', '1', '--nproc_per_node', '2', '--rdzv_backend', 'c10d', '--rdzv_endpoint', 'localhost:0'])
    expect(existsSync(join(dir, 'two.json'))).toBe(false)
    // torchrun of the python that has torch (the one on PATH may be another's)
    const t = await run(python, ['-m', 'torch.distributed.run', ...launch.command.slice(1)], dir)
    expect(t.code, t.stderr).toBe(0)
    expect(t.stdout).toContain('"event": "done"')
    const i = await runRnn(['import-run', launch.folder, '--json'], { cwd: dir })
    expect(i.code, i.stderr).toBe(0)
    expect(JSON.parse(i.stdout).steps).toBe(20)
    const two = readJson(join(dir, 'two.json')), one = readJson(join(dir, 'torch.json'))
    expect(worstExcess(latest(two), latest(one))).toBeLessThanOrEqual(0)
    expectSameSteps(two.progress.history, one.progress.history, 1e-5)
  }, 120_000)
})

describe('rnn train --engine torch on a CSV series', () => {
  it('draws the built-in engine\'s random windows: the losses of 20 steps agree within 1e-4', async () => {
    const { dir } = tempWithText(10)
    copyFileSync(join(DATA, 'airline-passengers.csv'), join(dir, 'air.csv'))
    const [builtin, torch] = await Promise.all([
      runRnn(['train', 'air.csv', ...SERIES, '--out', 'builtin.json'], { cwd: dir }),
      runRnn(['train', 'air.csv', ...SERIES, '--engine', 'torch', '--out', 'torch.json'], { cwd: dir }),
    ])
    expect(builtin.code, builtin.stderr).toBe(0)
    expect(torch.code, torch.stderr).toBe(0)
    const b = readJson(join(dir, 'builtin.json')), t = readJson(join(dir, 'torch.json'))
    expectSameSteps(t.progress.history, b.progress.history)
    expect(t.resume.rng).toEqual(b.resume.rng)
    expect(worstExcess(latest(t), latest(b))).toBeLessThanOrEqual(0)
  }, 240_000)
})

describe('rnn train --engine torch, stopped and refused', () => {
  it('Ctrl-C saves the steps taken and exits 130', async () => {
    const { dir } = tempWithText(20_000)
    let sent = false
    const r = await runRnn(['train', 'text.txt', '--hidden', '16', '--batch', '4', '--steps', '100000', '--eval-every', '5', '--engine', 'torch', '--nproc', '2'], {
      cwd: dir, onStderr: (s, child) => { if (!sent && /^step 5:/m.test(s)) { sent = true; child.kill('SIGINT') } },
    })
    expect(sent, r.stderr).toBe(true)
    expect(r.code, r.stderr).toBe(130)
    const ck = readJson(join(dir, 'checkpoints/text-lstm.json'))
    expect(ck.progress.step).toBeGreaterThanOrEqual(5)
    expect(existsSync(join(dir, 'checkpoints/text-lstm.torch'))).toBe(false)
  }, 120_000)

  it('rnn import-run says in one line what a folder lacks', async () => {
    const { dir } = tempWithText(3000)
    const p = await runRnn(['train', 'text.txt', '--steps', '5', '--engine', 'torch', '--print-launch', '--json'], { cwd: dir })
    expect(p.code, p.stderr).toBe(0)
    const { folder } = JSON.parse(p.stdout)
    const newer = join(dir, 'newer')
    cpSync(folder, newer, { recursive: true })
    writeFileSync(join(newer, 'run.json'), JSON.stringify({ ...readJson(join(folder, 'run.json')), version: 2 }))
    const cases: [string, RegExp][] = [
      [folder, /^rnn: .*text-lstm\.torch: no state\.safetensors yet: the run has not reached its first validation or its end$/],
      [dir, /^rnn: .*: not an rnn run folder \(no run\.json; rnn train --engine torch --print-launch writes one\)$/],
      [newer, /^rnn: .*run\.json: run format 2, written by a newer rnn; this rnn reads format 1$/],
    ]
    for (const [arg, want] of cases) {
      const r = await runRnn(['import-run', arg], { cwd: dir })
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr.trim()).toMatch(want)
    }
    expect(existsSync(join(dir, 'checkpoints/text-lstm.json'))).toBe(false)
  })

  it('--print-launch for 2 machines of 4 GPUs: the rendezvous in the command, the device in the folder', async () => {
    const { dir } = tempWithText(3000)
    const flags = ['--engine', 'torch', '--device', 'cuda', '--nproc', '4', '--nnodes', '2', '--rdzv-endpoint', 'node0:29400', '--batch', '8']
    const p = await runRnn(['train', 'text.txt', '--steps', '5', ...flags, '--print-launch', '--json'], { cwd: dir })
    expect(p.code, p.stderr).toBe(0)
    const { command, folder } = JSON.parse(p.stdout)
    const arg = (name: string) => command[command.indexOf(name) + 1]
    expect([arg('--nnodes'), arg('--nproc_per_node'), arg('--rdzv_endpoint'), command.at(-1)]).toEqual(['2', '4', 'node0:29400', folder])
    expect(readJson(join(folder, 'run.json'))).toMatchObject({ device: 'cuda', batch_size: 8 })
    const odd = await runRnn(['train', 'text.txt', '--steps', '5', ...flags, '--batch', '12', '--print-launch'], { cwd: dir })
    expect(odd.stderr.trim()).toBe('rnn: --batch 12: must be a multiple of the 8 processes (--nproc 4 × --nnodes 2), each takes an equal share of the streams')
  })

  it('says in one line what is missing or wrong', async () => {
    const { dir } = tempWithText(3000)
    // a real python without torch: site-packages off
    const noTorch = join(dir, 'python-without-torch')
    writeFileSync(noTorch, `#!/bin/sh\nexec ${(await findTorchPython(process.env.RNN_PYTHON)).python} -S "$@"\n`)
    chmodSync(noTorch, 0o755)
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--engine', 'torch'], { RNN_PYTHON: noTorch }, /^rnn: --engine torch needs python3 with torch ≥ 1\.13: .*python-without-torch \(\$RNN_PYTHON\): cannot import torch \(ModuleNotFoundError: No module named 'torch'\)$/],
      [['--engine', 'torch'], { RNN_PYTHON: join(dir, 'nowhere') }, /^rnn: --engine torch needs python3 with torch ≥ 1\.13: .*nowhere \(\$RNN_PYTHON\): not found$/],
      [['--engine', 'torch', '--nproc', '3'], {}, /^rnn: --batch 32: must be a multiple of the 3 processes \(--nproc 3\)/],
      [['--nproc', '2'], {}, /^rnn: --nproc: applies to --engine torch$/],
      [['--engine', 'torch', '--nnodes', '2'], {}, /^rnn: --nnodes: several machines are started by a scheduler; add --print-launch$/],
      [['--engine', 'torch', '--label', 'x'], {}, /^rnn: --engine torch: trains language models and forecasters; a classifier trains with the built-in engine/],
    ]
    const torch = await findTorchPython(process.env.RNN_PYTHON)
    if (!torch.cuda) cases.push([['--engine', 'torch', '--device', 'cuda'], {}, /^rnn: --device cuda: torch .* sees no CUDA device/])
    // at once, each to its own --out (a shared one would be locked by the first)
    const runs = await Promise.all(cases.map(([flags, env], i) => runRnn(['train', 'text.txt', '--steps', '2', '--out', `${i}.json`, ...flags], { cwd: dir, env })))
    for (const [i, [flags, , want]] of cases.entries()) {
      const r = runs[i]
      const lines = r.stderr.trim().split('\n')
      expect(r.code, r.stderr).toBe(1)
      expect(lines.at(-1), flags.join(' ')).toMatch(want)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(existsSync(join(dir, `${i}.json`))).toBe(false)
    }
  }, 120_000)
})
