/**
 * Connecting to PostgreSQL: the pool settings, how values come back, and how a
 * target is named in logs without its credentials.
 */
import pg from 'pg'
import { StatebridgeError } from '../errors.js'

/** Where the PostgreSQL rows go. Credentials live in the URL or the `PG*` environment. */
export interface PostgresTarget {
  /** `postgres://…`; `null` takes everything from `PGHOST`, `PGUSER`, `PGDATABASE`, ... */
  url: string | null
  /** Schema holding every statebridge table; several deployments can share one database. */
  schema: string
}

/** Host, port, database, user and schema of a target: what logs and messages may show. */
export function describeTarget(target: PostgresTarget, env: NodeJS.ProcessEnv = process.env): string {
  let host = env.PGHOST ?? 'localhost'
  let port = env.PGPORT ?? '5432'
  let database = env.PGDATABASE ?? ''
  let user = env.PGUSER ?? ''
  if (target.url !== null) {
    try {
      const url = new URL(target.url)
      // A password with an unescaped '#', '/' or '?' moves part of it into the host or path: name nothing then.
      if (target.url.split('?')[0]!.includes('@') && url.username === '' && url.password === '') throw new Error('ambiguous credentials')
      host = url.hostname || url.searchParams.get('host') || host
      port = url.port || port
      database = decodeURIComponent(url.pathname.replace(/^\//, '')) || database
      user = decodeURIComponent(url.username) || user
    } catch {
      return `postgres (unparsable URL), schema ${target.schema}`
    }
  }
  return `postgres://${user ? `${user}@` : ''}${host}:${port}/${database || user || '?'} (schema ${target.schema})`
}

const INT8_OID = 20
const TIMESTAMPTZ_OID = 1184
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID) as (value: string) => Date

// Read values back the way SQLite gives them: bigint ids and counts as numbers
// (they stay far below 2^53) and timestamps as ISO-8601 strings in UTC.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value)
    if (oid === TIMESTAMPTZ_OID) return (value: string) => parseTimestamptz(value).toISOString()
    return pg.types.getTypeParser(oid, format)
  },
}

/** Pool settings. */
export interface PoolOptions {
  /** Connections at most; one per file applied at the same time, plus one. */
  max: number
  applicationName: string
  /** Give up connecting after this long, so an outage is noticed quickly. */
  connectionTimeoutMs?: number
  /** Client-side ceiling for one query: a silent network cut must not hang an apply forever. */
  queryTimeoutMs?: number
  /**
   * Told of every connection error, whether the connection was idle in the
   * pool or checked out (default: nothing). The query in flight, if any,
   * rejects with the error by itself; this is for logs.
   */
  onConnectionError?: (error: Error) => void
}

// Connections that reported an error: their holder must destroy them (`release(error)`), not return them.
const broken = new WeakSet<pg.ClientBase>()

/** Whether `client` lost its connection (or otherwise emitted 'error') since it was opened. */
export function connectionBroken(client: pg.ClientBase): boolean {
  return broken.has(client)
}

/**
 * The URL to connect with and the server options (`-c name=value ...`) that
 * put every statement in `target.schema`. node-postgres takes `options` from
 * the URL over the one given beside it, and ignores `PGOPTIONS` once one is
 * given: a URL carrying `?options=-c statement_timeout=…` would silently drop
 * the schema, and every table would land in the user's default schema. So
 * the URL's and the environment's options are kept, and the schema is set
 * last, where it wins.
 */
export function connectionOptions(target: PostgresTarget, env: NodeJS.ProcessEnv = process.env): { url: string | null; options: string } {
  const given: string[] = []
  if (env.PGOPTIONS) given.push(env.PGOPTIONS)
  let url = target.url
  if (url !== null) {
    try {
      const parsed = new URL(url)
      const fromUrl = parsed.searchParams.get('options')
      if (fromUrl !== null) {
        given.push(fromUrl)
        parsed.searchParams.delete('options')
        url = parsed.toString()
      }
    } catch {
      // node-postgres reads some URLs WHATWG URL cannot: their options cannot be merged, and would replace the schema.
      if (/[?&]options=/.test(url)) {
        throw new StatebridgeError('SB_CONFIG', `cannot read the options of ${describeTarget(target, env)}: percent-encode the URL, or give the options in PGOPTIONS`)
      }
    }
  }
  return { url, options: [...given, `-c search_path=${target.schema}`].join(' ') }
}

/** A pool whose connections all use `target.schema` and the value parsers above. */
export function createPool(target: PostgresTarget, options: PoolOptions): pg.Pool {
  const connection = connectionOptions(target)
  const pool = new pg.Pool({
    ...(connection.url !== null ? { connectionString: connection.url } : {}),
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    query_timeout: options.queryTimeoutMs ?? 120_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    options: connection.options,
    types,
  })
  // pg-pool listens for a client's 'error' only while the client idles in the
  // pool. A connection lost while checked out (mid-transaction, or between two
  // queries) would emit 'error' with no listener, and that kills the process.
  // This listener lives as long as the client: the query in flight rejects
  // with the error on its own, and the holder sees the mark and destroys it.
  pool.on('connect', (client) => {
    client.on('error', (error: Error) => {
      broken.add(client)
      options.onConnectionError?.(error)
    })
  })
  return pool
}
