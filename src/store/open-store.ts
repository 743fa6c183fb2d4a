/**
 * Open the store a configuration names. The only place that knows every dialect.
 */
import type { DatabaseTarget } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { openSqliteStore } from './sqlite.js'
import type { Store } from './types.js'

/** Open and migrate the database of `target`. */
export async function openStore(target: DatabaseTarget): Promise<Store> {
  if (target.dialect === 'sqlite') return openSqliteStore(target.file)
  throw new StatebridgeError(
    'SB_DB_OPEN',
    'the PostgreSQL dialect is not available in this build yet; use --db sqlite:<path> (the default)',
  )
}
