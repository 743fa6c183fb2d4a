/**
 * JSON answers kept until the database changes. Under load most requests ask
 * what the last one asked (a dashboard's session list, one session), and the
 * rows only change when a commit lands: an answer read once serves every
 * request until then, without a query, a JSON encoding or a hash. The reader
 * says when that is (`StoreReader.dataVersion`, SQLite's `data_version`); a
 * reader that cannot tell caches nothing. Bounded in entries' bytes, least
 * recently used first out.
 */

/** One answer as sent: its JSON bytes and their ETag. */
export interface CachedAnswer {
  readonly body: Buffer
  readonly etag: string
}

/** Answers of one database version, by request path and query. */
export class AnswerCache {
  private readonly maxBytes: number
  private readonly maxEntryBytes: number
  private readonly entries = new Map<string, CachedAnswer>()
  private version: number | null = null
  private bytes = 0

  /** At most `maxBytes` of bodies in all, none over `maxEntryBytes`. */
  constructor(options: { maxBytes: number; maxEntryBytes: number }) {
    this.maxBytes = options.maxBytes
    this.maxEntryBytes = options.maxEntryBytes
  }

  /** The answer to `key` read at `version`; a new version empties the cache. */
  get(key: string, version: number): CachedAnswer | undefined {
    if (version !== this.version) {
      this.entries.clear()
      this.bytes = 0
      this.version = version
      return undefined
    }
    const answer = this.entries.get(key)
    if (answer !== undefined) {
      // Most recently used goes last: eviction takes the Map's first entries.
      this.entries.delete(key)
      this.entries.set(key, answer)
    }
    return answer
  }

  /**
   * Keep `answer`, read after `version` was seen. A commit between the two may
   * make it newer than its version says, never older: the next request sees
   * the new version and reads again.
   */
  set(key: string, version: number, answer: CachedAnswer): void {
    if (version !== this.version || answer.body.length > this.maxEntryBytes) return
    const previous = this.entries.get(key)
    if (previous !== undefined) {
      this.entries.delete(key)
      this.bytes -= previous.body.length
    }
    for (const [oldest, evicted] of this.entries) {
      if (this.bytes + answer.body.length <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= evicted.body.length
    }
    this.entries.set(key, answer)
    this.bytes += answer.body.length
  }

  /** Answers kept now (for tests and metrics). */
  get size(): number {
    return this.entries.size
  }
}
