/**
 * One-shot sync: scan, reconcile, apply, record the run.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import type { Store, StoreErrorKind } from '../store/types.js'
import { createSyncer, type Syncer } from './syncer.js'

/** The `sync --json` summary line. */
export interface SyncSummary {
  files_seen: number
  files_applied: number
  files_unchanged: number
  files_removed: number
  files_failed: number
  duration_ms: number
}

/** Optional hooks of a one-shot sync. */
export interface RunSyncOptions {
  /**
   * Called as each file of the reconcile finishes: files finished, files
   * queued so far (the whole tree once the scan is queued), and bytes of the
   * finished files. For the CLI's progress line; must not throw.
   */
  onProgress?: (done: number, total: number, bytes: number) => void
  /** Keep history or not, whatever `config.history` says (default: as it says); the bench turns it off to measure what it costs. */
  history?: boolean
}

/**
 * Make the store equal the tree under `config.root`, once. When the database
 * goes away during the run this throws `SB_DB_UNAVAILABLE` after the scan,
 * naming how many files were not applied: a one-shot run reports, it does not
 * wait. A database that refuses the writes for good (a read-only SQLite file,
 * a dropped schema) throws `SB_DB_OPEN` with the store's reason. Either way
 * the message is one line, whichever store call met the failure.
 */
export async function runSync(config: Config, store: Store, logger: Logger, options: RunSyncOptions = {}): Promise<SyncSummary> {
  const started = Date.now()
  const log = logger.child({ module: 'sync' })
  // The health tracker says only that the database is down; this remembers why.
  let lastFailure: { error: unknown; kind: StoreErrorKind } | null = null
  const observed = observeFailures(store, (error, kind) => {
    lastFailure = { error, kind }
  })
  const syncer = await createSyncer(config, observed, log, 'debug', { probe: false, history: options.history, lazyWorkers: true }).catch((error: unknown) => {
    throw oneLine(error, store, 'no file was applied')
  })
  if (options.onProgress) reportProgress(syncer, options.onProgress)
  // What a failure thrown from here on leaves undone; the reconcile throws only before it queues the files.
  let left = 'no file was applied'
  try {
    // Every file is read and hashed unless --trust-stat: an edit that kept size and mtime is found only by its hash.
    const { filesDeferred, ...counts } = await syncer.reconcile(config.trustStat ? {} : { verifyAll: true })
    // No parse worker could run (file descriptors exhausted): the pool's message says what to raise.
    const workerFailure = syncer.takeWorkerFailure()
    if (workerFailure) throw workerFailure
    if (filesDeferred > 0 || syncer.health.down) {
      const failure = lastFailure as { error: unknown; kind: StoreErrorKind } | null
      const notApplied = syncer.health.dirtyCount
      left = `${notApplied} ${notApplied === 1 ? 'file was' : 'files were'} not applied`
      throw oneLine(failure?.error ?? new Error(syncer.health.reason), store, left, failure?.kind ?? 'transient')
    }
    left = 'every file was applied, but the run was not recorded'
    const finished = Date.now()
    await store.recordSyncRun({
      root: syncer.ctx.rootId,
      instance: config.instance,
      mode: 'sync',
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      ...counts,
    })
    const summary: SyncSummary = {
      files_seen: counts.filesSeen,
      files_applied: counts.filesApplied,
      files_unchanged: counts.filesUnchanged,
      files_removed: counts.filesRemoved,
      files_failed: counts.filesFailed,
      duration_ms: finished - started,
    }
    log.info(summary, 'sync finished')
    return summary
  } catch (error) {
    throw oneLine(error, store, left)
  } finally {
    await syncer.close()
  }
}

/**
 * Count the files of this run's reconcile as they finish. The reconcile queues
 * every path through `syncer.queue.submit` and awaits each promise, so
 * wrapping that one method of this run's own queue sees every outcome without
 * a hook in the syncer. The size comes from the row the file left in `known`.
 */
function reportProgress(syncer: Syncer, onProgress: NonNullable<RunSyncOptions['onProgress']>): void {
  const queue = syncer.queue
  const submit = queue.submit.bind(queue)
  let total = 0
  let done = 0
  let bytes = 0
  queue.submit = (relPath, trustStat) => {
    total++
    return submit(relPath, trustStat).then((outcome) => {
      done++
      bytes += syncer.ctx.known.get(relPath)?.sizeBytes ?? 0
      onProgress(done, total, bytes)
      return outcome
    })
  }
}

/**
 * A database failure met anywhere in the run (loading what is known, listing
 * or creating sessions, a file's apply, recording the run) as the one-line
 * error the CLI prints; anything else, a bug included, is returned unchanged.
 */
function oneLine(error: unknown, store: Store, left: string, kind = store.classifyError(error)): unknown {
  if (error instanceof StatebridgeError || kind === 'file') return error
  const reason = error instanceof Error ? error.message : String(error)
  if (kind === 'transient') {
    return new StatebridgeError('SB_DB_UNAVAILABLE', `the database went away during the sync (${reason}): ${left}; run sync again`, {
      cause: error,
    })
  }
  return new StatebridgeError('SB_DB_OPEN', `the database refused the sync: ${reason}; ${left}; fix that, then run sync again`, { cause: error })
}

/** `store`, except that every failure it classifies as the database's (not a file's) is passed to `seen`. */
function observeFailures(store: Store, seen: (error: unknown, kind: StoreErrorKind) => void): Store {
  const classifyError = (error: unknown): StoreErrorKind => {
    const kind = store.classifyError(error)
    if (kind !== 'file') seen(error, kind)
    return kind
  }
  return new Proxy(store, {
    get(target, key) {
      if (key === 'classifyError') return classifyError
      const value: unknown = Reflect.get(target, key, target)
      // Methods run on the store itself, whose private fields the proxy does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
