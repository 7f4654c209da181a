/**
 * The lr schedule through the real CLI: a run stopped in the middle of its schedule (SIGTERM, real
 * checkpoint) and resumed continues bit for bit, whether its length was a step count or a time budget
 * whose horizon the first steps measured; the lr of every validation is the schedule's; bad values are one line.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readJson, runRnn, tempWithText } from '../helpers/cli.ts'
import { lrFactor } from '../../src/engine/schedule.ts'

const SMALL = ['--hidden', '24', '--seq-len', '16', '--batch', '4', '--lr', '0.01', '--eval-every', '10', '--lr-floor', '0.2']

/** Trains with `args` and sends SIGTERM once stderr shows the validation of step `at`. */
function stopAt(dir: string, args: string[], at: number) {
  let sent = false
  return runRnn(['train', ...args], {
    cwd: dir,
    onStderr: (s, child) => { if (!sent && new RegExp(`^step ${at}:`, 'm').test(s)) { sent = true; child.kill('SIGTERM') } },
  })
}

function expectSameRun(a: any, b: any): void {
  expect(b.progress.step).toBe(a.progress.step)
  const latest = (ck: any) => ck.resume.params ?? ck.params
  expect(latest(b)).toEqual(latest(a))
  expect(b.params).toEqual(a.params)
  expect(b.resume.optimizer).toEqual(a.resume.optimizer)
  expect(b.resume.rng).toEqual(a.resume.rng)
  expect(b.resume.state).toEqual(a.resume.state)
  expect(b.resume.lr).toBe(a.resume.lr)
  expect(b.resume.horizon).toBe(a.resume.horizon)
  expect(b.resume.knot).toEqual(a.resume.knot)
}

