/**
 * One reader of new change-log rows per server, fanned out to every client
 * of the feed. A client never queries the database while it waits: the
 * broadcaster polls `changesSince(position)` on a short interval (the same
 * for both dialects, and for `serve` on a database another process fills)
 * and hands each new page to every subscriber, synchronously and in seq
 * order. It polls only while someone is subscribed, so its one timer lives
 * exactly as long as its clients and needs no separate close.
 */
import type { Logger } from 'pino'
import { MAX_CHANGES_PAGE, type StoreReader } from '../store/read-types.js'
import type { ChangeRecord } from '../store/types.js'

/** Someone waiting for changes: an SSE stream or a long-poll. */
export interface FeedSubscriber {
  /** New changes, every root, ascending; called synchronously, must not throw and must not block. */
  deliver(changes: readonly ChangeRecord[]): void
  /** Called after every poll, even an empty one: time for housekeeping, such as noticing that the server closed. */
  tick?(): void
}

/** A subscription; `position` is the last seq the broadcaster had read when it began: every later one will be delivered. */
export interface Subscription {
  readonly position: number
  unsubscribe(): void
}

/** How the broadcaster polls. */
export interface BroadcasterOptions {
  /** Wait between polls, ms (default 250). */
  pollIntervalMs?: number
  /** Where a failing poll is logged (default: nowhere). */
  logger?: Logger
}

/** Pages read at most per poll, so a burst of 100,000 rows cannot hold the event loop for long. */
const PAGES_PER_POLL = 20

/** Reads new changes once and hands them to every subscriber. */
export class ChangeBroadcaster {
  private readonly reader: StoreReader
  private readonly pollIntervalMs: number
  private readonly log: Logger | undefined
  private readonly subscribers = new Set<FeedSubscriber>()
  private position: number | null = null
  private starting: Promise<number> | null = null
  private timer: NodeJS.Timeout | null = null
  private polling = false
  private failing = false

  constructor(reader: StoreReader, options: BroadcasterOptions = {}) {
    this.reader = reader
    this.pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 250)
    this.log = options.logger?.child({ module: 'feed' })
  }

  /** Clients subscribed now. */
  get size(): number {
    return this.subscribers.size
  }

  /**
   * Start delivering to `subscriber`. Resolves once it is registered, with the
   * position it starts after: rows up to it are in the log already, so a
   * caller that reads the log from its own seq after this resolves misses
   * nothing (and may see some rows twice: dedupe on seq).
   */
  async subscribe(subscriber: FeedSubscriber): Promise<Subscription> {
    const position = this.position ?? (await (this.starting ??= this.start()))
    this.subscribers.add(subscriber)
    this.schedule()
    return {
      position: Math.max(position, this.position ?? position),
      unsubscribe: () => {
        this.subscribers.delete(subscriber)
        if (this.subscribers.size === 0) this.idle()
      },
    }
  }

  // The first subscriber fixes where reading starts: the newest seq now.
  private async start(): Promise<number> {
    try {
      const latest = await this.reader.latestChangeSeq()
      this.position = latest
      return latest
    } finally {
      this.starting = null
    }
  }

  // The last subscriber left: stop polling and forget the position, so nothing runs for nobody.
  private idle(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    if (!this.polling) this.position = null
  }

  private schedule(): void {
    if (this.timer !== null || this.polling || this.subscribers.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.poll()
    }, this.pollIntervalMs)
  }

  private async poll(): Promise<void> {
    if (this.position === null) return
    this.polling = true
    try {
      for (let page = 0; page < PAGES_PER_POLL && this.subscribers.size > 0; page++) {
        const changes = await this.reader.changesSince(this.position, MAX_CHANGES_PAGE)
        if (changes.length === 0) break
        this.position = changes[changes.length - 1]!.seq
        for (const subscriber of [...this.subscribers]) subscriber.deliver(changes)
        if (changes.length < MAX_CHANGES_PAGE) break
        // Let the sockets drain between pages of a burst: a client is judged by what it leaves unread, not by our batching.
        await new Promise((resolve) => setImmediate(resolve))
      }
      if (this.failing) this.log?.info('change feed: reading the change log again')
      this.failing = false
    } catch (error) {
      // The database is away: clients keep their streams and get the changes once it answers.
      if (!this.failing) this.log?.warn({ err: error }, `change feed: cannot read the change log (${(error as Error).message}); retrying`)
      this.failing = true
    } finally {
      this.polling = false
    }
    for (const subscriber of [...this.subscribers]) subscriber.tick?.()
    if (this.subscribers.size === 0) this.position = null
    else this.schedule()
  }
}
