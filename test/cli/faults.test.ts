/**
 * Faults lose nothing (issues 6 and 13): SIGINT and SIGTERM save and exit 130/143, SIGKILL at any moment
 * (saves included) leaves a loadable checkpoint, a non-finite loss stops before touching the last good
 * checkpoint and names it truthfully, a write that fails part-way (a file-size limit standing in for a full
 * disk) leaves the last checkpoint as it was, a new run keeps the checkpoint it replaces, two runs never
 * write one checkpoint at once, links and modes survive a save, a resumed run applies what it is given
 * and the same seed gives the same checkpoint.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, readJson, runRnn, tempWithText, type RunResult } from '../helpers/cli.ts'

const SMALL = ['--hidden', '32', '--seq-len', '32', '--batch', '8']

/** Starts training, sends `sig` once stderr shows the n-th validation line, and waits for the exit. */
async function interrupt(dir: string, file: string, sig: NodeJS.Signals, extra: string[] = [], afterEvals = 2) {
  let seen = 0, sent = false
  return runRnn(['train', file, ...SMALL, '--steps', '100000', '--eval-every', '5', ...extra], {
    cwd: dir,
    onStderr: (s, child) => {
      seen += (s.match(/^step \d+:/gm) ?? []).length
      if (!sent && seen >= afterEvals) { sent = true; child.kill(sig) }
    },
  })
}

describe('signals', () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} saves, exits ${code}, and --resume continues`, async () => {
      const { dir, file } = tempWithText(12_000)
      const r = await interrupt(dir, file, sig)
      expect(r.code, r.stderr).toBe(code)
      const ck = readJson(join(dir, 'checkpoints/text-lstm.json'))
      const step = ck.progress.step
      expect(step).toBeGreaterThanOrEqual(10)
      const again = await runRnn(['train', '--resume', 'checkpoints/text-lstm.json', '--steps', '5', '--json'], { cwd: dir })
      expect(again.code, again.stderr).toBe(0)
      expect(JSON.parse(again.stdout).steps).toBe(step + 5)
    })
  }

  it('SIGKILL at any moment, even mid-save, leaves the last checkpoint loadable', async () => {
    const { dir, file } = tempWithText(12_000)
    // a bigger model (a 4 MB checkpoint) saved after every step, so kills land during writes too
    const big = ['--hidden', '128', '--layers', '2', '--eval-every', '1']
    for (let round = 0; round < 4; round++) {
      let sent = false, evals = 0
      const resume = round === 0 ? [] : ['--resume', 'checkpoints/text-lstm.json']
      const r = await runRnn(['train', ...(round === 0 ? [file] : []), ...SMALL, ...big, '--steps', '100000', ...resume], {
        cwd: dir,
        onStderr: (s, child) => {
          // after three saves, kill at a moment that moves a little each round
          evals += (s.match(/^step \d+:/gm) ?? []).length
          if (!sent && evals >= 3) { sent = true; setTimeout(() => child.kill('SIGKILL'), 15 + 60 * round) }
        },
      })
      expect(r.signal).toBe('SIGKILL')
      // the killed run's lock stays behind; the next round takes it over as stale
      expect(existsSync(join(dir, 'checkpoints/text-lstm.json.lock'))).toBe(true)
      const ck = readJson(join(dir, 'checkpoints/text-lstm.json'))
      expect(ck.progress.step).toBeGreaterThanOrEqual(1)
      const s = await runRnn(['sample', '--length', '10'], { cwd: dir })
      expect(s.code, s.stderr).toBe(0)
    }
    // temp files of killed writers are cleaned up by the next save; at most the last one remains
    expect(readdirSync(join(dir, 'checkpoints')).filter((f) => f.includes('.tmp-')).length).toBeLessThanOrEqual(1)
  })
})

describe('a signal while a large corpus loads', () => {
  // 13 MB of real text takes a while to read and encode; the signal is sent when the CLI says it is reading.
  // On a loaded machine the signal can arrive after the load (the run then trains and saves, as it should):
  // that attempt missed the window, which the CLI's own lines show, and the test tries again.
  const { dir, text } = tempWithText(400_000)
  writeFileSync(join(dir, 'big.txt'), text.repeat(100))
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} stops it, exits ${code} and writes nothing (it used to train two steps and save)`, async () => {
      for (let attempt = 1; ; attempt++) {
        let sent = false
        const out = `${sig}-${attempt}.json`
        const r = await runRnn(['train', 'big.txt', ...SMALL, '--steps', '50', '--out', out], {
          cwd: dir,
          onStderr: (s, child) => { if (!sent && s.includes('reading big.txt')) { sent = true; child.kill(sig) } },
        })
        expect(sent, r.stderr).toBe(true)
        const stopping = r.stderr.indexOf(`${sig}: stopping`)
        expect(stopping, r.stderr).toBeGreaterThan(-1)
        // the corpus line comes once the load is done: before the signal's line, the signal came after it
        const loaded = r.stderr.search(/big\.txt: [\d,]+ chars/)
        if (loaded !== -1 && loaded < stopping && attempt < 5) continue
        expect(r.code, r.stderr).toBe(code)
        expect(r.stderr.trim().split('\n').at(-1)).toBe(`rnn: ${sig} before the first training step: stopped, nothing written`)
        expect(r.stdout).toBe('')
        expect(existsSync(join(dir, out))).toBe(false)
        return
      }
    })
  }
})

