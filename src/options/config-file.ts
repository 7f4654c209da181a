/** Config files (--config): JSON read strictly, and the one-line messages for what is wrong in them. */
import type { z } from 'zod'
import { didYouMean, UserError } from '../errors.ts'
import { readRegularFile } from '../files/read-file.ts'
import { problem } from './parse.ts'

/** One line per problem: `where: key "x": message`. */
export function formatZodError(where: string, err: z.ZodError, known: readonly string[]): string {
  const issue = err.issues[0]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]
    const hint = didYouMean(key, known)
    return `${where}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`
  }
  const key = issue.path.join('.')
  return `${where}: key "${key}": ${problem(issue)}`
}

/** Reads a JSON config file: syntax errors name the line, non-objects are refused. */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readRegularFile(path, 'config').toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new UserError(`${path}: ${jsonErrorWhere(text, e as Error)}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UserError(`${path}: expected a JSON object of settings`)
  return value as Record<string, unknown>
}

/** "line N: message" for a JSON.parse error; V8 gives a position, or a quoted snippet around the error. */
function jsonErrorWhere(text: string, e: Error): string {
  let pos = -1
  const at = /position (\d+)/.exec(e.message)
  const token = /Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(e.message)
  if (at !== null) pos = Number(at[1])
  else if (token !== null && text.includes(token[2])) pos = text.indexOf(token[2]) + token[2].indexOf(token[1])
  else if (/end of JSON input/.test(e.message)) pos = text.length
  const what = token !== null ? `unexpected ${JSON.stringify(token[1])}`
    : e.message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s+/g, ' ')
  if (pos < 0) return `invalid JSON: ${what}`
  const line = text.slice(0, pos).split('\n').length
  return `line ${line}: invalid JSON: ${what}`
}
