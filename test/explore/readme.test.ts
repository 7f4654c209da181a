/** The README's `rnn explore` flag table, the flag table in src/options/explore.ts and its schema agree. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { EXPLORE_FLAGS, ExploreOptions } from '../../src/options/explore.ts'
import { ROOT } from '../helpers/cli.ts'

it('README explore table = EXPLORE_FLAGS = ExploreOptions', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Seeing how it works: `rnn explore`'), readme.indexOf('### Shell completion'))
  const rows = [...section.matchAll(/^\| `(--[a-z-]+)(?: [^`]*)?` \| ([a-z_]+) \|/gm)].map((m) => `${m[1]} ${m[2]}`)
  expect(new Set(rows)).toEqual(new Set(EXPLORE_FLAGS.map((f) => `${f.flag} ${f.key}`)))
  expect(rows).toHaveLength(EXPLORE_FLAGS.length)
  expect(new Set(EXPLORE_FLAGS.map((f) => f.key))).toEqual(new Set(Object.keys(ExploreOptions.shape)))
})
