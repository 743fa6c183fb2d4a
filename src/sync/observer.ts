/**
 * The seam between the sync layer and whoever watches it (the /metrics
 * route). The sync layer calls a `SyncObserver` at the moments that matter
 * and never imports a metrics library: prom-client is loaded only when the
 * API is served. Every call is synchronous and allocation-free, because it
 * sits on the apply path.
 *
 * The watch owns one `SyncMonitor`: it keeps the cumulative counts and the
 * latest times itself (so /metrics started late still sees the start-up
 * reconcile), holds the samples of the histograms until an observer attaches,
 * and forwards every event to the attached observers.
 */

/** What happened to a file's rows: as the change log says (`created`, `updated`, `removed`). */
export type FileChange = 'created' | 'updated' | 'removed'

/** The file's status after the change; `none` for a removal. */
export type FileChangeStatus = 'ok' | 'error' | 'none'

/**
 * Why a file got an error status (a bounded set, so it can label a metric):
 * `parse` (the parser's diagnostic), `parser_failed` (the parser threw),
 * `timeout` (--parse-timeout-ms), `too_large` (--max-file-bytes),
 * `unreadable` (read or stat failed), `not_regular` (FIFO, socket, dangling
 * symlink), `refused` (leads out of the root, or a name statebridge will not
 * read), `db_refused` (the database refused the records), `apply` (a store
 * error about this one file, not recorded), `worker_unavailable` (no parse
 * worker could run).
 */
export type FileErrorReason =
  | 'parse'
  | 'parser_failed'
  | 'timeout'
  | 'too_large'
  | 'unreadable'
  | 'not_regular'
  | 'refused'
  | 'db_refused'
  | 'apply'
  | 'worker_unavailable'

/** Every `FileErrorReason`, in a stable order (metrics list them all, at zero too). */
export const FILE_ERROR_REASONS: readonly FileErrorReason[] = [
  'parse',
  'parser_failed',
  'timeout',
  'too_large',
  'unreadable',
  'not_regular',
  'refused',
  'db_refused',
  'apply',
  'worker_unavailable',
]

/** Events of the sync layer. Implementations must be cheap and must not throw. */
export interface SyncObserver {
  /** A file change committed (one transaction). */
  fileApplied(change: FileChange, status: FileChangeStatus): void
  /** A file got an error status (or could not be applied), and why. */
  fileError(reason: FileErrorReason): void
  /** Seconds one file's store transaction took (apply, failure record or removal). */
  applyDuration(seconds: number): void
  /** Seconds from the first event on a file (or its deferral in an outage) to the commit of its change. */
  changeToCommit(seconds: number): void
  /** Seconds one file's read, hash and parse took in a worker. */
  parseDuration(seconds: number): void
  /** A full reconcile ended: `ok` when it completed (and was recorded), `false` when cut short or failed. */
  reconcileDone(durationSeconds: number, ok: boolean): void
  /** The database became unreachable. */
  dbDown(): void
  /** The database answered again. */
  dbUp(): void
  /** One retry of an unreachable database. */
  dbRetry(): void
  /** A parse worker was terminated and replaced (budget blown, heap exhausted, crash). */
  workerRestart(): void
}

const nothing = (): void => undefined

/** An observer that ignores everything: the default of every sync component. */
export const NO_OBSERVER: SyncObserver = Object.freeze({
  fileApplied: nothing,
  fileError: nothing,
  applyDuration: nothing,
  changeToCommit: nothing,
  parseDuration: nothing,
  reconcileDone: nothing,
  dbDown: nothing,
  dbUp: nothing,
  dbRetry: nothing,
  workerRestart: nothing,
})

/** State the watch knows at any moment, read at scrape time rather than pushed. */
export interface SyncStatusSource {
  /** Files waiting to be applied (queued, in flight, or held while the database is away). */
  dirtyFiles(): number
  /** Seconds the oldest waiting file has waited; 0 when none waits. */
  oldestDirtyAgeSeconds(): number
  /** Whether the watcher gave up on some directories and reconcile carries the load. */
  degraded(): boolean
  /** Whether the sync loop sees the database as reachable. */
  databaseUp(): boolean
}

/** Histogram samples kept before the first observer attaches; the latest win. */
export const HELD_SAMPLES = 4096

/** A fixed ring of samples: no allocation per sample. */
class HeldSamples {
  private readonly values = new Float64Array(HELD_SAMPLES)
  private count = 0

  push(value: number): void {
    this.values[this.count % HELD_SAMPLES] = value
    this.count++
  }

