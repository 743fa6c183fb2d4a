/**
 * Open the read side for a configured database: the one place that knows
 * both reader dialects. The HTTP API imports this; the daemon's write path
 * never does.
 */
import type { Logger } from 'pino'
import type { DatabaseTarget } from '../config.js'
import type { StoreReader } from './read-types.js'
import { openSqliteReader } from './sqlite-read.js'

/** How to open a reader. */
export interface OpenReaderOptions {
  /** Where lost connections are logged (PostgreSQL; default: nowhere). */
  logger?: Logger
  /** PostgreSQL: connections at most, separate from the daemon's pool (default 3). */
  poolSize?: number
  /** PostgreSQL: server-side `statement_timeout` of every API statement, ms (default 5000). SQLite: busy timeout. */
  statementTimeoutMs?: number
}

/**
 * A read-only view of `target`'s database. SQLite: a second, read-only
 * connection (the file must exist). PostgreSQL: a pool of its own. Throws
 * `SB_DB_OPEN`, `SB_DB_UNAVAILABLE` or `SB_CONFIG` (in-memory SQLite).
 */
export async function openReader(target: DatabaseTarget, options: OpenReaderOptions = {}): Promise<StoreReader> {
  if (target.dialect === 'sqlite') return openSqliteReader(target.file, { busyTimeoutMs: options.statementTimeoutMs })
  // Loaded only when named: pg costs a SQLite deployment about 15 MB of RSS.
  const { openPostgresReader } = await import('./postgres-read.js')
  return openPostgresReader({ url: target.url, schema: target.schema }, options)
}
