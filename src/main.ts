/**
 * The `statebridge` command: argument parsing and the commands (sync, watch, status, check, show, migrate).
 */
import fs from 'node:fs'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { parseInteger, resolveConfig, resolveSettings, transcriptRoots, type Settings } from './config.js'
import { startService, type Service } from './service.js'
import { startFeedJobs } from './feed/jobs.js'
import { retentionPolicy } from './history/retention.js'
import { isHistoryCommand } from './commands/history-names.js'
import { printSession } from './commands/show.js'
import { startHistorySweeper } from './history/sweeper.js'
import { COMMANDS, OPTION_SPECS, usageText, type Command, type OptionValues } from './options.js'
import { ProgressLine, showProgress } from './progress.js'
import { StatebridgeError } from './errors.js'
import { createLogger, prettyStream, type Logger } from './logger.js'
import { openStore } from './store/open-store.js'
import type { Store, StoreStatus } from './store/types.js'
import { retryDelay } from './sync/store-health.js'
import { runSync } from './sync/run-sync.js'
import { startWatch, type WatchHandle } from './sync/watch.js'
import { notifySystemd } from './systemd-notify.js'

/**
 * Parse the command line against the option table: every flag of the table,
 * nothing else (an unknown flag fails in parseArgs, exit 2). Values stay text
 * here; `resolveSettings` types and checks them.
 */
function parseCommandLine(argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [, spec] of OPTION_SPECS) {
    if (spec.flag !== null) options[spec.flag] = { type: spec.type === 'boolean' ? 'boolean' : 'string' }
  }
  for (const flag of REPEATABLE) options[flag] = { type: 'string', multiple: true }
  options.help = { type: 'boolean', short: 'h' }
  const parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options })
  // A repeated flag is one value in the table, its parts joined as the variable lists them.
  const values: Record<string, string | boolean | undefined> = {}
  for (const [flag, value] of Object.entries(parsed.values)) values[flag] = Array.isArray(value) ? value.join(path.delimiter) : value
  return { values, positionals: parsed.positionals }
}

/** Flags that may be given more than once (`--transcripts a --transcripts b`). */
const REPEATABLE = ['transcripts']

/** The flags given on the command line as options of the table (text turned into numbers; negated switches flipped). */
function optionsFromFlags(values: Record<string, string | boolean | undefined>): OptionValues {
  const options: Record<string, unknown> = {}
  for (const [key, spec] of OPTION_SPECS) {
    if (spec.flag === null || spec.resolve === 'cli') continue
    const value = values[spec.flag]
    if (value === undefined) continue
    if (spec.type === 'integer') options[key] = parseInteger(`--${spec.flag}`, value as string)
    else if (spec.type === 'boolean') options[key] = spec.negated ? !value : value
    else options[key] = value
  }
  return options as OptionValues
}

/** Flags that have no effect on `command`: said on stderr, not refused, so one set of flags can serve several commands. */
function warnIgnoredFlags(command: Command, values: Record<string, string | boolean | undefined>): void {
  for (const [, spec] of OPTION_SPECS) {
    if (spec.flag === null || values[spec.flag] === undefined || spec.commands.length === 0) continue
    if (!(spec.commands as readonly string[]).includes(command)) {
      process.stderr.write(`statebridge: --${spec.flag} has no effect on ${command} (it applies to ${spec.commands.join(', ')})\n`)
    }
  }
}

