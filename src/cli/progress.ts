/**
 * Rendering training events: a cli-progress bar on a TTY (step, smoothed loss, last validation loss,
 * chars/s, ETA), one plain line per evaluation otherwise. Everything goes to stderr. `verbose` adds the
 * memory report before the first step and the peak RSS to each evaluation line.
 */
import cliProgress from 'cli-progress'
import type { TrainEvents } from '../tasks/train.ts'
import { fmtBytes, memoryLines } from './memory.ts'
import { colour, fmt, fmtInt, log, stderrIsTTY } from './output.ts'

export function trainView(o: { verbose?: boolean } = {}): { events: TrainEvents; stop(): void } {
  let bar: cliProgress.SingleBar | null = null
  let smooth: number | null = null
  let val: number | null = null
  let lastRender = 0
  const useBar = stderrIsTTY
  let kind: 'text' | 'timeseries' | 'classifier' = 'text'
  let unit = 'char' // what a step of a sequence is: char, word, or (a CSV) row
  let stopped = false
  // the bar starts at the first step, so the lines logged before it (the memory report) stay above it
  let pending: { target: number; from: number } | null = null
  const startBar = () => {
    if (pending === null || stopped) return
    bar = new cliProgress.SingleBar({
      stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50,
      format: `${colour.cyan('{bar}')} {value}/{total} | loss {loss} | val {val} | {speed} ${unit}s/s | ETA {eta_formatted}`,
    }, cliProgress.Presets.shades_classic)
    bar.start(Number.isFinite(pending.target) ? pending.target : pending.from + 1, pending.from, { loss: '-', val: '-', speed: '-' })
    pending = null
  }
  const events: TrainEvents = {
    start(e) {
      kind = e.kind
      unit = e.tokens ?? (e.kind === 'timeseries' ? 'row' : 'char')
      const resumed = e.resumed_from > 0 ? `, resuming at step ${e.resumed_from}` : ''
      // a time budget's step count is measured in its first steps (a note says it)
      const steps = Number.isFinite(e.target) ? `${fmtInt(e.target - e.resumed_from)} steps` : 'steps until --max-seconds'
      log(colour.dim(`${e.corpus}: ${e.describe}; ${fmtInt(e.params)} parameters; ${steps}${resumed} → ${e.out}`))
      if (useBar) pending = { target: e.target, from: e.resumed_from }
    },
    memory(m) {
      if (o.verbose) for (const line of memoryLines(m)) log(colour.dim(line))
    },
    step(e) {
      if (bar === null) startBar()
      smooth = smooth === null ? e.loss : 0.98 * smooth + 0.02 * e.loss
      if (bar !== null) {
        if (Number.isFinite(e.target) && bar.getTotal() !== e.target) bar.setTotal(e.target)
        const now = Date.now()
        if (now - lastRender > 100 || e.step === e.target) {
          lastRender = now
          bar.update(e.step, { loss: fmt(smooth, 3), val: fmt(val, 3), speed: fmtInt(e.chars_per_s) })
        }
      }
    },
    eval(e) {
      val = e.val_loss
      if (bar === null) {
        const mark = e.improved ? colour.green(' *') : ''
        const bits = kind === 'text' ? ` (${fmt(e.val_loss / Math.LN2, 3)} bits/${unit})`
          : kind === 'classifier' ? ' (cross-entropy per text)' : ' (MSE, normalised)'
        const rss = o.verbose ? `, peak RSS ${fmtBytes(e.peak_rss_bytes)}` : ''
        log(`step ${e.step}: train ${fmt(e.train_loss)} val ${fmt(e.val_loss)}${bits}${mark} ${e.seconds.toFixed(1)}s${rss}`)
      }
    },
    kept(e) {
      log(colour.dim(`kept the previous ${e.path} as ${e.previous}`))
    },
    engine(description) {
      log(colour.dim(description))
    },
    note(message) {
      log(colour.yellow(message))
    },
    skipped(e) {
      const line = colour.yellow(`step ${e.step}: ${e.reason}; batch skipped (--on-nan skip)`)
      if (bar === null) log(line)
    },
  }
  return {
    events,
    stop() {
      stopped = true
      if (bar !== null) { bar.stop(); bar = null }
    },
  }
}

/** Below this many characters `rnn eval` is over before a bar would be read. */
const EVAL_BAR_MIN_CHARS = 100_000

/**
 * Progress of a long `rnn eval` of a text: a bar on stderr when it is a TTY and the text has at least
 * EVAL_BAR_MIN_CHARS characters; nothing otherwise. The evaluation is synchronous, so the bar redraws from
 * update() itself (cli-progress's synchronous update), not from a timer.
 */
export function evalView(): { update(done: number, total: number): void; stop(): void } {
  let bar: cliProgress.SingleBar | null = null
  return {
    update(done, total) {
      if (!stderrIsTTY || total < EVAL_BAR_MIN_CHARS) return
      if (bar === null) {
        bar = new cliProgress.SingleBar({
          stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
          format: `${colour.cyan('{bar}')} {percentage}% | {value}/{total} characters | ETA {eta_formatted}`,
        }, cliProgress.Presets.shades_classic)
        bar.start(total, 0)
      }
      bar.update(done)
    },
    stop() {
      if (bar !== null) { bar.stop(); bar = null }
    },
  }
}
