/**
 * The README's training flag table, the option table in src/cli/flags.ts and the config schema name the
 * same keys and flags, so none of them can drift from the others.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { TrainConfig } from '../../src/config.ts'
import { TRAIN_FLAGS } from '../../src/cli/flags.ts'
import { ROOT } from '../helpers/cli.ts'

it('README flag table = flags.ts = config schema', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const rows = [...readme.matchAll(/^\| `(--[a-z-]+)[^`]*` \| `([a-z_]+)` \|/gm)].map((m) => [m[1], m[2]])
  expect(rows.length).toBeGreaterThan(10)
  const table = TRAIN_FLAGS.map((r) => [r.flag, r.key])
  expect(new Set(rows.map((r) => r.join(' ')))).toEqual(new Set(table.map((r) => r.join(' '))))
  expect(new Set(TRAIN_FLAGS.map((r) => r.key))).toEqual(new Set(Object.keys(TrainConfig.shape)))
})
