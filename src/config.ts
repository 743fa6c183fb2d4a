/**
 * Configuration, resolved once: flags beat environment, environment beats
 * defaults, and the result is frozen. Bad values fail at start with a message
 * that names the flag or variable.
 */
import os from 'node:os'
import path from 'node:path'
import { StatebridgeError } from './errors.js'

/** Where the rows go. A PostgreSQL `url` of `null` means: all from the `PG*` environment variables. */
export type DatabaseTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string | null; schema: string }

/** Options as a user gives them (flags or API); every field is optional but `root`. */
export interface StatebridgeOptions {
  /** The reports directory to mirror; every directory directly under it is a session. */
  root: string
  /** `sqlite:<path>`, a bare file path, or `postgres://...`; default `sqlite:./data/statebridge.db`. */
  db?: string
  /** Name of this sidecar, recorded with every file it applies; default the host name. */
  instance?: string
  /**
   * Name stored as `root` on every row; default the real path of the root. Sidecars
   * that mount one shared volume at different paths give it the same name.
   */
  rootId?: string
  /** Quiet time after the last event on a file before it is synced, ms; default 150. */
  debounceMs?: number
  /** Full stat-based reconcile while watching, ms; default 60000 (1 minute); 0 disables. */
  reconcileIntervalMs?: number
  /**
   * Every file is read and hashed again at least once per this window while
   * watching, a slice at each periodic reconcile, ms; default 600000 (10 minutes);
   * 0 disables. Catches edits that kept size and mtime (`touch -r`).
   */
  rehashWindowMs?: number
  /**
   * Start-up reconcile trusts size and mtime instead of reading and hashing every
   * file; default `false`. For huge trees where a full read at start costs too much.
   */
  trustStat?: boolean
  /** Grace period for the applies in flight at SIGTERM/SIGINT before the process exits anyway, ms; default 10000; 0 waits without limit. */
  shutdownTimeoutMs?: number
  /** Files larger than this are registered with an error and not read, bytes; default 25 MB. */
  maxFileBytes?: number
  /** Time budget to read and parse one file, ms; default 10000; 0 means no budget (required with `workers: 0`). */
  parseTimeoutMs?: number
  /** Parse worker threads; default min(2, CPUs); 0 parses on the main thread, where no budget can be enforced. */
  workers?: number
  /** Heap limit of each parse worker, MB; default 96. */
  workerHeapMb?: number
  /** PostgreSQL schema of every table; default `public`. */
  schema?: string
  /** Apply pending schema migrations at start (default); `false` only checks the schema is current. */
  migrate?: boolean
  /** First wait before retrying an unreachable database, ms; default 1000. Doubles per attempt, with jitter. */
  retryBaseMs?: number
  /** Longest wait between retries, ms; default 30000. */
  retryMaxMs?: number
  /** PostgreSQL connections of this sidecar; default 2 × max(1, workers) + 2 (one per apply in flight, plus reconcile and probe). */
  poolSize?: number
}

/** The frozen, defaulted configuration the daemon runs with. */
export interface Config {
  readonly root: string
  readonly db: DatabaseTarget
  readonly instance: string
  /** `null`: the real path of `root`. */
  readonly rootId: string | null
  readonly debounceMs: number
  readonly reconcileIntervalMs: number
  readonly rehashWindowMs: number
  readonly trustStat: boolean
  readonly shutdownTimeoutMs: number
  readonly maxFileBytes: number
  readonly parseTimeoutMs: number
  readonly workers: number
  readonly workerHeapMb: number
  readonly migrate: boolean
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** PostgreSQL connections of this sidecar (unused by SQLite). */
  readonly poolSize: number
}

export const DEFAULT_SQLITE_FILE = './data/statebridge.db'

