/** `rnn eval [checkpoint] [file]`: loss, perplexity and bits/char of a text model on a text. */
import { Command } from 'commander'
import { pickCheckpoint } from './checkpoint-arg.ts'
import { colour, fmt, fmtInt, json, log, result } from './output.ts'

export function command(): Command {
  return new Command('eval')
    .description('measure a text model: loss (nats/char), perplexity and bits/char')
    .argument('[checkpoint]', 'checkpoint file (default: the most recent in ./checkpoints)')
    .argument('[file]', "text to evaluate (default: the validation split of the checkpoint's own corpus)")
    .option('--json', 'print the result as one JSON object')
    .addHelpText('after', `
Examples:
  rnn eval
  rnn eval checkpoints/corpus-lstm.json held-out.txt --json`)
    .action(run)
}

async function run(named: string | undefined, file: string | undefined, o: { json?: boolean }): Promise<void> {
  const path = pickCheckpoint(named)
  const { evaluateFile } = await import('../evaluate-file.ts')
  const r = evaluateFile(path, file)
  if (o.json) { json({ loss: r.loss, perplexity: r.perplexity, bits_per_char: r.bits_per_char, chars: r.chars, unknown_chars: r.unknown_chars }); return }
  log(colour.dim(`${r.source}: ${fmtInt(r.chars)} characters predicted`))
  if (r.unknown_chars > 0) log(colour.yellow(`${fmtInt(r.unknown_chars)} characters outside the vocabulary were skipped (${r.unknown_list.map((c) => JSON.stringify(c)).join(' ')})`))
  result(`loss ${fmt(r.loss)} nats/char  perplexity ${fmt(r.perplexity, 3)}  ${fmt(r.bits_per_char)} bits/char`)
}
