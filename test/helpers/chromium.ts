/**
 * Headless Chromium (the Debian package, /usr/bin/chromium, or $CHROMIUM) for checking HTML reports in a
 * real browser: a screenshot, the DOM after parsing, and the console messages (CSP violations, errors),
 * which Chromium logs to stderr as `INFO:CONSOLE` lines. A missing browser throws: the tests that use it
 * fail rather than skip.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

export interface BrowserRun { stdout: string; console: string[]; code: number | null }

function chromium(args: string[], page: string): Promise<BrowserRun> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM}: not found; install it (apt-get install -y chromium) or set $CHROMIUM`)
  const profile = mkdtempSync(join(tmpdir(), 'rnn-chromium-'))
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0']
  return new Promise((done, fail) => {
    const child = spawn(CHROMIUM, [...flags, ...args, pathToFileURL(page).href], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      rmSync(profile, { recursive: true, force: true })
      done({ stdout, code, console: stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)) })
    })
  })
}

export function screenshot(page: string, png: string, size = '1200,2400'): Promise<BrowserRun> {
  return chromium([`--screenshot=${png}`, `--window-size=${size}`], page)
}

export function dumpDom(page: string): Promise<BrowserRun> {
  return chromium(['--dump-dom'], page)
}
