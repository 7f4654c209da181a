/**
 * rnn train --ensemble n through the spawned CLI on the bundled airline passengers: the members are the
 * runs the same flags give with seeds seed..seed+n-1, the ensemble forecasts their median, and an ensemble
 * is refused where it cannot apply.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runRnn, trainAirline } from '../helpers/cli.ts'

const FLAGS = ['--hidden', '8', '--steps', '40', '--eval-every', '20', '--transform', 'log-seasonal-difference']
const dir = mkdtempSync(join(tmpdir(), 'rnn-ensemble-'))
const forecastOf = async (ck: string): Promise<number[]> => {
  const r = await runRnn(['sample', ck, '--horizon', '6', '--level', 'none', '--json'], { cwd: dir })
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout).forecast.map((row: Record<string, number>) => row.passengers)
}

describe('--ensemble', () => {
  beforeAll(async () => {
    for (const [out, more] of [['ens.json', ['--ensemble', '3']], ['s1.json', ['--seed', '1']], ['s2.json', ['--seed', '2']], ['s3.json', ['--seed', '3']],
      ['one.json', ['--ensemble', '1']]] as const) {
      const r = await trainAirline(dir, [...FLAGS, ...more, '--out', out])
      expect(r.code, r.stderr).toBe(0)
    }
  }, 300_000)

  it('holds the other members\' parameters, which are the single runs of seeds 2 and 3, and leaves no member files', () => {
    const ens = JSON.parse(readFileSync(join(dir, 'ens.json'), 'utf8'))
    const single = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).params
    expect(ens.params).toEqual(single('s1.json'))
    expect(ens.members).toEqual([single('s2.json'), single('s3.json')])
    expect(ens.config.ensemble).toBe(3)
    expect(readdirSync(dir).filter((f) => f.includes('member'))).toEqual([])
  })

  it('forecasts the median of its members\' forecasts', async () => {
    const [e, a, b, c] = await Promise.all(['ens.json', 's1.json', 's2.json', 's3.json'].map(forecastOf))
    const median = a.map((_, i) => [a[i], b[i], c[i]].sort((x, y) => x - y)[1])
    expect(e).toEqual(median)
    // the members disagree, so the median is not simply the first member's forecast
    expect(e).not.toEqual(a)
  })

  it('an ensemble of 1 is the single model, bit for bit', () => {
    const one = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8'))
    expect(one.params).toEqual(JSON.parse(readFileSync(join(dir, 's1.json'), 'utf8')).params)
    expect(one.members).toBeUndefined()
  })

  it('eval scores the ensemble: its one-step MAE is that of the median forecast, not the first member\'s', async () => {
    const mae = async (ck: string) => {
      const r = await runRnn(['eval', ck, '--json'], { cwd: dir })
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(r.stdout).one_step.model.mae as number
    }
    const [e, a] = await Promise.all([mae('ens.json'), mae('s1.json')])
    expect(Number.isFinite(e)).toBe(true)
    expect(e).not.toBe(a)
  })

  it('is refused in one line where it cannot apply: resuming an ensemble, a text model', async () => {
    const resumed = await runRnn(['train', '--resume', 'ens.json', '--steps', '10'], { cwd: dir })
    expect(resumed.code).toBe(1)
    expect(resumed.stderr.trim()).toMatch(/^rnn: --resume: the checkpoint is an ensemble of 3 forecasters, which cannot be resumed/)
    expect(resumed.stderr.trim().split('\n')).toHaveLength(1)
    const text = await runRnn(['train', '--ensemble', '2', '--steps', '5', '--out', 'text.json'], { cwd: dir })
    expect(text.code).toBe(1)
    expect(text.stderr.trim()).toMatch(/^rnn: --ensemble: trains several forecasters of a CSV column/)
    expect(existsSync(join(dir, 'text.json'))).toBe(false)
  })
})