describe('--lr-schedule', () => {
  it('a cosine run stopped mid-schedule and resumed equals the run straight through, bit for bit', async () => {
    const { dir, file } = tempWithText(20_000, 3_000)
    const args = [file, ...SMALL, '--lr-schedule', 'cosine', '--warmup', '15', '--dropout', '0.1', '--layers', '2']
    const straight = await runRnn(['train', ...args, '--steps', '120', '--out', 'straight.json'], { cwd: dir })
    expect(straight.code, straight.stderr).toBe(0)
    const a = readJson(join(dir, 'straight.json'))
    expect(a.resume.horizon).toBe(120)
    // the lr recorded at each validation is the schedule's at that step
    for (const h of a.progress.history) {
      expect(h.lr).toBe(0.01 * lrFactor(h.step, 120, { lr_schedule: 'cosine', warmup: 15, lr_floor: 0.2 }))
    }
    expect(a.progress.history.at(-1).lr).toBeCloseTo(0.002, 12)

    const stopped = await stopAt(dir, [...args, '--steps', '120', '--out', 'split.json'], 30)
    expect(stopped.code, stopped.stderr).toBe(143)
    const mid = readJson(join(dir, 'split.json'))
    expect(mid.resume.horizon).toBe(120)
    expect(mid.progress.step).toBeGreaterThanOrEqual(30)
    expect(mid.progress.step).toBeLessThan(120)
    const rest = await runRnn(['train', '--resume', 'split.json', '--steps', String(120 - mid.progress.step)], { cwd: dir })
    expect(rest.code, rest.stderr).toBe(0)
    expectSameRun(a, readJson(join(dir, 'split.json')))
  })

  it('--max-seconds alone: the horizon is measured at the end of the warm-up, stored, and a resumed run keeps it (same as --steps horizon)', async () => {
    const { dir, file } = tempWithText(20_000, 9_000)
    // the horizon is fixed at the end of the warm-up (30 steps: longer than the 25 the speed is measured over)
    const args = [file, ...SMALL, '--lr-schedule', 'linear', '--warmup', '30']
    // a budget of a few seconds: a horizon of some hundreds of steps for this model (fewer on a busy machine)
    const stopped = await stopAt(dir, [...args, '--max-seconds', '4', '--out', 'budget.json'], 40)
    expect(stopped.code, stopped.stderr).toBe(143)
    // no step count: the start line says so, and a note gives the horizon it measured
    expect(stopped.stderr).toContain('steps until --max-seconds')
    const said = /--max-seconds 4: [\d.]+ s a step, [\d.]+ s a validation, so (\d+) steps/.exec(stopped.stderr)
    expect(said, stopped.stderr).not.toBeNull()
    const mid = readJson(join(dir, 'budget.json'))
    const H = mid.resume.horizon
    expect(H).toBe(Number(said![1]))
    expect(mid.progress.step).toBeLessThan(H)
    // the rest of the run to its horizon, then the same run as a step count from the start (measured at the
    // end of the warm-up, the horizon changed no lr taken before it)
    // (no time limit now: a busy machine would cut the run before its horizon)
    const more = ['--steps', String(H - mid.progress.step), '--max-seconds', '100000']
    const rest = await runRnn(['train', '--resume', 'budget.json', ...more], { cwd: dir })
    expect(rest.code, rest.stderr).toBe(0)
    const b = readJson(join(dir, 'budget.json'))
    expect(b.progress.history.at(-1).lr).toBeCloseTo(0.002, 12)
    const straight = await runRnn(['train', ...args, '--steps', String(H), '--out', 'straight.json'], { cwd: dir })
    expect(straight.code, straight.stderr).toBe(0)
    expectSameRun(readJson(join(dir, 'straight.json')), b)
  })

  it('--max-seconds alone: measured again at half and three quarters of the budget; the decay goes on from a knot a resumed run keeps', async () => {
    const { dir, file } = tempWithText(20_000, 5_000)
    const args = [file, ...SMALL, '--lr-schedule', 'cosine', '--warmup', '30']
    // stopped once the second measurement is said (at 4.5 s of 6): the checkpoint then has the horizon and its knot
    const again = /--max-seconds 6: at ([\d.]+) s, [\d.]+ s a step, [\d.]+ s a validation: the horizon is step (\d+)/g
    let sent = false, seen = ''
    const stopped = await runRnn(['train', ...args, '--max-seconds', '6', '--out', 'budget.json'], {
      cwd: dir,
      onStderr: (s, child) => { seen += s; if (!sent && [...seen.matchAll(again)].length === 2) { sent = true; child.kill('SIGTERM') } },
    })
    expect(stopped.code, stopped.stderr).toBe(143)
    expect(stopped.stderr).toMatch(/so \d+ steps \(the schedule's horizon, measured again at 3 s and 4.5 s\)/)
    const said = [...stopped.stderr.matchAll(again)]
    expect(said.map((m) => Number(m[1]) >= 3)).toEqual([true, true])
    expect(Number(said[1][1])).toBeGreaterThanOrEqual(4.5)
    const mid = readJson(join(dir, 'budget.json')), H = Number(said[1][2]), knot = mid.resume.knot
    expect(mid.resume.horizon).toBe(H)
    expect(knot.step).toBeGreaterThan(30)
    expect(knot.step).toBeLessThanOrEqual(mid.progress.step)
    expect(knot.p).toBeGreaterThan(0)
    expect(knot.p).toBeLessThan(1)
    // to the horizon in one resumed run and in two: the same run bit for bit, every lr the knot's schedule
    const rest = H - mid.progress.step, k = Math.floor(rest / 2)
    expect(rest).toBeGreaterThan(2)
    copyFileSync(join(dir, 'budget.json'), join(dir, 'parts.json'))
    const resume = (out: string, steps: number) =>
      runRnn(['train', '--resume', out, '--out', out, '--steps', String(steps), '--max-seconds', '100000'], { cwd: dir })
    for (const r of [await resume('budget.json', rest), await resume('parts.json', k), await resume('parts.json', rest - k)]) {
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).not.toContain('the horizon is step')
    }
    const whole = readJson(join(dir, 'budget.json'))
    expectSameRun(whole, readJson(join(dir, 'parts.json')))
    expect(whole.resume.knot).toEqual(knot)
    expect(whole.progress.step).toBe(H)
    const c = { lr_schedule: 'cosine', warmup: 30, lr_floor: 0.2 } as const
    const after = whole.progress.history.filter((h: any) => h.step > mid.progress.step)
    expect(after.length).toBeGreaterThan(0)
    for (const h of after) expect(h.lr).toBe(0.01 * lrFactor(h.step, H, c, knot))
    expect(after.at(-1).lr).toBeCloseTo(0.002, 12)
  })

  it('plateau halves the lr after two validations without improvement, and the checkpoint keeps the halved lr', async () => {
    const { dir, file } = tempWithText(6_000)
    // on 5,400 characters the validation loss of this model stalls within 100 steps
    const r = await runRnn(['train', file, ...SMALL, '--lr', '0.1', '--lr-schedule', 'plateau', '--warmup', '0', '--steps', '100', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const ck = readJson(join(dir, 'checkpoints/text-lstm.json'))
    let lr = 0.1, stalls = 0, best = Infinity
    for (const h of ck.progress.history) {
      if (h.val_loss < best) { best = h.val_loss; stalls = 0 } else if (++stalls % 2 === 0) lr = Math.max(lr / 2, 0.02)
      expect(h.lr).toBe(lr)
    }
    expect(ck.resume.lr).toBe(lr)
    expect(lr).toBeLessThan(0.1)
  })

  it('bad values are one line naming the flag', async () => {
    const { dir, file } = tempWithText(3_000)
    for (const [flag, value, says] of [
      ['--lr-schedule', 'step', 'expected one of constant, cosine, linear, plateau, got "step"'],
      ['--warmup', '-5', '--warmup'],
      ['--lr-floor', '1.5', '--lr-floor'],
    ]) {
      const r = await runRnn(['train', file, '--steps', '1', flag, value], { cwd: dir })
      expect(r.code, r.stderr).not.toBe(0)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain(says)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
