/**
 * The Redis mirror of the change feed: every change-log row, in seq order,
 * is appended to a Redis Stream (`XADD <key> MAXLEN ~ 100000 * seq <seq>
 * change <json>`). A cursor in the database (`feed_cursors`) says how far it
 * got and is saved only after Redis took the batch, so a Redis outage is lag
 * (the log keeps the changes, the applies never wait on Redis) and a crash
 * between the XADD and the save sends some changes twice: delivery is
 * at-least-once, and consumers dedupe on `seq`. node-redis is imported only
 * here, and this module only when Redis is configured.
 */
import { setRedisLag } from '../metrics/service-gauges.js'
import type { Logger } from 'pino'
import type { Store } from '../store/types.js'
import { feedChange } from './change-event.js'

/** Where and how the mirror writes. */
export interface RedisSinkOptions {
  /** `redis://host:port` (credentials allowed; never logged). */
  url: string
  /** Stream key (default `statebridge:changes`). */
  streamKey?: string
  /** Approximate length the stream is trimmed to (default 100000). */
  maxLen?: number
  /** Wait between reads of the log while idle, ms (default 500). */
  pollIntervalMs?: number
  /** Changes per XADD batch (default 500). */
  batch?: number
}

/** A running mirror. */
export interface RedisSink {
  /** The last seq Redis is known to hold (what the cursor says); `null` until the cursor was first read. */
  readonly cursor: number | null
  /** Stop after the batch in flight, then close the Redis connection. */
  stop(): Promise<void>
}

/** Default stream key, the seed's name. */
export const DEFAULT_STREAM_KEY = 'statebridge:changes'

/** Start mirroring `store`'s change log into Redis. Resolves once node-redis is loaded; Redis and the database may still be away. */
export async function startRedisSink(store: Store, options: RedisSinkOptions, logger: Logger): Promise<RedisSink> {
  const log = logger.child({ module: 'redis' })
  const key = options.streamKey ?? DEFAULT_STREAM_KEY
  const maxLen = options.maxLen ?? 100_000
  const pollIntervalMs = options.pollIntervalMs ?? 500
  const batch = options.batch ?? 500
  const cursorName = `redis:${key}`
  const { createClient } = await import('redis')
  const client = createClient({
    url: options.url,
    // Commands fail at once while disconnected instead of queueing without bound: the log is the queue.
    disableOfflineQueue: true,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 6), 5_000) },
  })
  const target = redactedUrl(options.url)
  let down = false
  // node-redis reports every lost connection here while it reconnects; without a listener it would crash the process.
  client.on('error', (error: Error) => {
    if (!down) log.warn({ redis: target }, `Redis ${target} unreachable (${error.message}); the stream lags, changes wait in the log`)
    down = true
  })
  client.on('ready', () => {
    if (down) log.info({ redis: target }, `Redis ${target} reachable again; catching up`)
    down = false
  })
  const connecting = client.connect().catch(() => undefined)

  // Read in the loop, not here: the database may be away while the watch starts.
  let cursor: number | null = null
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let wake: (() => void) | null = null
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve
      timer = setTimeout(resolve, ms)
    })

  // One batch: read after the cursor, XADD in order, then move the cursor. Returns how many went out.
  const step = async (): Promise<number> => {
    if (!client.isReady) return 0
    cursor ??= (await store.readFeedCursor(cursorName)) ?? 0
    const changes = await store.readChanges({ sinceSeq: cursor, limit: batch })
    if (changes.length === 0) return 0
    // Pipelined on one connection, so Redis appends them in seq order.
    await Promise.all(
      changes.map((change) =>
        client.xAdd(
          key,
          '*',
          { seq: String(change.seq), change: JSON.stringify(feedChange(change)) },
          { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen } },
        ),
      ),
    )
    const last = changes[changes.length - 1]!.seq
    await store.saveFeedCursor(cursorName, last)
    cursor = last
    return changes.length
  }

  const loop = (async () => {
    let failures = 0
    while (!stopped) {
      let sent = 0
      try {
        sent = await step()
        failures = 0
      } catch (error) {
        // Redis or the database failed mid-batch: the cursor did not move, so the batch is sent again (at-least-once).
        if (failures === 0) log.warn({ err: error }, `Redis mirror: batch after seq ${cursor} failed (${(error as Error).message}); retrying`)
        failures++
      }
      if (stopped) break
      // statebridge_redis_lag: changes committed and not yet in the stream (the cursor lags while Redis is away).
      await store.latestChangeSeq().then(
        (latest) => setRedisLag(Math.max(0, latest - (cursor ?? 0))),
        () => undefined,
      )
      if (sent < batch) await sleep(failures > 0 ? Math.min(pollIntervalMs * 2 ** Math.min(failures, 4), 5_000) : pollIntervalMs)
    }
  })()

  return {
    get cursor() {
      return cursor
    },
    async stop() {
      stopped = true
      setRedisLag(null)
      if (timer !== null) clearTimeout(timer)
      wake?.()
      await loop
      // destroy(), not close(): nothing is pending (the offline queue is off) and Redis may be unreachable,
      // in which case the connect attempt still running ends with it.
      if (client.isOpen) client.destroy()
      await connecting
    },
  }
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname.length > 1 ? parsed.pathname : ''}`
  } catch {
    return 'redis (unparsable URL)'
  }
}
