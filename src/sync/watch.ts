/**
 * Watch mode: reconcile at start, then follow file-system events, with a
 * periodic reconcile because events alone are not trusted (early `ready`,
 * dropped events on queue overflow, exhausted inotify watches). Also
 * reconciles after every large burst of events (the kernel's queue overflow
 * never reaches chokidar), renews the watch when the root itself is replaced,
 * and reopens a SQLite file deleted under it.
 */
import fs from 'node:fs'
import type { FSWatcher } from 'chokidar'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Store } from '../store/types.js'
import { StatebridgeError } from '../errors.js'
import { SyncMonitor } from './observer.js'
import { rootLabel } from './paths.js'
import { createSyncer, type ReconcileCounts, type ReconcileOptions, type Syncer } from './syncer.js'
import { TreeWatcher } from './tree-watcher.js'

/** Interval of the fallback reconcile when the watcher cannot watch everything. */
export const DEGRADED_RECONCILE_MS = 30_000

/**
 * Events in one burst (events with no quiet gap between them) after which the
 * tree is reconciled once it goes quiet. The kernel drops events without a word
 * once its inotify queue is full, and delivers the full queue first, so a burst
 * that lost events showed at least a queue's worth: the threshold stays at or
 * below the queue size (16,384 by default).
 */
export const BURST_EVENTS = Math.min(1_000, Math.max(16, Math.floor(inotifyQueueSize() / 2)))

/** How often the root's identity (its inode) and the database file are checked, ms. */
export const GUARD_INTERVAL_MS = 1_000

/** What can stop a watch while it is still starting. */
export interface WatchStartOptions {
  /** Aborting it during the start-up reconcile stops at once: `startWatch` then rejects with `SB_ABORTED`. */
  signal?: AbortSignal
}

/** A running watch. */
export interface WatchHandle {
  /** Resolves once no event, reconcile or apply is pending. */
  whenIdle(): Promise<void>
  /** Run a full reconcile that starts after this call; runs never overlap, and at most one waits. */
  reconcile(): Promise<ReconcileCounts>
  /** Whether the watcher gave up on some directories and reconcile carries the load. */
  readonly degraded: boolean
  /** Files waiting to be applied: queued, in flight, or held while the database is away. */
  readonly pendingFiles: number
  /** The chokidar watcher in use now, for diagnostics and tests (renewed when a directory is replaced). */
  readonly watcher: FSWatcher
  /**
   * What the sync layer reports, for /metrics and /readyz: cumulative counts,
   * live state, and `observe()` to receive every later event.
   */
  readonly monitor: SyncMonitor
  /** Stop watching, finish the applies in flight, stop the workers. The store stays open. */
  close(): Promise<void>
}

