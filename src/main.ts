/**
 * The `statebridge` command: argument parsing and the commands (sync, watch, status, check, show, migrate).
 */
import { parseArgs } from 'node:util'
import { resolveConfig, resolveDatabase, type StatebridgeOptions } from './config.js'
import { StatebridgeError } from './errors.js'
import { createLogger, type Logger } from './logger.js'
import { openStore } from './store/open-store.js'
import type { SessionDetail, Store, StoreStatus } from './store/types.js'
import { formatCheckReport } from './check/check-report.js'
import { runCheck } from './check/run-check.js'
import { retryDelay } from './sync/store-health.js'
import { runSync } from './sync/run-sync.js'
import { startWatch, type WatchHandle } from './sync/watch.js'

const USAGE = `usage:
  statebridge sync <reports-dir> [--json]     scan, reconcile, apply, exit
  statebridge watch <reports-dir>             reconcile, then follow changes until SIGINT/SIGTERM
  statebridge status [--json]                 what the database holds
  statebridge check <reports-dir> [--json]    parse without a database; report typed vs generic, misses
  statebridge show <session-id> [--json]      one session from the database: deal, phases, pending work
  statebridge migrate                         apply pending schema migrations to --db and exit

options:
  --db <url>                    sqlite:<path>, a file path, or postgres://... (default sqlite:./data/statebridge.db)
  --schema <name>               PostgreSQL schema of every table (default public)
  --no-migrate                  do not migrate at start; fail unless the schema is current
  --instance <name>             name of this sidecar (default: host name)
  --root-id <name>              name stored as the root of every row (default: the root's real path);
                                give sidecars that mount one shared volume at different paths the same name
  --debounce-ms <n>             quiet time before a changed file is synced (default 150)
  --reconcile-interval-ms <n>   periodic full reconcile while watching (default 60000; 0 = off)
  --rehash-window-ms <n>        while watching, every file is read and hashed again within this window,
                                a slice per periodic reconcile (default 600000; 0 = off)
  --trust-stat                  start-up reconcile trusts size and mtime instead of hashing every file
  --shutdown-timeout-ms <n>     on SIGTERM/SIGINT, wait this long for the applies in flight, then exit anyway
                                (default 10000; 0 = no limit); a second signal exits at once
  --max-file-bytes <n>          larger files get an error status and are not read (default 26214400)
  --parse-timeout-ms <n>        time budget to parse one file (default 10000; 0 = none, needed with --workers 0)
  --workers <n>                 parse worker threads (default min(2, CPUs); 0 parses on the main thread)
  --worker-heap-mb <n>          heap limit of each parse worker (default 96)
  --retry-base-ms <n>           first wait before retrying an unreachable database (default 1000)
  --retry-max-ms <n>            longest wait between retries (default 30000)
  --pool-size <n>               PostgreSQL connections of this sidecar (default 2 x workers + 2)
  --log-level <level>           trace|debug|info|warn|error|fatal|silent (default info)
  --json                        machine-readable output (sync, status)

environment (flags win): SESSION_STORAGE_TYPE, SESSION_DB_PATH, DATABASE_URL, STATEBRIDGE_SCHEMA, LOG_LEVEL,
STATEBRIDGE_INSTANCE, STATEBRIDGE_ROOT_ID, and the PG* variables of libpq (PGHOST, PGUSER, PGPASSWORD, PGDATABASE, ...)`

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      db: { type: 'string' },
      instance: { type: 'string' },
      'root-id': { type: 'string' },
      'debounce-ms': { type: 'string' },
      'reconcile-interval-ms': { type: 'string' },
      'rehash-window-ms': { type: 'string' },
      'trust-stat': { type: 'boolean', default: false },
      'shutdown-timeout-ms': { type: 'string' },
      'max-file-bytes': { type: 'string' },
      'parse-timeout-ms': { type: 'string' },
      workers: { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      schema: { type: 'string' },
      'no-migrate': { type: 'boolean', default: false },
      'retry-base-ms': { type: 'string' },
      'retry-max-ms': { type: 'string' },
      'pool-size': { type: 'string' },
      'log-level': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [command, root, ...extra] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined && !values.help ? 2 : 0
  }
  if (extra.length > 0) throw new StatebridgeError('SB_CONFIG', `unexpected arguments: ${extra.join(' ')}`)

  const level = values['log-level'] ?? process.env.LOG_LEVEL ?? 'info'
  if (!LEVELS.includes(level)) throw new StatebridgeError('SB_CONFIG', `--log-level must be one of ${LEVELS.join(', ')}, not ${level}`)

  const migrate = !values['no-migrate']
  if (command === 'migrate') {
    if (root !== undefined) throw new StatebridgeError('SB_CONFIG', 'migrate takes no directory')
    const logger = createLogger({ level, fd: 2 })
    const store = await openStore(resolveDatabase(values.db, process.env, values.schema), { migrate: true, logger })
    logger.info({ database: store.description }, 'schema is current')
    await store.close()
    logger.flush()
    return 0
  }

  if (command === 'status') {
    if (root !== undefined) throw new StatebridgeError('SB_CONFIG', 'status takes no directory')
    const store = await openStore(resolveDatabase(values.db, process.env, values.schema), { migrate })
    try {
      const status = await store.status()
      process.stdout.write(values.json ? `${JSON.stringify(status)}\n` : formatStatus(status))
    } finally {
      await store.close()
    }
    return 0
  }

  if (command === 'show') {
    if (root === undefined) throw new StatebridgeError('SB_CONFIG', 'show needs a session id, e.g. `statebridge show 2026-01-29-1738200293`')
    const store = await openStore(resolveDatabase(values.db, process.env, values.schema), { migrate })
    try {
      const details = await store.sessionDetail(root)
      if (details.length === 0) {
        process.stderr.write(`statebridge: no session ${JSON.stringify(root)} in the database\n`)
        return 1
      }
      process.stdout.write(values.json ? `${JSON.stringify(details)}\n` : details.map(formatSessionDetail).join('\n'))
    } finally {
      await store.close()
    }
    return 0
  }

  if (command !== 'sync' && command !== 'watch' && command !== 'check') {
    throw new StatebridgeError('SB_CONFIG', `unknown command ${JSON.stringify(command)}; expected sync, watch, status, check, show or migrate`)
  }
  const options: StatebridgeOptions = {
    root: root ?? '',
    db: values.db,
    instance: values.instance,
    rootId: values['root-id'],
    debounceMs: integerFlag('--debounce-ms', values['debounce-ms']),
    reconcileIntervalMs: integerFlag('--reconcile-interval-ms', values['reconcile-interval-ms']),
    rehashWindowMs: integerFlag('--rehash-window-ms', values['rehash-window-ms']),
    trustStat: values['trust-stat'],
    shutdownTimeoutMs: integerFlag('--shutdown-timeout-ms', values['shutdown-timeout-ms']),
    maxFileBytes: integerFlag('--max-file-bytes', values['max-file-bytes']),
    parseTimeoutMs: integerFlag('--parse-timeout-ms', values['parse-timeout-ms']),
    workers: integerFlag('--workers', values.workers),
    workerHeapMb: integerFlag('--worker-heap-mb', values['worker-heap-mb']),
    schema: values.schema,
    migrate,
    retryBaseMs: integerFlag('--retry-base-ms', values['retry-base-ms']),
    retryMaxMs: integerFlag('--retry-max-ms', values['retry-max-ms']),
    poolSize: integerFlag('--pool-size', values['pool-size']),
  }
  const config = resolveConfig(options)
  if (command === 'check') {
    const report = await runCheck(config.root, config).catch((error: unknown) => {
      throw new StatebridgeError('SB_ROOT', `reports directory ${config.root} is not usable: ${(error as Error).message}`)
    })
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatCheckReport(report))
    return 0
  }
  // `sync` keeps stdout for its summary; `watch` logs to stdout like any daemon.
  const logger = createLogger({ level, fd: command === 'sync' ? 2 : 1 })
  const open = () => openStore(config.db, { migrate: config.migrate, logger, instance: config.instance, poolSize: config.poolSize })
  if (command === 'watch') return watchUntilSignal(config, open, logger)

  // A one-shot sync fails at once when the database is away.
  const store = await open()
  logger.debug({ database: store.description, instance: config.instance }, 'database open')
  try {
    const summary = await runSync(config, store, logger)
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
    else process.stdout.write(formatSummary(summary))
  } finally {
    await store.close()
    logger.flush()
  }
  return 0
}

