/**
 * Whether the database is reachable, and what to redo once it is back. While
 * it is away the daemon keeps watching and only remembers which files are
 * dirty (the content is read again at recovery, so the latest wins); a probe
 * retries with exponential backoff and jitter, and on success the dirty files
 * are applied, then the tree is reconciled.
 */
import type { Logger } from 'pino'
import type { Store, StoreErrorKind } from '../store/types.js'
import { NO_OBSERVER, type SyncObserver } from './observer.js'

/** Backoff settings. */
export interface RetryPolicy {
  /** First wait, ms. */
  baseMs: number
  /** Longest wait, ms. */
  maxMs: number
}

/**
 * Wait before retry number `attempt` (1-based): the backoff doubles from
 * `baseMs` up to `maxMs`, and a random half of it is dropped ("equal jitter")
 * so sidecars that lost the same server do not return in lockstep.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** Settings of a `StoreHealth`. */
export interface StoreHealthOptions {
  store: Store
  logger: Logger
  retry: RetryPolicy
  /** Probe and recover by itself (watch); `false` for a one-shot sync, which reports instead. */
  probe: boolean
  /** Told when the database goes, each retry, and when it is back; default: nobody. */
  observer?: SyncObserver
}

/** The database's availability as the sync loop sees it. */
export class StoreHealth {
  /** Re-apply the files that changed while the database was away, then reconcile. Set by the owner. */
  onRecovered: (dirty: Map<string, boolean>) => Promise<void> = async () => undefined
  private readonly options: StoreHealthOptions
  private isDown = false
  private probing = false
  private closed = false
  private attempt = 0
  private downSince = 0
  private lastError: unknown = null
  private lastKind: StoreErrorKind = 'transient'
  /** Dirty paths, each with whether its stat may be trusted (as `syncFile` takes it). */
  private dirty = new Map<string, boolean>()
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | null = null
  private upWaiters: Array<() => void> = []
  private readonly observer: SyncObserver

  constructor(options: StoreHealthOptions) {
    this.options = options
    this.observer = options.observer ?? NO_OBSERVER
  }

  /** Whether store calls are being held back. */
  get down(): boolean {
    return this.isDown
  }

  /** Files waiting for the database. */
  get dirtyCount(): number {
    return this.dirty.size
  }

  /** The error that took the database away, for reports. */
  get reason(): string {
    return this.lastError instanceof Error ? this.lastError.message : String(this.lastError)
  }

  /** Remember that `relPath` must be synced once the database is back. */
  defer(relPath: string, trustStat: boolean): void {
    this.dirty.set(relPath, (this.dirty.get(relPath) ?? true) && trustStat)
  }

  /** A write reached the database: the next outage starts its backoff from the beginning. */
  noteSuccess(): void {
    this.attempt = 0
  }

  /**
   * A store call threw `error`: unless it concerns one file's records, the
   * database counts as down. Returns the kind, so the caller can handle `file`.
   */
  fail(error: unknown): StoreErrorKind {
    const kind = this.options.store.classifyError(error)
    if (kind !== 'file') this.markDown(error, kind)
    return kind
  }

  /** A store call failed in a way a retry may fix (`transient`) or that needs the operator (`fatal`). */
  markDown(error: unknown, kind: StoreErrorKind): void {
    this.lastError = error
    this.lastKind = kind
    if (this.isDown || this.closed) return
    this.isDown = true
    this.downSince = Date.now()
    this.observer.dbDown()
    const message = `database unavailable (${this.options.store.description}): ${this.reason}`
    if (kind === 'fatal') {
      this.options.logger.error({ err: error, kind }, `${message}; retrying cannot fix this by itself: fix the configuration or the schema`)
    } else {
      this.options.logger.error({ err: error, kind }, `${message}; changes are kept and applied when it is back`)
    }
    if (this.options.probe) void this.probeUntilUp()
  }

  /** Resolves once the database is reachable and the recovery work is done (at once when it is up). */
  whenUp(): Promise<void> {
    if (this.closed || (!this.isDown && !this.probing)) return Promise.resolve()
    return new Promise((resolve) => this.upWaiters.push(resolve))
  }

  /** Stop probing; changes still dirty are reconciled by the next start. */
  close(): void {
    this.closed = true
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer)
      this.sleeper.wake()
    }
    if (this.dirty.size > 0) {
      this.options.logger.warn(
        { dirtyFiles: this.dirty.size },
        `stopping with ${this.dirty.size} changed files not yet in the database; the next start reconciles them`,
      )
    }
    for (const resolve of this.upWaiters.splice(0)) resolve()
  }

  private async probeUntilUp(): Promise<void> {
    if (this.probing) return
    this.probing = true
    const { logger, retry, store } = this.options
    try {
      while (!this.closed) {
        this.attempt++
        // Errors that need the operator are retried at the slowest pace from the start.
        const delayMs =
          this.lastKind === 'fatal' ? retryDelay(Infinity, retry.baseMs, retry.maxMs) : retryDelay(this.attempt, retry.baseMs, retry.maxMs)
        logger.warn(
          { attempt: this.attempt, delayMs, dirtyFiles: this.dirty.size, kind: this.lastKind },
          `database unavailable: ${this.reason}; retry ${this.attempt} in ${delayMs} ms (${this.dirty.size} files waiting)`,
        )
        await this.sleep(delayMs)
        if (this.closed) return
        this.observer.dbRetry()
        try {
          await store.ping()
        } catch (error) {
          this.lastError = error
          this.lastKind = store.classifyError(error)
          continue
        }
        // Closed while the ping was in flight: the queue is gone, the next start reconciles.
        if (this.closed) return
        const dirty = this.dirty
        this.dirty = new Map()
        this.isDown = false
        this.observer.dbUp()
        // A server that answers does not prove a fatal error (a dropped schema, a revoked grant) is fixed: say so.
        const fields = { downMs: Date.now() - this.downSince, attempts: this.attempt, dirtyFiles: dirty.size }
        if (this.lastKind === 'fatal') {
          logger.warn(fields, `database answers; trying the ${dirty.size} waiting files again (the last error was: ${this.reason})`)
        } else {
          logger.info(
            fields,
            `database reachable again after ${fields.downMs} ms; applying ${dirty.size} files changed meanwhile, then reconciling`,
          )
        }
        await this.onRecovered(dirty).catch((error: unknown) => {
          logger.error({ err: error }, `recovery after the outage failed: ${(error as Error).message}`)
        })
        // The recovery work may itself have lost the database again.
        if (!this.isDown) return
      }
    } finally {
      this.probing = false
      if (!this.isDown || this.closed) for (const resolve of this.upWaiters.splice(0)) resolve()
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = null
        resolve()
      }, ms)
      this.sleeper = { timer, wake: resolve }
    })
  }
}
