/**
 * The sync machinery shared by `sync` and `watch`: the pipeline context, the
 * parse pool, the per-file queue, and the full reconcile of a root.
 */
import fs from 'node:fs'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import type { KnownFile, Store } from '../store/types.js'
import { inArchivedSession, prefetchFile, syncFile, type FileOutcome, type PipelineContext } from './file-pipeline.js'
import { FileQueue } from './file-queue.js'
import { NO_OBSERVER, type SyncObserver } from './observer.js'
import { ParsePool } from './parse-pool.js'
import { loadPricing } from '../pricing-file.js'
import { isReportSessionDir, rootLabel, sessionCreatedAt, sessionIdOf, type RootKind } from './paths.js'
import { scanTree } from './scan.js'
import { StoreHealth } from './store-health.js'

/** Counters of one reconcile, as `sync --json` prints them. */
export interface ReconcileCounts {
  filesSeen: number
  filesApplied: number
  filesUnchanged: number
  filesRemoved: number
  filesFailed: number
  /** Files not applied because the database went away (counted in `filesFailed` too). */
  filesDeferred: number
}

/** Which files a reconcile reads and hashes, beyond those whose size, mtime or inode moved. */
export interface ReconcileOptions {
  /** Every file (the start-up reconcile, unless `--trust-stat`): catches edits that kept size and mtime. */
  verifyAll?: boolean
  /** This many files, taken in turn across reconciles, so each is verified within a bounded time. */
  verifySlice?: number
}

/** The machinery for one root. */
export interface Syncer {
  readonly ctx: PipelineContext
  readonly queue: FileQueue
  /** Whether the database is reachable; holds the files that changed while it was not. */
  readonly health: StoreHealth
  /**
   * Scan the root and make the store match it: new, changed and removed files
   * and sessions. What the store holds is read first (one query per root), so
   * rows lost on the database side (a dropped schema, a truncated table, a
   * lagging replica after failover) are written again.
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileCounts>
  /** Sync every file under one directory (new, changed, removed), reading only those whose stat moved. */
  reconcileDirectory(relDir: string): Promise<void>
  /** Create or remove the session row of one top-level directory, as the disk says now; returns the files removed with it. */
  syncSession(sessionId: string): Promise<number>
  /**
   * Whether work was skipped because the root itself was gone since the last
   * call (cleared by the call): the caller reconciles once the root is back.
   */
  takeRootLost(): boolean
  /** Why files were not parsed because no parse worker could run, since the last call (cleared by it); `null` when none. */
  takeWorkerFailure(): StatebridgeError | null
  /**
   * A watcher event on `relPath`: the file waits from now until its change
   * commits (change_to_commit_seconds, oldest_dirty_age_seconds).
   */
  fileEvent(relPath: string): void
  /** Seconds the oldest file waiting since an event or a deferral has waited; 0 when none. */
  oldestWaitingSeconds(): number
  /** Wait for queued work, then stop the workers. The store stays open. */
  close(): Promise<void>
}