  /** Hand every held sample to `take`, oldest first, and forget them. */
  drain(take: (value: number) => void): void {
    const start = Math.max(0, this.count - HELD_SAMPLES)
    for (let i = start; i < this.count; i++) take(this.values[i % HELD_SAMPLES]!)
    this.count = 0
  }
}

const idle: SyncStatusSource = {
  dirtyFiles: () => 0,
  oldestDirtyAgeSeconds: () => 0,
  degraded: () => false,
  databaseUp: () => true,
}

/**
 * The watch's observer: counts, remembers and forwards. Counters here are
 * cumulative since the process started; the metrics read them at scrape time.
 */
export class SyncMonitor implements SyncObserver {
  /** Committed file changes, by change and status. */
  readonly applied: Record<FileChange, Record<FileChangeStatus, number>> = {
    created: { ok: 0, error: 0, none: 0 },
    updated: { ok: 0, error: 0, none: 0 },
    removed: { ok: 0, error: 0, none: 0 },
  }
  /** Files in error, by reason. */
  readonly errors = Object.fromEntries(FILE_ERROR_REASONS.map((reason) => [reason, 0])) as Record<FileErrorReason, number>
  /** Retries of an unreachable database. */
  dbRetries = 0
  /** Parse workers replaced. */
  workerRestarts = 0
  /** When the last file change committed, Unix seconds; `null` before the first. */
  lastApplyAt: number | null = null
  /** When the last complete reconcile ended, Unix seconds; `null` before the first. */
  lastReconcileSuccessAt: number | null = null
  /** How long the last reconcile took (complete or not), seconds; `null` before the first. */
  lastReconcileDurationSeconds: number | null = null
  private source: SyncStatusSource = idle
  private observers: SyncObserver[] = []
  private readonly held = { apply: new HeldSamples(), commit: new HeldSamples(), parse: new HeldSamples() }

  /** Whether a reconcile has completed since start: until then the tree and the database may disagree. */
  get initialReconcileDone(): boolean {
    return this.lastReconcileSuccessAt !== null
  }

  /** The watch's live state (set once by the watch). */
  get status(): SyncStatusSource {
    return this.source
  }

  /** Let the watch name where its live state comes from. */
  bindStatus(source: SyncStatusSource): void {
    this.source = source
  }

  /**
   * Forward every later event to `observer`; the histogram samples held so far
   * are replayed to it first. Returns the function that detaches it.
   */
  observe(observer: SyncObserver): () => void {
    if (this.observers.length === 0) {
      this.held.apply.drain((v) => observer.applyDuration(v))
      this.held.commit.drain((v) => observer.changeToCommit(v))
      this.held.parse.drain((v) => observer.parseDuration(v))
    }
    // A new array, so an event being forwarded while this runs sees one list or the other.
    this.observers = [...this.observers, observer]
    return () => {
      this.observers = this.observers.filter((o) => o !== observer)
    }
  }

  fileApplied(change: FileChange, status: FileChangeStatus): void {
    this.applied[change][status]++
    this.lastApplyAt = Date.now() / 1000
    for (const o of this.observers) o.fileApplied(change, status)
  }

  fileError(reason: FileErrorReason): void {
    this.errors[reason]++
    for (const o of this.observers) o.fileError(reason)
  }

  applyDuration(seconds: number): void {
    if (this.observers.length === 0) this.held.apply.push(seconds)
    for (const o of this.observers) o.applyDuration(seconds)
  }

  changeToCommit(seconds: number): void {
    if (this.observers.length === 0) this.held.commit.push(seconds)
    for (const o of this.observers) o.changeToCommit(seconds)
  }

  parseDuration(seconds: number): void {
    if (this.observers.length === 0) this.held.parse.push(seconds)
    for (const o of this.observers) o.parseDuration(seconds)
  }

  reconcileDone(durationSeconds: number, ok: boolean): void {
    this.lastReconcileDurationSeconds = durationSeconds
    if (ok) this.lastReconcileSuccessAt = Date.now() / 1000
    for (const o of this.observers) o.reconcileDone(durationSeconds, ok)
  }

  dbDown(): void {
    for (const o of this.observers) o.dbDown()
  }

  dbUp(): void {
    for (const o of this.observers) o.dbUp()
  }

  dbRetry(): void {
    this.dbRetries++
    for (const o of this.observers) o.dbRetry()
  }

  workerRestart(): void {
    this.workerRestarts++
    for (const o of this.observers) o.workerRestart()
  }
}
