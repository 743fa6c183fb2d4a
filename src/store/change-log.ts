/**
 * What both dialects' change logs share beyond the contract in types.ts.
 */

/**
 * The cutoff of `pruneChangeLog` as `toISOString()` text, the spelling the
 * change log stores (SQLite compares it as text). Throws a `RangeError` for
 * a value that is not an instant, rather than pruning by a garbled bound.
 */
export function pruneCutoff(olderThan: string): string {
  const time = Date.parse(olderThan)
  if (Number.isNaN(time)) throw new RangeError(`pruneChangeLog: ${JSON.stringify(olderThan)} is not an ISO-8601 instant`)
  return new Date(time).toISOString()
}
