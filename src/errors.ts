/**
 * UserError: anything the user can fix (a bad file, flag, key or checkpoint). Its message is one line,
 * "<where>: <what>[ (hint)]", and cli/main.ts is the one place that turns it into stderr + an exit code.
 * Bugs stay plain Errors. The library never calls process.exit.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message)
    this.name = 'UserError'
  }
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined if nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestD) { bestD = d; best = c }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)))
    prev = cur
  }
  return prev[b.length]
}