type ResolvedConfig = ReturnType<typeof resolveConfig>

/**
 * Run `watch` until SIGTERM or SIGINT. The handlers are installed before
 * anything else, so a signal during the wait for the database or the start-up
 * reconcile stops cleanly too. Shutdown is bounded by --shutdown-timeout-ms; a
 * second signal exits at once. SIGHUP is logged and ignored: logs go to stdout,
 * where the supervisor (systemd, Docker) already owns rotation.
 */
async function watchUntilSignal(config: ResolvedConfig, open: () => Promise<Store>, logger: Logger): Promise<number> {
  const stopper = new AbortController()
  let handle: WatchHandle | null = null
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopper.signal.aborted) {
      logger.warn({ signal }, `second ${signal}: exiting now, without waiting for the applies in flight; the next start reconciles`)
      exitNow(logger, signal === 'SIGINT' ? 130 : 143)
      return
    }
    logger.info({ signal }, 'shutting down: finishing the applies in flight')
    stopper.abort()
    if (config.shutdownTimeoutMs > 0) {
      setTimeout(() => {
        const pending = handle?.pendingFiles ?? 0
        logger.warn(
          { pendingFiles: pending, shutdownTimeoutMs: config.shutdownTimeoutMs },
          `shutdown took longer than ${config.shutdownTimeoutMs} ms (--shutdown-timeout-ms): exiting with ${pending} changed files ` +
            'not applied; the next start reconciles them',
        )
        exitNow(logger, 0)
      }, config.shutdownTimeoutMs).unref()
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', () => logger.info('SIGHUP ignored: statebridge logs to stdout and keeps no log file to reopen'))

  // A sidecar may start before its database: wait for it.
  const store = await openWhenReachable(open, config, logger, stopper.signal)
  if (store === null) return stoppedDuringStart(logger)
  logger.info({ database: store.description, instance: config.instance }, 'database open')
  try {
    handle = await startWatch(config, store, logger, { signal: stopper.signal })
  } catch (error) {
    await store.close()
    if ((error as StatebridgeError).code === 'SB_ABORTED') return stoppedDuringStart(logger)
    throw error
  }
  const running = handle
  if (!stopper.signal.aborted) await new Promise((resolve) => stopper.signal.addEventListener('abort', resolve, { once: true }))
  await running.close()
  await store.close()
  logger.flush()
  return 0
}