/** Build the machinery for `config.root`; throws `SB_ROOT` when the root is not a readable directory. */
export async function createSyncer(
  config: Config,
  store: Store,
  logger: Logger,
  appliedLevel: 'info' | 'debug',
  options: {
    probe: boolean
    observer?: SyncObserver
    /**
     * Keep revisions or not, whatever `config.history` (`--no-history`) says:
     * `false` for the bench's scratch runs, `true` for the commands that restore
     * or write files, which must record what they overwrite.
     */
    history?: boolean
    revisionChange?: 'restored'
    /**
     * Start the parse workers at the first file a worker must read, not now: a
     * one-shot sync of an unchanged tree then starts none (each file's hash is
     * checked on this thread). A watch keeps them warm for its first edit.
     */
    lazyWorkers?: boolean
  },
): Promise<Syncer> {
  const observer = options.observer ?? NO_OBSERVER
  const rootKind = config.rootKind ?? 'reports'
  const rootAbs = await realRoot(config.root, rootKind)
  const rootId = config.rootId ?? rootAbs
  // Before anything starts: a pricing file that does not read stops the start.
  const pricing = loadPricing(config.pricing)
  // Before the parse pool starts: a database lost here must not leave worker threads that keep the process alive.
  const known = await store.loadKnownFiles(rootId)
  const archived = new Set((await store.archivedSessions(rootId)).keys())
  // A root moved away or unmounted is not a tree whose files were all deleted:
  // nothing is removed while it is gone, and the owner reconciles once it is back.
  let rootLost = false
  const rootPresent = async (): Promise<boolean> => {
    const present = await fs.promises.stat(rootAbs).then(
      (s) => s.isDirectory(),
      () => false,
    )
    if (!present) rootLost = true
    return present
  }
  const ctx: PipelineContext = {
    rootAbs,
    rootId,
    instance: config.instance,
    maxFileBytes: config.maxFileBytes,
    compressThreshold: (options.history ?? config.history) ? config.compressThreshold : null,
    store,
    pool: new ParsePool({
      workers: config.workers,
      budgetMs: config.parseTimeoutMs,
      heapMb: config.workerHeapMb,
      nice: config.workerNice,
      parser: config.parser === 'remark' ? 'remark' : 'fast',
      pricing,
      logger: logger.child({ module: 'parse-pool' }),
      observer,
      lazy: options.lazyWorkers ?? false,
    }),
    known,
    archived,
    logger,
    appliedLevel,
    prefetched: new Map(),
    refusals: new Map(),
    rootPresent,
    observer,
    rootKind,
    ...(options.revisionChange ? { revisionChange: options.revisionChange } : {}),
  }

  const health = new StoreHealth({
    store,
    logger,
    retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    probe: options.probe,
    observer,
  })
  let workerFailure: StatebridgeError | null = null
  // When each waiting file started waiting (performance.now()): its first event,
  // or its deferral in an outage. An entry stays while the file is in flight, so
  // a hung apply still ages; it goes when the change commits or proves a no-op.
  const waitingSince = new Map<string, number>()
  const waited = (relPath: string, outcome: FileOutcome): FileOutcome => {
    const since = waitingSince.get(relPath)
    if (outcome === 'deferred' || outcome === 'retry') {
      if (since === undefined) waitingSince.set(relPath, performance.now())
      return outcome
    }
    if (since === undefined) return outcome
    waitingSince.delete(relPath)
    if (outcome === 'applied' || outcome === 'removed' || outcome === 'failed') observer.changeToCommit((performance.now() - since) / 1000)
    return outcome
  }
  const run = async (relPath: string, trustStat: boolean): Promise<FileOutcome> => waited(relPath, await runFile(relPath, trustStat))
  const runFile = async (relPath: string, trustStat: boolean): Promise<FileOutcome> => {
    // While the database is away, remember the path and do nothing else: its
    // content is read when the database is back, so the latest write wins.
    if (health.down) {
      // A read started during the debounce would hold its parse for the whole outage.
      ctx.prefetched.delete(relPath)
      health.defer(relPath, trustStat)
      return 'deferred'
    }
    try {
      const outcome = await syncFile(ctx, relPath, trustStat)
      if (outcome === 'applied' || outcome === 'removed' || outcome === 'failed') health.noteSuccess()
      return outcome
    } catch (error) {
      // No parse worker runs at all (file descriptors exhausted): not the database's
      // fault and not this file's. The pool says why; the next reconcile tries again.
      if ((error as StatebridgeError).code === 'SB_WORKER') {
        workerFailure = error as StatebridgeError
        observer.fileError('worker_unavailable')
        return 'failed'
      }
      if (health.fail(error) === 'file') {
        logger.error({ path: relPath, err: error }, `${relPath}: could not apply: ${(error as Error).message}`)
        observer.fileError('apply')
        return 'failed'
      }
      ctx.prefetched.delete(relPath)
      health.defer(relPath, trustStat)
      return 'deferred'
    }
  }
  const queue = new FileQueue({
    debounceMs: config.debounceMs,
    concurrency: Math.max(2, config.workers * 2),
    maxRetries: 20,
    run,
    prefetch: (relPath) => {
      if (!health.down) prefetchFile(ctx, relPath)
    },
    discardPrefetch: (relPath) => ctx.prefetched.delete(relPath),
  })

  const syncSession = async (sessionId: string): Promise<number> => {
    // An archived session has no rows to create or remove; `import` brings it back.
    if (ctx.archived.has(sessionId)) return 0
    // Agent sessions' folder, and a transcripts root's projects, are no report sessions.
    if (rootKind === 'transcripts' || !isReportSessionDir(sessionId)) return 0
    if (!(await rootPresent())) return 0
    // lstat: a session swapped for a symlink is no session directory (scans list it as an entry).
    const exists = await fs.promises
      .lstat(`${rootAbs}/${sessionId}`)
      .then((s) => s.isDirectory())
      .catch(() => false)
    if (exists) {
      await store.ensureSession({ root: rootId, sessionId, createdAt: sessionCreatedAt(sessionId) })
      return 0
    }
    await store.removeSession(rootId, sessionId)
    let removed = 0
    for (const relPath of ctx.known.keys()) {
      if (relPath.startsWith(`${sessionId}/`)) {
        ctx.known.delete(relPath)
        removed++
      }
    }
    logger[appliedLevel]({ session: sessionId, files: removed }, 'session removed')
    return removed
  }

  // Where the rolling verification slice starts next time, as an index into the sorted scan.
  let verifyCursor = 0
  const reconcile = async (options: ReconcileOptions = {}): Promise<ReconcileCounts> => {
    // A root that is gone (moved away, unmounted) would scan as empty and
    // remove every row: keep the rows and say so until it is back.
    if (!(await rootPresent())) {
      throw new StatebridgeError('SB_ROOT', `the ${rootLabel(rootKind)} ${rootAbs} is gone; its rows are kept until it is back`)
    }
    // The store, not this process's memory, says what is applied: take its view wherever they differ.
    adoptStoredView(ctx.known, await store.loadKnownFiles(rootId))
    // Read after the known files: a session archived in between is skipped, not applied again.
    // Sessions a `cleanup` elsewhere archived go; those an `import` brought back return.
    const archived = await store.archivedSessions(rootId)
    ctx.archived.clear()
    for (const sessionId of archived.keys()) ctx.archived.add(sessionId)
    for (const relPath of ctx.known.keys()) if (inArchivedSession(ctx, relPath)) ctx.known.delete(relPath)
    const scan = await scanTree(rootAbs, '', ctx.archived)
    for (const problem of scan.unreadable) {
      logger.error({ path: problem.path }, `${problem.path}: cannot list directory: ${problem.reason}; its files keep their rows`)
    }
    const sessions = rootKind === 'transcripts' ? [] : scan.sessions.filter(isReportSessionDir)
    const onDisk = new Set(sessions)
    const inStore = new Set(await store.listSessions(rootId))
    for (const sessionId of sessions) {
      if (!inStore.has(sessionId)) await store.ensureSession({ root: rootId, sessionId, createdAt: sessionCreatedAt(sessionId) })
    }
    let removedWithSessions = 0
    for (const sessionId of inStore) if (!onDisk.has(sessionId)) removedWithSessions += await syncSession(sessionId)

    const seen = new Set(scan.files)
    const blind = scan.unreadable.map((u) => `${u.path}/`)
    const paths = [...scan.files]
    for (const relPath of ctx.known.keys()) {
      if (!seen.has(relPath) && !blind.some((prefix) => relPath.startsWith(prefix))) paths.push(relPath)
    }
    interleaveSessions(paths)
    // Verification is for rows that claim to be good: a file in error is read
    // again when its stat moves, as before, and not re-parsed (and re-logged) on every start.
    const verifiable = scan.files.filter((relPath) => ctx.known.get(relPath)?.status === 'ok')
    const verify = new Set<string>()
    if (options.verifyAll) for (const relPath of verifiable) verify.add(relPath)
    else if (options.verifySlice && verifiable.length > 0) {
      const count = Math.min(options.verifySlice, verifiable.length)
      const start = verifyCursor % verifiable.length
      for (let i = 0; i < count; i++) verify.add(verifiable[(start + i) % verifiable.length]!)
      verifyCursor = (start + count) % verifiable.length
    }
    ctx.dirChecks = new Map()
    let outcomes: FileOutcome[]
    try {
      outcomes = await Promise.all(paths.map((relPath) => queue.submit(relPath, !verify.has(relPath))))
    } finally {
      ctx.dirChecks = null
    }
    const counts: ReconcileCounts = {
      filesSeen: scan.files.length,
      filesApplied: 0,
      filesUnchanged: 0,
      filesRemoved: removedWithSessions,
      filesFailed: 0,
      filesDeferred: 0,
    }
    outcomes.forEach((outcome, index) => {
      if (outcome === 'applied') counts.filesApplied++
      else if (outcome === 'deferred') {
        counts.filesFailed++
        counts.filesDeferred++
      }
      else if (outcome === 'removed') counts.filesRemoved++
      else if (outcome === 'failed') counts.filesFailed++
      else if (outcome === 'retry') {
        counts.filesFailed++
        logger.warn({ path: paths[index] }, `${paths[index]}: still being written after repeated reads; left for its next change`)
      } else counts.filesUnchanged++
    })
    return counts
  }

  const reconcileDirectory = async (relDir: string): Promise<void> => {
    if (inArchivedSession(ctx, `${relDir}/`)) return
    const scan = await scanTree(rootAbs, relDir)
    const seen = new Set(scan.files)
    const gone = [...ctx.known.keys()].filter((relPath) => relPath.startsWith(`${relDir}/`) && !seen.has(relPath))
    await Promise.all([...scan.files, ...gone].map((relPath) => queue.submit(relPath, true)))
  }

  return {
    ctx,
    queue,
    health,
    reconcile,
    reconcileDirectory,
    syncSession,
    takeWorkerFailure() {
      const failure = workerFailure
      workerFailure = null
      return failure
    },
    fileEvent(relPath) {
      if (!waitingSince.has(relPath)) waitingSince.set(relPath, performance.now())
    },
    oldestWaitingSeconds() {
      let oldest = Infinity
      for (const since of waitingSince.values()) if (since < oldest) oldest = since
      return oldest === Infinity ? 0 : (performance.now() - oldest) / 1000
    },
    takeRootLost() {
      const lost = rootLost
      rootLost = false
      return lost
    },
    async close() {
      health.close()
      await queue.close()
      await ctx.pool.close()
    },
  }
}

