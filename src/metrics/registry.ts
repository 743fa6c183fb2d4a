/**
 * The Prometheus metrics of one HTTP side, on a registry of its own. This
 * module is the only one that imports prom-client, and it is itself imported
 * on the first scrape of /metrics, so a daemon without `--listen` (or one
 * nobody scrapes) never loads the library.
 *
 * Counters and gauges are read from the watch's `SyncMonitor` at scrape time;
 * histograms are fed by an observer attached to it (it replays the samples it
 * held until then). `serve` has no watch: it exports what it knows
 * (build_info, sessions, history, agent SDK usage, the feed's gauges, process
 * metrics).
 */
import fs from 'node:fs'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ServiceContext } from '../service-routes.js'
import { SESSION_STATUSES } from '../store/read-types.js'
import { FILE_ERROR_REASONS, type FileChange, type FileChangeStatus, type SyncMonitor, type SyncObserver } from '../sync/observer.js'
import { cachedRead } from './cached-read.js'
import { serviceGauges } from './service-gauges.js'

/** How long the `sessions{status}` counts are reused before the reader is asked again, ms. */
export const SESSIONS_CACHE_MS = 30_000

/** How long the history totals are reused before the reader is asked again, ms (they sum every stored content). */
export const HISTORY_CACHE_MS = 30_000

/** How long the agent SDK usage totals are reused before the reader is asked again, ms (they sum every transcript's usage lines). */
export const AGENT_USAGE_CACHE_MS = 30_000

/** The `kind` label of `statebridge_agent_tokens_total`, and the total each reads. */
const TOKEN_KINDS = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_creation', 'cacheCreationTokens'],
] as const

/** How long the reader may take to count before the cached counts are served, ms. */
const STORE_READ_TIMEOUT_MS = 2_000

const CHANGES: ReadonlyArray<readonly [FileChange, FileChangeStatus]> = [
  ['created', 'ok'],
  ['created', 'error'],
  ['updated', 'ok'],
  ['updated', 'error'],
  ['removed', 'none'],
]

/** A registry ready to scrape. */
export interface Metrics {
  /** The Prometheus text exposition format of every metric, read now. */
  scrape(): Promise<string>
  /** The content type of `scrape()`'s text. */
  readonly contentType: string
}

