/**
 * A small pool of parse workers with a time budget per file. A worker that
 * blows its budget is terminated and replaced; the file gets a timeout result
 * and the other files keep flowing.
 */
import { Worker } from 'node:worker_threads'
import { readAndParse, type ReadRequest, type ReadResult } from './read-file.js'

/** Default old-generation heap per parse worker, MB. */
export const DEFAULT_WORKER_HEAP_MB = 96

/** A read result, or the budget ran out. */
export type PoolResult = ReadResult | { kind: 'timeout'; budgetMs: number }

/** Pool settings. */
export interface ParsePoolOptions {
  /** Worker threads; `0` parses on the calling thread (no budget enforcement). */
  workers: number
  /** Time budget per file, in milliseconds. */
  budgetMs: number
  /**
   * Old-generation heap of each worker, MB; default 96. Block-wise parsing keeps
   * real files far below it; a pathological block exhausts it and fails alone.
   */
  heapMb?: number
  /** Worker entry module; defaults to the compiled `parse-worker.js` beside this module. */
  workerUrl?: URL
}

interface Job {
  id: number
  request: ReadRequest
  resolve: (result: PoolResult) => void
}

interface Slot {
  worker: Worker
  /** Modules loaded; loading time must not count against a file's budget. */
  ready: boolean
  job: Job | null
  timer: NodeJS.Timeout | null
}

/** Runs read requests on worker threads, one file per worker at a time. */
export class ParsePool {
  private readonly options: ParsePoolOptions
  private readonly slots: Slot[] = []
  private readonly waiting: Job[] = []
  private nextId = 1
  private closed = false

  constructor(options: ParsePoolOptions) {
    this.options = options
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn())
  }

  /** Read, hash and parse one file. Never rejects. */
  run(request: ReadRequest): Promise<PoolResult> {
    if (this.options.workers === 0) return Promise.resolve(readInline(request))
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextId++, request, resolve })
      this.dispatch()
    })
  }

  /** Terminate every worker; queued requests resolve as `unreadable`. */
  async close(): Promise<void> {
    this.closed = true
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
      const preferred = this.slots[affinity(job.request.relPath, this.slots.length)]!
      const slot = free.includes(preferred) ? preferred : free[0]!
      slot.job = job
      slot.timer = setTimeout(() => this.expire(slot), this.options.budgetMs)
      slot.worker.postMessage({ id: job.id, request: job.request })
    }
  }

  private spawn(): Slot {
    // A capped old generation keeps each worker's RSS near what it parses now, not
    // the high-water mark of the largest file so far. A 12 MB young generation is
    // the measured middle: 8 MB halved parse speed, V8's default costs ~40 MB per worker.
    const worker = new Worker(this.options.workerUrl ?? defaultWorkerUrl(), {
      resourceLimits: { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: this.options.heapMb ?? DEFAULT_WORKER_HEAP_MB },
    })
    const slot: Slot = { worker, ready: false, job: null, timer: null }
    worker.on('message', (message: { ready?: true; id: number; result: ReadResult }) => {
      if (message.ready) {
        slot.ready = true
        this.dispatch()
        return
      }
      if (!slot.job || slot.job.id !== message.id) return
      this.finish(slot, message.result)
    })
    worker.on('error', (error: Error & { code?: string }) => {
      // The worker died (out of memory, a crash in native code): fail its file, replace it.
      const message =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `parsing needs more than the ${this.options.heapMb ?? DEFAULT_WORKER_HEAP_MB} MB worker heap (--worker-heap-mb)`
          : `parse worker died: ${error.message}`
      this.retire(slot, { kind: 'unreadable', code: error.code ?? 'EWORKER', message })
    })
    return slot
  }

  private finish(slot: Slot, result: PoolResult): void {
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = null
    const job = slot.job
    slot.job = null
    job?.resolve(result)
    if (!this.closed) this.dispatch()
  }

  private expire(slot: Slot): void {
    this.retire(slot, { kind: 'timeout', budgetMs: this.options.budgetMs })
  }

  // Swap in a fresh worker before the job resolves, so nothing is dispatched to the dying one.
  private retire(slot: Slot, result: PoolResult): void {
    const index = this.slots.indexOf(slot)
    if (index === -1) return
    if (slot.timer) clearTimeout(slot.timer)
    const job = slot.job
    slot.job = null
    void slot.worker.terminate()
    if (this.closed) this.slots.splice(index, 1)
    else this.slots[index] = this.spawn()
    job?.resolve(result)
    if (!this.closed) this.dispatch()
  }
}

function affinity(relPath: string, slots: number): number {
  let hash = 0
  for (let i = 0; i < relPath.length; i++) hash = (hash * 31 + relPath.charCodeAt(i)) | 0
  return Math.abs(hash) % slots
}

function readInline(request: ReadRequest): ReadResult {
  try {
    return readAndParse(request)
  } catch (error) {
    return { kind: 'unreadable', code: 'EPARSE', message: error instanceof Error ? error.message : String(error) }
  }
}

// Under vitest this module runs from src/*.ts, where no runnable worker exists;
// the compiled worker in dist/ (built before the tests) is the same code.
function defaultWorkerUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/sync/parse-worker.js', here) : new URL('./parse-worker.js', here)
}
