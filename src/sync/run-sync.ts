/**
 * One-shot sync: scan, reconcile, apply, record the run.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.js'
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

/** Make the store equal the tree under `config.root`, once. */
export async function runSync(config: Config, store: Store, logger: Logger): Promise<SyncSummary> {
  const started = Date.now()
  const log = logger.child({ module: 'sync' })
  const syncer = await createSyncer(config, store, log, 'debug')
  try {
    const counts = await syncer.reconcile()
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