/**
 * Make `known` agree with what the store holds. An entry the store lacks is
 * dropped (the file is read and applied again), and one that differs is
 * replaced (the stat check then decides). The in-memory entry is kept only
 * when it matches, because it alone carries the inode of the applied read.
 * An apply that commits while the store is read can only cause extra work:
 * every apply is idempotent.
 */
export function adoptStoredView(known: Map<string, KnownFile>, stored: Map<string, KnownFile>): void {
  for (const relPath of known.keys()) if (!stored.has(relPath)) known.delete(relPath)
  for (const [relPath, row] of stored) {
    const mine = known.get(relPath)
    const same =
      mine !== undefined &&
      mine.contentHash === row.contentHash &&
      mine.status === row.status &&
      mine.sizeBytes === row.sizeBytes &&
      mine.mtimeMs === row.mtimeMs
    if (!same) known.set(relPath, row)
  }
}

async function realRoot(root: string, kind: RootKind): Promise<string> {
  try {
    const real = await fs.promises.realpath(root)
    if (!(await fs.promises.stat(real)).isDirectory()) throw new Error('not a directory')
    return real
  } catch (error) {
    throw new StatebridgeError('SB_ROOT', `${rootLabel(kind)} ${root} is not usable: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * Reorder `paths` in place so that consecutive files belong to different
 * sessions, each session's files keeping their order. The queue applies a few
 * files at a time, and a store serialises the applies of one session (the
 * PostgreSQL store by the session's advisory lock): in scan order the files in
 * flight are nearly always one session's and wait for each other.
 */
export function interleaveSessions(paths: string[]): void {
  const bySession = new Map<string, string[]>()
  for (const relPath of paths) {
    const key = sessionIdOf(relPath) ?? ''
    let list = bySession.get(key)
    if (list === undefined) bySession.set(key, (list = []))
    list.push(relPath)
  }
  const lists = [...bySession.values()]
  let at = 0
  for (let round = 0; at < paths.length; round++) {
    for (const list of lists) if (round < list.length) paths[at++] = list[round]!
  }
}