/** Reconcile `config.root`, then keep the store equal to it until `close()`. */
export async function startWatch(config: Config, store: Store, logger: Logger, options: WatchStartOptions = {}): Promise<WatchHandle> {
  const log = logger.child({ module: 'watch' })
  const monitor = new SyncMonitor()
  const syncer = await createSyncer(config, store, log, 'info', { probe: true, observer: monitor })
  const { rootAbs } = syncer.ctx
  let degraded = false
  let closed = false
  let reconciling: Promise<ReconcileCounts> | null = null
  let sessionsDirty = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  /** Pending looks at new directories, by directory. */
  const lookTimers = new Map<string, NodeJS.Timeout>()

  let queuedReconcile: Promise<ReconcileCounts> | null = null
  // The periodic reconcile also reads a slice of the files whose stat did not
  // move, sized so that every file is hashed again within --rehash-window-ms.
  let periodic = false
  let aborting = false
  const verifySlice = (): number => {
    if (config.rehashWindowMs === 0 || config.reconcileIntervalMs === 0) return 0
    return Math.ceil((syncer.ctx.known.size * config.reconcileIntervalMs) / config.rehashWindowMs)
  }
  const startReconcile = (requested: ReconcileOptions): Promise<ReconcileCounts> => {
    const verify = periodic ? { ...requested, verifySlice: verifySlice() } : requested
    periodic = false
    const run = runReconcile(syncer, store, config, log, verify, () => !aborting, monitor).finally(() => {
      if (reconciling === run) reconciling = null
    })
    reconciling = run
    return run
  }
  // Whoever asks for a reconcile must get one that starts after the asking: a
  // run already under way may have looked before the change that prompted the
  // request (a renewed watch, a recovered database). At most one waits.
  const reconcile = (): Promise<ReconcileCounts> => {
    if (!reconciling) return startReconcile({})
    queuedReconcile ??= reconciling
      .then(
        (counts) => counts,
        () => null,
      )
      .then((previous) => {
        queuedReconcile = null
        // Stopping: the next start reconciles anyway.
        if (closed && previous) return previous
        return startReconcile({})
      })
    return queuedReconcile
  }
  const reconcileLogged = (first?: ReconcileOptions): Promise<unknown> =>
    (first ? startReconcile(first) : reconcile()).catch((err: Error) => {
      if ((err as StatebridgeError).code === 'SB_ROOT') log.debug({ err }, `reconcile skipped: ${err.message}`)
      else log.error({ err }, `reconcile failed: ${err.message}`)
    })

  // Back from an outage: the files that changed meanwhile first, then a full
  // reconcile for whatever the events did not say (sessions, removals).
  syncer.health.onRecovered = async (dirty) => {
    await Promise.all([...dirty].map(([relPath, trustStat]) => syncer.queue.submit(relPath, trustStat)))
    await reconcileLogged()
  }

  const schedule = (ms: number): void => {
    if (timer) clearInterval(timer)
    // While the database is away the recovery reconciles; a periodic one would only defer every file.
    timer =
      ms > 0
        ? setInterval(() => {
            if (syncer.health.down) return
            periodic = true
            void reconcileLogged()
          }, ms)
        : null
    timer?.unref()
  }

  // Bursts: count events until a quiet gap; past BURST_EVENTS, reconcile once quiet.
  const burstQuietMs = Math.max(2 * config.debounceMs, 500)
  let burstEvents = 0
  let lastEventAt = 0
  let burstTimer: NodeJS.Timeout | null = null
  const noteEvent = (): void => {
    const now = Date.now()
    if (now - lastEventAt > burstQuietMs) burstEvents = 0
    lastEventAt = now
    if (++burstEvents === BURST_EVENTS && !burstTimer) burstTimer = setTimeout(afterBurst, burstQuietMs)
  }
  const afterBurst = (): void => {
    const quietFor = Date.now() - lastEventAt
    if (quietFor < burstQuietMs) {
      burstTimer = setTimeout(afterBurst, burstQuietMs - quietFor)
      return
    }
    burstTimer = null
    log.info({ events: burstEvents }, `reconciling after a burst of ${burstEvents} events (the kernel may have dropped some)`)
    burstEvents = 0
    void reconcileLogged()
  }

  const sessionEvent = (sessionId: string): void => {
    sessionsDirty.add(sessionId)
    // Session rows follow the directory once file work has settled, so a
    // late file apply cannot resurrect a session that was just removed.
    void syncer.queue.whenIdle().then(flushSessions)
  }
  const flushSessions = async (): Promise<void> => {
    const ids = sessionsDirty
    sessionsDirty = new Set()
    for (const id of ids) {
      await syncer.syncSession(id).catch((err: Error) => {
        // The reconcile after an outage puts session rows right.
        if (syncer.health.fail(err) === 'file') log.error({ err, path: id }, `${id}: could not sync session: ${err.message}`)
      })
    }
  }

  // A new directory can hold files written before its watch was attached (an
  // agent writing right after mkdir -p): look at them once the watch is surely in place.
  const settleMs = Math.max(2 * config.debounceMs, 100)
  const looks = new Set<Promise<void>>()
  const lookLater = (relDir: string): void => {
    if (lookTimers.has(relDir)) return
    const handle = setTimeout(() => {
      lookTimers.delete(relDir)
      if (closed) return
      const look = syncer
        .reconcileDirectory(relDir)
        .catch((err: Error) => log.error({ err, path: relDir }, `${relDir}: rescan failed: ${err.message}`))
        .finally(() => looks.delete(look))
      looks.add(look)
    }, settleMs)
    lookTimers.set(relDir, handle)
  }
  const onWatcherError = (error: unknown): void => {
    const code = (error as NodeJS.ErrnoException).code
    if ((code === 'ENOSPC' || code === 'EMFILE') && !degraded) {
      degraded = true
      log.error(
        { code },
        code === 'ENOSPC'
          ? 'inotify watch limit reached (ENOSPC): raise it with `sysctl -w fs.inotify.max_user_watches=524288` ' +
              '(persist it in /etc/sysctl.d/); until then the tree is kept in sync by a full reconcile every 30 s'
          : 'too many open files (EMFILE) while watching: raise `ulimit -n`; ' +
              'until then the tree is kept in sync by a full reconcile every 30 s',
      )
      schedule(Math.min(config.reconcileIntervalMs || DEGRADED_RECONCILE_MS, DEGRADED_RECONCILE_MS))
      return
    }
    if (code === 'ENOSPC' || code === 'EMFILE') return
    log.error({ err: error }, `watcher error: ${(error as Error).message}`)
  }

  // Reconcile once the watcher is in place, so nothing changed between our scan
  // and the watch goes unseen. `ready` can come early (the reconcile covers it).
  const tree = await TreeWatcher.start({
    rootAbs,
    settleMs,
    logger: log,
    events: {
      file: (relPath) => {
        noteEvent()
        syncer.fileEvent(relPath)
        syncer.queue.touch(relPath)
      },
      addDir: (relDir) => {
        noteEvent()
        if (!relDir.includes('/')) sessionEvent(relDir)
        lookLater(relDir)
      },
      unlinkDir: (relDir) => {
        noteEvent()
        // chokidar does not promise an unlink per file inside a removed directory.
        for (const known of syncer.ctx.known.keys()) {
          if (!known.startsWith(`${relDir}/`)) continue
          syncer.fileEvent(known)
          syncer.queue.touch(known)
        }
        if (!relDir.includes('/')) sessionEvent(relDir)
      },
      // Rare (a directory removed and recreated at once), so a full look is affordable.
      replaced: () => void reconcileLogged(),
      error: onWatcherError,
    },
  })
  // Stopped while starting: undo what is open and say so; the next start reconciles.
  const abortStart = async (): Promise<void> => {
    closed = true
    if (burstTimer) clearTimeout(burstTimer)
    for (const handle of lookTimers.values()) clearTimeout(handle)
    await tree.close()
    await syncer.close()
  }
  const onAbort = (): void => {
    // Closing the queue ends the start-up reconcile early; what it skipped is not a run.
    aborting = true
    void syncer.queue.close()
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) onAbort()
  // A database lost during the first reconcile is not a reason to stop: the
  // recovery reconciles. It reads every file unless --trust-stat: an edit that
  // kept size and mtime while the daemon was down is found only by its hash.
  if (!options.signal?.aborted) await reconcileLogged(config.trustStat ? {} : { verifyAll: true })
  // Unchanged files are verified without a worker: make sure the first edit finds them loaded.
  if (!options.signal?.aborted) await syncer.ctx.pool.whenReady()
  options.signal?.removeEventListener('abort', onAbort)
  if (options.signal?.aborted) {
    await abortStart()
    throw new StatebridgeError('SB_ABORTED', 'stopped during the start-up reconcile; the next start reconciles again')
  }
  schedule(config.reconcileIntervalMs)

  // The root replaced under the watch (moved away and recreated) keeps the old
  // watch on the old inode; a deleted SQLite file keeps taking writes that go
  // nowhere. Both are cheap to check, so they are checked often.
  const label = rootLabel(config.rootKind)
  let rootIdentity = identityOf(rootAbs)
  let rootMissingLogged = false
  let guarding = false
  const guard = async (): Promise<void> => {
    if (guarding || closed) return
    guarding = true
    try {
      const now = identityOf(rootAbs)
      const lost = syncer.takeRootLost()
      if (now === null) {
        if (!rootMissingLogged) log.error({ root: rootAbs }, `the ${label} ${rootAbs} is gone; its rows are kept until it is back`)
        rootMissingLogged = true
      } else if (now !== rootIdentity) {
        log.warn({ root: rootAbs }, `the ${label} ${rootAbs} was replaced; renewing the watch and reconciling`)
        rootIdentity = now
        rootMissingLogged = false
        // The renewal reports `replaced`, which reconciles.
        await tree.renew()
      } else if (lost || rootMissingLogged) {
        // The same directory came back (moved away and back): what was skipped meanwhile needs a look.
        log.info({ root: rootAbs }, `the ${label} ${rootAbs} is back; reconciling`)
        rootMissingLogged = false
        await reconcile()
      }
      if (!syncer.health.down && (await store.reopenIfReplaced())) {
        log.warn({ database: store.description }, 'the database file was deleted or replaced; reopened it, rebuilding it from the files')
        await reconcile()
      }
    } catch (error) {
      if (syncer.health.fail(error) === 'file') log.error({ err: error }, `health check failed: ${(error as Error).message}`)
    } finally {
      guarding = false
    }
  }
  const guardTimer = setInterval(() => void guard(), GUARD_INTERVAL_MS)
  guardTimer.unref()
  monitor.bindStatus({
    dirtyFiles: () => syncer.queue.size + syncer.health.dirtyCount,
    oldestDirtyAgeSeconds: () => syncer.oldestWaitingSeconds(),
    degraded: () => degraded,
    databaseUp: () => !syncer.health.down,
  })
  log.info({ root: rootAbs }, 'watching')

  return {
    get degraded() {
      return degraded
    },
    get pendingFiles() {
      return syncer.queue.size + syncer.health.dirtyCount
    },
    get watcher() {
      return tree.chokidar
    },
    monitor,
    reconcile,
    async whenIdle() {
      for (;;) {
        if (syncer.health.down) await syncer.health.whenUp()
        if (closed) return
        if (reconciling || queuedReconcile) await (queuedReconcile ?? reconciling)?.catch(() => undefined)
        await syncer.queue.whenIdle()
        if (sessionsDirty.size > 0) await flushSessions()
        if (tree.busy) {
          await tree.whenSettled()
          continue
        }
        if (looks.size > 0) {
          await Promise.all(looks)
          continue
        }
        if (lookTimers.size > 0) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          continue
        }
        if (!reconciling && !queuedReconcile && !syncer.health.down && syncer.queue.size === 0 && sessionsDirty.size === 0) return
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (timer) clearInterval(timer)
      clearInterval(guardTimer)
      if (burstTimer) clearTimeout(burstTimer)
      for (const handle of lookTimers.values()) clearTimeout(handle)
      await tree.close()
      await (queuedReconcile ?? reconciling)?.catch(() => undefined)
      await syncer.close()
      log.info('stopped')
    },
  }
}