/** Turn options plus environment into the one configuration, or throw `SB_CONFIG`. */
export function resolveConfig(options: StatebridgeOptions, env: NodeJS.ProcessEnv = process.env): Config {
  if (!options.root) throw configError('the reports directory is missing: pass it as the first argument, e.g. `statebridge sync ./reports`')
  const db = resolveDatabase(options.db, env, options.schema)
  const workers = checkInteger('--workers', options.workers ?? Math.min(2, os.availableParallelism()), 0, 64)
  if (options.poolSize !== undefined && db.dialect !== 'postgres') throw configError('--pool-size applies to PostgreSQL only')
  const parseTimeoutMs = checkInteger('--parse-timeout-ms', options.parseTimeoutMs ?? 10_000, 0, 3_600_000)
  if (parseTimeoutMs > 0 && parseTimeoutMs < 100) throw configError(`--parse-timeout-ms must be 0 (no budget) or from 100 to 3600000, not ${parseTimeoutMs}`)
  // A parse on the main thread cannot be interrupted: a pathological file would hang the daemon, budget or not.
  if (workers === 0 && parseTimeoutMs > 0) {
    throw configError(
      `--workers 0 parses on the main thread, where the ${parseTimeoutMs} ms parse budget (--parse-timeout-ms) cannot be enforced; ` +
        'use --workers 1 or more, or pass --parse-timeout-ms 0 to run without a budget',
    )
  }
  return Object.freeze({
    root: path.resolve(options.root),
    db: Object.freeze(db),
    instance: options.instance ?? env.STATEBRIDGE_INSTANCE ?? os.hostname(),
    rootId: checkRootId(options.rootId ?? (env.STATEBRIDGE_ROOT_ID || undefined)),
    debounceMs: checkInteger('--debounce-ms', options.debounceMs ?? 150, 0, 60_000),
    reconcileIntervalMs: checkInteger('--reconcile-interval-ms', options.reconcileIntervalMs ?? 60_000, 0, 86_400_000),
    rehashWindowMs: checkInteger('--rehash-window-ms', options.rehashWindowMs ?? 600_000, 0, 604_800_000),
    trustStat: options.trustStat ?? false,
    shutdownTimeoutMs: checkInteger('--shutdown-timeout-ms', options.shutdownTimeoutMs ?? 10_000, 0, 3_600_000),
    maxFileBytes: checkInteger('--max-file-bytes', options.maxFileBytes ?? 25 * 1024 * 1024, 1, 2 ** 31 - 1),
    parseTimeoutMs,
    workers,
    workerHeapMb: checkInteger('--worker-heap-mb', options.workerHeapMb ?? 96, 16, 16_384),
    migrate: options.migrate ?? true,
    ...resolveRetry(options),
    // The file queue applies two files per worker at once; each holds one connection for its transaction.
    poolSize: checkInteger('--pool-size', options.poolSize ?? Math.max(2, workers * 2) + 2, 1, 1_000),
  })
}

function resolveRetry(options: StatebridgeOptions): { retryBaseMs: number; retryMaxMs: number } {
  const retryBaseMs = checkInteger('--retry-base-ms', options.retryBaseMs ?? 1_000, 10, 600_000)
  const retryMaxMs = checkInteger('--retry-max-ms', options.retryMaxMs ?? 30_000, 10, 3_600_000)
  if (retryMaxMs < retryBaseMs) throw configError(`--retry-max-ms (${retryMaxMs}) must not be below --retry-base-ms (${retryBaseMs})`)
  return { retryBaseMs, retryMaxMs }
}

/**
 * The database from `--db`, else the upstream variables: `SESSION_STORAGE_TYPE`
 * (sqlite|postgres) with `SESSION_DB_PATH` or `DATABASE_URL`. The PostgreSQL
 * schema comes from `--schema`, else `STATEBRIDGE_SCHEMA`, else `public`.
 */
