/**
 * Running a run folder with torchrun: the command line (for this machine, or printed for a scheduler), and
 * the launch itself, reading the script's JSON lines as events.
 *
 * torchrun runs in a process group of its own, so a Ctrl-C at the terminal reaches only the CLI, which then
 * creates the folder's `stop` file: rank 0 sees it before its next step, every process stops there and
 * the run is saved (torchrun's own SIGINT handling would kill the workers before they could save).
 * If the CLI dies anyway, the group is killed on its way out; and a worker writing to a closed pipe stops.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { LOG_DIR, SCRIPT, STOP_FILE } from './run-folder.ts'

export interface Launch {
  /** Processes on each machine (GPUs on each, with --device cuda). */
  nproc: number
  nnodes: number
  /** host:port of the rendezvous (several machines); null: this machine alone. */
  rdzvEndpoint: string | null
}

/** A line the script printed: {"event": ..., ...}. */
export type ScriptEvent = { event: string } & Record<string, unknown>

/**
 * torchrun's arguments. One machine: a rendezvous store on a port of its own (localhost:0), not
 * --standalone's fixed 29400, where torch ≤ 1.13 makes a second run on the machine a client of the first
 * one's store and stops its workers when the first ends. Workers' stderr goes to <folder>/logs and is teed
 * to the console: torch < 2.0 on Python 3.11 cannot parse torchrun's default "--redirects 0" (its Std enum
 * lost the NONE member to Python's new Flag iteration), so the launch names a value every version reads.
 */
export function torchrunArgs(dir: string, l: Launch, runId: string): string[] {
  const endpoint = l.rdzvEndpoint ?? 'localhost:0'
  return [
    '--nnodes', String(l.nnodes), '--nproc_per_node', String(l.nproc), '--rdzv_backend', 'c10d', '--rdzv_endpoint', endpoint,
    '--rdzv_id', runId, '--monitor_interval', '0.5',
    '--redirects', '2', '--tee', '2', '--log_dir', join(dir, LOG_DIR), join(dir, SCRIPT), dir,
  ]
}

/** A shell line: every argument quoted where it needs to be. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}

interface Finished { code: number | null; signal: NodeJS.Signals | null; stderr: string }

/**
 * Runs `python -m torch.distributed.run <args>` (torchrun of that very interpreter) and hands every event
 * to `onEvent` as it comes. An abort of `signal` asks the run to stop (the stop file). A throw from
 * onEvent ends the run (its processes are killed) and becomes the rejection.
 */
export function runTorchrun(
  python: string, dir: string, args: readonly string[], o: { onEvent(e: ScriptEvent): void; signal?: AbortSignal },
): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(python, ['-m', 'torch.distributed.run', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const killGroup = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig) } catch { /* gone already */ } }
    const onExit = () => killGroup('SIGKILL')
    process.on('exit', onExit)
    const askStop = () => writeFileSync(join(dir, STOP_FILE), '')
    o.signal?.addEventListener('abort', askStop, { once: true })
    if (o.signal?.aborted) askStop()
    let failure: unknown = null
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000) })
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      if (failure !== null || !line.startsWith('{')) return
      let e: ScriptEvent
      try { e = JSON.parse(line) } catch { return }
      try { o.onEvent(e) } catch (err) { failure = err; killGroup('SIGTERM') }
    })
    child.on('error', (e) => { failure ??= e })
    child.on('close', (code, signal) => {
      process.off('exit', onExit)
      o.signal?.removeEventListener('abort', askStop)
      if (failure !== null) fail(failure)
      else done({ code, signal, stderr })
    })
  })
}