/** Build the registry for `context` (one per HTTP side). */
export function createMetrics(context: ServiceContext): Metrics {
  const register = new Registry()
  collectDefaultMetrics({ register })
  const monitor = (): SyncMonitor | null => context.daemon()?.monitor ?? null

  new Gauge({
    name: 'statebridge_build_info',
    help: 'Always 1; the labels say which statebridge and Node.js run, and whether it watches or only serves.',
    labelNames: ['version', 'node', 'mode'],
    registers: [register],
  }).set({ version: packageVersion(), node: process.versions.node, mode: context.mode }, 1)

  const sessions = new Gauge({
    name: 'statebridge_sessions',
    help: `Sessions in the database by status (counted at most every ${SESSIONS_CACHE_MS / 1000} s).`,
    labelNames: ['status'],
    registers: [register],
    collect: async () => {
      const counts = await sessionCounts()
      if (counts === null) return
      sessions.reset()
      // Every known status is present, at 0 too, so a query never meets a missing series.
      for (const status of SESSION_STATUSES) sessions.set({ status }, 0)
      for (const [status, count] of Object.entries(counts)) sessions.set({ status }, count)
    },
  })
  const sessionCounts = cachedRead(async () => (await context.reader.stats()).sessions.byStatus, SESSIONS_CACHE_MS, STORE_READ_TIMEOUT_MS)

  // One read of the history totals feeds both gauges.
  const historyStats = cachedRead(() => context.reader.historyStats(), HISTORY_CACHE_MS, STORE_READ_TIMEOUT_MS)
  new Gauge({
    name: 'statebridge_history_bytes',
    help: `Bytes history stores for its contents (compressed copies and deltas, each content once; read at most every ${HISTORY_CACHE_MS / 1000} s).`,
    registers: [register],
    async collect() {
      const stats = await historyStats()
      if (stats !== null) this.set(stats.storedBytes)
    },
  })
  new Gauge({
    name: 'statebridge_history_revisions',
    help: `Revisions history keeps, tombstones included (read at most every ${HISTORY_CACHE_MS / 1000} s).`,
    registers: [register],
    async collect() {
      const stats = await historyStats()
      if (stats !== null) this.set(stats.revisions)
    },
  })

  // One read of the per-model totals feeds both counters. They are the store's sums, not counts this
  // process made, so they fall when a transcript is removed; Prometheus reads that as a counter reset.
  const agentTotals = cachedRead(() => context.reader.agentModelTotals(), AGENT_USAGE_CACHE_MS, STORE_READ_TIMEOUT_MS)
  const agentTokens = new Counter({
    name: 'statebridge_agent_tokens_total',
    help:
      'Tokens of the agent SDK sessions in the database, by kind (input, output, cache_read, cache_creation) and model; ' +
      `each streamed message counted once (read at most every ${AGENT_USAGE_CACHE_MS / 1000} s).`,
    labelNames: ['kind', 'model'],
    registers: [register],
    async collect() {
      const totals = await agentTotals()
      if (totals === null) return
      agentTokens.reset()
      for (const total of totals) {
        for (const [kind, key] of TOKEN_KINDS) agentTokens.inc({ kind, model: total.model ?? 'unknown' }, total[key])
      }
    },
  })
  new Counter({
    name: 'statebridge_agent_cost_usd_total',
    help: `Cost in US dollars of the priced requests of the agent SDK sessions in the database (read at most every ${AGENT_USAGE_CACHE_MS / 1000} s).`,
    registers: [register],
    async collect() {
      const totals = await agentTotals()
      if (totals === null) return
      this.reset()
      this.inc(totals.reduce((sum, total) => sum + total.costUsd, 0))
    },
  })

  new Gauge({
    name: 'statebridge_sse_clients',
    help: 'Clients connected to the change feed (Server-Sent Events).',
    registers: [register],
    collect() {
      this.set(serviceGauges().sseClients)
    },
  })
  new Counter({
    name: 'statebridge_api_thread_restarts_total',
    help: 'Starts of the API thread (watch --listen) after it died.',
    registers: [register],
    collect() {
      this.reset()
      this.inc(serviceGauges().apiThreadRestarts)
    },
  })
  new Gauge({
    name: 'statebridge_redis_lag',
    help: 'Changes committed to the change log and not yet in the Redis stream (0 without a Redis sink).',
    registers: [register],
    collect() {
      this.set(serviceGauges().redisLag ?? 0)
    },
  })

  const attach = context.mode === 'watch' ? registerWatchMetrics(register, monitor, context) : () => undefined

  return {
    contentType: register.contentType,
    scrape: () => {
      // Before collecting, so the histograms already hold what the monitor replays.
      attach()
      return register.metrics()
    },
  }
}

