/**
 * The change feed for clients without SSE: `?since=&wait=&limit=` answers
 * at once when the log holds changes after `since`, else waits (on the
 * broadcaster, not the database) until some arrive or `wait` elapses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StoreReader } from '../store/read-types.js'
import type { ChangeRecord } from '../store/types.js'
import type { ChangeBroadcaster, FeedSubscriber } from './broadcaster.js'
import { feedChange, resetReason, type FeedChange, type FeedReset } from './change-event.js'
import type { FeedQuery } from './feed-params.js'

/** A long-poll answer. */
export interface LongPollAnswer {
  changes: FeedChange[]
  /** Pass as `since` next time. */
  next: number
  /** Present when `since` is no longer in the log: read the state again, then poll from `next`. */
  reset?: true
  /** With `reset`: why, and the oldest seq the log keeps. */
  reason?: FeedReset['reason']
  oldest?: number | null
}

/** Answer one long-poll. */
export async function serveLongPoll(
  req: IncomingMessage,
  res: ServerResponse,
  query: FeedQuery,
  reader: StoreReader,
  broadcaster: ChangeBroadcaster,
): Promise<void> {
  const answer = await longPoll(req, query, reader, broadcaster)
  const body = JSON.stringify(answer)
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

async function longPoll(req: IncomingMessage, query: FeedQuery, reader: StoreReader, broadcaster: ChangeBroadcaster): Promise<LongPollAnswer> {
  const waiter = new Waiter(req, query)
  // Subscribe before reading the log, so a change committed in between is delivered, not lost.
  const subscription = query.wait > 0 ? await broadcaster.subscribe(waiter) : null
  try {
    const [oldest, latest] = await Promise.all([reader.oldestChangeSeq(), reader.latestChangeSeq()])
    const since = query.since ?? Math.max(latest, subscription?.position ?? 0)
    const reason = query.since === null ? null : resetReason(since, oldest, latest)
    if (reason !== null) return { changes: [], next: latest, reset: true, reason, oldest }
    // Before the read: a change delivered while it runs may be missing from its snapshot.
    waiter.since = since
    const changes = await reader.changesSince(since, query.limit, query.root)
    if (changes.length > 0 || subscription === null) return answerOf(changes, since)
    return answerOf(await waiter.wait(query.wait * 1_000), since)
  } finally {
    subscription?.unsubscribe()
  }
}

function answerOf(changes: readonly ChangeRecord[], since: number): LongPollAnswer {
  return { changes: changes.map(feedChange), next: changes.length > 0 ? changes[changes.length - 1]!.seq : since }
}

class Waiter implements FeedSubscriber {
  since = Number.MAX_SAFE_INTEGER
  private found: ChangeRecord[] = []
  private wake: (() => void) | null = null

  constructor(
    private readonly req: IncomingMessage,
    private readonly query: FeedQuery,
  ) {}

  deliver(changes: readonly ChangeRecord[]): void {
    for (const change of changes) {
      if (this.found.length >= this.query.limit) break
      if (change.seq > this.since && (this.query.root === undefined || change.root === this.query.root)) this.found.push(change)
    }
    if (this.found.length > 0) this.wake?.()
  }

  tick(): void {
    // A server that stopped listening answers now, so its close can finish.
    const server = (this.req.socket as { server?: { listening?: boolean } }).server
    if (server?.listening === false) this.wake?.()
  }

  // Resolve with what arrived, once something did, the client left, or `ms` passed.
  wait(ms: number): Promise<ChangeRecord[]> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.req.socket.off('close', done)
        this.wake = null
        resolve(this.found)
      }
      const timer = setTimeout(done, ms)
      this.wake = done
      this.req.socket.once('close', done)
    })
  }
}
