/**
 * `rnn train file.csv --target col --ensemble n`: n forecasters trained in turn, each a whole ordinary
 * run with seed, seed + 1, …, into a file of its own beside the output; then one checkpoint holds them all
 * (the first's parameters under params, the others' under members) and forecasts by their median (see
 * rolling-forecast.ts). Averaging seeds is the cheapest cure for the variance of small networks on short
 * series, and what M4's best neural entries did. The output is claimed for the whole run and written once
 * at the end, so an earlier checkpoint there stays until the ensemble replaces it; Ctrl-C during member i
 * keeps the members trained so far, i's last good model included.
 */
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { claimOutput, keepPrevious } from '../files/output-file.ts'
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint/file.ts'
import { CHECKPOINT_FILE } from '../model/checkpoint/format.ts'
import type { TrainOptions, TrainResult } from './train.ts'

/** `trainOne` runs one member (train.ts's single run); `given` is the output path as the user named it. */
export async function trainEnsemble(
  opts: TrainOptions, trainOne: (o: TrainOptions) => Promise<TrainResult>, given: string,
): Promise<TrainResult> {
  const cfg = opts.config, n = cfg.ensemble
  if (cfg.target === null) {
    throw new UserError('--ensemble: trains several forecasters of a CSV column; give --target '
      + '(text models and classifiers train one model)')
  }
  if (opts.from !== undefined) throw new UserError('--ensemble: an ensemble is trained from the start; it cannot continue a resumed run')
  const out = resolve(given)
  const inputs = [{ path: opts.corpus, what: 'the training data' }, ...(opts.inputs ?? [])]
  const claim = claimOutput(given, { kind: CHECKPOINT_FILE, flag: '--out', inputs, force: opts.force })
  const memberPath = (i: number) => `${claim.target}.member-${i + 1}.json`
  const results: TrainResult[] = []
  try {
    for (let i = 0; i < n; i++) {
      if (opts.signal?.aborted && results.length > 0) break
      opts.events?.note?.(`ensemble member ${i + 1} of ${n} (seed ${cfg.seed + i})`)
      rmSync(memberPath(i), { force: true })
      const r = await trainOne({ ...opts, config: { ...cfg, seed: cfg.seed + i, ensemble: 1, out: memberPath(i) }, force: true })
      results.push(r)
      if (r.stopped === 'interrupted') break
    }
    const [first, ...rest] = results.map((_, i) => loadCheckpoint(memberPath(i)))
    // the ensemble's own record: its config (seed and size as given), the first member's progress
    const ck = { ...first, config: { ...first.config, seed: cfg.seed, ensemble: results.length, out: cfg.out } }
    if (rest.length > 0) ck.members = rest.map((m) => m.params)
    if (claim.existing === 'same-kind') opts.events?.kept?.({ path: out, previous: keepPrevious(claim.target, CHECKPOINT_FILE) })
    saveCheckpoint(out, ck)
    opts.events?.saved?.(out)
  } finally {
    for (let i = 0; i < n; i++) rmSync(memberPath(i), { force: true })
    claim.release()
  }
  const last = results.at(-1)!
  const sum = (f: (r: TrainResult) => number) => results.reduce((s, r) => s + f(r), 0)
  return {
    ...last, checkpoint: out, seconds: sum((r) => r.seconds), steps: sum((r) => r.steps),
    best_val_loss: results[0].best_val_loss, val_loss: results[0].val_loss, train_loss: results[0].train_loss,
    chars_per_s: sum((r) => r.chars_per_s * r.seconds) / Math.max(1e-9, sum((r) => r.seconds)),
  }
}
