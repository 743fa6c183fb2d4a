/**
 * A small pool of parse workers with a time budget per file. A worker that
 * blows its budget is terminated and replaced; the file gets a timeout result
 * and the other files keep flowing. Content that blew its budget is
 * remembered by hash and not parsed again.
 */
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { PricingTable } from '../parsers/agent/types.js'
import type { MarkdownParser } from '../parsers/markdown.js'
import { NO_OBSERVER, type SyncObserver } from './observer.js'
import type { ReadRequest, ReadResult } from './read-file.js'

/** Default old-generation heap per parse worker, MB. */
export const DEFAULT_WORKER_HEAP_MB = 96

/** Content hashes remembered as over budget; the oldest is forgotten first. */
export const OVER_BUDGET_MEMORY = 4096

/** Start attempts in a row that may fail before the pool stops trying for a while. */
const START_ATTEMPTS = 6
/** First wait before starting a worker again; doubles with each failure. */
const START_RETRY_MS = 100
/** How long the pool answers `unavailable` before it tries to start workers again. */
const UNAVAILABLE_COOLDOWN_MS = 30_000

/**
 * A read result, or: the budget ran out (`hash` names the content when it was
 * read; `repeated` when it had run out on that content before and was not
 * parsed again); or no worker could be started.
 */
export type PoolResult =
  | Exclude<ReadResult, { kind: 'over-budget' }>
  | { kind: 'timeout'; budgetMs: number; hash: string | null; repeated: boolean }
  | { kind: 'unavailable'; code: string; message: string }

/** Pool settings. */
export interface ParsePoolOptions {
  /** Worker threads; `0` parses on the calling thread (no budget enforcement). */
  workers: number
  /** Time budget per file, in milliseconds; `0` for none. */
  budgetMs: number
  /**
   * Old-generation heap of each worker, MB; default 96. Block-wise parsing keeps
   * real files far below it; a pathological block exhausts it and fails alone.
   */
  heapMb?: number
  /** Young generation of each worker, MB; default V8's own. For measurements. */
  youngMb?: number
  /** Nice value each worker thread sets for itself (Linux: per thread); default 0, the process's. */
  nice?: number
  /** Which markdown reader the workers use; default `fast`. */
  parser?: MarkdownParser
  /** Prices of agent transcripts' usage; default none (only costs the lines state). */
  pricing?: PricingTable | null
  /** Worker entry module; defaults to the compiled `parse-worker.js` beside this module. */
  workerUrl?: URL
  /** Where worker start failures are reported; default: not logged. */
  logger?: Logger
  /** Told each parse's duration and each worker replaced; default: nobody. */
  observer?: SyncObserver
  /** Start the workers at the first `run`, not at construction; default `false`. */
  lazy?: boolean
}

/** What the pool posts to a worker. */
export type WorkerMessage = { id: number; request: ReadRequest } | { overBudget: string }
/** What a worker posts back. */
export type WorkerReply = { ready: true } | { id: number; parsing: string } | { id: number; result: ReadResult }

interface Job {
  id: number
  request: ReadRequest
  resolve: (result: PoolResult) => void
  /** Hash of the content being parsed, once the worker has said it. */
  hash: string | null
}

interface Slot {
  worker: Worker
  /** Modules loaded; loading time must not count against a file's budget. */
  ready: boolean
  job: Job | null
  timer: NodeJS.Timeout | null
  /** When the job was posted (performance.now()), for the parse duration. */
  startedAt: number
}

/** Runs read requests on worker threads, one file per worker at a time. */
export class ParsePool {
  private readonly options: ParsePoolOptions
  private readonly slots: Slot[] = []
  private readonly waiting: Job[] = []
  /** Hashes of content that blew its budget, oldest first. */
  private readonly overBudget = new Set<string>()
  /** Workers wanted; lowered when some cannot be started. */
  private target: number
  private startFailures = 0
  private startTimer: NodeJS.Timeout | null = null
  private unavailable: { code: string; message: string; until: number } | null = null
  private replaced = 0
  private nextId = 1
  private closed = false
  /** A lazy pool that has not started its workers yet. */
  private unstarted: boolean
  private readyWaiters: Array<() => void> = []
  private readonly observer: SyncObserver

