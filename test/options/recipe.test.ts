/**
 * The training recipe (src/options/recipe.ts): the size rule picks the rows BENCHMARKS.md documents for
 * given budgets and corpus sizes, flags and --config keys win, and a resumed run, a CSV or a classifier is
 * left alone; through the real CLI (--print-config) with the explanation on stderr.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyRecipe, budgetEvalEvery, RECIPE_ROWS, recipeRow } from '../../src/options/recipe.ts'
import { resolveTrainConfig } from '../../src/options/train.ts'
import { runRnn, tempWithText } from '../helpers/cli.ts'

const MB = 1_003_855 // tiny Shakespeare's training split

describe('recipeRow', () => {
  it('picks the row of the budget on a 1 MB corpus: 1 × 128 under 4 minutes, 1 × 256 under 10, 2 × 192 with dropout after', () => {
    const size = (s: number) => { const { row } = recipeRow(s, MB); return [row.num_layers, row.hidden_size, row.dropout, row.lr] }
    expect(size(60)).toEqual([1, 128, 0, 0.02])
    expect(size(239)).toEqual([1, 128, 0, 0.02])
    expect(size(240)).toEqual([1, 256, 0, 0.02])
    expect(size(900)).toEqual([2, 192, 0.15, 0.007])
    expect(size(3600)).toEqual([2, 192, 0.15, 0.007])
  })

  it('steps down to the largest smaller row a text too small for the budget\'s row is big enough for', () => {
    expect(recipeRow(900, 300_000).row).toBe(RECIPE_ROWS[2])
    expect(recipeRow(900, 299_999).row).toBe(RECIPE_ROWS[1])
    expect(recipeRow(300, 199_999).row).toBe(RECIPE_ROWS[0])
    const tiny = recipeRow(900, 100_000)
    expect(tiny.row).toBe(RECIPE_ROWS[0])
    expect(tiny.smaller).toBe(RECIPE_ROWS[2])
    expect(tiny.passes).toBeCloseTo((RECIPE_ROWS[0].chars_per_s * 900) / 100_000, 9)
  })
})

describe('budgetEvalEvery', () => {
  it('validates so that validations take about 3% of a budgeted run, in hundreds from 100 to 1,000 steps', () => {
    // tiny Shakespeare's 111,539 validation characters: 0.5 · 111,539 / 3,200 / 0.03 = 580.9 steps, 907.7 at 32 × 64
    expect(budgetEvalEvery(111_539, 32, 100)).toBe(500)
    expect(budgetEvalEvery(111_539, 32, 64)).toBe(900)
    expect(budgetEvalEvery(10_122, 32, 64)).toBe(100)        // 82: a small text still validates every 100 steps
    expect(budgetEvalEvery(10_000_000, 32, 100)).toBe(1000)  // a large one at least every 1,000
  })
})

describe('applyRecipe', () => {
  const config = (flags: Record<string, unknown>) => resolveTrainConfig({ flags })
  it('fills only the keys not given; a run with a length gets the schedule and the lr, not a size', () => {
    const given = { max_seconds: 900, hidden_size: 64 }
    const r = applyRecipe(config(given), given, { corpusBytes: 1_115_394, resumed: false })
    expect(r.config).toMatchObject({
      hidden_size: 64, num_layers: 2, dropout: 0.15, seq_len: 100, lr: 0.007, lr_schedule: 'cosine', eval_every: 500,
    })
    expect(r.sized).toBe(true)
    expect(r.why).toContain('as given: --hidden')
    const plain = applyRecipe(config({ steps: 300 }), { steps: 300 }, { corpusBytes: 1_115_394, resumed: false })
    expect(plain.config).toMatchObject({ hidden_size: null, num_layers: 1, lr: 0.02, lr_schedule: 'cosine', warmup: 100, eval_every: 100 })
    // --eval-every given: kept, and named
    const every = applyRecipe(config({ max_seconds: 900, eval_every: 50 }), { max_seconds: 900, eval_every: 50 },
      { corpusBytes: 1_115_394, resumed: false })
    expect(every.config.eval_every).toBe(50)
    expect(every.why).toContain('as given: --eval-every')
    expect(plain.sized).toBe(false)
  })

  it('leaves a resumed run, a CSV, a classifier and a word model as configured', () => {
    for (const [flags, resumed] of [[{ max_seconds: 900 }, true], [{ max_seconds: 900, target: 'y' }, false],
      [{ max_seconds: 900, label: 'l', text: 't' }, false], [{ max_seconds: 900, tokens: 'word' }, false]] as const) {
      const c = config(flags)
      const r = applyRecipe(c, flags, { corpusBytes: 1_115_394, resumed })
      expect(r.config).toEqual(c)
      expect(r.why).toBeNull()
    }
  })
})

describe('rnn train --max-seconds with no model flags', () => {
  const { dir, file } = tempWithText(100_000)

  it('says on stderr what it chose and why, and --print-config shows it', async () => {
    const r = await runRnn(['train', file, '--max-seconds', '120', '--print-config'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ hidden_size: 128, num_layers: 1, batch_size: 32, seq_len: 64, lr: 0.02, max_seconds: 120 })
    // the file's bytes stand in for its characters: 90% of 101,216 bytes
    expect(r.stderr.trim()).toBe('recipe: --lr-schedule cosine --warmup 100 --lr-floor 0.1 --hidden 128 --layers 1 --dropout 0 '
      + '--batch 32 --seq-len 64 --lr 0.02 --eval-every 100 (--max-seconds 120 on 91,094 training characters: the row of budgets under 240 s, '
      + 'about 98.8 passes; BENCHMARKS.md, "Training recipe")')
  })

  it('flags and the --config file win over the rule, and are named', async () => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ batch_size: 16 }))
    const r = await runRnn(['train', file, '--max-seconds', '900', '--lr', '0.02', '--layers', '3', '--config', 'c.json', '--print-config'],
      { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    // 91,094 training characters: too few for the larger rows, so the smallest
    expect(JSON.parse(r.stdout)).toMatchObject({ hidden_size: 128, num_layers: 3, batch_size: 16, lr: 0.02 })
    expect(r.stderr).toContain('the budget\'s own row needs 300,000 or more')
    expect(r.stderr).toContain('as given: --batch, --layers, --lr')
  })

  it('a plain run prints no recipe line, and gets the default recipe\'s schedule and lr', async () => {
    const r = await runRnn(['train', file, '--print-config'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ hidden_size: null, lr: 0.02, lr_schedule: 'cosine', warmup: 100, lr_floor: 0.1 })
  })
})
