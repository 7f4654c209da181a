/**
 * --transform auto: one run per candidate transform, the lowest one-step MAE on the validation rows kept.
 * Through the spawned CLI on the bundled airline passengers, against the same runs made one by one.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { candidates, validationMae } from '../../src/tasks/auto-transform.ts'
import { loadCheckpoint } from '../../src/model/checkpoint/file.ts'
import type { Checkpoint, SeriesMeta } from '../../src/model/checkpoint/schema.ts'
import { runRnn, trainAirline } from '../helpers/cli.ts'

it('candidates: seasonal ones only with a season, log ones and es only for a positive target', () => {
  expect(candidates(true, 12)).toEqual(['difference', 'seasonal-difference', 'log-difference', 'log-seasonal-difference', 'es'])
  expect(candidates(false, 12)).toEqual(['difference', 'seasonal-difference'])
  expect(candidates(true, 1)).toEqual(['difference', 'log-difference'])
})

it('keeps the run with the lowest validation MAE, which is the run that transform gives alone; nothing else is left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-auto-'))
  const flags = ['--hidden', '8', '--steps', '40', '--eval-every', '20']
  const auto = await trainAirline(dir, [...flags, '--transform', 'auto', '--out', 'auto.json'])
  expect(auto.code, auto.stderr).toBe(0)
  const said = new Map([...auto.stderr.matchAll(/--transform auto: ([a-z-]+): validation MAE ([\d.]+)/g)].map((m) => [m[1], Number(m[2])]))
  expect([...said.keys()]).toEqual(candidates(true, 12))
  const maes = new Map<string, number>()
  for (const t of said.keys()) {
    const r = await trainAirline(dir, [...flags, '--transform', t, '--out', `${t}.json`])
    expect(r.code, r.stderr).toBe(0)
    const mae = validationMae(loadCheckpoint(join(dir, `${t}.json`)) as Checkpoint & { data: SeriesMeta }, join(dir, 'air.csv'))
    expect(mae).toBeCloseTo(said.get(t)!, 2)
    maes.set(t, mae)
  }
  const best = [...maes].reduce((a, b) => (b[1] < a[1] ? b : a))[0]
  const kept = JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8'))
  expect(kept.data.transform).toBe(best)
  expect(kept.config.transform).toBe(best)
  expect(kept.params).toEqual(JSON.parse(readFileSync(join(dir, `${best}.json`), 'utf8')).params)
  expect(auto.stderr).toContain(`chose ${best}`)
  expect(readdirSync(dir).filter((f) => f.startsWith('auto.json.'))).toEqual([])
  const resumed = await runRnn(['train', '--resume', 'auto.json', '--transform', 'auto', '--steps', '5'], { cwd: dir })
  expect(resumed.code).toBe(1)
  expect(resumed.stderr.trim().split('\n')).toHaveLength(1)
}, 300_000)