describe('a non-finite loss', () => {
  it('stops at that step, names it, and leaves the last good checkpoint as it was', async () => {
    const { dir, file } = tempWithText(8_000)
    const good = await runRnn(['train', file, ...SMALL, '--steps', '10'], { cwd: dir })
    expect(good.code, good.stderr).toBe(0)
    const before = readFileSync(join(dir, 'checkpoints/text-lstm.json'))
    const r = await runRnn(['train', file, ...SMALL, '--optimizer', 'sgd', '--lr', '1e38', '--clip', '0', '--steps', '50'], { cwd: dir })
    expect(r.code).not.toBe(0)
    // the checkpoint there is an earlier run's: it is not called this run's "last good model"
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rnn: step \d+: (loss|gradient norm) is (NaN|Infinity); training stopped, no checkpoint written \(\S*text-lstm\.json, from an earlier run, is unchanged\) \(try a lower --lr/)
    expect(readFileSync(join(dir, 'checkpoints/text-lstm.json')).equals(before)).toBe(true)
    expect(existsSync(join(dir, 'checkpoints/text-lstm.prev.json'))).toBe(false)
  })

  it('after --resume with a new --lr: the rate is applied, and the resumed checkpoint is named as unchanged', async () => {
    const { dir, file } = tempWithText(8_000)
    const good = await runRnn(['train', file, ...SMALL, '--optimizer', 'sgd', '--lr', '0.1', '--steps', '10', '--out', 'a.json'], { cwd: dir })
    expect(good.code, good.stderr).toBe(0)
    const before = readFileSync(join(dir, 'a.json'))
    const r = await runRnn(['train', '--resume', 'a.json', '--lr', '1e38', '--clip', '0', '--steps', '50'], { cwd: dir })
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rnn: step \d+: .*; training stopped, \S*a\.json is unchanged \(the resumed model, step 10\)/)
    expect(readFileSync(join(dir, 'a.json')).equals(before)).toBe(true)
  })

  it('--on-nan skip skips the batches that are not finite and trains on the others', async () => {
    // a ReLU model whose input weights for ";" are 3e38: a batch holding a ";" overflows to NaN, the others
    // train; this slice of the text has no ";" in its validation part
    const { dir, file } = tempWithText(8_000)
    const first = await runRnn(['train', file, ...SMALL, '--cell', 'relu', '--steps', '2', '--out', 'r.json'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    const ck = readJson(join(dir, 'r.json'))
    const w = ck.params.weight_ih_l0, id = ck.data.vocab.indexOf(';'), bytes = Buffer.from(w.data, 'base64')
    for (let r = 0; r < w.shape[0]; r++) bytes.writeFloatLE(3e38, 4 * (r * w.shape[1] + id))
    w.data = bytes.toString('base64')
    ck.resume.params = null
    writeFileSync(join(dir, 'poked.json'), JSON.stringify(ck))
    const r = await runRnn(['train', file, '--resume', 'poked.json', '--on-nan', 'skip', '--steps', '20', '--out', 'x.json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const skipped = (r.stderr.match(/^step \d+: loss is NaN; batch skipped \(--on-nan skip\)$/gm) ?? []).length
    expect(skipped).toBeGreaterThan(0)
    expect(skipped).toBeLessThan(20)
    expect(readJson(join(dir, 'x.json')).progress.step).toBe(22)
    const s = await runRnn(['sample', 'x.json', '--length', '20'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
  })

  it('--on-nan skip gives up after 10 batches in a row and writes nothing', async () => {
    const { dir, file } = tempWithText(8_000)
    const r = await runRnn(['train', file, ...SMALL, '--optimizer', 'sgd', '--lr', '1e38', '--clip', '0', '--steps', '40', '--on-nan', 'skip', '--out', 'x.json'], { cwd: dir })
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rnn: step \d+: loss is (NaN|Infinity), the 10th batch in a row skipped \(--on-nan skip\); training stopped, no checkpoint written/)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(existsSync(join(dir, 'x.json'))).toBe(false)
  })

  it('--on-nan skip never saves a model that evaluates to NaN or Infinity', async () => {
    const { dir, file } = tempWithText(8_000)
    const r = await runRnn(['train', file, ...SMALL, '--optimizer', 'sgd', '--lr', '1e38', '--lr-schedule', 'constant', '--warmup', '0', '--clip', '0', '--steps', '3', '--on-nan', 'skip', '--out', 'x.json'], { cwd: dir })
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rnn: step \d+: (validation loss is (NaN|Infinity)|a parameter is (NaN|-?Infinity) after the update); training stopped, no checkpoint written/)
    expect(existsSync(join(dir, 'x.json'))).toBe(false)
  })
})

describe('a write that fails for lack of space', () => {
  // A real full disk needs a filesystem to fill; a file-size limit (ulimit -f, with SIGXFSZ ignored so the
  // write fails with EFBIG instead of killing the process) makes the same write() fail part-way through.
  it('stops with one line naming the checkpoint; the previous checkpoint is byte-identical and no temp file is left', async () => {
    const { dir, file } = tempWithText(20_000)
    const first = await runRnn(['train', file, ...SMALL, '--steps', '3', '--eval-every', '3', '--out', 'a.json'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    const before = readFileSync(join(dir, 'a.json'))
    expect(before.length).toBeGreaterThan(16 * 1024)
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 16; exec "$0" "$@"`, process.execPath, BIN, 'train', file, '--resume', 'a.json', '--steps', '3', '--eval-every', '3', '--out', 'a.json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(r.status).toBe(1)
    const last = r.stderr.trim().split('\n').at(-1)!
    expect(last).toMatch(/^rnn: .*a\.json: cannot write checkpoint \(EFBIG\); larger than this process may write \(ulimit -f\); any previous checkpoint there is untouched$/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(readFileSync(join(dir, 'a.json')).equals(before)).toBe(true)
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([])
  })
})

describe('determinism', () => {
  it('same data, config and seed: the same checkpoint apart from timestamps, and the same samples', async () => {
    const { dir, file } = tempWithText(10_000)
    const args = [file, ...SMALL, '--cell', 'lstm', '--layers', '2', '--dropout', '0.2', '--steps', '30', '--eval-every', '10']
    const a = await runRnn(['train', ...args, '--out', 'a.json'], { cwd: dir })
    const b = await runRnn(['train', ...args, '--out', 'b.json'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    const strip = (ck: any) => {
      delete ck.created
      delete ck.progress.seconds
      for (const h of ck.progress.history) delete h.seconds
      delete ck.config.out
      return ck
    }
    expect(strip(readJson(join(dir, 'b.json')))).toEqual(strip(readJson(join(dir, 'a.json'))))
    const c = await runRnn(['train', ...args, '--seed', '2', '--out', 'c.json'], { cwd: dir })
    expect(readJson(join(dir, 'c.json')).params).not.toEqual(readJson(join(dir, 'a.json')).params)
    const sa = await runRnn(['sample', 'a.json', '--seed', '9', '--length', '80'], { cwd: dir })
    const sb = await runRnn(['sample', 'b.json', '--seed', '9', '--length', '80'], { cwd: dir })
    expect(sa.stdout).toBe(sb.stdout)
  })

  it('--threads 1 and --threads 2 train the same checkpoint and draw the same samples, bit for bit', async () => {
    // hidden 192, batch 32: the recurrent products (32 × 192 × 768) and the sampler's matrix-vector
    // products (768 × 192) are large enough to be split
    const { dir, file } = tempWithText(20_000)
    const args = [file, '--hidden', '192', '--batch', '32', '--seq-len', '16', '--steps', '4', '--eval-every', '2', '--seed', '4']
    const one = await runRnn(['--threads', '1', 'train', ...args, '--out', 'one.json'], { cwd: dir })
    const two = await runRnn(['--threads', '2', 'train', ...args, '--out', 'two.json'], { cwd: dir })
    expect(one.code, one.stderr).toBe(0)
    expect(two.code, two.stderr).toBe(0)
    expect(readJson(join(dir, 'two.json')).params).toEqual(readJson(join(dir, 'one.json')).params)
    const s1 = await runRnn(['--threads', '1', 'sample', 'one.json', '--seed', '3', '--length', '300'], { cwd: dir })
    const s2 = await runRnn(['--threads', '2', 'sample', 'one.json', '--seed', '3', '--length', '300'], { cwd: dir })
    expect(s1.code, s1.stderr).toBe(0)
    expect(s2.stdout).toBe(s1.stdout)
  })
})

describe('outputs', () => {
  it('a new run onto an existing checkpoint keeps it as <name>.prev.json; --force replaces a file that is not one', async () => {
    const { dir, file } = tempWithText(8_000)
    const first = await runRnn(['train', file, ...SMALL, '--steps', '6', '--eval-every', '3'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    const trained = readFileSync(join(dir, 'checkpoints/text-lstm.json'))
    const second = await runRnn(['train', file, ...SMALL, '--steps', '2', '--seed', '5'], { cwd: dir })
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/kept the previous \S*text-lstm\.json as \S*text-lstm\.prev\.json/)
    expect(readFileSync(join(dir, 'checkpoints/text-lstm.prev.json')).equals(trained)).toBe(true)
    expect(readJson(join(dir, 'checkpoints/text-lstm.json')).progress.step).toBe(2)
    // an unrelated file is replaced only when asked, and is not kept
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n')
    const forced = await runRnn(['train', file, ...SMALL, '--steps', '2', '--out', 'notes.txt', '--force'], { cwd: dir })
    expect(forced.code, forced.stderr).toBe(0)
    expect(readJson(join(dir, 'notes.txt')).format).toBe('rnn-checkpoint')
    expect(readdirSync(dir).filter((f) => f.startsWith('notes.'))).toEqual(['notes.txt'])
  })

  it('a save goes through a symbolic link to its target and keeps the file\'s mode', async () => {
    const { dir, file } = tempWithText(8_000)
    mkdirSync(join(dir, 'real'))
    const a = await runRnn(['train', file, ...SMALL, '--steps', '2', '--out', 'real/ck.json'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    chmodSync(join(dir, 'real/ck.json'), 0o600)
    symlinkSync('real/ck.json', join(dir, 'link.json'))
    const b = await runRnn(['train', '--resume', 'link.json', '--out', 'link.json', '--steps', '2'], { cwd: dir })
    expect(b.code, b.stderr).toBe(0)
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true)
    expect(statSync(join(dir, 'real/ck.json')).mode & 0o777).toBe(0o600)
    expect(readJson(join(dir, 'real/ck.json')).progress.step).toBe(4)
    // the export of it too
    chmodSync(join(dir, 'real/ck.json'), 0o640)
    symlinkSync('real/ck.safetensors', join(dir, 'link.safetensors'))
    const e = await runRnn(['export', 'link.json', '--out', 'link.safetensors'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    expect(lstatSync(join(dir, 'link.safetensors')).isSymbolicLink()).toBe(true)
    expect(statSync(join(dir, 'real/ck.safetensors')).isFile()).toBe(true)
  })

  it('a second writer of the same checkpoint fails at start with one line; the lock goes with the first', async () => {
    const { dir, file } = tempWithText(12_000)
    let second: Promise<RunResult> | null = null, lockedWhileRunning = false
    const first = await runRnn(['train', file, ...SMALL, '--steps', '100000', '--eval-every', '5', '--out', 'same.json'], {
      cwd: dir,
      onStderr: (s, child) => {
        if (second !== null || !/^step \d+:/m.test(s)) return
        lockedWhileRunning = existsSync(join(dir, 'same.json.lock'))
        second = runRnn(['train', file, ...SMALL, '--steps', '3', '--out', 'same.json'], { cwd: dir })
        void second.then(() => child.kill('SIGTERM'))
      },
    })
    expect(second).not.toBeNull()
    expect(lockedWhileRunning).toBe(true)
    const r = await second!
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(new RegExp(`^rnn: same\\.json: an rnn run \\(pid \\d+\\) is writing it; wait for it to end or choose another --out`))
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(first.code, first.stderr).toBe(143)
    expect(existsSync(join(dir, 'same.json.lock'))).toBe(false)
    // the checkpoint is the first run's alone, and a stale lock (its owner is gone) does not block the next
    expect(readJson(join(dir, 'same.json')).progress.step).toBeGreaterThanOrEqual(5)
    const gone = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(join(dir, 'same.json.lock'), JSON.stringify({ pid: gone, start: '1' }))
    const third = await runRnn(['train', '--resume', 'same.json', '--steps', '2'], { cwd: dir })
    expect(third.code, third.stderr).toBe(0)
    expect(existsSync(join(dir, 'same.json.lock'))).toBe(false)
  })
})

describe('resuming with changes', () => {
  it('--allow-changes resumes with another --batch (an internal error before): warned, recorded, best loss reset, previous kept', async () => {
    const { dir, file } = tempWithText(12_000)
    const a = await runRnn(['train', file, '--hidden', '32', '--seq-len', '32', '--batch', '16', '--steps', '6', '--eval-every', '3', '--out', 'a.json'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    const before = readFileSync(join(dir, 'a.json'))
    const r = await runRnn(['train', '--resume', 'a.json', '--batch', '8', '--allow-changes', '--steps', '3', '--eval-every', '3'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/--allow-changes: --batch 16 → 8; the run is no longer a bit-exact continuation: .*best validation loss is reset \(was [\d.]+ at step 6\)/)
    const ck = readJson(join(dir, 'a.json'))
    expect(ck.config.batch_size).toBe(8)
    expect(ck.resume.state.h.shape).toEqual([1, 8, 32])
    expect(ck.progress.changes).toEqual([{ step: 6, key: 'batch_size', from: 16, to: 8 }])
    expect(ck.progress.best_step).toBe(9)
    expect(readFileSync(join(dir, 'a.prev.json')).equals(before)).toBe(true)
  })

  it('--lr given on resume is applied from that step on and recorded', async () => {
    const { dir, file } = tempWithText(12_000)
    const constant = ['--lr', '0.002', '--lr-schedule', 'constant', '--warmup', '0']
    const a = await runRnn(['train', file, ...SMALL, ...constant, '--steps', '4', '--eval-every', '2', '--out', 'b.json'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    expect(readJson(join(dir, 'b.json')).resume.fingerprint.train.size).toBe(10_800)
    const r = await runRnn(['train', '--resume', 'b.json', '--lr', '0.01', '--steps', '2', '--eval-every', '2'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/from step 4 on: --lr 0\.002 → 0\.01/)
    const ck = readJson(join(dir, 'b.json'))
    expect(ck.resume.lr).toBe(0.01)
    expect(ck.progress.history.at(-1)).toMatchObject({ step: 6, lr: 0.01 })
    expect(ck.progress.changes).toEqual([{ step: 4, key: 'lr', from: 0.002, to: 0.01 }])
    expect(existsSync(join(dir, 'b.prev.json'))).toBe(false)
  })
})
