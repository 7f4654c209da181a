/**
 * Guards against a diverged run: what --on-nan skip tolerates, and the check that keeps a checkpoint with
 * NaN or infinite parameters from ever being written (every later command would refuse it).
 */

/**
 * With --on-nan skip, batches skipped in a row before training stops: past a few, the parameters
 * themselves are broken (every batch is non-finite), and skipping on would only burn the time budget.
 */
export const MAX_SKIPS_IN_A_ROW = 10

/** The first NaN or ±Infinity in `a`, or null. */
export function firstNonFinite(a: Float32Array): number | null {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return a[i]
  return null
}
