/**
 * The change feed's wire format, shared by the SSE stream, the long-poll and
 * the Redis mirror: one JSON object per committed change, named as the
 * PostgreSQL NOTIFY payload names it (`session`, not `sessionId`).
 */
import type { ChangeRecord } from '../store/types.js'

/** One change as the feed sends it. */
export interface FeedChange {
  /** Position in the change log; a client resumes after the last one it saw. */
  seq: number
  root: string
  /** Session directory name; `null` for files directly under the root. */
  session: string | null
  /** Relative path; `null` when a whole session was removed. */
  path: string | null
  change: ChangeRecord['change']
  /** `ok` or `error` for created and updated files; `null` for removals. */
  status: ChangeRecord['status']
  /** The sidecar that committed it. */
  instance: string
  /** Commit time, ISO-8601 in UTC. */
  at: string
}

/** The wire form of a change-log row. */
export function feedChange(record: ChangeRecord): FeedChange {
  return {
    seq: record.seq,
    root: record.root,
    session: record.sessionId,
    path: record.path,
    change: record.change,
    status: record.status,
    instance: record.instance,
    at: record.at,
  }
}

/** What a reset tells the client: the log no longer holds what it asked for, so it must read the state again. */
export interface FeedReset {
  /** `pruned` (older than the log), `unknown-seq` (a seq this database never issued), `slow-client` (it fell behind). */
  reason: 'pruned' | 'unknown-seq' | 'slow-client'
  /** The oldest seq still in the log (`null`: the log is empty); absent for `slow-client`. */
  oldest?: number | null
  /** The newest seq; resume after it once the state has been read again. */
  latest: number
}

/** One SSE `change` event; its id is the seq, so `Last-Event-ID` resumes after it. */
export function sseChangeEvent(record: ChangeRecord): string {
  return `id: ${record.seq}\nevent: change\ndata: ${JSON.stringify(feedChange(record))}\n\n`
}

/** A page of changes as SSE events, formatted once and shared by every client it is delivered to. */
export interface SseEventPage {
  /** The event of each change, in the page's order. */
  readonly events: readonly string[]
  /** Every event of the page, encoded once: what a client that takes the whole page is written. */
  readonly whole: Buffer
}

// Keyed by the page the broadcaster hands to every subscriber: with 50 clients this is one
// JSON.stringify and one UTF-8 encoding per change instead of 50.
const formattedPages = new WeakMap<readonly ChangeRecord[], SseEventPage>()

/** The SSE events of `changes`, formatted on the first call for this page and reused after. */
export function sseEventPage(changes: readonly ChangeRecord[]): SseEventPage {
  let page = formattedPages.get(changes)
  if (page === undefined) {
    const events = changes.map(sseChangeEvent)
    page = { events, whole: Buffer.from(events.join(''), 'utf8') }
    formattedPages.set(changes, page)
  }
  return page
}

/** One SSE `reset` event. Its id is the latest seq: a client that resyncs and reconnects resumes from there. */
export function sseResetEvent(reset: FeedReset): string {
  return `id: ${reset.latest}\nevent: reset\ndata: ${JSON.stringify(reset)}\n\n`
}

/**
 * Whether a client at `since` must reset: the changes right after it were
 * pruned (the oldest kept seq is beyond `since + 1`), or it names a seq this
 * log never issued (a replaced database). A gap left by a rolled-back
 * PostgreSQL insert may cause a needless reset, never a missed change.
 */
export function resetReason(since: number, oldest: number | null, latest: number): FeedReset['reason'] | null {
  if (since > latest) return 'unknown-seq'
  if (oldest !== null && since < oldest - 1) return 'pruned'
  return null
}