function stoppedDuringStart(logger: Logger): number {
  logger.info('stopped before the start-up reconcile finished; the next start reconciles')
  logger.flush()
  return 0
}

/** Exit now, once the log lines written so far are out. */
function exitNow(logger: Logger, code: number): void {
  const exit = (): never => process.exit(code)
  setTimeout(exit, 500).unref()
  logger.flush(() => exit())
}

/** Open the store, retrying while the server cannot be reached; `null` when stopped meanwhile. */
async function openWhenReachable(open: () => Promise<Store>, config: ResolvedConfig, logger: Logger, signal: AbortSignal): Promise<Store | null> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const store = await open()
      if (!signal.aborted) return store
      await store.close()
      return null
    } catch (error) {
      if ((error as StatebridgeError).code !== 'SB_DB_UNAVAILABLE') throw error
      const delayMs = retryDelay(attempt, config.retryBaseMs, config.retryMaxMs)
      logger.warn({ attempt, delayMs }, `${(error as Error).message}; retrying in ${delayMs} ms`)
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', wake)
          resolve()
        }, delayMs)
        signal.addEventListener('abort', wake, { once: true })
      })
    }
  }
  return null
}

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value.trim())) throw new StatebridgeError('SB_CONFIG', `${name} must be a whole number, not ${JSON.stringify(value)}`)
  return Number(value)
}

