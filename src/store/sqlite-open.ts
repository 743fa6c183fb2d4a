/**
 * Opening a SQLite database file: creating its directory, the connection settings and migrations, which file is open (to notice a
 * deleted or replaced one), and what SQLite's error codes mean for the sync loop.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { StatebridgeError } from '../errors.js'
import { LATEST_VERSION, migrations } from './migrations.js'
import type { StoreErrorKind } from './types.js'

/** Which file a path named when it was looked at: a deleted or replaced file has another (or no) inode. */
export interface OpenedFile {
  dev: number
  ino: number
}

/** The file at `file` now; `null` when there is none. */
export function fileAt(file: string): OpenedFile | null {
  try {
    const stat = fs.statSync(file)
    return { dev: stat.dev, ino: stat.ino }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/**
 * Open, configure and migrate (or check) the database at `file`, creating its
 * directory if needed. Throws `SB_DB_OPEN` with the reason.
 */
export function openSqliteDatabase(file: string, options: { migrate?: boolean } = {}): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  let db: Database.Database | undefined
  try {
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (options.migrate !== false) migrate(db)
    else checkSchema(db)
    return db
  } catch (error) {
    if (db?.open) db.close()
    if (error instanceof StatebridgeError) throw error
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `cannot open SQLite database ${file}: ${error instanceof Error ? error.message : String(error)}; check the path and its permissions`,
      { cause: error },
    )
  }
}

function checkSchema(db: Database.Database): void {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  const version = table ? ((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0) : 0
  if (version < LATEST_VERSION) {
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `the database is at schema version ${version}, this statebridge needs ${LATEST_VERSION}, and --no-migrate forbids migrating; ` +
        'run `statebridge migrate --db <path>` first',
    )
  }
}

function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  )
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue
    db.transaction(() => {
      db.exec(migration.sqlite)
      record.run(migration.version, migration.name, new Date().toISOString())
    }).immediate()
  }
}

// Errors a later attempt can get past: another process holds the lock, or the disk was full or failing.
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/
const FILE_SQLITE = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/
/** How the sync loop should treat an error of better-sqlite3 (or one this store raised). */
export function classifySqliteError(error: unknown): StoreErrorKind {
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code !== 'string') return 'file'
  if (TRANSIENT_SQLITE.test(code)) return 'transient'
  if (FILE_SQLITE.test(code)) return 'file'
  return 'fatal'
}
