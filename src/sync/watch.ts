/**
 * Watch mode: reconcile at start, then follow file-system events, with a
 * periodic reconcile because events alone are not trusted (early `ready`,
 * dropped events on queue overflow, exhausted inotify watches).
 */
import type { FSWatcher } from 'chokidar'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Store } from '../store/types.js'
import { createSyncer, type ReconcileCounts, type Syncer } from './syncer.js'
import { TreeWatcher } from './tree-watcher.js'

/** Interval of the fallback reconcile when the watcher cannot watch everything. */
export const DEGRADED_RECONCILE_MS = 30_000

/** A running watch. */
export interface WatchHandle {
  /** Resolves once no event, reconcile or apply is pending. */
  whenIdle(): Promise<void>
  /** Run a full reconcile that starts after this call; runs never overlap, and at most one waits. */
  reconcile(): Promise<ReconcileCounts>
  /** Whether the watcher gave up on some directories and reconcile carries the load. */
  readonly degraded: boolean
  /** The chokidar watcher in use now, for diagnostics and tests (renewed when a directory is replaced). */
  readonly watcher: FSWatcher
  /** Stop watching, finish the applies in flight, stop the workers. The store stays open. */
  close(): Promise<void>
}

/** Reconcile `config.root`, then keep the store equal to it until `close()`. */
export async function startWatch(config: Config, store: Store, logger: Logger): Promise<WatchHandle> {
  const log = logger.child({ module: 'watch' })
  const syncer = await createSyncer(config, store, log, 'info', { probe: true })
  const { rootAbs } = syncer.ctx
  let degraded = false
  let closed = false
  let reconciling: Promise<ReconcileCounts> | null = null
  let sessionsDirty = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  /** Pending looks at new directories, by directory. */
  const lookTimers = new Map<string, NodeJS.Timeout>()

  let queuedReconcile: Promise<ReconcileCounts> | null = null
  const startReconcile = (): Promise<ReconcileCounts> => {
    const run = runReconcile(syncer, store, config, log).finally(() => {
      if (reconciling === run) reconciling = null
    })
    reconciling = run
    return run
  }
  // Whoever asks for a reconcile must get one that starts after the asking: a
  // run already under way may have looked before the change that prompted the
  // request (a renewed watch, a recovered database). At most one waits.
  const reconcile = (): Promise<ReconcileCounts> => {
    if (!reconciling) return startReconcile()
    queuedReconcile ??= reconciling
      .then(
        (counts) => counts,
        () => null,
      )
      .then((previous) => {
        queuedReconcile = null
        // Stopping: the next start reconciles anyway.
        if (closed && previous) return previous
        return startReconcile()
      })
    return queuedReconcile
  }
  const reconcileLogged = (): Promise<unknown> => reconcile().catch((err: Error) => log.error({ err }, `reconcile failed: ${err.message}`))

  // Back from an outage: the files that changed meanwhile first, then a full
  // reconcile for whatever the events did not say (sessions, removals).
  syncer.health.onRecovered = async (dirty) => {
    await Promise.all([...dirty].map(([relPath, trustStat]) => syncer.queue.submit(relPath, trustStat)))
    await reconcileLogged()
  }

  const schedule = (ms: number): void => {
    if (timer) clearInterval(timer)
    // While the database is away the recovery reconciles; a periodic one would only defer every file.
    timer = ms > 0 ? setInterval(() => void (syncer.health.down ? undefined : reconcileLogged()), ms) : null
    timer?.unref()
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
      file: (relPath) => syncer.queue.touch(relPath),
      addDir: (relDir) => {
        if (!relDir.includes('/')) sessionEvent(relDir)
        lookLater(relDir)
      },
      unlinkDir: (relDir) => {
        // chokidar does not promise an unlink per file inside a removed directory.
        for (const known of syncer.ctx.known.keys()) if (known.startsWith(`${relDir}/`)) syncer.queue.touch(known)
        if (!relDir.includes('/')) sessionEvent(relDir)
      },
      // Rare (a directory removed and recreated at once), so a full look is affordable.
      replaced: () => void reconcileLogged(),
      error: onWatcherError,
    },
  })
  // A database lost during the first reconcile is not a reason to stop: the recovery reconciles.
  await reconcileLogged()
  schedule(config.reconcileIntervalMs)
  log.info({ root: rootAbs }, 'watching')

  return {
    get degraded() {
      return degraded
    },
    get watcher() {
      return tree.chokidar
    },
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
      for (const handle of lookTimers.values()) clearTimeout(handle)
      await tree.close()
      await (queuedReconcile ?? reconciling)?.catch(() => undefined)
      await syncer.close()
      log.info('stopped')
    },
  }
}

async function runReconcile(syncer: Syncer, store: Store, config: Config, log: Logger): Promise<ReconcileCounts> {
  const started = new Date()
  try {
    const counts = await syncer.reconcile()
    // A reconcile cut short by an outage is not a run; the one after recovery is.
    if (counts.filesDeferred > 0 || syncer.health.down) {
      log.warn(counts, 'reconcile incomplete: the database went away; it runs again when the database is back')
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
    log.info(counts, 'reconciled')
    return counts
  } catch (error) {
    syncer.health.fail(error)
    throw error
  }
}
