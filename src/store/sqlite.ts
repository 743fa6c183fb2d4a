/**
 * The SQLite dialect of the store (better-sqlite3, WAL). Every write is one
 * synchronous transaction over prepared statements; nothing awaits inside it.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { StatebridgeError } from '../errors.js'
import { formatDiagnostic } from '../parsers/diagnostic.js'
import { migrations } from './migrations.js'
import type {
  FileFailure,
  FileIdentity,
  FileSnapshot,
  KnownFile,
  SessionDirectory,
  Store,
  StoreStatus,
  SyncRunSummary,
} from './types.js'

type Statement = Database.Statement<unknown[], unknown>

/** Open (creating directories and schema as needed) a SQLite store at `file` (`:memory:` allowed). */
export function openSqliteStore(file: string, options: { migrate?: boolean } = {}): Store {
  let db: Database.Database
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (options.migrate !== false) migrate(db)
  } catch (error) {
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `cannot open SQLite database ${file}: ${error instanceof Error ? error.message : String(error)}; check the path and its permissions`,
      { cause: error },
    )
  }
  return new SqliteStore(db)
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

class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const
  private readonly db: Database.Database
  private readonly sql: Record<string, Statement>
  private readonly applyTx: (snapshot: FileSnapshot) => void
  private readonly failTx: (failure: FileFailure) => void

  constructor(db: Database.Database) {
    this.db = db
    this.sql = {
      knownFiles: db.prepare(
        'SELECT path, size_bytes AS sizeBytes, mtime_ms AS mtimeMs, content_hash AS contentHash, status FROM documents WHERE root = ?',
      ),
      listSessions: db.prepare('SELECT session_id AS sessionId FROM sessions WHERE root = ?'),
      ensureSession: db.prepare(
        `INSERT INTO sessions (root, session_id, created_at, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (root, session_id) DO NOTHING`,
      ),
      touchSession: db.prepare('UPDATE sessions SET updated_at = ? WHERE root = ? AND session_id = ?'),
      removeSession: db.prepare('DELETE FROM sessions WHERE root = ? AND session_id = ?'),
      upsertDocument: db.prepare(
        `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
           parsed_hash, word_count, footnote_count, table_count, json, diagnostics, status, error, error_line,
           instance, applied_at, checked_at)
         VALUES (@root, @path, @sessionId, @documentType, @format, @sizeBytes, @mtimeMs, @contentHash,
           @contentHash, @wordCount, @footnoteCount, @tableCount, @json, @diagnostics, 'ok', NULL, NULL,
           @instance, @now, @now)
         ON CONFLICT (root, path) DO UPDATE SET
           session_id = excluded.session_id, document_type = excluded.document_type, format = excluded.format,
           size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
           parsed_hash = excluded.parsed_hash, word_count = excluded.word_count,
           footnote_count = excluded.footnote_count, table_count = excluded.table_count, json = excluded.json,
           diagnostics = excluded.diagnostics, status = 'ok', error = NULL, error_line = NULL,
           instance = excluded.instance, applied_at = excluded.applied_at, checked_at = excluded.checked_at
         RETURNING id`,
      ),
      upsertFailure: db.prepare(
        `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
           diagnostics, status, error, error_line, instance, checked_at)
         VALUES (@root, @path, @sessionId, @documentType, @format, @sizeBytes, @mtimeMs, @contentHash,
           '[]', 'error', @error, @errorLine, @instance, @now)
         ON CONFLICT (root, path) DO UPDATE SET
           size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
           status = 'error', error = excluded.error, error_line = excluded.error_line,
           instance = excluded.instance, checked_at = excluded.checked_at`,
      ),
      recordStat: db.prepare('UPDATE documents SET size_bytes = ?, mtime_ms = ?, checked_at = ? WHERE root = ? AND path = ?'),
      deleteTables: db.prepare('DELETE FROM document_tables WHERE document_id = ?'),
      insertTable: db.prepare(
        `INSERT INTO document_tables (document_id, ordinal, heading_path, headers, raw_headers, line, end_line, row_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertRow: db.prepare('INSERT INTO document_table_rows (table_id, row_index, cells, raw_cells, line) VALUES (?, ?, ?, ?, ?)'),
      removeFile: db.prepare('DELETE FROM documents WHERE root = ? AND path = ?'),
      insertRun: db.prepare(
        `INSERT INTO sync_runs (root, instance, mode, started_at, finished_at, files_seen, files_applied,
           files_unchanged, files_removed, files_failed)
         VALUES (@root, @instance, @mode, @startedAt, @finishedAt, @filesSeen, @filesApplied,
           @filesUnchanged, @filesRemoved, @filesFailed)`,
      ),
    }

    this.applyTx = db.transaction((snapshot: FileSnapshot) => {
      const now = new Date().toISOString()
      this.ensureSessionRow(snapshot, now)
      const { parsed } = snapshot
      const markdown = parsed.markdown
      const { id } = this.sql.upsertDocument!.get({
        ...identityParams(snapshot, now),
        contentHash: snapshot.contentHash,
        wordCount: markdown?.wordCount ?? null,
        footnoteCount: markdown?.footnoteCount ?? null,
        tableCount: markdown ? markdown.tables.length : null,
        json: snapshot.jsonText,
        diagnostics: JSON.stringify(parsed.diagnostics),
      }) as { id: number }
      this.sql.deleteTables!.run(id)
      for (const table of markdown?.tables ?? []) {
        const tableId = this.sql.insertTable!.run(
          id,
          table.ordinal,
          JSON.stringify(table.headingPath),
          JSON.stringify(table.headers),
          JSON.stringify(table.rawHeaders),
          table.line,
          table.endLine,
          table.rows.length,
        ).lastInsertRowid
        for (const row of table.rows) {
          this.sql.insertRow!.run(tableId, row.index, JSON.stringify(row.cells), JSON.stringify(row.raw), row.line)
        }
      }
    })

    this.failTx = db.transaction((failure: FileFailure) => {
      const now = new Date().toISOString()
      this.ensureSessionRow(failure, now)
      this.sql.upsertFailure!.run({
        ...identityParams(failure, now),
        contentHash: failure.contentHash,
        error: formatDiagnostic(failure.error),
        errorLine: failure.error.line,
      })
    })
  }

  private ensureSessionRow(file: FileIdentity, now: string): void {
    if (file.sessionId === null) return
    this.sql.ensureSession!.run(file.root, file.sessionId, file.sessionCreatedAt, now, now)
    this.sql.touchSession!.run(now, file.root, file.sessionId)
  }

  async loadKnownFiles(root: string): Promise<Map<string, KnownFile>> {
    const known = new Map<string, KnownFile>()
    for (const row of this.sql.knownFiles!.iterate(root) as Iterable<KnownFile>) known.set(row.path, row)
    return known
  }

  async listSessions(root: string): Promise<string[]> {
    return (this.sql.listSessions!.all(root) as Array<{ sessionId: string }>).map((r) => r.sessionId)
  }

  async ensureSession(session: SessionDirectory): Promise<void> {
    const now = new Date().toISOString()
    this.sql.ensureSession!.run(session.root, session.sessionId, session.createdAt, now, now)
  }

  async removeSession(root: string, sessionId: string): Promise<void> {
    this.sql.removeSession!.run(root, sessionId)
  }

  async applyFileSnapshot(snapshot: FileSnapshot): Promise<void> {
    this.applyTx(snapshot)
  }

  async recordFileFailure(failure: FileFailure): Promise<void> {
    this.failTx(failure)
  }

  async recordFileStat(root: string, filePath: string, sizeBytes: number, mtimeMs: number): Promise<void> {
    this.sql.recordStat!.run(sizeBytes, mtimeMs, new Date().toISOString(), root, filePath)
  }

  async removeFile(root: string, filePath: string): Promise<void> {
    this.sql.removeFile!.run(root, filePath)
  }

  async recordSyncRun(summary: SyncRunSummary): Promise<void> {
    this.sql.insertRun!.run(summary)
  }

  async status(): Promise<StoreStatus> {
    const db = this.db
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n
    const lastRun = db
      .prepare(
        `SELECT root, instance, mode, started_at AS startedAt, finished_at AS finishedAt, files_seen AS filesSeen,
           files_applied AS filesApplied, files_unchanged AS filesUnchanged, files_removed AS filesRemoved,
           files_failed AS filesFailed
         FROM sync_runs ORDER BY id DESC LIMIT 1`,
      )
      .get() as SyncRunSummary | undefined
    return {
      sessions: count('SELECT count(*) AS n FROM sessions'),
      documents: {
        ok: count("SELECT count(*) AS n FROM documents WHERE status = 'ok'"),
        error: count("SELECT count(*) AS n FROM documents WHERE status = 'error'"),
      },
      tables: count('SELECT count(*) AS n FROM document_tables'),
      tableRows: count('SELECT count(*) AS n FROM document_table_rows'),
      lastRun: lastRun ?? null,
      recentErrors: db
        .prepare(
          `SELECT root, path, error, error_line AS line FROM documents WHERE status = 'error'
           ORDER BY checked_at DESC, path LIMIT 20`,
        )
        .all() as StoreStatus['recentErrors'],
      perSession: db
        .prepare(
          `SELECT s.root, s.session_id AS sessionId, count(d.id) AS documents,
             coalesce(sum(d.status = 'error'), 0) AS errors, max(d.applied_at) AS lastAppliedAt
           FROM sessions s LEFT JOIN documents d ON d.root = s.root AND d.session_id = s.session_id
           GROUP BY s.id ORDER BY s.root, s.session_id`,
        )
        .all() as StoreStatus['perSession'],
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}

function identityParams(file: FileIdentity, now: string): Record<string, unknown> {
  return {
    root: file.root,
    path: file.path,
    sessionId: file.sessionId,
    documentType: file.documentType,
    format: file.format,
    sizeBytes: file.sizeBytes,
    mtimeMs: file.mtimeMs,
    instance: file.instance,
    now,
  }
}
