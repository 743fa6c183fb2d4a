/**
 * `GET /api/v1/changes`: the change feed as a stream route. A client that
 * accepts `text/event-stream` gets Server-Sent Events; any other gets the
 * JSON long-poll. Both read through the API's read-only connection and
 * share one broadcaster per server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { StreamRoute } from '../serve/stream-route.js'
import type { StoreReader } from '../store/read-types.js'
import { ChangeBroadcaster } from './broadcaster.js'
import { feedQuery, MAX_WAIT_S, wantsEventStream } from './feed-params.js'
import { feedOpenApi } from './feed-openapi.js'
import { serveLongPoll } from './long-poll.js'
import { serveEventStream } from './sse.js'

/** How the feed runs; the defaults suit production, tests shorten them. */
export interface FeedOptions {
  /** How often the broadcaster reads new changes while anyone listens, ms (default 250). */
  pollIntervalMs?: number
  /** Keepalive comment interval of a stream, ms (default 15000). */
  keepaliveMs?: number
  /** Unsent bytes a live stream may pile up before it is reset and closed (default 1 MiB). */
  maxQueueBytes?: number
  /** Where the broadcaster logs an unreadable change log (default: nowhere). */
  logger?: Logger
}

/** The feed's routes over `reader`. */
export function feedRoutes(context: { reader: StoreReader }, options: FeedOptions = {}): StreamRoute[] {
  const reader = context.reader
  const broadcaster = new ChangeBroadcaster(reader, { pollIntervalMs: options.pollIntervalMs, logger: options.logger })
  const sse = { keepaliveMs: options.keepaliveMs ?? 15_000, maxQueueBytes: options.maxQueueBytes ?? 1024 * 1024 }
  return [
    {
      path: '/api/v1/changes',
      async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
        const query = feedQuery(req, url)
        if (wantsEventStream(req)) await serveEventStream(req, res, query, reader, broadcaster, sse)
        else await serveLongPoll(req, res, query, reader, broadcaster)
      },
      openapi: feedOpenApi(MAX_WAIT_S),
    },
  ]
}
