/**
 * Retention of the change log: the watch deletes changes older than
 * `--change-log-keep-days` at start and then every hour. The newest change
 * always stays (the store guarantees it), so `latest` never goes back.
 */
import type { Logger } from 'pino'
import type { Store } from '../store/types.js'

/** A running pruner. */
export interface ChangeLogPruner {
  /** Stop the timer and wait for a prune in flight, so the store can close after it. */
  stop(): Promise<void>
}

const DAY_MS = 86_400_000

/** Prune now and every `intervalMs` (default one hour); `days` 0 keeps the log forever and starts nothing. */
export function startChangeLogPruner(store: Store, days: number, logger: Logger, intervalMs = 3_600_000): ChangeLogPruner {
  if (days <= 0) return { stop: async () => undefined }
  const log = logger.child({ module: 'change-log' })
  let running: Promise<void> = Promise.resolve()
  const prune = (): void => {
    running = (async () => {
      const cutoff = new Date(Date.now() - days * DAY_MS).toISOString()
      try {
        const deleted = await store.pruneChangeLog(cutoff)
        if (deleted > 0) log.info({ deleted, cutoff }, `change log: pruned ${deleted} changes older than ${days} days`)
      } catch (error) {
        // The database may be away: the next hour tries again, and the log only grows meanwhile.
        log.warn({ err: error }, `change log: pruning failed (${(error as Error).message}); retrying in an hour`)
      }
    })()
  }
  prune()
  const timer = setInterval(prune, intervalMs)
  // The watch's own handles keep the process alive; this timer must not hold it after them.
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
