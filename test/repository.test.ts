/**
 * The repository stands on its own: no file names a folder of one particular machine, and the test suite
 * reads nothing outside the clone (data sets come from data/, golden cases from test/fixtures/).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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
