/** `rnn sample [checkpoint]`: generate text from a trained model, streamed to stdout. */
import { Command, Option } from 'commander'
import { UserError } from '../errors.ts'
import { pickCheckpoint } from './checkpoint-arg.ts'
import { parseInt_, parseNumber } from './flags.ts'
import { json } from './output.ts'

export function command(): Command {
  return new Command('sample')
    .description('generate text from a trained model')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .addOption(new Option('--temp <t>', 'temperature: lower is more conservative, higher more varied (> 0)').default(1).argParser(parseNumber))
    .addOption(new Option('--top-k <k>', 'sample only from the k most likely characters').argParser(parseInt_))
    .addOption(new Option('--top-p <p>', 'sample only from the smallest set with probability ≥ p, in (0, 1]').argParser(parseNumber))
    .option('--argmax', 'always take the most likely character (deterministic)')
    .option('--prime <text>', 'text fed to the network first, and echoed')
    .addOption(new Option('--length <n>', 'characters to generate').default(500).argParser(parseInt_))
    .addOption(new Option('--seed <n>', 'random seed: same seed, same text').default(1).argParser(parseInt_))
    .addOption(new Option('--horizon <n>', 'time-series models: forecast the next n rows (default: one season)').argParser(parseInt_))
    .option('--input <file.csv>', 'time-series models: continue this CSV instead of the training file')
    .option('--json', 'print {"text", ...} (or {"forecast": [...]}) as one JSON object instead of streaming')
    .addHelpText('after', `
Examples:
  rnn sample --temp 0.8
  rnn sample checkpoints/corpus-lstm.json --prime "ROMEO:" --length 300 --top-p 0.9 --seed 7
  rnn sample checkpoints/airline-passengers-lstm.json --horizon 12      # a CSV forecast`)
    .action(run)
}

interface Opts { temp: number; topK?: number; topP?: number; argmax?: boolean; prime?: string; length: number; seed: number; json?: boolean; horizon?: number; input?: string }

async function run(named: string | undefined, o: Opts): Promise<void> {
  if (!(o.temp > 0)) throw new UserError(`--temp: must be > 0, got ${o.temp}`)
  if (o.topK !== undefined && o.topK < 1) throw new UserError(`--top-k: must be ≥ 1, got ${o.topK}`)
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new UserError(`--top-p: must be in (0, 1], got ${o.topP}`)
  if (o.length < 0) throw new UserError(`--length: must be ≥ 0, got ${o.length}`)
  if (o.seed < 0) throw new UserError(`--seed: must be ≥ 0, got ${o.seed}`)
  if (o.horizon !== undefined && o.horizon < 1) throw new UserError(`--horizon: must be ≥ 1, got ${o.horizon}`)
  const path = pickCheckpoint(named)
  const { loadModel } = await import('../index.ts')
  const { createRng } = await import('../index.ts')
  const { sampleText } = await import('../index.ts')
  const { model, vocab, checkpoint } = loadModel(path)
  if (checkpoint.data.kind === 'timeseries') {
    const { printForecast } = await import('./forecast-output.ts')
    printForecast(path, model, checkpoint as Parameters<typeof printForecast>[2], o)
    return
  }
  if (vocab === null) throw new Error('text checkpoint without vocabulary')
  if (o.horizon !== undefined || o.input !== undefined) throw new UserError(`${path}: a text model; --horizon and --input are for time-series models (use --length)`)
  const unknown = vocab.unknown(o.prime ?? '')
  if (unknown.length > 0) throw new UserError(`--prime: characters not in the model's vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`)
  const prime = o.prime ?? ''
  // without a prime the network starts after a newline, as if at the start of a line
  const feed = prime !== '' ? prime : vocab.id('\n') >= 0 ? '\n' : vocab.chars[0]
  const gen = sampleText(model, vocab, { temperature: o.temp, topK: o.topK ?? null, topP: o.topP ?? null, argmax: !!o.argmax, prime: feed, length: o.length }, createRng(o.seed))
  if (o.json) {
    let text = ''
    for (const ch of gen) text += ch
    json({ text: prime + text, prime, length: o.length, seed: o.seed, temperature: o.temp, top_k: o.topK ?? null, top_p: o.topP ?? null, argmax: !!o.argmax, checkpoint: path })
    return
  }
  process.stdout.write(prime)
  let buf = ''
  for (const ch of gen) {
    buf += ch
    if (buf.length >= 64 || ch === '\n') { process.stdout.write(buf); buf = '' }
  }
  process.stdout.write(buf + '\n')
}