/** The metrics of the sync loop, read from the watch's monitor; returns what attaches the histograms to it. */
function registerWatchMetrics(register: Registry, monitor: () => SyncMonitor | null, context: ServiceContext): () => void {
  const applied = new Counter({
    name: 'statebridge_files_applied_total',
    help: 'File changes committed to the database, by change (created, updated, removed) and resulting status (ok, error; none for removals).',
    labelNames: ['change', 'status'],
    registers: [register],
    collect() {
      const m = monitor()
      applied.reset()
      for (const [change, status] of CHANGES) applied.inc({ change, status }, m ? m.applied[change][status] : 0)
    },
  })
  const errors = new Counter({
    name: 'statebridge_file_errors_total',
    help: 'Files that got an error status (or could not be applied), by reason.',
    labelNames: ['reason'],
    registers: [register],
    collect() {
      const m = monitor()
      errors.reset()
      for (const reason of FILE_ERROR_REASONS) errors.inc({ reason }, m ? m.errors[reason] : 0)
    },
  })
  const applyDuration = new Histogram({
    name: 'statebridge_apply_duration_seconds',
    help: "One file's database transaction: records replaced, failure recorded, or file removed.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  })
  const changeToCommit = new Histogram({
    name: 'statebridge_change_to_commit_seconds',
    help: 'From the first file-system event on a file (or its deferral during an outage) to the commit of its change; includes the debounce window.',
    buckets: [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 300],
    registers: [register],
  })
  const parseDuration = new Histogram({
    name: 'statebridge_parse_duration_seconds',
    help: "One file's read, hash and parse in a parse worker (files whose content was unchanged are not parsed and not counted).",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  })
  // Attached on the first scrape after the start-up reconcile (the watch does not exist before); the monitor held the samples.
  let attached: SyncMonitor | null = null
  const attach = (): void => {
    const m = monitor()
    if (m === null || m === attached) return
    attached = m
    m.observe(histogramObserver(applyDuration, changeToCommit, parseDuration))
  }
  const gauge = (name: string, help: string, read: (m: SyncMonitor) => number, before = 0): void => {
    new Gauge({
      name,
      help,
      registers: [register],
      collect() {
        const m = monitor()
        this.set(m ? read(m) : before)
      },
    })
  }
  gauge('statebridge_dirty_files', 'Files waiting to be applied: queued, in flight, or held while the database is away.', (m) => m.status.dirtyFiles())
  gauge(
    'statebridge_oldest_dirty_age_seconds',
    'How long the oldest file waiting since a change event (or an outage) has waited; 0 when none waits.',
    (m) => m.status.oldestDirtyAgeSeconds(),
  )
  gauge('statebridge_last_apply_timestamp_seconds', 'When the last file change committed, Unix time; 0 before the first.', (m) => m.lastApplyAt ?? 0)
  gauge(
    'statebridge_last_reconcile_success_timestamp_seconds',
    'When the last complete reconcile ended, Unix time; 0 before the first.',
    (m) => m.lastReconcileSuccessAt ?? 0,
  )
  gauge(
    'statebridge_reconcile_duration_seconds',
    'How long the last full reconcile took (complete or cut short).',
    (m) => m.lastReconcileDurationSeconds ?? 0,
  )
  // Before the watch exists the store has opened (the API starts after it), so the database counts as up.
  gauge('statebridge_db_up', '1 while the sync loop reaches the database, 0 during an outage.', (m) => (m.status.databaseUp() ? 1 : 0), context.store ? 1 : 0)
  gauge('statebridge_watch_degraded', '1 when the watcher gave up on some directories (inotify limits) and periodic reconciles carry the load.', (m) =>
    m.status.degraded() ? 1 : 0,
  )
  const counter = (name: string, help: string, read: (m: SyncMonitor) => number): void => {
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        const m = monitor()
        this.reset()
        this.inc(m ? read(m) : 0)
      },
    })
  }
  counter('statebridge_db_retries_total', 'Retries of an unreachable database.', (m) => m.dbRetries)
  counter('statebridge_parse_worker_restarts_total', 'Parse workers terminated and replaced (budget blown, heap exhausted, crash).', (m) => m.workerRestarts)
  return attach
}

/** An observer that feeds the three histograms and ignores what the monitor already counts. */
function histogramObserver(apply: Histogram, commit: Histogram, parse: Histogram): SyncObserver {
  const nothing = (): void => undefined
  return {
    applyDuration: (s) => apply.observe(s),
    changeToCommit: (s) => commit.observe(s),
    parseDuration: (s) => parse.observe(s),
    fileApplied: nothing,
    fileError: nothing,
    reconcileDone: nothing,
    dbDown: nothing,
    dbUp: nothing,
    dbRetry: nothing,
    workerRestart: nothing,
  }
}

// build_info's version; package.json sits two levels above both src/metrics and dist/metrics.
function packageVersion(): string {
  try {
    return String((JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? '0.0.0')
  } catch {
    return '0.0.0'
  }
}