  constructor(options: ParsePoolOptions) {
    this.options = options
    this.observer = options.observer ?? NO_OBSERVER
    this.target = options.workers
    this.unstarted = options.lazy === true
    if (!this.unstarted) this.startWorkers()
  }

  /** Start a lazy pool's workers, the first time it is asked to work. */
  private startOnce(): void {
    if (!this.unstarted) return
    this.unstarted = false
    this.startWorkers()
  }

  /**
   * Resolves once the workers have loaded their modules, or once none can
   * start. Starts a lazy pool's workers. A watch waits for this before it says
   * it is ready: its start-up check of unchanged files needs no worker, and
   * its first edit must not wait for a parser to load.
   */
  whenReady(): Promise<void> {
    this.startOnce()
    if (this.isReady()) return Promise.resolve()
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  private isReady(): boolean {
    if (this.closed || this.unavailable !== null || this.options.workers === 0) return true
    return this.slots.length >= this.target && this.slots.every((slot) => slot.ready)
  }

  private settleReady(): void {
    if (this.readyWaiters.length > 0 && this.isReady()) for (const resolve of this.readyWaiters.splice(0)) resolve()
  }

  /** Workers terminated and replaced so far (budget blown, heap exhausted, crashed). */
  get workersReplaced(): number {
    return this.replaced
  }

  /** Read, hash and parse one file. Never rejects. */
  run(request: ReadRequest): Promise<PoolResult> {
    if (this.options.workers === 0) return this.readInline(request)
    if (this.unavailable) {
      if (Date.now() < this.unavailable.until) {
        const { code, message } = this.unavailable
        return Promise.resolve({ kind: 'unavailable', code, message })
      }
      // The limit may have been raised, or other files closed: try again.
      this.unavailable = null
      this.startFailures = 0
      this.target = this.options.workers
      this.startWorkers()
    }
    this.startOnce()
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextId++, request, resolve, hash: null })
      this.dispatch()
    })
  }

  /** Terminate every worker; queued requests resolve as `unreadable`. */
  async close(): Promise<void> {
    this.closed = true
    this.settleReady()
    if (this.startTimer) clearTimeout(this.startTimer)
    for (const job of this.waiting.splice(0)) job.resolve({ kind: 'unreadable', code: 'ECLOSED', message: 'parse pool closed' })
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer)
        slot.job?.resolve({ kind: 'unreadable', code: 'ECLOSED', message: 'parse pool closed' })
        slot.job = null
        await slot.worker.terminate()
      }),
    )
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const free = this.slots.filter((slot) => slot.ready && !slot.job)
      if (free.length === 0) return
      const job = this.waiting.shift()!
      // The same file goes to the same worker when it is free: its block cache
      // holds the file's unchanged blocks, so an edit re-parses only what changed.
      const preferred = this.slots[affinity(job.request.relPath, this.slots.length)]
      const slot = preferred && free.includes(preferred) ? preferred : free[0]!
      slot.job = job
      slot.startedAt = performance.now()
      if (this.options.budgetMs > 0) slot.timer = setTimeout(() => this.expire(slot), this.options.budgetMs)
      slot.worker.postMessage({ id: job.id, request: job.request } satisfies WorkerMessage)
    }
  }

  /**
   * Start the missing workers one at a time: loading the parser opens dozens
   * of module files at once, and several workers loading together can exhaust
   * a low open-file limit (`ulimit -n`) that one at a time stays within.
   */
  private startWorkers(): void {
    if (this.closed || this.unavailable || this.startTimer) return
    if (this.slots.length >= this.target || this.slots.some((slot) => !slot.ready)) return
    let slot: Slot
    try {
      slot = this.spawn()
    } catch (error) {
      this.startFailed(error)
      return
    }
    this.slots.push(slot)
  }

  private spawn(): Slot {
    // A capped old generation keeps each worker's RSS near what it parses now, not
    // the high-water mark of the largest file so far. The young generation is V8's
    // own unless set, but a `--max-semi-space-size` flag (the service files' 2 MB,
    // meant for the main thread) wins over `maxYoungGenerationSizeMb` and caps the
    // workers too. Measured on the corpus sync: with the flag taken back before the
    // workers start, V8's own young generation took 0.8 s of CPU off (about 5 % of
    // the wall time) for 47 MB more peak RSS, over the 200 MB goal; 12, 18 or 24 MB
    // gained nothing measurable. So the workers keep the flag's small one.
    const worker = new Worker(this.options.workerUrl ?? defaultWorkerUrl(), {
      resourceLimits: {
        ...(this.options.youngMb === undefined ? {} : { maxYoungGenerationSizeMb: this.options.youngMb }),
        maxOldGenerationSizeMb: this.options.heapMb ?? DEFAULT_WORKER_HEAP_MB,
      },
      workerData: {
        overBudget: [...this.overBudget],
        overBudgetLimit: OVER_BUDGET_MEMORY,
        parser: this.options.parser ?? 'fast',
        pricing: this.options.pricing ?? null,
        nice: this.options.nice ?? 0,
      },
    })
    const slot: Slot = { worker, ready: false, job: null, timer: null, startedAt: 0 }
    worker.on('message', (message: WorkerReply) => {
      if ('ready' in message) {
        slot.ready = true
        this.startFailures = 0
        this.startWorkers()
        this.settleReady()
        this.dispatch()
        return
      }
      if (!slot.job || slot.job.id !== message.id) return
      if ('parsing' in message) slot.job.hash = message.parsing
      else this.finish(slot, message.result)
    })
    worker.on('error', (error: Error & { code?: string }) => {
      if (!slot.ready) {
        this.remove(slot)
        this.startFailed(error)
        return
      }
      // The worker died (out of memory, a crash in native code): fail its file, replace it.
      const message =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `parsing needs more than the ${this.options.heapMb ?? DEFAULT_WORKER_HEAP_MB} MB worker heap (--worker-heap-mb)`
          : `parse worker died: ${error.message}`
      this.retire(slot, { kind: 'unreadable', code: error.code ?? 'EWORKER', message })
    })
    // A worker that ends without an error (process.exit in a module) would otherwise hold its slot forever.
    worker.on('exit', (code: number) => {
      if (this.closed || !this.slots.includes(slot)) return
      const error = Object.assign(new Error(`parse worker exited with code ${code}`), { code: 'EWORKER' })
      if (!slot.ready) {
        this.remove(slot)
        this.startFailed(error)
      } else {
        this.retire(slot, { kind: 'unreadable', code: 'EWORKER', message: error.message })
      }
    })
    return slot
  }

  /**
   * A worker could not load. Trying again at once would spin (the cause, such
   * as the open-file limit, is still there): wait longer each time, then run
   * with the workers that did start, or answer `unavailable` for a while.
   */
  private startFailed(error: unknown): void {
    if (this.closed) return
    this.startFailures++
    const code = (error as { code?: string }).code ?? 'EWORKER'
    const message =
      code === 'EMFILE' || code === 'ENFILE'
        ? `cannot start a parse worker: too many open files (${code}); raise the open-file limit (\`ulimit -n\`) or lower --workers`
        : `cannot start a parse worker: ${(error as Error).message}`
    if (this.startFailures < START_ATTEMPTS) {
      this.startTimer = setTimeout(() => {
        this.startTimer = null
        this.startWorkers()
      }, START_RETRY_MS * 2 ** (this.startFailures - 1))
      return
    }
    this.startFailures = 0
    const running = this.slots.filter((slot) => slot.ready).length
    if (running > 0) {
      this.target = running
      this.options.logger?.warn({ code, workers: running }, `${message}; going on with ${running} of ${this.options.workers} workers`)
      this.settleReady()
      return
    }
    this.target = 0
    this.unavailable = { code, message, until: Date.now() + UNAVAILABLE_COOLDOWN_MS }
    this.options.logger?.error({ code }, message)
    for (const job of this.waiting.splice(0)) job.resolve({ kind: 'unavailable', code, message })
    this.settleReady()
  }

  private finish(slot: Slot, result: ReadResult): void {
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = null
    const job = slot.job
    slot.job = null
    // Only a parse that ran counts: an unchanged hash or a refused read says nothing about parse cost.
    if (result.kind === 'parsed' || result.kind === 'appended' || result.kind === 'parser-failed') this.observer.parseDuration((performance.now() - slot.startedAt) / 1000)
    job?.resolve(this.answer(result))
    if (!this.closed) this.dispatch()
  }

  private answer(result: ReadResult): PoolResult {
    if (result.kind !== 'over-budget') return result
    return { kind: 'timeout', budgetMs: this.options.budgetMs, hash: result.hash, repeated: true }
  }

  private expire(slot: Slot): void {
    const hash = slot.job?.hash ?? null
    if (hash !== null) this.rememberOverBudget(hash)
    this.retire(slot, { kind: 'timeout', budgetMs: this.options.budgetMs, hash, repeated: false })
  }

  // A bounded memory: a pathological file edited forever must not grow it.
  private rememberOverBudget(hash: string): void {
    this.overBudget.delete(hash)
    this.overBudget.add(hash)
    if (this.overBudget.size > OVER_BUDGET_MEMORY) this.overBudget.delete(this.overBudget.values().next().value!)
    for (const slot of this.slots) slot.worker.postMessage({ overBudget: hash } satisfies WorkerMessage)
  }

  // Take the worker out before the job resolves, so nothing is dispatched to the dying one.
  private retire(slot: Slot, result: PoolResult): void {
    if (!this.remove(slot)) return
    if (slot.timer) clearTimeout(slot.timer)
    const job = slot.job
    slot.job = null
    void slot.worker.terminate()
    this.replaced++
    this.observer.workerRestart()
    this.startWorkers()
    job?.resolve(result)
    if (!this.closed) this.dispatch()
  }

  private remove(slot: Slot): boolean {
    const index = this.slots.indexOf(slot)
    if (index === -1) return false
    this.slots.splice(index, 1)
    return true
  }

  // The parsers are loaded here only when no worker runs them: the parser stack
  // costs the main thread about 20 MB of RSS it would otherwise never use.
  private async readInline(request: ReadRequest): Promise<PoolResult> {
    try {
      const { readAndParse } = await import('./read-file.js')
      const startedAt = performance.now()
      const result = readAndParse(request, { overBudget: this.overBudget, parser: this.options.parser ?? 'fast', pricing: this.options.pricing ?? null })
      if (result.kind === 'parsed' || result.kind === 'appended' || result.kind === 'parser-failed') this.observer.parseDuration((performance.now() - startedAt) / 1000)
      return this.answer(result)
    } catch (error) {
      return { kind: 'unreadable', code: 'EPARSE', message: error instanceof Error ? error.message : String(error) }
    }
  }
}

function affinity(relPath: string, slots: number): number {
  let hash = 0
  for (let i = 0; i < relPath.length; i++) hash = (hash * 31 + relPath.charCodeAt(i)) | 0
  return Math.abs(hash) % Math.max(1, slots)
}

// Under vitest this module runs from src/*.ts, where no runnable worker exists;
// the compiled worker in dist/ (built before the tests) is the same code.
function defaultWorkerUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/sync/parse-worker.js', here) : new URL('./parse-worker.js', here)
}
