/**
 * The CLI's entry: builds the program, registers one subcommand per file, and is the one boundary where
 * errors become a message on stderr and an exit code. Subcommands import the engine lazily inside their
 * actions, so `rnn --help` stays fast.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { UserError } from '../errors.ts'
import { PACKAGE_VERSION } from '../package-version.ts'

// `rnn sample | head`: a closed pipe ends the output, it is not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e })
}

const program = new Command()
  .name('rnn')
  .description('Train and sample recurrent neural networks (RNN, LSTM, GRU) on text and CSV time series.')
  .version(PACKAGE_VERSION, '-V, --version')
  .option('--debug', 'show stack traces of internal errors')
  .addOption(new Option('--kernels <name>', 'matrix kernels: wasm (SIMD, the default where it runs) or js (the portable reference)')
    .choices(['wasm', 'js']))
  .addOption(new Option('--threads <n>', 'threads for the large matrix products (wasm kernels; default: cores, at most 2)')
    .argParser(parseThreads))
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })

// The one place the CLI reads the engine's environment variables (a flag wins over its variable), checked
// before the engine loads: it loads inside a subcommand's action, so `rnn --help` stays fast.
program.hook('preAction', async (cmd) => {
  const kernels = (cmd.opts().kernels as string | undefined) ?? nonEmpty(process.env.RNN_KERNELS)
  const threads = (cmd.opts().threads as number | undefined) ?? nonEmpty(process.env.RNN_THREADS)
  if (kernels !== undefined && kernels !== 'wasm' && kernels !== 'js') throw new UserError(`RNN_KERNELS=${kernels}: expected wasm or js`)
  if (typeof threads === 'string' && !isThreadCount(threads))
    throw new UserError(`RNN_THREADS=${threads}: expected a whole number from 1 to 16`)
  const { startOptions } = await import('../engine/start-options.ts')
  const mb = nonEmpty(process.env.RNN_WASM_MEMORY_MB)
  if (mb !== undefined) startOptions.wasmMemoryMB = Number(mb)
  if (process.env.RNN_WASM_RELAXED === '0') startOptions.relaxedSimd = false
  if (kernels === undefined && threads === undefined) return
  const engine = await import('../index.ts')
  if (kernels !== undefined) engine.setKernels(kernels)
  if (threads !== undefined) engine.setThreads(Number(threads))
})

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

const commands = await Promise.all([
  import('./commands/train.ts'), import('./commands/sample.ts'), import('./commands/eval.ts'),
  import('./commands/describe.ts'), import('./commands/inspect-gradients.ts'), import('./commands/inspect-state.ts'),
  import('./commands/export.ts'), import('./commands/import.ts'), import('./commands/report.ts'),
  import('./commands/explore.ts'), import('./commands/completion.ts'), import('./commands/classify.ts'), import('./commands/import-run.ts'),
])
for (const c of commands) program.addCommand(c.command())

try {
  await program.parseAsync(process.argv)
} catch (err) {
  process.exitCode = report(err)
}

/** 1..16: the engine's MAX_THREADS (not imported here, so `rnn --help` does not load the engine). */
function isThreadCount(v: string): boolean {
  return /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 16
}

function parseThreads(v: string): number {
  if (!isThreadCount(v)) throw new InvalidArgumentError('expected a whole number from 1 to 16.')
  return Number(v)
}

function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode // commander already printed its message
  if (err instanceof UserError) {
    process.stderr.write(`rnn: ${err.message}\n`)
    return err.exitCode
  }
  const debug = process.argv.includes('--debug') || process.env.RNN_DEBUG === '1'
  const e = err instanceof Error ? err : new Error(String(err))
  process.stderr.write(debug ? `${e.stack}\n` : `rnn: internal error: ${e.message} (please report; --debug shows the stack)\n`)
  return 70
}