export function resolveDatabase(flag: string | undefined, env: NodeJS.ProcessEnv, schemaFlag?: string): DatabaseTarget {
  const target = databaseOf(flag, env)
  // An empty variable counts as unset, like the others.
  const schema = schemaFlag ?? (env.STATEBRIDGE_SCHEMA || undefined)
  if (target.dialect === 'postgres') {
    return { ...target, schema: checkSchemaName(schema ?? 'public', schemaFlag !== undefined ? '--schema' : 'STATEBRIDGE_SCHEMA') }
  }
  if (schemaFlag !== undefined) throw configError('--schema applies to PostgreSQL only; SQLite keeps one schema per file')
  return target
}

function databaseOf(flag: string | undefined, env: NodeJS.ProcessEnv): DatabaseTarget {
  if (flag !== undefined) return parseDatabaseUrl(flag, '--db')
  const type = env.SESSION_STORAGE_TYPE?.trim().toLowerCase()
  if (type !== undefined && type !== '' && type !== 'sqlite' && type !== 'postgres' && type !== 'postgresql') {
    throw configError(`SESSION_STORAGE_TYPE must be sqlite or postgres, not ${JSON.stringify(env.SESSION_STORAGE_TYPE)}`)
  }
  if (type === 'postgres' || type === 'postgresql') {
    // Without a URL, node-postgres takes host, user, password and database from PGHOST, PGUSER, ...
    if (!env.DATABASE_URL) {
      if (env.PGHOST || env.PGDATABASE) return { dialect: 'postgres', url: null, schema: 'public' }
      throw configError('SESSION_STORAGE_TYPE=postgres needs DATABASE_URL (postgres://user@host:5432/db) or PGHOST/PGDATABASE')
    }
    const target = parseDatabaseUrl(env.DATABASE_URL, 'DATABASE_URL')
    if (target.dialect !== 'postgres') throw configError('SESSION_STORAGE_TYPE=postgres needs a postgres:// DATABASE_URL')
    return target
  }
  if (env.SESSION_DB_PATH) {
    const target = parseDatabaseUrl(env.SESSION_DB_PATH, 'SESSION_DB_PATH')
    if (target.dialect !== 'sqlite') throw configError('SESSION_DB_PATH is a SQLite file path; put a postgres:// URL in DATABASE_URL')
    return target
  }
  if (type === undefined && env.DATABASE_URL && /^postgres(ql)?:/i.test(env.DATABASE_URL)) {
    return parseDatabaseUrl(env.DATABASE_URL, 'DATABASE_URL')
  }
  return { dialect: 'sqlite', file: DEFAULT_SQLITE_FILE }
}

function parseDatabaseUrl(value: string, source: string): DatabaseTarget {
  const trimmed = value.trim()
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', url: trimmed, schema: 'public' }
  if (/^sqlite:/i.test(trimmed)) {
    const file = trimmed.replace(/^sqlite:(\/\/)?/i, '')
    if (file === '') throw configError(`${source}: sqlite: needs a file path, e.g. sqlite:./data/statebridge.db`)
    return { dialect: 'sqlite', file }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw configError(`${source}: unsupported database ${JSON.stringify(trimmed.split(':')[0])}; use sqlite:<path> or postgres://...`)
  }
  if (trimmed === '') throw configError(`${source} is empty`)
  return { dialect: 'sqlite', file: trimmed }
}

/** Schema names are used unquoted in `search_path`, so they stay plain identifiers. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Throw `SB_CONFIG` unless `schema` is a plain lower-case identifier. */
export function checkSchemaName(schema: string, source = '--schema'): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw configError(
      `${source} must be a lower-case identifier (letters, digits, _; at most 63), not ${JSON.stringify(schema)}`,
    )
  }
  return schema
}

function checkRootId(rootId: string | undefined): string | null {
  if (rootId === undefined) return null
  if (rootId.trim() === '' || rootId !== rootId.trim()) {
    throw configError(`--root-id must be a non-empty name without surrounding spaces, not ${JSON.stringify(rootId)}`)
  }
  return rootId
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`)
  }
  return value
}

function configError(message: string): StatebridgeError {
  return new StatebridgeError('SB_CONFIG', message)
}
