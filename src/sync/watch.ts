/**
 * Watch mode: reconcile at start, then follow file-system events, with a
 * periodic reconcile because events alone are not trusted (early `ready`,
 * dropped events on queue overflow, exhausted inotify watches).
 */
import fs from 'node:fs'
import path from 'node:path'
import { watch as chokidarWatch, type FSWatcher } from 'chokidar'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Store } from '../store/types.js'
import { isIgnoredPath, relativeToRoot, sessionIdOf } from './paths.js'
import { createSyncer, type ReconcileCounts, type Syncer } from './syncer.js'

/** Interval of the fallback reconcile when the watcher cannot watch everything. */
export const DEGRADED_RECONCILE_MS = 30_000

/** A running watch. */
export interface WatchHandle {
  /** Resolves once no event, reconcile or apply is pending. */
  whenIdle(): Promise<void>
  /** Run a full reconcile now (one at a time). */
  reconcile(): Promise<ReconcileCounts>
  /** Whether the watcher gave up on some directories and reconcile carries the load. */
  readonly degraded: boolean
  /** The chokidar watcher, for diagnostics and tests. */
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
  const rescans = new Set<NodeJS.Timeout>()

  const reconcile = (): Promise<ReconcileCounts> => {
    reconciling ??= runReconcile(syncer, store, config, log).finally(() => {
      reconciling = null
    })
    return reconciling
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

  const watcher = chokidarWatch(rootAbs, {
    ignoreInitial: true,
    followSymlinks: false,
    persistent: true,
    ignored: (absPath: string) => {
      const rel = relativeToRoot(rootAbs, absPath)
      return rel !== null && isIgnoredPath(rel)
    },
  })
  const relOf = (absPath: string): string | null => {
    const rel = relativeToRoot(rootAbs, absPath)
    return rel === null || rel === '' ? null : rel
  }
  watcher.on('all', (event: string, absPath: string) => log.trace({ event, path: relOf(absPath) }, 'watch event'))
  const onFile = (absPath: string): void => {
    const rel = relOf(absPath)
    if (rel !== null) syncer.queue.touch(rel)
  }
  watcher.on('add', onFile)
  watcher.on('change', onFile)
  watcher.on('unlink', (absPath: string) => {
    onFile(absPath)
    // A directory removed and recreated at once (rm -rf, then mkdir -p) can leave
    // chokidar watching the dead inode without an unlinkDir/addDir pair: re-attach
    // the session's watch and look at its files again once things settle.
    const rel = relOf(absPath)
    const sessionId = rel === null ? null : sessionIdOf(rel)
    if (sessionId !== null) scheduleRescan(sessionId)
  })

  // Re-attach chokidar to a directory, then sync its files once the new watch is
  // surely in place: events in between are lost, so the look comes after it.
  const pendingRescans = new Set<string>()
  const settleMs = Math.max(2 * config.debounceMs, 100)
  function scheduleRescan(relDir: string): void {
    if (pendingRescans.has(relDir)) return
    pendingRescans.add(relDir)
    later(() => {
      pendingRescans.delete(relDir)
      const absDir = path.join(rootAbs, relDir)
      if (fs.existsSync(absDir)) {
        watcher.unwatch(absDir)
        watcher.add(absDir)
      }
      later(() => {
        void syncer.reconcileDirectory(relDir).catch((err) => log.error({ err, path: relDir }, `${relDir}: rescan failed`))
      })
    })
  }
  function later(task: () => void): void {
    const handle = setTimeout(() => {
      rescans.delete(handle)
      if (!closed) task()
    }, settleMs)
    rescans.add(handle)
  }
  watcher.on('addDir', (absPath: string) => {
    const rel = relOf(absPath)
    if (rel === null) return
    if (!rel.includes('/')) sessionEvent(rel)
    // chokidar lists a new directory before its watch is attached: a file created
    // in between (an agent writing right after mkdir -p) has no event, and since
    // chokidar never learnt of it, no unlink either. Re-attach and look again.
    scheduleRescan(rel)
  })
  watcher.on('unlinkDir', (absPath: string) => {
    const rel = relOf(absPath)
    if (rel === null) return
    // chokidar does not promise an unlink per file inside a removed directory.
    for (const known of syncer.ctx.known.keys()) if (known.startsWith(`${rel}/`)) syncer.queue.touch(known)
    const sessionId = sessionIdOf(`${rel}/x`)
    if (sessionId !== null && !rel.includes('/')) sessionEvent(sessionId)
  })
  watcher.on('error', (error: unknown) => {
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
  })

  // Reconcile once the watcher is in place, so nothing changed between our scan
  // and the watch goes unseen. `ready` can come early (the reconcile covers it);
  // the timeout keeps a pathological tree from holding the start forever.
  await new Promise<void>((resolve) => {
    const timeout = setTimeout(resolve, 60_000)
    watcher.once('ready', () => {
      clearTimeout(timeout)
      resolve()
    })
  })
  // A database lost during the first reconcile is not a reason to stop: the recovery reconciles.
  await reconcileLogged()
  schedule(config.reconcileIntervalMs)
  log.info({ root: rootAbs }, 'watching')

  return {
    get degraded() {
      return degraded
    },
    watcher,
    reconcile,
    async whenIdle() {
      for (;;) {
        if (syncer.health.down) await syncer.health.whenUp()
        if (closed) return
        if (reconciling) await reconciling.catch(() => undefined)
        await syncer.queue.whenIdle()
        if (sessionsDirty.size > 0) await flushSessions()
        if (rescans.size > 0) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          continue
        }
        if (!reconciling && !syncer.health.down && syncer.queue.size === 0 && sessionsDirty.size === 0) return
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (timer) clearInterval(timer)
      for (const rescan of rescans) clearTimeout(rescan)
      await watcher.close()
      await reconciling?.catch(() => undefined)
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
