/**
 * What the watch runs for the change feed besides the API: the change-log
 * pruner, and the Redis mirror when configured (its module, and node-redis,
 * are loaded only then).
 */
import type { Logger } from 'pino'
import type { Settings } from '../config.js'
import type { Store } from '../store/types.js'
import { startChangeLogPruner } from './pruner.js'

/** The feed's jobs of one watch. */
export interface FeedJobs {
  /** Stop them; the store may close after this resolves. */
  stop(): Promise<void>
}

/** Start the pruner (`changeLogKeepDays`) and the Redis mirror (`redis`) on the watch's store. */
export async function startFeedJobs(config: Pick<Settings, 'changeLogKeepDays' | 'redis'>, store: Store, logger: Logger): Promise<FeedJobs> {
  const pruner = startChangeLogPruner(store, config.changeLogKeepDays, logger)
  let sink: { stop(): Promise<void> } | null = null
  if (config.redis !== null) {
    try {
      const { startRedisSink } = await import('./redis-sink.js')
      sink = await startRedisSink(store, { url: config.redis.url }, logger)
    } catch (error) {
      await pruner.stop()
      throw error
    }
  }
  return {
    async stop() {
      await Promise.all([pruner.stop(), sink?.stop()])
    },
  }
}
