/**
 * A store read behind a gauge: done at most once per period, never waited on
 * for long, and shared by every gauge and concurrent scrape that wants it.
 */
import { withTimeout } from './timeout.js'

/**
 * `read`, reused for `cacheMs` after it answered. A read that fails or takes
 * longer than `timeoutMs` leaves the last answer in place (`null` before the
 * first): a gap in a gauge would say more than is known.
 */
export function cachedRead<T>(read: () => Promise<T>, cacheMs: number, timeoutMs: number): () => Promise<T | null> {
  let cached: { at: number; value: T } | null = null
  let reading: Promise<T | null> | null = null
  return async () => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.value
    reading ??= withTimeout(read(), timeoutMs)
      .then((value) => {
        cached = { at: Date.now(), value }
        return value
      })
      .catch(() => cached?.value ?? null)
      .finally(() => {
        reading = null
      })
    return reading
  }
}
