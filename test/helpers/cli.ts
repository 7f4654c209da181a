/** Spawning the real CLI (bin/rnn) in a temp folder, as a user would run it. */
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/rnn')
/** The real data sets bundled with the project (data/README.md credits them): the tests need nothing outside the clone. */
export const DATA = join(ROOT, 'data')

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runRnn(args: string[], opts: { cwd: string; env?: Record<string, string>; onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void }): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { const s = d.toString(); stderr += s; opts.onStderr?.(s, child) })
    child.on('error', fail)
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }))
  })
}

/** Copies the bundled monthly airline passengers into `dir` as air.csv and trains a forecaster of them with `flags`. */
export function trainAirline(dir: string, flags: string[]): Promise<RunResult> {
  copyFileSync(join(DATA, 'airline-passengers.csv'), join(dir, 'air.csv'))
  return runRnn(['train', 'air.csv', '--target', 'passengers', ...flags], { cwd: dir })
}

/** A fresh temp folder holding `text.txt`: a slice of the bundled Moby-Dick (real text). */
export function tempWithText(chars: number, offset = 0): { dir: string; file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-test-'))
  const text = [...readFileSync(join(ROOT, 'data/moby-dick.txt'), 'utf8')].slice(offset, offset + chars).join('')
  const file = join(dir, 'text.txt')
  writeFileSync(file, text)
  return { dir, file, text }
}

/** Entropy in nats/char of the character frequencies: what a model with no context can reach. */
export function unigramEntropy(text: string): number {
  const counts = new Map<string, number>()
  let n = 0
  for (const ch of text) { counts.set(ch, (counts.get(ch) ?? 0) + 1); n++ }
  let h = 0
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n)
  return h
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'))
}
