/**
 * Opening a SQLite database file: where it may live, creating its directory,
 * the connection settings and migrations, which file is open (to notice a
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
 * directory if needed; `onMigrated` is told the steps applied, if any. Throws
 * `SB_DB_OPEN` with the reason and what to do.
 */
export function openSqliteDatabase(
  file: string,
  options: { migrate?: boolean; onMigrated?: (applied: number[]) => void } = {},
): Database.Database {
  if (file !== ':memory:') {
    refuseVirtualFileSystem(file)
    createDirectory(path.dirname(path.resolve(file)), file)
  }
  let db: Database.Database | undefined
  try {
    db = new Database(file)
    useIncrementalVacuum(db)
    db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (options.migrate === false) checkSchema(db)
    else {
      const applied = migrateSqlite(db)
      if (applied.length > 0) options.onMigrated?.(applied)
    }
    return db
  } catch (error) {
    if (db?.open) db.close()
    if (error instanceof StatebridgeError) throw error
    const why = readOnlyReason(error, file)
    throw new StatebridgeError(
      'SB_DB_OPEN',
      why ?? `cannot open SQLite database ${file}: ${error instanceof Error ? error.message : String(error)}; check the path and its permissions`,
      { cause: error },
    )
  }
}

// Kernel file systems: SQLite cannot keep a file there, and a recursive mkdir under /proc never ends.
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev']
// Except the one tmpfs under /dev, an ordinary place for a throw-away database.
const USABLE_UNDER_VIRTUAL = '/dev/shm'

function refuseVirtualFileSystem(file: string): void {
  const resolved = path.resolve(file)
  // The nearest existing ancestor, resolved, catches a symlink into one of them too.
  let existing = path.dirname(resolved)
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing)
  const real = path.join(fs.realpathSync(existing), path.relative(existing, resolved))
  for (const candidate of [resolved, real]) {
    if (candidate.startsWith(`${USABLE_UNDER_VIRTUAL}/`)) continue
    const under = VIRTUAL_ROOTS.find((root) => candidate === root || candidate.startsWith(`${root}/`))
    if (under) {
      throw new StatebridgeError(
        'SB_DB_OPEN',
        `cannot use ${file} as the SQLite database: it is under ${under}, a kernel file system that cannot hold a database; ` +
          'point --db at a file on a real disk',
      )
    }
  }
}

// Directories deeper than this are not a database location anyone meant.
const MAX_NEW_DIRECTORIES = 64

/**
 * Create `dir` and its missing parents one level at a time. Node's recursive
 * mkdir loops forever on file systems that answer ENOENT for a parent that
 * exists; this stops at the first refusal and says which directory it was.
 */
function createDirectory(dir: string, file: string): void {
  const missing: string[] = []
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(current)) {
      if (!fs.statSync(current).isDirectory()) {
        throw new StatebridgeError('SB_DB_OPEN', `cannot open SQLite database ${file}: ${current} is not a directory; check the path`)
      }
      break
    }
    if (missing.length >= MAX_NEW_DIRECTORIES || path.dirname(current) === current) {
      throw new StatebridgeError('SB_DB_OPEN', `cannot create the directory of the SQLite database ${file}: too many missing parents`)
    }
    missing.push(current)
  }
  for (const current of missing.reverse()) {
    try {
      fs.mkdirSync(current)
    } catch (error) {
      // Another process created it meanwhile: that is what was wanted.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(current).isDirectory()) continue
      throw new StatebridgeError(
        'SB_DB_OPEN',
        `cannot create ${current}, the directory of the SQLite database ${file}: ${(error as Error).message}; check the path and its permissions`,
        { cause: error },
      )
    }
  }
}

/**
 * History pruning gives pages back to the file system bit by bit
 * (`PRAGMA incremental_vacuum`), which needs `auto_vacuum = INCREMENTAL`. A
 * new database takes it before its first table; an existing one without it is
 * rebuilt once (VACUUM, outside any transaction), the price of getting space back.
 */
