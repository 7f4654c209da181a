/**
 * The published package stands on its own: the files `npm pack` would publish (npm's own list, from the
 * working tree) are packed with a freshly built dist/, the tarball is installed into an empty folder with
 * npm, and the installed `rnn` trains, samples and evaluates there with nothing else present (no tsx, no
 * sources run, no dev dependency). The install must print no warning (e.g. install scripts of a dependency).
 * The build goes to a staging folder so dist/ of the checkout never changes under the other test files.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/cli.ts'

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const stage = mkdtempSync(join(tmpdir(), 'rnn-pack-'))
const user = mkdtempSync(join(tmpdir(), 'rnn-user-'))
let installLog = ''

function npm(args: string[], cwd: string): string {
  const r = spawnSync(NPM, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } })
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout + r.stderr
}

/** Runs the installed CLI the way a user would (npx in the folder they installed it into). */
function rnn(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', 'rnn', ...args], { cwd: user, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(() => {
  const listed = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT))[0].files as { path: string }[]
  for (const { path } of listed) {
    if (path.startsWith('dist/')) continue
    mkdirSync(dirname(join(stage, path)), { recursive: true })
    copyFileSync(join(ROOT, path), join(stage, path))
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-dist.mjs'), join(stage, 'dist')], { stdio: 'pipe' })
  npm(['pack', '--ignore-scripts', '--pack-destination', stage], stage)
  const tarball = readdirSync(stage).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack wrote no tarball in ${stage}`)
  installLog = npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(stage, tarball)], user)
}, 300_000)

describe('the packed tarball installed in an empty folder', () => {
  it('installs without a warning and without development dependencies', () => {
    expect(installLog).not.toMatch(/warn/i)
    const installed = readdirSync(join(user, 'node_modules'))
    for (const dev of ['tsx', 'typescript', 'vitest', 'assemblyscript', 'esbuild']) expect(installed).not.toContain(dev)
    const pkg = join(user, 'node_modules/rnn')
    expect(existsSync(join(pkg, 'dist/cli/main.js'))).toBe(true)
    expect(readdirSync(join(pkg, 'dist/engine/wasm')).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThan(0)
    expect(existsSync(join(pkg, 'python/rnn_torch.py'))).toBe(true)
  })

  it('writes an --engine torch run folder with the shipped script (--print-launch needs no torch here)', () => {
    const r = rnn(['train', '--engine', 'torch', '--nproc', '2', '--steps', '5', '--print-launch', '--out', 'torch.json', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const launch = JSON.parse(r.stdout)
    expect(launch.command[0]).toBe('torchrun')
    expect(readFileSync(join(launch.folder, 'rnn_torch.py'), 'utf8')).toBe(readFileSync(join(user, 'node_modules/rnn/python/rnn_torch.py'), 'utf8'))
  })

  it('prints its version', () => {
    const r = rnn(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
  })

  it('trains on the bundled text, then samples and evaluates the model', () => {
    const t = rnn(['train', '--steps', '50', '--hidden', '32', '--json'])
    expect(t.code, t.stderr).toBe(0)
    const summary = JSON.parse(t.stdout)
    expect(existsSync(resolve(user, summary.checkpoint))).toBe(true)
    const s = rnn(['sample', '--length', '80', '--seed', '1'])
    expect(s.code, s.stderr).toBe(0)
    expect([...s.stdout].length).toBeGreaterThanOrEqual(80)
    const e = rnn(['eval', '--json'])
    expect(e.code, e.stderr).toBe(0)
    expect(Number.isFinite(JSON.parse(e.stdout).loss)).toBe(true)
  })

  it('writes the explorer page from the prebuilt page script (no bundler installed)', () => {
    const r = rnn(['explore', '--out', 'explore.html'])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(join(user, 'explore.html'), 'utf8')
    for (const v of ['unroll', 'sharing', 'state', 'generate', 'vanishing', 'bptt']) expect(html).toContain(`<section data-view="${v}">`)
    expect(/<script type="module">([\s\S]*?)<\/script>/.exec(html)![1].length).toBeGreaterThan(20_000)
  })
})
