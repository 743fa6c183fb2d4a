/**
 * /readyz: is statebridge doing its job? `watch` is ready once a reconcile
 * has completed since start, the database answers, and no file has waited
 * longer than the allowed lag: a daemon that is alive but stalled is not
 * ready. `serve` is ready while its reader answers. Unlike /healthz, every
 * answer here may depend on the database.
 */
import type { ServiceContext } from '../service-routes.js'
import { withTimeout } from './timeout.js'

/** Default longest wait of the oldest waiting file before /readyz answers 503, s (`?max_lag_s=` overrides). */
export const DEFAULT_MAX_LAG_S = 60

/** How long the database may take to answer the readiness probe, ms. */
export const READY_PROBE_TIMEOUT_MS = 2_000

/** The answer of /readyz. */
export interface Readiness {
  ready: boolean
  /** Why not, one sentence each; empty when ready. */
  reasons: string[]
}

/** The readiness check of one HTTP side. */
export function readinessCheck(context: ServiceContext): (maxLagS: number) => Promise<Readiness> {
  // One probe at a time, whoever asks: a hung database must not collect a pile of
  // probes, each holding a connection of the daemon's own pool.
  let probing: Promise<string | null> | null = null
  const probe = (): Promise<string | null> => {
    probing ??= withTimeout<unknown>(context.store ? context.store.ping() : context.reader.stats(), READY_PROBE_TIMEOUT_MS)
      .then(
        () => null,
        (error: unknown) => `the database did not answer: ${error instanceof Error ? error.message : String(error)}`,
      )
      .finally(() => {
        probing = null
      })
    return probing
  }

  return async (maxLagS) => {
    const reasons: string[] = []
    if (context.mode === 'watch') {
      const daemon = context.daemon()
      if (daemon === null) return { ready: false, reasons: ['the start-up reconcile has not finished'] }
      const monitor = daemon.monitor
      if (!monitor.initialReconcileDone) reasons.push('no reconcile has completed since start (one runs again once the database is back)')
      if (!monitor.status.databaseUp()) reasons.push('the database is unreachable; changes are kept and applied when it is back')
      const age = monitor.status.oldestDirtyAgeSeconds()
      if (age > maxLagS) {
        reasons.push(`the oldest waiting file has waited ${age.toFixed(1)} s, longer than ${maxLagS} s (${monitor.status.dirtyFiles()} files waiting)`)
      }
      // A transcripts root is synced like the reports root: its start and its backlog count too.
      for (const { root, handle } of context.transcriptWatches()) {
        if (handle === null) {
          reasons.push(`transcripts directory ${root}: the start-up reconcile has not finished`)
          continue
        }
        const lag = handle.monitor.status.oldestDirtyAgeSeconds()
        if (!handle.monitor.initialReconcileDone) reasons.push(`transcripts directory ${root}: no reconcile has completed since start`)
        else if (lag > maxLagS) reasons.push(`transcripts directory ${root}: the oldest waiting file has waited ${lag.toFixed(1)} s, longer than ${maxLagS} s`)
      }
      // The sync loop learns of an outage only when it writes; an idle daemon asks.
      if (monitor.status.databaseUp()) {
        const problem = await probe()
        if (problem) reasons.push(problem)
      }
    } else {
      const problem = await probe()
      if (problem) reasons.push(problem)
    }
    return { ready: reasons.length === 0, reasons }
  }
}
