/**
 * Open the store a configuration names. The only place that knows every dialect.
 */
import type { Logger } from 'pino'
import type { DatabaseTarget } from '../config.js'
import { openSqliteStore } from './sqlite.js'
import type { Store } from './types.js'

/** How to open a store. */
export interface OpenStoreOptions {
  /** Apply pending migrations (default); `false` only checks the schema is current. */
  migrate?: boolean
  /** Receives pool-level warnings (PostgreSQL) and a database file lost while open (SQLite). */
  logger?: Logger
  /** This sidecar's name (PostgreSQL application_name, change notices, change-log rows of removals). */
  instance?: string
  /** Most connections at once (PostgreSQL). */
  poolSize?: number
}

/** Open and migrate (or check) the database of `target`. */
export async function openStore(target: DatabaseTarget, options: OpenStoreOptions = {}): Promise<Store> {
  if (target.dialect === 'sqlite') return openSqliteStore(target.file, { migrate: options.migrate, logger: options.logger, instance: options.instance })
  // Loaded only when named: pg costs a SQLite deployment about 15 MB of RSS.
  const { openPostgresStore } = await import('./postgres.js')
  return openPostgresStore({ url: target.url, schema: target.schema }, options)
}
