/**
 * One Server-Sent Events client of the change feed: a backfill from the log
 * up to where the broadcaster stands, then the broadcaster's live pages.
 * Its queue is the response's write buffer, bounded: a client whose socket
 * stops draining is sent `event: reset` (when the socket still takes it) and
 * closed, so it never holds memory, the broadcaster or the applies.
 */
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { addSseClients } from '../metrics/service-gauges.js'
import { MAX_CHANGES_PAGE, type StoreReader } from '../store/read-types.js'
import type { ChangeRecord } from '../store/types.js'
import type { ChangeBroadcaster, FeedSubscriber, Subscription } from './broadcaster.js'
import { resetReason, sseChangeEvent, sseEventPage, sseResetEvent } from './change-event.js'
import type { FeedQuery } from './feed-params.js'

/** Limits of one stream. */
export interface SseOptions {
  /** A comment line this often keeps proxies from closing a quiet stream, ms. */
  keepaliveMs: number
  /** Bytes a live client may leave unsent in its write buffer before it is reset and closed. */
  maxQueueBytes: number
}

/** How long a reset client's socket gets to take the reset before it is destroyed, ms. */
const RESET_GRACE_MS = 1_000

/** Start the event stream of `req`; resolves once it runs (the response stays open). */
export async function serveEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  query: FeedQuery,
  reader: StoreReader,
  broadcaster: ChangeBroadcaster,
  options: SseOptions,
): Promise<void> {
  if (req.method === 'HEAD') {
    res.writeHead(200, STREAM_HEADERS)
    res.end()
    return
  }
  const client = new SseClient(req, res, query.root, reader, options)
  // Subscribe before reading the log: every row after the subscription's position is delivered live.
  const subscription = await broadcaster.subscribe(client)
  let oldest: number | null
  let latest: number
  try {
    ;[oldest, latest] = await Promise.all([reader.oldestChangeSeq(), reader.latestChangeSeq()])
  } catch (error) {
    subscription.unsubscribe()
    throw error
  }
  client.begin(subscription, query.since, oldest, latest)
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // nginx buffers responses by default, which would hold events back until its buffer fills.
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
} as const

class SseClient implements FeedSubscriber {
  private mode: 'backfill' | 'live' | 'closed' = 'backfill'
  private counted = false
  // Last seq this client is past: written to it, or skipped as another root's.
  private sent = 0
  // Highest seq the broadcaster has delivered: those rows are in the log already.
  private seen = 0
  private subscription: Subscription | null = null
  private keepalive: NodeJS.Timeout | null = null
  private killer: NodeJS.Timeout | null = null

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly root: string | undefined,
    private readonly reader: StoreReader,
    private readonly options: SseOptions,
  ) {
    // From the start: a client may leave while the subscription is still being set up.
    res.on('close', () => this.close())
  }

  begin(subscription: Subscription, since: number | null, oldest: number | null, latest: number): void {
    this.subscription = subscription
    if (this.mode === 'closed') return this.release()
    this.seen = subscription.position
    // Counted from the stream's start to its release, for statebridge_sse_clients.
    addSseClients(1)
    this.counted = true
    this.res.writeHead(200, STREAM_HEADERS)
    // EventSource waits this long before it reconnects with Last-Event-ID.
    this.res.write('retry: 2000\n\n')
    let from = since ?? subscription.position
    const reason = since === null ? null : resetReason(since, oldest, latest)
    if (reason !== null) {
      this.res.write(sseResetEvent({ reason, oldest, latest }))
      from = latest
    }
    this.sent = from
    this.keepalive = setInterval(() => this.keepaliveComment(), this.options.keepaliveMs)
    this.backfill().catch((error: unknown) => {
      // The database went away mid-backfill: end the stream; the client reconnects with its Last-Event-ID.
      if (this.mode !== 'closed') this.res.destroy(error as Error)
    })
  }

  // Read the log from `sent` until it holds nothing the broadcaster has not delivered, then go live.
  private async backfill(): Promise<void> {
    for (;;) {
      const seenBefore = this.seen
      const page = await this.reader.changesSince(this.sent, MAX_CHANGES_PAGE, this.root)
      if (this.mode === 'closed') return
      for (const change of page) this.res.write(sseChangeEvent(change))
      if (page.length > 0) this.sent = page[page.length - 1]!.seq
      if (page.length === MAX_CHANGES_PAGE) {
        // The backfill goes at the client's pace; a client that never drains is ended by the server's socket timeout.
        if (this.res.writableNeedDrain) await Promise.race([once(this.res, 'drain'), once(this.res, 'close')])
        continue
      }
      // Every row of this root up to seenBefore has been read now.
      this.sent = Math.max(this.sent, seenBefore)
      if (this.seen > this.sent) continue
      this.mode = 'live'
      return
    }
  }

  deliver(changes: readonly ChangeRecord[]): void {
    const last = changes[changes.length - 1]
    if (last === undefined || this.mode === 'closed') return
    this.seen = Math.max(this.seen, last.seq)
    if (this.mode !== 'live') return
    // Judged before the page, not after it: a page is written at once, and a client is slow when it has
    // not taken the last ones down below the limit by the time the next arrives. Memory stays bounded by
    // the limit plus one page.
    if (this.overLimit()) return
    const page = sseEventPage(changes)
    if (this.root === undefined && changes[0]!.seq > this.sent) {
      // The usual case: an unfiltered client that is past none of the page takes it whole.
      this.sent = last.seq
      this.res.write(page.whole)
      return
    }
    let text = ''
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i]!
      if (change.seq <= this.sent) continue
      this.sent = change.seq
      if (this.root !== undefined && change.root !== this.root) continue
      text += page.events[i]
    }
    if (text !== '') this.res.write(text)
  }

  tick(): void {
    // The server stopped listening (shutdown): end the stream so its close can finish; the client resumes elsewhere or later.
    const server = (this.req.socket as { server?: { listening?: boolean } }).server
    if (server?.listening === false && this.mode !== 'closed') this.res.end()
  }

  private keepaliveComment(): void {
    if (this.mode === 'closed' || this.overLimit()) return
    this.res.write(': keepalive\n\n')
  }

  // Reset and close a live client whose unsent bytes are over the limit. The backfill goes at the
  // client's pace; only a live client can fall behind the broadcaster.
  private overLimit(): boolean {
    if (this.mode !== 'live' || this.res.writableLength <= this.options.maxQueueBytes) return false
    this.mode = 'closed'
    this.release()
    this.res.end(sseResetEvent({ reason: 'slow-client', latest: this.seen }))
    // A socket that does not drain would keep the reset and the response forever.
    this.killer = setTimeout(() => this.res.destroy(), RESET_GRACE_MS)
    return true
  }

  private close(): void {
    this.mode = 'closed'
    this.release()
    if (this.killer !== null) clearTimeout(this.killer)
    this.killer = null
  }

  private release(): void {
    if (this.counted) addSseClients(-1)
    this.counted = false
    if (this.keepalive !== null) clearInterval(this.keepalive)
    this.keepalive = null
    this.subscription?.unsubscribe()
    this.subscription = null
  }
}
