/**
 * An advisory lock on an output file, so that two rnn processes never write the same checkpoint: the lock
 * is a file `<target>.lock` beside it, created exclusively, holding the owner's pid (and, on Linux, the
 * owner's start time, so a pid reused by another process does not look like the owner). It is removed when
 * the owner releases it or exits (process.exit and signals handled by the CLI included). A lock whose
 * owner is gone (killed with SIGKILL, a crash) is stale: the next writer takes it over.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { UserError } from '../errors.ts'

interface Owner { pid: number; start: string | null }

const held = new Set<string>()
let exitHook = false

/** Takes the lock of `target` (an absolute path) or throws a one-line UserError naming the owner. */
export function lockOutput(target: string, shown: string): () => void {
  const lock = `${target}.lock`
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(lock)) return hold(lock)
    const owner = readOwner(lock)
    if (owner !== undefined && isRunning(owner)) {
      throw new UserError(`${shown}: an rnn run (pid ${owner.pid}) is writing it; wait for it to end or choose another --out `
        + `(lock ${lock})`)
    }
    takeOverStale(lock, owner)
  }
  throw new UserError(`${shown}: cannot take the lock ${lock} (other processes keep taking it); try again`)
}

function hold(lock: string): () => void {
  held.add(lock)
  if (!exitHook) {
    exitHook = true
    process.on('exit', () => { for (const l of held) removeIfOurs(l) })
  }
  return () => {
    if (!held.delete(lock)) return
    removeIfOurs(lock)
  }
}

function tryCreate(lock: string): boolean {
  let fd: number
  try {
    fd = openSync(lock, 'wx', 0o644)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new UserError(`${lock}: cannot create the lock file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  try { writeSync(fd, JSON.stringify({ pid: process.pid, start: startTime(process.pid) }) + '\n') } finally { closeSync(fd) }
  return true
}

/** undefined: no readable owner (being written this instant, or garbage). */
function readOwner(lock: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(lock, 'utf8')) as Partial<Owner>
    return Number.isInteger(o.pid) ? { pid: o.pid!, start: typeof o.start === 'string' ? o.start : null } : undefined
  } catch {
    return undefined
  }
}

/**
 * Moves the stale lock aside and removes it, unless what was moved is not the lock judged stale (another
 * process took it over in between): then that lock is put back, and the next attempt sees its owner.
 */
function takeOverStale(lock: string, seen: Owner | undefined): void {
  if (seen === undefined) {
    // a lock being written right now is unreadable for an instant; wait a moment before judging it garbage
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    if (readOwner(lock) !== undefined) return
  }
  const aside = `${lock}.stale-${process.pid}`
  try { renameSync(lock, aside) } catch { return } // gone already: retry creating it
  const moved = readOwner(aside)
  if (moved !== undefined && seen !== undefined && (moved.pid !== seen.pid || moved.start !== seen.start)) {
    try { linkSync(aside, lock) } catch { /* a third process holds it now; fine, it stays locked */ }
  }
  try { unlinkSync(aside) } catch { /* already removed */ }
}

function removeIfOurs(lock: string): void {
  if (readOwner(lock)?.pid !== process.pid) return
  try { unlinkSync(lock) } catch { /* already gone */ }
}

function isRunning(o: Owner): boolean {
  if (o.pid === process.pid) return true
  try { process.kill(o.pid, 0) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false }
  // the pid is in use: the same process only if it started when the owner did (where that is known)
  const now = startTime(o.pid)
  return o.start === null || now === null || now === o.start
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), null off Linux. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}
