/**
 * Where ../shared is (the golden cases and the real data sets): $RNN_SHARED_DIR, else a `shared/` folder
 * beside the checkout or beside one of its parents. A folder
 * counts only if it holds golden/index.json. When none is found the path beside the checkout is returned,
 * and the tests that need it fail naming it: nothing is skipped.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

export function findShared(): string {
  if (process.env.RNN_SHARED_DIR) return resolve(process.env.RNN_SHARED_DIR)
  const candidates = [join(ROOT, '../shared'), join(ROOT, '../../shared'), join(ROOT, '../../../shared')]
  return candidates.find((d) => existsSync(join(d, 'golden/index.json'))) ?? candidates[0]
}
