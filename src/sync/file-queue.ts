/**
 * Per-file scheduling: events on one path are debounced and coalesced, runs
 * for one path never overlap and keep their order, and a bounded number of
 * paths run at once.
 */
import type { FileOutcome } from './file-pipeline.js'

/** Queue settings. */
export interface FileQueueOptions {
  /** Quiet time after the last event on a path before it is synced. */
  debounceMs: number
  /** Paths synced at the same time (keeps the parse workers fed). */
  concurrency: number
  /** How often a file caught mid-write is retried before giving up until its next event. */
  maxRetries: number
  /** Sync one path; `trustStat` as in `syncFile`. Must not reject. */
  run: (relPath: string, trustStat: boolean) => Promise<FileOutcome>
  /** Called on the first event of a quiet path, to start work that overlaps the debounce window. */
  prefetch?: (relPath: string) => void
  /**
   * Called when another event arrives before the run: what `prefetch` read may
   * predate the latest write, and size plus mtime cannot always tell (two
   * writes of one length within one clock tick of a coarse file system).
   */
  discardPrefetch?: (relPath: string) => void
}

interface Entry {
  timer: NodeJS.Timeout | null
  state: 'idle' | 'ready' | 'running'
  /** An event arrived while running: run again afterwards. */
  dirty: boolean
  trustStat: boolean
  retries: number
  waiters: Array<(outcome: FileOutcome) => void>
}

/** Debounced, per-path serialised execution of the file pipeline. */
export class FileQueue {
  private readonly options: FileQueueOptions
  private readonly entries = new Map<string, Entry>()
  private readonly ready: string[] = []
  private readonly idleWaiters: Array<() => void> = []
  private active = 0
  private closed = false

  constructor(options: FileQueueOptions) {
    this.options = options
  }

  /** A watcher event: sync `relPath` once it has been quiet for the debounce window. */
  touch(relPath: string): void {
    if (this.closed) return
    const entry = this.entry(relPath, false)
    entry.trustStat = false
    if (entry.timer || entry.state === 'ready') this.options.discardPrefetch?.(relPath)
    else if (entry.state === 'idle') this.options.prefetch?.(relPath)
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = setTimeout(() => this.markReady(relPath), this.options.debounceMs)
  }

  /** Sync `relPath` now (after any run in flight); resolves with the outcome of a run that started after this call. */
  submit(relPath: string, trustStat: boolean): Promise<FileOutcome> {
    if (this.closed) return Promise.resolve('skipped')
    return new Promise((resolve) => {
      const entry = this.entry(relPath, trustStat)
      entry.trustStat &&= trustStat
      entry.waiters.push(resolve)
      this.markReady(relPath)
    })
  }

  /** Resolves once no path is waiting, debouncing or running. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stop taking work, drop pending debounces, and wait for the runs in flight to finish. */
  async close(): Promise<void> {
    this.closed = true
    this.ready.length = 0
    for (const [relPath, entry] of this.entries) {
      if (entry.timer) clearTimeout(entry.timer)
      entry.timer = null
      if (entry.state !== 'running') {
        for (const resolve of entry.waiters.splice(0)) resolve('skipped')
        this.entries.delete(relPath)
      }
    }
    await this.whenIdle()
  }

  /** Paths known to the queue (debouncing, ready or running). */
  get size(): number {
    return this.entries.size
  }

  private entry(relPath: string, trustStat: boolean): Entry {
    let entry = this.entries.get(relPath)
    if (!entry) {
      entry = { timer: null, state: 'idle', dirty: false, trustStat, retries: 0, waiters: [] }
      this.entries.set(relPath, entry)
    }
    return entry
  }

  private markReady(relPath: string): void {
    const entry = this.entries.get(relPath)
    if (!entry || this.closed) return
    entry.timer = null
    if (entry.state === 'running') {
      entry.dirty = true
      return
    }
    if (entry.state === 'ready') return
    entry.state = 'ready'
    this.ready.push(relPath)
    this.pump()
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.ready.length > 0) {
      void this.start(this.ready.shift()!)
    }
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private async start(relPath: string): Promise<void> {
    const entry = this.entries.get(relPath)
    if (!entry) return
    entry.state = 'running'
    this.active++
    const waiters = entry.waiters.splice(0)
    const trustStat = entry.trustStat
    entry.trustStat = true
    const outcome = await this.options.run(relPath, trustStat)
    this.active--
    entry.state = 'idle'

    if (outcome === 'retry' && entry.retries < this.options.maxRetries && !this.closed) {
      // Caught mid-write: the waiters wait for the settled content.
      entry.retries++
      entry.waiters.unshift(...waiters)
      if (!entry.timer) entry.timer = setTimeout(() => this.markReady(relPath), this.options.debounceMs)
    } else {
      entry.retries = 0
      for (const resolve of waiters) resolve(outcome)
      if (entry.dirty && !this.closed) {
        entry.dirty = false
        this.markReady(relPath)
      } else if (!entry.timer && entry.waiters.length === 0) {
        this.entries.delete(relPath)
      }
    }
    this.pump()
  }

  private isIdle(): boolean {
    return this.entries.size === 0 && this.active === 0
  }
}