function useIncrementalVacuum(db: Database.Database): void {
  const INCREMENTAL = 2
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL || db.readonly) return
  db.pragma('auto_vacuum = INCREMENTAL')
  // A new file takes the setting with its first page; an existing one only through VACUUM.
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return
  try {
    db.exec('VACUUM')
  } catch (error) {
    // Not worth refusing to start over (a full disk, another reader): pruning
    // then frees pages for reuse without shrinking the file, and says so.
    if (classifySqliteError(error) === 'fatal') throw error
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

/**
 * Apply the pending steps up to version `upTo` (default: the latest), each in
 * its own transaction. A lower `upTo` builds a database as an older release
 * left it, for the upgrade tests.
 */
export function migrateSqlite(db: Database.Database, upTo: number = LATEST_VERSION): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  )
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  const done: number[] = []
  for (const migration of migrations) {
    if (migration.version > upTo) break
    if (applied.has(migration.version)) continue
    const step = db.transaction(() => {
      db.exec(migration.sqlite)
      if (migration.foreignKeysOff) checkForeignKeys(db, migration.version, migration.foreignKeysOff)
      record.run(migration.version, migration.name, new Date().toISOString())
    })
    if (migration.foreignKeysOff) withoutForeignKeys(db, () => step.immediate())
    else step.immediate()
    done.push(migration.version)
  }
  // A step that rebuilds tables (12: 172 MB of corpus became 253 MB, 141 MB of it free pages)
  // leaves the old pages free but in the file: give them back now, not page by page at prunes.
  if (done.length > 0) db.pragma('incremental_vacuum')
  return done
}

/** Run `fn` with foreign keys off (a pragma that cannot change inside a transaction), then as they were. */
function withoutForeignKeys(db: Database.Database, fn: () => void): void {
  const before = db.pragma('foreign_keys', { simple: true }) as number
  db.pragma('foreign_keys = OFF')
  try {
    fn()
  } finally {
    db.pragma(`foreign_keys = ${before ? 'ON' : 'OFF'}`)
  }
}

/** Throw, naming the first one, when a step run with foreign keys off left a dangling reference in `tables`. */
function checkForeignKeys(db: Database.Database, version: number, tables: readonly string[]): void {
  for (const table of tables) {
    const dangling = db.pragma(`foreign_key_check("${table}")`) as Array<{ table: string; rowid: number | null; parent: string }>
    const first = dangling[0]
    if (!first) continue
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `migration step ${version} would leave ${dangling.length} row(s) of ${table} referencing missing rows ` +
        `(the first: rowid ${first.rowid}, referencing ${first.parent}); the database is left at the step before`,
    )
  }
}

// Errors a later attempt can get past: another process holds the lock, or the disk was full or failing.
// Everything else that is not one file's records (read-only, CANTOPEN, corruption) needs the operator.
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL)/
const FILE_SQLITE = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/
// The file cannot be written by this process: permissions or a read-only mount. Only the operator fixes that.
const READ_ONLY_SQLITE = /^SQLITE_(READONLY|PERM|AUTH)/

/** How the sync loop should treat an error of better-sqlite3 (or one this store raised). */
export function classifySqliteError(error: unknown): StoreErrorKind {
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code !== 'string') return 'file'
  if (TRANSIENT_SQLITE.test(code)) return 'transient'
  if (FILE_SQLITE.test(code)) return 'file'
  return 'fatal'
}

/**
 * For an error saying the database cannot be written, a message that says so
 * and what to do; `null` for any other error.
 */
export function readOnlyReason(error: unknown, file: string): string | null {
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code !== 'string' || !READ_ONLY_SQLITE.test(code)) return null
  return (
    `the SQLite database ${file} cannot be written (${code}: ${(error as Error).message}): the file, its -wal and -shm files ` +
    'or its directory are read-only for this user, or on a read-only mount; make them writable, or point --db at a writable path'
  )
}

/** Rethrow a write error of `file`, with a message that names a read-only database as such. */
export function explainWriteError(error: unknown, file: string): never {
  const reason = readOnlyReason(error, file)
  if (reason === null) throw error
  // The code stays, so the error classifies the same; only the message says more.
  throw Object.assign(new Error(reason, { cause: error }), { code: (error as { code: string }).code })
}
