/**
 * Training throughput of the two engines through the real CLI (a benchmark, not a test): the same
 * `rnn train` on the bundled Moby-Dick with the built-in engine, then `--engine torch` with 1 and 2
 * processes (gloo), in rounds (default 2), the fastest of each kept. Prints a Markdown table for BENCHMARKS.md:
 * chars/s as `rnn train --json` reports it (steps × seq_len × batch over the training time, the final
 * validation included, the start-up not) and the wall time of the whole command (torchrun's start-up
 * included). The load average before and after says whether the machine was quiet.
 *
 *   npx tsx bench/engines.ts [--steps n] [--repeat n] [train flags...]     (default: workload B, 2 × 256 LSTM)
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const take = (flag: string, fallback: string) => {
  const i = args.indexOf(flag)
  return i < 0 ? fallback : args.splice(i, 2)[1]
}
const steps = take('--steps', '200'), repeat = Number(take('--repeat', '2'))
// workload B of bench/bench.ts (T 64, B 32, Adam, clip 5) on real text; a validation split small enough
// that the one validation at the end is a few steps' worth of time
const flags = ['--hidden', '256', '--layers', '2', '--seq-len', '64', '--batch', '32', '--val-frac', '0.002', '--steps', steps,
  '--eval-every', steps, ...args]
const engines: [string, string[]][] = [
  ['built-in (wasm, 2 threads)', []],
  ['--engine torch --nproc 1', ['--engine', 'torch']],
  ['--engine torch --nproc 2 (gloo)', ['--engine', 'torch', '--nproc', '2']],
]
const dir = mkdtempSync(join(tmpdir(), 'rnn-engines-'))
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
console.log(`load average before: ${load()}; rnn train data/moby-dick.txt ${flags.join(' ')}`)
console.log('| engine | chars/s | wall time of the command |\n| --- | ---: | ---: |')
// rounds interleave the engines, so a change of load touches all of them alike
const best = engines.map(() => ({ cps: 0, wall: Infinity }))
for (let r = 0; r < repeat; r++) {
  engines.forEach(([, extra], i) => {
    const t0 = performance.now()
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/rnn'), 'train', join(ROOT, 'data/moby-dick.txt'), ...flags, ...extra,
      '--out', join(dir, 'bench.json'), '--force', '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const wall = (performance.now() - t0) / 1000, cps = JSON.parse(out).chars_per_s as number
    if (cps > best[i].cps) best[i] = { cps, wall }
  })
}
engines.forEach(([name], i) => console.log(`| ${name} | ${Math.round(best[i].cps).toLocaleString('en-US')} | ${best[i].wall.toFixed(1)} s |`))
console.log(`load average after: ${load()}`)