function formatSummary(s: Awaited<ReturnType<typeof runSync>>): string {
  return (
    `${s.files_seen} files seen: ${s.files_applied} applied, ${s.files_unchanged} unchanged, ` +
    `${s.files_removed} removed, ${s.files_failed} failed (${s.duration_ms} ms)\n`
  )
}

function formatSessionDetail(d: SessionDetail): string {
  const deal = d.deal
  const money = (v: unknown) => (typeof v === 'number' ? `$${(v / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })}M` : '-')
  const lines = [
    `session ${d.sessionId} (${d.status})${d.createdAt ? `, created ${d.createdAt}` : ''}`,
    `  root: ${d.root}`,
    `  matter: ${String(deal.matter_name ?? '-')}   deal value: ${money(deal.deal_value)}${deal.deal_value_raw ? ` (${String(deal.deal_value_raw)})` : ''}`,
    `  closing: ${String(deal.closing_date ?? deal.closing_date_raw ?? '-')}   type: ${String(deal.transaction_type ?? '-')}   complexity: ${String(deal.complexity ?? '-')}`,
    `  acquirer: ${String(deal.acquirer ?? '-')}   target: ${String(deal.target ?? '-')}`,
    `  documents: ${d.documents.ok} ok, ${d.documents.error} error   facts: ${d.factCount}`,
  ]
  if (d.phases.length > 0) {
    lines.push('  phases:')
    for (const p of d.phases) lines.push(`    ${String(p.phase ?? '?').padEnd(40)} ${String(p.status ?? '-').padEnd(12)} ${p.end_time ?? p.start_time ?? ''}`)
  }
  for (const i of d.iterations) lines.push(`  gate ${i.gate_name ?? '?'}: ${i.current_iteration ?? '?'}/${i.max_iterations ?? '?'}`)
  if (d.pendingSpecialists.length > 0) {
    lines.push(`  pending specialists (${d.pendingSpecialists.length}):`)
    for (const p of d.pendingSpecialists) lines.push(`    ${String(p.task_id ?? '?').padEnd(6)} ${String(p.specialist_type ?? '?').padEnd(36)} ${p.status ?? '-'}`)
  }
  const s = d.synthesis
  if (s) {
    lines.push(`  synthesis: phase ${String(s.current_phase ?? '-')}, status ${String(s.status ?? '-')}, last step ${String(s.last_completed_step ?? '-')}`)
    if (s.next_action) lines.push(`  next action: ${String(s.next_action)}`)
    if (s.blocking_issue) lines.push(`  blocking: ${String(s.blocking_issue)}`)
  }
  if (d.agents.length > 0) {
    lines.push('  agents:')
    for (const a of d.agents) lines.push(`    ${String(a.agent ?? '?').padEnd(36)} ${String(a.status ?? '-').padEnd(12)} ${a.current_phase ?? ''}`)
  }
  return `${lines.join('\n')}\n`
}

function formatStatus(status: StoreStatus): string {
  const lines = [
    `sessions: ${status.sessions}`,
    `documents: ${status.documents.ok} ok, ${status.documents.error} error`,
    `tables: ${status.tables} (${status.tableRows} rows)`,
  ]
  const run = status.lastRun
  lines.push(
    run
      ? `last sync: ${run.finishedAt} (${run.mode}, ${run.instance}): ${run.filesSeen} seen, ${run.filesApplied} applied, ${run.filesFailed} failed`
      : 'last sync: never',
  )
  if (status.perSession.length > 0) {
    lines.push('', 'session                                   documents  errors  last applied')
    for (const s of status.perSession) {
      lines.push(`${s.sessionId.padEnd(40)}  ${String(s.documents).padStart(9)}  ${String(s.errors).padStart(6)}  ${s.lastAppliedAt ?? '-'}`)
    }
  }
  if (status.recentErrors.length > 0) {
    lines.push('', 'files in error:')
    for (const e of status.recentErrors) lines.push(`  ${e.path}: ${e.error}`)
  }
  return `${lines.join('\n')}\n`
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const known = error instanceof StatebridgeError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`statebridge: ${(error as Error).message}\n`)
    if (!known) process.stderr.write(`${(error as Error).stack ?? ''}\n`)
    process.exitCode = (error as StatebridgeError).code === 'SB_CONFIG' || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1
  },
)
