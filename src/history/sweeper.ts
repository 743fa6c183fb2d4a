/**
 * Retention of history while watching: the sweep runs at start and then every
 * hour, in the store's bounded batches, so applies never wait behind it.
 */
import type { Logger } from 'pino'
import type { Store } from '../store/types.js'
import type { RetentionPolicy } from './types.js'

/** A running sweeper. */
export interface HistorySweeper {
  /** Stop the timer and wait for a sweep in flight, so the store can close after it. */
  stop(): Promise<void>
}

/** Sweep now and every `intervalMs` (default one hour). */
export function startHistorySweeper(store: Store, policy: RetentionPolicy, logger: Logger, intervalMs = 3_600_000): HistorySweeper {
  const log = logger.child({ module: 'history' })
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const sweep = (): void => {
    running = running.then(async () => {
      if (stopped) return
      try {
        const result = await store.pruneHistory(policy)
        if (result.revisionsDeleted > 0 || result.blobsDeleted > 0) {
          log.info(result, `history: pruned ${result.revisionsDeleted} revisions and ${result.blobsDeleted} contents (${result.bytesFreed} bytes)`)
        }
      } catch (error) {
        // The database may be away: the next hour tries again, and history only grows meanwhile.
        log.warn({ err: error }, `history: pruning failed (${(error as Error).message}); retrying in an hour`)
      }
    })
  }
  sweep()
  const timer = setInterval(sweep, intervalMs)
  // The watch's own handles keep the process alive; this timer must not hold it after them.
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
