/**
 * Configuration, resolved once: flags beat environment, environment beats
 * defaults, and the result is frozen. Bad values fail at start with a message
 * that names the flag or variable.
 */
import path from 'node:path'
import { StatebridgeError } from './errors.js'
import type { RootKind } from './sync/paths.js'
import { OPTION_SPECS, optionName, type OptionSpec, type OptionValues, type ResolvedOptions, type ResolvedValue } from './options.js'

/** Where the rows go. A PostgreSQL `url` of `null` means: all from the `PG*` environment variables. */
export type DatabaseTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string | null; schema: string }

/** The Redis the change feed is mirrored into (a Redis Stream). */
export interface RedisTarget {
  /** `redis://…` or `rediss://…`; may hold credentials, so it is never logged as it is. */
  readonly url: string
}

/** Redis when `SESSION_STORAGE_TYPE=redis-postgres` names none in `REDIS_URL`. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** Options as a user gives them (flags or API): every option of the table in options.ts, all optional, plus the root. */
export type StatebridgeOptions = {
  /** The reports directory to mirror; every directory directly under it is a session. */
  root: string
} & OptionValues

/**
 * The frozen, defaulted settings every command runs with: the database target
 * plus every option of the table in options.ts (see there for each one's
 * meaning and default). `rootId` is `null` for "the real path of the root";
 * `poolSize` is unused by SQLite. `redis` is `null` unless the change feed is
 * mirrored into Redis (`--redis-url`, or `SESSION_STORAGE_TYPE=redis-postgres`).
 */
export type Settings = { readonly db: DatabaseTarget; readonly redis: RedisTarget | null } & ResolvedOptions

/**
 * The frozen, defaulted configuration the daemon runs with: the settings plus
 * the root, and what kind of tree it is (`reports` unless a transcripts
 * directory is being mirrored, see `transcriptRoots`).
 */
export type Config = { readonly root: string; readonly rootKind?: RootKind } & Settings

/**
 * One configuration per `--transcripts` directory: the same settings, that
 * directory as a transcripts root. Each is synced and watched like the reports root.
 */
export function transcriptRoots(config: Config): Config[] {
  if (config.transcripts === null) return []
  const dirs = config.transcripts.split(path.delimiter).filter((dir) => dir.trim() !== '')
  // A shared root name would merge every root's rows under it: each transcripts root keeps its own path.
  return dirs.map((dir) => Object.freeze({ ...config, root: path.resolve(dir), rootKind: 'transcripts' as const, rootId: null }))
}

export const DEFAULT_SQLITE_FILE = './data/statebridge.db'

/** Turn options plus environment into the one configuration, or throw `SB_CONFIG`. */
export function resolveConfig(options: StatebridgeOptions, env: NodeJS.ProcessEnv = process.env): Config {
  if (!options.root) throw configError('the reports directory is missing: pass it as the first argument, e.g. `statebridge sync ./reports`')
  const settings = resolveSettings(options, env)
  return Object.freeze({ root: path.resolve(options.root), ...settings })
}

/**
 * Resolve everything but the root, for the commands that have none (`status`,
 * `show`, `migrate`): the same table, the same defaults, the same checks.
 */
export function resolveSettings(options: Omit<StatebridgeOptions, 'root'>, env: NodeJS.ProcessEnv = process.env): Settings {
  const db = resolveDatabase(options.db, env, options.schema)
  const resolved = resolveTable(options, env)
  for (const [key, spec] of OPTION_SPECS) {
    if (spec.postgresOnly && spec.resolve === 'table' && options[key as keyof OptionValues] !== undefined && db.dialect !== 'postgres') {
      throw configError(`${optionName(spec)} applies to PostgreSQL only`)
    }
  }
  // A parse on the main thread cannot be interrupted: a pathological file would hang the daemon, budget or not.
  if (resolved.workers === 0 && resolved.parseTimeoutMs > 0) {
    throw configError(
      `--workers 0 parses on the main thread, where the ${resolved.parseTimeoutMs} ms parse budget (--parse-timeout-ms) cannot be enforced; ` +
        'use --workers 1 or more, or pass --parse-timeout-ms 0 to run without a budget',
    )
  }
  if (resolved.retryMaxMs < resolved.retryBaseMs) {
    throw configError(`--retry-max-ms (${resolved.retryMaxMs}) must not be below --retry-base-ms (${resolved.retryBaseMs})`)
  }
  const redis = resolveRedis(options.redisUrl, env)
  return Object.freeze({ db: Object.freeze(db), redis: redis === null ? null : Object.freeze(redis), ...resolved })
}

