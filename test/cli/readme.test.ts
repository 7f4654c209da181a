/**
 * The README's flag tables, the flag tables in src/options/ and the schemas name the same keys and flags,
 * and every option of every command is documented, so none of them can drift from the others.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import type { Command } from 'commander'
import type { FlagRow } from '../../src/options/parse.ts'
import { IMPORT_FLAGS, ImportOptions } from '../../src/options/import.ts'
import { INSPECT_GRADIENTS_FLAGS, InspectGradientsOptions } from '../../src/options/inspect-gradients.ts'
import { SAMPLE_FLAGS, SampleOptions } from '../../src/options/sample.ts'
import { TRAIN_FLAGS, TrainConfig } from '../../src/options/train.ts'
import { TRAIN_RUN_FLAGS, TrainRunOptions } from '../../src/options/train-run.ts'
import { ROOT } from '../helpers/cli.ts'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

it('README flag table = flags.ts = config schema', () => {
  const rows = [...readme.matchAll(/^\| `(--[a-z-]+)[^`]*` \| `([a-z_]+)` \|/gm)].map((m) => [m[1], m[2]])
  expect(rows.length).toBeGreaterThan(10)
  const table = TRAIN_FLAGS.map((r) => [r.flag, r.key])
  expect(new Set(rows.map((r) => r.join(' ')))).toEqual(new Set(table.map((r) => r.join(' '))))
  expect(new Set(TRAIN_FLAGS.map((r) => r.key))).toEqual(new Set(Object.keys(TrainConfig.shape)))
})

it('the README\'s two tables of `rnn train` list exactly the command\'s options', async () => {
  const section = readme.slice(readme.indexOf('### `rnn train [file]`'), readme.indexOf('### `rnn sample'))
  const documented = new Set([...section.matchAll(/^\| `(--[a-z-]+)[^`]*` \|/gm)].map((m) => m[1]))
  const { command } = await import('../../src/cli/commands/train.ts')
  expect(documented).toEqual(new Set(longFlags(command())))
})

it('every option of every command is in the README', async () => {
  const modules = await Promise.all([
    import('../../src/cli/commands/train.ts'), import('../../src/cli/commands/sample.ts'), import('../../src/cli/commands/eval.ts'),
    import('../../src/cli/commands/describe.ts'), import('../../src/cli/commands/inspect-gradients.ts'), import('../../src/cli/commands/inspect-state.ts'),
    import('../../src/cli/commands/export.ts'), import('../../src/cli/commands/import.ts'), import('../../src/cli/commands/report.ts'), import('../../src/cli/commands/completion.ts'),
    import('../../src/cli/commands/classify.ts'), import('../../src/cli/commands/import-run.ts'),
  ])
  const missing = modules.flatMap((m) => {
    const cmd = m.command()
    return longFlags(cmd).filter((f) => !new RegExp(`(^|[^a-z-])${f}([^a-z-]|$)`, 'm').test(readme)).map((f) => `${cmd.name()} ${f}`)
  })
  expect(missing).toEqual([])
})

/** The flags named in the first column of the tables of the README's section that starts with `heading`. */
function tableFlags(heading: string): string[] {
  const start = readme.indexOf(heading)
  expect(start, heading).toBeGreaterThanOrEqual(0)
  const end = readme.indexOf('\n### ', start + heading.length)
  const rows = [...readme.slice(start, end).matchAll(/^\| (`--[^|]*)\|/gm)].map((m) => m[1])
  return rows.flatMap((cell) => [...cell.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]))
}

it('each command\'s README table lists exactly its flag table, whose keys are its schema\'s', () => {
  const tables: [string, FlagRow[], { shape: object }][] = [
    ['### `rnn sample', SAMPLE_FLAGS, SampleOptions],
    ['### Looking inside: `rnn inspect-gradients`', INSPECT_GRADIENTS_FLAGS, InspectGradientsOptions],
    ['### Weights to and from PyTorch', IMPORT_FLAGS, ImportOptions],
  ]
  for (const [heading, rows, schema] of tables) {
    const documented = tableFlags(heading)
    expect(documented.length, heading).toBe(new Set(documented).size)
    expect(new Set(documented), heading).toEqual(new Set(rows.map((r) => r.flag)))
    expect(new Set(rows.map((r) => r.key)), heading).toEqual(new Set(Object.keys(schema.shape)))
  }
  // rnn train: the settings' table and the table of the options that are not settings
  expect(new Set(tableFlags('### `rnn train'))).toEqual(new Set([...TRAIN_FLAGS, ...TRAIN_RUN_FLAGS].map((r) => r.flag)))
  expect(new Set(TRAIN_RUN_FLAGS.map((r) => r.key))).toEqual(new Set(Object.keys(TrainRunOptions.shape)))
})

function longFlags(cmd: Command): string[] {
  return cmd.options.map((o) => o.long).filter((f): f is string => f !== undefined)
}
