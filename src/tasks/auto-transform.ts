/**
 * `--transform auto`: which encoding of a series learns best is a property of the series (a trend, a
 * repeating season, a swing growing with the level), so it is measured rather than guessed: one ordinary
 * run per candidate transform, each into a file of its own beside the output, scored by the one-step MAE
 * of its best model on the validation rows in the target's own units (the validation losses on the
 * normalised scales of different transforms cannot be compared), and the winner becomes the output.
 * The test rows are never looked at.
 */
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { readSeries } from '../data/csv.ts'
import { detectSeason } from '../data/season.ts'
import type { Transform } from '../data/codec.ts'
import { claimOutput, keepPrevious } from '../files/output-file.ts'
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint/file.ts'
import { CHECKPOINT_FILE } from '../model/checkpoint/format.ts'
import { modelFromCheckpoint } from '../model/checkpoint/load.ts'
import type { Checkpoint, SeriesMeta } from '../model/checkpoint/schema.ts'
import { codecOf, forecasterOf, readForModel } from './forecast.ts'
import { rollingForecast } from './rolling-forecast.ts'
import type { TrainOptions, TrainResult } from './train.ts'

export interface Candidate { transform: Transform; val_mae: number }

/**
 * The transforms worth trying on a target: the seasonal ones when there is a season, the log ones (and es, a
 * level times a seasonal index) when it is positive.
 */
export function candidates(positive: boolean, season: number): Transform[] {
  const plain: Transform[] = season > 1 ? ['difference', 'seasonal-difference'] : ['difference']
  if (!positive) return plain
  return [...plain, ...plain.map((t) => `log-${t}` as Transform), ...(season > 1 ? ['es' as const] : [])]
}

/** `train` is the run of one transform (train.ts's train: an ensemble too); `given` the output as named. */
export async function trainAutoTransform(
  opts: TrainOptions, train: (o: TrainOptions) => Promise<TrainResult>, given: string,
): Promise<TrainResult> {
  const cfg = opts.config
  if (cfg.target === null) throw new UserError('--transform auto: chooses how a CSV column is encoded; give --target')
  if (opts.from !== undefined) {
    throw new UserError('--transform auto: a resumed model keeps its transform; give the checkpoint\'s (rnn describe shows it)')
  }
  const out = resolve(given)
  const inputs = [{ path: opts.corpus, what: 'the training data' }, ...(opts.inputs ?? [])]
  // the file is read (and a bad one refused) before the output is claimed: nothing is made for a file that fails
  const csv = readSeries(opts.corpus, {
    target: cfg.target, features: cfg.features, delimiter: cfg.delimiter, header: cfg.header, fill: cfg.fill,
    decimal: cfg.decimal, thousands: cfg.thousands,
  })
  const positive = csv.values.every((r) => r[0] > 0)
  // the season as training will find it (on the rows before the default test rows): the seasonal transforms need one
  const tried = candidates(positive, cfg.season ?? detectSeason(csv, Math.floor(csv.rows * 0.8)).season)
  const claim = claimOutput(given, { kind: CHECKPOINT_FILE, flag: '--out', inputs, force: opts.force })
  const fileOf = (t: Transform) => `${claim.target}.${t}.json`
  const scored: (Candidate & { result: TrainResult })[] = []
  try {
    for (const transform of tried) {
      if (opts.signal?.aborted && scored.length > 0) break
      // no line before a run: bad data is then one line, the first run's error (each run's start names its file)
      rmSync(fileOf(transform), { force: true })
      let result: TrainResult
      try {
        result = await train({ ...opts, config: { ...cfg, transform, out: fileOf(transform) }, force: true })
      } catch (e) {
        // a transform this series cannot take (too few rows for a season's lag) is skipped, not fatal
        if (e instanceof UserError && (transform.includes('seasonal') || transform === 'es') && /too few/.test(e.message)) continue
        throw e
      }
      const val_mae = validationMae(loadCheckpoint(fileOf(transform)) as Checkpoint & { data: SeriesMeta }, opts.corpus)
      scored.push({ transform, val_mae, result })
      opts.events?.note?.(`--transform auto: ${transform}: validation MAE ${val_mae.toPrecision(4)}`)
      if (result.stopped === 'interrupted') break
    }
    if (scored.length === 0) throw new UserError('--transform auto: no transform could be trained on this series')
    const best = scored.reduce((a, b) => (b.val_mae < a.val_mae ? b : a))
    opts.events?.note?.(`--transform auto: chose ${best.transform} (lowest validation MAE of ${scored.map((s) => s.transform).join(', ')})`)
    if (claim.existing === 'same-kind') opts.events?.kept?.({ path: out, previous: keepPrevious(claim.target, CHECKPOINT_FILE) })
    const ck = loadCheckpoint(fileOf(best.transform))
    saveCheckpoint(out, { ...ck, config: { ...ck.config, out: cfg.out } })
    opts.events?.saved?.(out)
    return { ...best.result, checkpoint: out, seconds: scored.reduce((s, c) => s + c.result.seconds, 0) }
  } finally {
    for (const t of tried) rmSync(fileOf(t), { force: true })
    claim.release()
  }
}

/** Mean absolute one-step error of the target over the validation rows, in its own units. */
export function validationMae(ck: Checkpoint & { data: SeriesMeta }, path: string): number {
  const { model } = modelFromCheckpoint(ck)
  const series = readForModel(ck, path)
  const { train, val } = ck.data.split
  const origins = Array.from({ length: val }, (_, i) => train + i)
  const k = ck.data.columns.length
  const pred = rollingForecast(forecasterOf(ck, model), codecOf(ck), series.values, origins, ck.config.seq_len!, 1)
  let sum = 0
  origins.forEach((r, b) => { sum += Math.abs(pred[b * k] - series.values[r][0]) })
  return sum / val
}