/**
 * The Redis mirror: `--redis-url`, else, with `SESSION_STORAGE_TYPE=redis-postgres`
 * (the upstream name: PostgreSQL plus Redis), `REDIS_URL` or the local default.
 * `REDIS_URL` alone turns nothing on: other tools on the host may set it.
 */
export function resolveRedis(flag: string | undefined, env: NodeJS.ProcessEnv): RedisTarget | null {
  if (flag !== undefined) return { url: checkRedisUrl(flag, '--redis-url') }
  if (storageType(env) !== 'redis-postgres') return null
  return { url: env.REDIS_URL ? checkRedisUrl(env.REDIS_URL, 'REDIS_URL') : DEFAULT_REDIS_URL }
}

function checkRedisUrl(value: string, source: string): string {
  const trimmed = value.trim()
  if (!/^rediss?:\/\/[^\s]*$/i.test(trimmed)) throw configError(`${source} must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379`)
  return trimmed
}

function storageType(env: NodeJS.ProcessEnv): string | undefined {
  return env.SESSION_STORAGE_TYPE?.trim().toLowerCase()
}

/**
 * Every `table` option: the given value, else the first non-empty environment
 * variable, else the default (computed ones may read other options); then its
 * range, choices and own check. The messages name the flag.
 */
function resolveTable(options: OptionValues, env: NodeJS.ProcessEnv): ResolvedOptions {
  const specs = new Map(OPTION_SPECS.filter(([, spec]) => spec.resolve === 'table'))
  const resolved = new Map<string, unknown>()
  const get = (key: string): unknown => {
    if (resolved.has(key)) return resolved.get(key)
    const spec = specs.get(key)
    if (spec === undefined) throw new Error(`option table: ${key} is not a table option`)
    const value = resolveOne(spec, options[key as keyof OptionValues], env, get)
    resolved.set(key, value)
    return value
  }
  for (const key of specs.keys()) get(key)
  return Object.fromEntries(resolved) as ResolvedOptions
}

function resolveOne(spec: OptionSpec, given: unknown, env: NodeJS.ProcessEnv, get: ResolvedValue): unknown {
  const name = optionName(spec)
  // An empty variable counts as unset, like the database variables.
  const variable = spec.env?.find((v) => env[v] !== undefined && env[v] !== '')
  const fromEnv = variable === undefined ? undefined : parseEnvValue(spec, variable, env[variable]!)
  const value = given ?? fromEnv ?? (typeof spec.default === 'function' ? spec.default(get) : spec.default)
  if (value === null) return null
  const source = given === undefined && variable !== undefined ? variable : name
  switch (spec.type) {
    case 'integer': {
      const number = value as number
      if (!Number.isInteger(number) || number < spec.min || number > spec.max) {
        throw configError(`${source} must be a whole number from ${spec.min} to ${spec.max}, not ${String(number)}`)
      }
      const problem = spec.check?.(number)
      if (problem) throw configError(problem)
      return number
    }
    case 'string': {
      const text = value as string
      if (spec.choices && !spec.choices.includes(text)) throw configError(`${source} must be one of ${spec.choices.join(', ')}, not ${text}`)
      const problem = spec.check?.(text)
      if (problem) throw configError(problem)
      return text
    }
    case 'boolean':
      return value as boolean
  }
}

/** An environment variable's text as the option's type. */
function parseEnvValue(spec: OptionSpec, variable: string, text: string): unknown {
  if (spec.type === 'integer') return parseInteger(variable, text)
  if (spec.type === 'boolean') {
    const value = { '1': true, true: true, yes: true, '0': false, false: false, no: false }[text.trim().toLowerCase()]
    if (value === undefined) throw configError(`${variable} must be true or false, not ${JSON.stringify(text)}`)
    return spec.negated ? !value : value
  }
  return text
}

/** A whole number typed on a command line or in a variable, or `SB_CONFIG` naming where it came from. */
export function parseInteger(source: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw configError(`${source} must be a whole number, not ${JSON.stringify(text)}`)
  return Number(text)
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
  const stated = storageType(env)
  if (stated !== undefined && stated !== '' && !['sqlite', 'postgres', 'postgresql', 'redis-postgres'].includes(stated)) {
    throw configError(`SESSION_STORAGE_TYPE must be sqlite, postgres or redis-postgres, not ${JSON.stringify(env.SESSION_STORAGE_TYPE)}`)
  }
  // redis-postgres keeps the rows in PostgreSQL; the Redis part is resolveRedis's.
  const type = stated === 'redis-postgres' ? 'postgres' : stated
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

function configError(message: string): StatebridgeError {
  return new StatebridgeError('SB_CONFIG', message)
}
