/**
 * The stream routes the HTTP side mounts beside the JSON routes. Each feature
 * that serves its own response (the change feed, /metrics, /readyz) adds its
 * routes here, built from what the service knows.
 */
import { feedRoutes } from './feed/feed-routes.js'
import { metricsRoutes } from './metrics/routes.js'
import type { Logger } from 'pino'
import type { StreamRoute } from './serve/stream-route.js'
import type { StoreReader } from './store/read-types.js'
import type { Store } from './store/types.js'
import type { WatchHandle } from './sync/watch.js'

/** What stream routes may use. */
export interface ServiceContext {
  /** The read-only connection of the API. */
  reader: StoreReader
  /** The running watch, once its start-up reconcile is done; `null` before, and always for `serve`. */
  daemon: () => WatchHandle | null
  /** The watches of the `--transcripts` roots, with their directories; empty for `serve` and without the flag. */
  transcriptWatches: () => ReadonlyArray<{ root: string; handle: WatchHandle | null }>
  /** The daemon's own store (`watch` only): what it writes, for readiness and the feed's cursor. */
  store: Store | null
  /** Serve /metrics without the token. */
  metricsPublic: boolean
  /** Whether this process watches (`watch --listen`) or only serves (`serve`). */
  mode: 'watch' | 'serve'
  /** The root logger; each feature takes a child of its own. */
  logger: Logger
}

/** Every stream route, in match order. */
export function serviceRoutes(context: ServiceContext): StreamRoute[] {
  return [...feedRoutes(context, { logger: context.logger.child({ module: 'feed' }) }), ...daemonRoutes(context)]
}

/**
 * The stream routes that read the daemon's own state: answered on its thread
 * when the API runs on another (the feed needs only a reader and runs there).
 */
export function daemonRoutes(context: ServiceContext): StreamRoute[] {
  return metricsRoutes(context)
}
