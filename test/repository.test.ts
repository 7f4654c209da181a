/**
 * The repository stands on its own: no file names a folder of one particular machine, and the test suite
 * reads nothing outside the clone (data sets come from data/, golden cases from test/fixtures/). And src/
 * keeps its layers: engine ← model ← tasks ← cli, data only read and encoded, each import checked; its
 * lines fit in 140 characters; the README's map of the code names only files that exist.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FORMAT } from '../src/model/checkpoint/format.ts'
import { ROOT } from './helpers/cli.ts'

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean)
const text = (f: string) => readFileSync(join(ROOT, f), 'utf8')
const CODE = /\.(ts|mts|mjs|js|py|sh|json)$|^bin\/|^\.ci\//

describe('the repository', () => {
  it('names no absolute folder of a machine in its code, tests or scripts', () => {
    const found = tracked.filter((f) => CODE.test(f) && !f.endsWith('package-lock.json'))
      .filter((f) => /(^|[\s'"`(=])\/(work|home|root|Users|mnt)\//.test(text(f)))
    expect(found).toEqual([])
  })

  it('has tests that read nothing beside or above the clone', () => {
    const found = tracked.filter((f) => f.startsWith('test/') && /\.(ts|py)$/.test(f) && f !== 'test/repository.test.ts')
      .filter((f) => /\.\.\/shared|RNN_SHARED_DIR/.test(text(f)))
    expect(found).toEqual([])
  })
})

/** Every file under src/ (the working tree's: new files count before they are committed). */
const SRC_FILES = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', 'src'], {
  cwd: ROOT, encoding: 'utf8',
}).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))

/** Every source file under src/. */
const SOURCES = SRC_FILES.filter((f) => /\.(ts|mts|mjs|js)$/.test(f))

/** Every text file under src/ (all but the .wasm binaries). */
const SRC_TEXT = SRC_FILES.filter((f) => !f.endsWith('.wasm'))

/** `file:line (length)` of every line longer than `max` characters (code points, as an editor counts them). */
function longLines(files: readonly (readonly [name: string, content: string])[], max = 140): string[] {
  return files.flatMap(([name, content]) => content.split('\n')
    .flatMap((line, i) => ([...line].length > max ? [`${name}:${i + 1} (${[...line].length})`] : [])))
}

/** The layer of a file: its folder under src/ ('' for the root files). */
const layerOf = (f: string) => (f.split('/').length > 2 ? f.split('/')[1] : '')

/** The src/ files a file imports (static and dynamic imports, re-exports), as repository paths. */
function importsOf(f: string): string[] {
  const specs = [...text(f).matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)].map((m) => m[2])
  return specs.map((spec) => posix.normalize(posix.join(dirname(f), spec)))
}

/** [from, to] for every import that crosses from one of `from`'s layers into one of `to`'s. */
function crossings(from: readonly string[], to: (layer: string) => boolean): string[] {
  return SOURCES.filter((f) => from.includes(layerOf(f)))
    .flatMap((f) => importsOf(f).filter((i) => i.startsWith('src/') && to(layerOf(i))).map((i) => `${f} -> ${i}`))
}

describe('the layers of src/', () => {
  it('finds the imports it checks (the parser is not blind)', () => {
    expect(SOURCES.length).toBeGreaterThan(100)
    expect(importsOf('src/tasks/train.ts')).toContain('src/model/checkpoint/file.ts')
    expect(crossings(['tasks'], (l) => l === 'model').length).toBeGreaterThan(0)
  })

  it('data/ only reads and encodes data: it imports no model, task, view or command', () => {
    expect(crossings(['data'], (l) => ['model', 'tasks', 'inspect', 'cli', 'report', 'explore'].includes(l))).toEqual([])
  })

  it('model/ imports no task, view or command', () => {
    expect(crossings(['model'], (l) => ['tasks', 'inspect', 'cli', 'report', 'explore'].includes(l))).toEqual([])
  })

  it('engine/ imports nothing outside engine/', () => {
    expect(crossings(['engine'], (l) => l !== 'engine')).toEqual([])
  })

  it('tasks/ imports nothing of the CLI', () => {
    expect(crossings(['tasks'], (l) => l === 'cli')).toEqual([])
  })

  it('the engine reads no environment variable (the CLI reads them once and calls setKernels/setThreads)', () => {
    expect(SOURCES.filter((f) => layerOf(f) === 'engine' && /process\.env/.test(text(f)))).toEqual([])
  })

  it('the checkpoint format is named in one file', () => {
    expect(FORMAT.length).toBeGreaterThan(3)
    expect(SRC_TEXT.filter((f) => text(f).includes(FORMAT))).toEqual(['src/model/checkpoint/format.ts'])
  })

  it('no line of src/ is over 140 characters', () => {
    expect(SRC_TEXT.length).toBeGreaterThan(SOURCES.length)
    expect(longLines([['a.ts', `ok\n${'x'.repeat(140)}\n${'é'.repeat(141)}`]])).toEqual(['a.ts:3 (141)'])
    expect(longLines(SRC_TEXT.map((f) => [f, text(f)] as const))).toEqual([])
  })

  it('src/ keeps at most 5 files at its root', () => {
    const root = SRC_FILES.filter((f) => /^src\/[^/]+$/.test(f))
    expect(root.length, root.join(', ')).toBeLessThanOrEqual(5)
  })
})

describe('the README\'s map of the code ("How the code is laid out")', () => {
  const readme = text('README.md')
  const start = readme.indexOf('\n## How the code is laid out\n')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  // every file or folder named: anything in backquotes with a slash or a source file's extension
  const named = [...section.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter((p) => /\/|\.(ts|mjs|wasm)$/.test(p))

  it('names only paths that exist', () => {
    expect(start).toBeGreaterThanOrEqual(0)
    expect(named.length).toBeGreaterThan(40)
    expect(named.filter((p) => !existsSync(join(ROOT, p)))).toEqual([])
  })

  it('names a file in every folder of src/', () => {
    const folders = new Set(SRC_TEXT.map(layerOf).filter((l) => l !== ''))
    expect(folders.size).toBeGreaterThan(8)
    expect([...folders].filter((l) => !named.some((p) => p.startsWith(`src/${l}/`)))).toEqual([])
  })
})