/** `statebridge <version>`, from the package.json beside dist/. */
function versionLine(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url))
  const { version } = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }
  return `statebridge ${version}`
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv)
  if (values.version) {
    process.stdout.write(`${versionLine()}\n`)
    return 0
  }
  const [command, root, ...extra] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${usageText()}\n`)
    return command === undefined && !values.help ? 2 : 0
  }
  if (isHistoryCommand(command)) {
    warnIgnoredFlags(command, values)
    const switches = {
      json: values.json === true,
      dryRun: values['dry-run'] === true,
      force: values.force === true,
      write: values.write === true,
      deleteFiles: values['delete-files'] === true,
      yes: values.yes === true,
      ...(typeof values['completed-older-than'] === 'string' ? { completedOlderThan: values['completed-older-than'] } : {}),
      ...(typeof values.archive === 'string' ? { archive: values.archive } : {}),
      ...(typeof values.at === 'string' ? { at: values.at } : {}),
      ...(typeof values.to === 'string' ? { to: values.to } : {}),
    }
    // Loaded here only: the history commands pull in the parsers (render), tar and diff,
    // which the daemon's main thread never needs (its parsers run in workers).
    const { runHistoryCommand } = await import('./commands/history-commands.js')
    return runHistoryCommand(command, positionals.slice(1), optionsFromFlags(values), switches)
  }
  if (extra.length > 0) throw new StatebridgeError('SB_CONFIG', `unexpected arguments: ${extra.join(' ')}`)
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new StatebridgeError('SB_CONFIG', `unknown command ${JSON.stringify(command)}; expected ${Object.keys(COMMANDS).slice(0, -1).join(', ')} or ${Object.keys(COMMANDS).at(-1)}`)
  }
  const json = values.json === true
  const flags = optionsFromFlags(values)

  if (command === 'health') {
    if (root !== undefined) throw new StatebridgeError('SB_CONFIG', 'health takes no directory; give the API address with --url or --listen')
    const settings = resolveSettings(flags)
    warnIgnoredFlags(command, values)
    // Loaded here only: the daemon's commands never need it.
    const { checkHealth, healthBaseUrl } = await import('./metrics/health-check.js')
    return checkHealth(healthBaseUrl(values.url as string | undefined, settings.listen))
  }

  if (command === 'serve') {
    if (root !== undefined) throw new StatebridgeError('SB_CONFIG', 'serve takes no directory: it reads the database given with --db')
    const settings = resolveSettings(flags)
    warnIgnoredFlags(command, values)
    return serveUntilSignal(settings)
  }

  if (command === 'migrate' || command === 'status' || command === 'show') {
    if (command === 'show' && root === undefined) {
      throw new StatebridgeError('SB_CONFIG', 'show needs a session id, e.g. `statebridge show 2026-01-29-1738200293`')
    }
    if (command !== 'show' && root !== undefined) throw new StatebridgeError('SB_CONFIG', `${command} takes no directory`)
    const settings = resolveSettings(flags)
    warnIgnoredFlags(command, values)
    if (command === 'migrate') return migrateOnly(settings)
    const store = await openStore(settings.db, { migrate: settings.migrate })
    try {
      return command === 'status' ? await printStatus(store, json) : await printSession(store, settings.db, root!, json)
    } finally {
      await store.close()
    }
  }

  const config = resolveConfig({ root: root ?? '', ...flags })
  warnIgnoredFlags(command as Command, values)
  if (command === 'check') {
    const [{ runCheck }, { formatCheckReport }] = await Promise.all([import('./check/run-check.js'), import('./check/check-report.js')])
    const report = await runCheck(config.root, config).catch((error: unknown) => {
      throw new StatebridgeError('SB_ROOT', `reports directory ${config.root} is not usable: ${(error as Error).message}`)
    })
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatCheckReport(report))
    return 0
  }
  if (command === 'watch') {
    // `watch` logs to stdout like any daemon.
    const logger = createLogger({ level: config.logLevel, fd: 1 })
    const open = () => openStore(config.db, { migrate: config.migrate, logger, instance: config.instance, poolSize: config.poolSize })
    return watchUntilSignal(config, open, logger)
  }
  return syncOnce(config, json)
}

/**
 * The `--transcripts` roots, each checked to be a directory before any root
 * is synced: a mistyped path stops the run with its name, not after the
 * reports root was applied.
 */
function checkedTranscriptRoots(config: ResolvedConfig): ReturnType<typeof transcriptRoots> {
  const roots = transcriptRoots(config)
  for (const { root } of roots) {
    let directory = false
    try {
      directory = fs.statSync(root).isDirectory()
    } catch (error) {
      throw new StatebridgeError('SB_ROOT', `transcripts directory ${root} (--transcripts) is not usable: ${(error as Error).message}`)
    }
    if (!directory) throw new StatebridgeError('SB_ROOT', `transcripts directory ${root} (--transcripts) is not usable: not a directory`)
  }
  return roots
}

/** `sync`: stdout keeps the summary; the log and the progress line go to stderr. */
async function syncOnce(config: ResolvedConfig, json: boolean): Promise<number> {
  const transcripts = checkedTranscriptRoots(config)
  const progress = showProgress({ json, stderrIsTTY: process.stderr.isTTY === true }) ? new ProgressLine(process.stderr) : null
  // Log lines clear the progress line first, so the two never share a terminal line.
  const logger = progress ? createProgressAwareLogger(config.logLevel, progress) : createLogger({ level: config.logLevel, fd: 2 })
  // A one-shot sync fails at once when the database is away.
  const store = await openStore(config.db, { migrate: config.migrate, logger, instance: config.instance, poolSize: config.poolSize })
  logger.debug({ database: store.description, instance: config.instance }, 'database open')
  try {
    const started = Date.now()
    const summary = await runSync(config, store, logger, progress ? { onProgress: (done, total, bytes) => progress.update(done, total, bytes) } : {})
    // Transcripts directories after the reports root: one summary counts every root's files.
    for (const root of transcripts) {
      const more = await runSync(root, store, logger)
      summary.files_seen += more.files_seen
      summary.files_applied += more.files_applied
      summary.files_unchanged += more.files_unchanged
      summary.files_removed += more.files_removed
      summary.files_failed += more.files_failed
    }
    summary.duration_ms = Date.now() - started
    progress?.clear()
    process.stdout.write(json ? `${JSON.stringify(summary)}\n` : formatSummary(summary))
  } finally {
    progress?.clear()
    await store.close()
    logger.flush()
  }
  return 0
}

/** A pretty logger on stderr that clears the progress line before each line it writes. */
function createProgressAwareLogger(level: string, progress: ProgressLine): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      progress.writeAbove(chunk.toString('utf8'))
      done()
    },
  })
  return pino({ level, base: { pid: process.pid } }, prettyStream({ destination, sync: true }))
}

/** `migrate`: apply pending migrations and exit; the log goes to stderr. */
async function migrateOnly(settings: Settings): Promise<number> {
  const logger = createLogger({ level: settings.logLevel, fd: 2 })
  const store = await openStore(settings.db, { migrate: true, logger })
  logger.info({ database: store.description }, 'schema is current')
  await store.close()
  logger.flush()
  return 0
}

async function printStatus(store: Store, json: boolean): Promise<number> {
  const status = await store.status()
  process.stdout.write(json ? `${JSON.stringify(status)}\n` : formatStatus(status))
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
  const transcriptConfigs = checkedTranscriptRoots(config)
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
    void notifySystemd({ stopping: true, status: 'shutting down: finishing the applies in flight' }, logger)
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
  // The API starts once the schema is migrated, before the start-up reconcile, so /healthz answers during it.
  let service: Service | null = null
  // One entry per transcripts root from the start, its handle set once its start-up reconcile is done.
  const transcriptWatches: Array<{ root: string; handle: WatchHandle | null }> = transcriptConfigs.map((c) => ({ root: c.root, handle: null }))
  try {
    if (config.listen !== null) {
      service = await startService({
        db: config.db,
        listen: config.listen,
        metricsPublic: config.metricsPublic,
        logger,
        store,
        daemon: () => handle,
        transcriptWatches: () => transcriptWatches,
      })
    }
    handle = await startWatch(config, store, logger, { signal: stopper.signal })
    // Each transcripts directory is watched like the reports root, with one parse worker of its own.
    for (const [i, transcripts] of transcriptConfigs.entries()) {
      const workers = Math.min(1, transcripts.workers)
      transcriptWatches[i]!.handle = await startWatch({ ...transcripts, workers }, store, logger.child({ root: transcripts.root }), { signal: stopper.signal })
    }
    await notifySystemd({ ready: true, status: `reconciled; watching ${config.root}` }, logger)
  } catch (error) {
    await service?.close()
    for (const watch of transcriptWatches) await watch.handle?.close()
    await handle?.close()
    await store.close()
    if ((error as StatebridgeError).code === 'SB_ABORTED') return stoppedDuringStart(logger)
    throw error
  }
  const running = handle
  // Change-log retention and the Redis mirror run on the watch's store, and stop before it closes.
  const feedJobs = await startFeedJobs(config, store, logger)
  const sweeper = startHistorySweeper(store, retentionPolicy(config), logger)
  if (!stopper.signal.aborted) await new Promise((resolve) => stopper.signal.addEventListener('abort', resolve, { once: true }))
  await service?.close()
  await running.close()
  for (const watch of transcriptWatches) await watch.handle?.close()
  await sweeper.stop()
  await feedJobs.stop()
  await store.close()
  logger.flush()
  return 0
}

/** `serve`: the HTTP API on a database another process fills, until SIGTERM or SIGINT. */
async function serveUntilSignal(settings: Settings): Promise<number> {
  if (settings.listen === null) throw new StatebridgeError('SB_CONFIG', 'serve needs --listen <host:port>, such as --listen 127.0.0.1:8787')
  const logger = createLogger({ level: settings.logLevel, fd: 1 })
  const service = await startService({ db: settings.db, listen: settings.listen, metricsPublic: settings.metricsPublic, logger })
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'shutting down the API')
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await service.close()
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

function formatSummary(s: Awaited<ReturnType<typeof runSync>>): string {
  return (
    `${s.files_seen} files seen: ${s.files_applied} applied, ${s.files_unchanged} unchanged, ` +
    `${s.files_removed} removed, ${s.files_failed} failed (${s.duration_ms} ms)\n`
  )
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

main(process.argv.slice(2))
  .then(
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
  .finally(() => {
    // Every command has closed what it opened by now. Should a handle still hold
    // the event loop (a bug), the command must end all the same, not hang: say so and exit.
    setTimeout(() => {
      process.stderr.write('statebridge: exiting although a handle was left open (a bug worth reporting)\n')
      process.exit()
    }, 5_000).unref()
  })
