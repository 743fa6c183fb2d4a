/**
 * One-shot sync: scan, reconcile, apply, record the run.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import type { Store } from '../store/types.js'
import { createSyncer } from './syncer.js'

/** The `sync --json` summary line. */
export interface SyncSummary {
  files_seen: number
  files_applied: number
  files_unchanged: number
  files_removed: number
  files_failed: number
  duration_ms: number
}

/**
 * Make the store equal the tree under `config.root`, once. When the database
 * goes away during the run this throws `SB_DB_UNAVAILABLE` after the scan,
 * naming how many files were not applied: a one-shot run reports, it does not wait.
 */
export async function runSync(config: Config, store: Store, logger: Logger): Promise<SyncSummary> {
  const started = Date.now()
  const log = logger.child({ module: 'sync' })
  const syncer = await createSyncer(config, store, log, 'debug', { probe: false })
  try {
    const { filesDeferred, ...counts } = await syncer.reconcile()
    if (filesDeferred > 0 || syncer.health.down) {
      throw new StatebridgeError(
        'SB_DB_UNAVAILABLE',
        `the database went away during the sync (${syncer.health.reason}): ${syncer.health.dirtyCount} files were not applied; run sync again`,
      )
    }
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
  } finally {
    await syncer.close()
  }
}