async function runReconcile(
  syncer: Syncer,
  store: Store,
  config: Config,
  log: Logger,
  options: ReconcileOptions,
  complete: () => boolean,
  monitor: SyncMonitor,
): Promise<ReconcileCounts> {
  const started = new Date()
  const seconds = (): number => (Date.now() - started.getTime()) / 1000
  try {
    const counts = await syncer.reconcile(options)
    if (!complete()) return counts
    // A reconcile cut short by an outage is not a run; the one after recovery is.
    if (counts.filesDeferred > 0 || syncer.health.down) {
      log.warn(counts, 'reconcile incomplete: the database went away; it runs again when the database is back')
      monitor.reconcileDone(seconds(), false)
      return counts
    }
    const { filesDeferred: _deferred, ...summary } = counts
    await store.recordSyncRun({
      root: syncer.ctx.rootId,
      instance: config.instance,
      mode: 'watch',
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      ...summary,
    })
    log.info({ ...counts, verified: options.verifyAll ? 'all' : (options.verifySlice ?? 0), durationMs: Date.now() - started.getTime() }, 'reconciled')
    monitor.reconcileDone(seconds(), true)
    return counts
  } catch (error) {
    monitor.reconcileDone(seconds(), false)
    // A root that is gone says nothing about the database; the health check reports it once.
    if ((error as StatebridgeError).code !== 'SB_ROOT') syncer.health.fail(error)
    throw error
  }
}

/** The device and inode of a directory, as one comparable string; `null` when it is not there. */
function identityOf(absPath: string): string | null {
  try {
    const stat = fs.statSync(absPath)
    return stat.isDirectory() ? `${stat.dev}:${stat.ino}` : null
  } catch {
    return null
  }
}

/** The kernel's inotify queue size (`fs.inotify.max_queued_events`); 16,384 when it cannot be read. */
function inotifyQueueSize(): number {
  try {
    const value = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim())
    return Number.isInteger(value) && value > 0 ? value : 16_384
  } catch {
    // Not Linux: fs.watch uses other mechanisms there.
    return 16_384
  }
}
