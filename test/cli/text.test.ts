/**
 * The main job end to end, through the real CLI on real text: train → sample → eval, resume equivalence,
 * Ctrl-C, and the errors a new user is most likely to hit.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, readJson, runRnn, tempWithText, unigramEntropy } from '../helpers/cli.ts'

const SMALL = ['--hidden', '48', '--seq-len', '32', '--batch', '16', '--lr', '0.01', '--val-frac', '0.1']

describe('rnn train / sample / eval on a slice of Moby-Dick', () => {
  const { dir, file, text } = tempWithText(40_000)
  let summary: any

  beforeAll(async () => {
    const r = await runRnn(['train', file, ...SMALL, '--steps', '300', '--eval-every', '100', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    summary = JSON.parse(r.stdout)
  })

  it('learns: validation loss falls well below the unigram entropy', () => {
    const h = unigramEntropy(text)
    expect(summary.steps).toBe(300)
    expect(summary.best_val_loss).toBeLessThan(h - 0.4)
    expect(summary.checkpoint).toBe(join(dir, 'checkpoints/text-lstm.json'))
    expect(existsSync(summary.checkpoint)).toBe(true)
    const ck = readJson(summary.checkpoint)
    expect(ck.kind).toBe('text')
    expect(Object.keys(ck.params)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'head.weight', 'head.bias'])
    expect(ck.params.weight_hh_l0.shape).toEqual([4 * 48, 48])
    expect(ck.progress.history.map((p: any) => p.step)).toEqual([100, 200, 300])
  })

  it('samples the requested number of characters, reproducibly per seed', async () => {
    const a = await runRnn(['sample', '--length', '150', '--seed', '3', '--temp', '0.8'], { cwd: dir })
    const b = await runRnn(['sample', '--length', '150', '--seed', '3', '--temp', '0.8'], { cwd: dir })
    const c = await runRnn(['sample', '--length', '150', '--seed', '4', '--temp', '0.8'], { cwd: dir })
    expect(a.code, a.stderr).toBe(0)
    expect(a.stderr).toContain('checkpoints/text-lstm.json')
    expect([...a.stdout.replace(/\n$/, '')].length).toBe(150)
    expect(b.stdout).toBe(a.stdout)
    expect(c.stdout).not.toBe(a.stdout)
  })

  it('echoes the prime and supports top-k, top-p and argmax', async () => {
    const r = await runRnn(['sample', '--prime', 'Call me ', '--length', '40', '--top-k', '5', '--top-p', '0.9'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.startsWith('Call me ')).toBe(true)
    const g1 = await runRnn(['sample', '--argmax', '--length', '30', '--seed', '1'], { cwd: dir })
    const g2 = await runRnn(['sample', '--argmax', '--length', '30', '--seed', '2'], { cwd: dir })
    expect(g1.stdout).toBe(g2.stdout)
  })

  it('eval on the validation split agrees with the training run', async () => {
    const r = await runRnn(['eval', '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const e = JSON.parse(r.stdout)
    expect(e.chars).toBe(Math.floor([...text].length * 0.1) - 1)
    expect(Math.abs(e.loss - summary.best_val_loss)).toBeLessThan(1e-4)
    expect(e.bits_per_char).toBeCloseTo(e.loss / Math.LN2, 10)
    expect(e.perplexity).toBeCloseTo(Math.exp(e.loss), 8)
    expect(e.unknown_chars).toBe(0)
  })

  it('eval counts characters outside the vocabulary instead of failing', async () => {
    const other = join(dir, 'other.txt')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(other, 'Call me Ishmael. 😀 Zwölf Boxkämpfer €')
    const r = await runRnn(['eval', join(dir, 'checkpoints/text-lstm.json'), other, '--json'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).unknown_chars).toBeGreaterThanOrEqual(3)
  })

  it('refuses a prime with unknown characters, naming them', async () => {
    const r = await runRnn(['sample', join(dir, 'checkpoints/text-lstm.json'), '--prime', 'a€b'], { cwd: dir })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim()).toMatch(/^rnn: --prime: characters not in the model's vocabulary: "€" \(U\+20AC\)$/)
  })
})

describe('rnn eval progress', () => {
  it('shows a bar on stderr for a long text on a TTY (script gives it one), and none when stderr is a pipe', async () => {
    const { dir } = tempWithText(120_000)
    const t = await runRnn(['train', 'text.txt', '--hidden', '8', '--seq-len', '16', '--batch', '4', '--steps', '2', '--out', 'c.json'], { cwd: dir })
    expect(t.code, t.stderr).toBe(0)
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${BIN} eval c.json text.txt`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(tty.status, tty.stdout).toBe(0)
    expect(tty.stdout).toMatch(/\d+% \| [\d,]+\/119999 characters \| ETA/)
    expect(tty.stdout).toMatch(/loss [\d.]+ nats\/char/)
    const piped = await runRnn(['eval', 'c.json', 'text.txt'], { cwd: dir })
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).not.toMatch(/characters \| ETA/)
    expect(piped.stderr.trim()).toBe('text.txt: 119,999 characters predicted')
  })
})

describe('Unicode normalisation', () => {
  it('a prime or an eval text typed in the other form (NFD é for NFC é) reads as the vocabulary\'s characters', async () => {
    const { dir, text } = tempWithText(4_000)
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'cafe.txt'), text + ' Un café, deux cafés, trois résumés.\n'.repeat(40).normalize('NFC'))
    const t = await runRnn(['train', 'cafe.txt', '--hidden', '8', '--seq-len', '16', '--batch', '4', '--steps', '2', '--out', 'c.json'], { cwd: dir })
    expect(t.code, t.stderr).toBe(0)
    const nfd = 'Un cafe\u0301'
    const s = await runRnn(['sample', 'c.json', '--prime', nfd, '--length', '5'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout.startsWith('Un caf\u00e9')).toBe(true)
    writeFileSync(join(dir, 'nfd.txt'), ' deux cafés, trois résumés.\n'.repeat(5).normalize('NFD'))
    const e = await runRnn(['eval', 'c.json', 'nfd.txt', '--json'], { cwd: dir })
    expect(e.code, e.stderr).toBe(0)
    expect(JSON.parse(e.stdout).unknown_chars).toBe(0)
  })
})

describe('resume', () => {
  it('N steps, save, resume for M steps equals N+M steps straight, bit for bit', async () => {
    const { dir, file } = tempWithText(20_000, 5_000)
    const args = [...SMALL, '--cell', 'gru', '--dropout', '0.1', '--layers', '2', '--eval-every', '25', '--lr-decay', '0.9']
    const straight = await runRnn(['train', file, ...args, '--steps', '70', '--out', 'straight.json'], { cwd: dir })
    expect(straight.code, straight.stderr).toBe(0)
    const first = await runRnn(['train', file, ...args, '--steps', '40', '--out', 'split.json'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    const second = await runRnn(['train', '--resume', 'split.json', '--steps', '30'], { cwd: dir })
    expect(second.code, second.stderr).toBe(0)
    const a = readJson(join(dir, 'straight.json')), b = readJson(join(dir, 'split.json'))
    expect(b.progress.step).toBe(70)
    const latest = (ck: any) => ck.resume.params ?? ck.params
    expect(latest(b)).toEqual(latest(a))
    expect(b.resume.optimizer).toEqual(a.resume.optimizer)
    expect(b.resume.rng).toEqual(a.resume.rng)
    expect(b.resume.state).toEqual(a.resume.state)
  })

  it('refuses to change the architecture of a resumed model', async () => {
    const { dir, file } = tempWithText(8_000)
    const r1 = await runRnn(['train', file, ...SMALL, '--steps', '5', '--out', 'a.json'], { cwd: dir })
    expect(r1.code, r1.stderr).toBe(0)
    const r2 = await runRnn(['train', '--resume', 'a.json', '--hidden', '64', '--steps', '5'], { cwd: dir })
    expect(r2.code).toBe(1)
    expect(r2.stderr.trim()).toBe('rnn: --hidden: cannot change hidden_size of a resumed model (checkpoint has 48, got 64)')
  })
})

describe('Ctrl-C', () => {
  it('saves a loadable checkpoint and exits 130', async () => {
    const { dir, file } = tempWithText(20_000)
    let sent = false
    const r = await runRnn(['train', file, ...SMALL, '--steps', '100000', '--eval-every', '10'], {
      cwd: dir,
      onStderr: (s, child) => { if (!sent && /step 10:/.test(s)) { sent = true; child.kill('SIGINT') } },
    })
    expect(r.code, r.stderr).toBe(130)
    expect(r.stdout).toContain('(interrupted)')
    const ck = readJson(join(dir, 'checkpoints/text-lstm.json'))
    expect(ck.progress.step).toBeGreaterThanOrEqual(10)
    const s = await runRnn(['sample', '--length', '20'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
  })
})

describe('bad input gets one line naming the problem', () => {
  const { dir, file } = tempWithText(5_000)
  const cases: [string, string[], RegExp][] = [
    ['an unknown config key', ['--config', 'bad.json'], /^rnn: bad\.json: unknown key "hiden_size" \(did you mean "hidden_size"\?\)$/],
    ['a wrong type in the config', ['--config', 'type.json'], /^rnn: type\.json: key "lr": .*number/],
    ['a zero size', ['--hidden', '0'], /^rnn: --hidden: must be > 0, got 0$/],
    ['an unknown cell', ['--cell', 'transformer'], /--cell.*expected one of rnn_tanh, rnn_relu, lstm, gru/],
    ['steps and epochs together', ['--steps', '3', '--epochs', '1'], /not both/],
    ['a missing file', ['nope.txt'], /^rnn: nope\.txt: no such file$/],
    ['a text shorter than one window', ['tiny.txt'], /^rnn: tiny\.txt: 30 characters is too short/],
  ]
  beforeAll(async () => {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'bad.json'), '{"hiden_size": 3}')
    writeFileSync(join(dir, 'type.json'), '{"lr": "0.1"}')
    writeFileSync(join(dir, 'tiny.txt'), 'a'.repeat(30))
  })
  for (const [what, args, re] of cases) {
    it(what, async () => {
      const r = await runRnn(['train', ...(args[0].endsWith('.txt') ? args : [file, ...args])], { cwd: dir })
      expect(r.code).not.toBe(0)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr.trim()).toMatch(re)
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
      expect(existsSync(join(dir, 'checkpoints/text-lstm.json'))).toBe(false)
    })
  }
})
