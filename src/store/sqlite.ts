/**
 * The SQLite dialect of the store (better-sqlite3, WAL). Every write is one
 * synchronous transaction over prepared statements; nothing awaits inside it.
 */
import fs from 'node:fs'
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { formatDiagnostic } from '../parsers/diagnostic.js'
import { STATE_TYPES_SQL } from '../kinds/registry.js'
import { certificatePathSql, NOT_DERIVED_REASON, shapesSession } from './session-inputs.js'
import { PARSER_VERSION } from '../parsers/version.js'
import { STALE_PARSE } from './stale-parse.js'
import { SESSION_COLUMN_NAMES, TYPED_TABLE_NAMES, TYPED_TABLES, type TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue, TypedRecords } from '../parsers/typed/types.js'
import type { MarkdownRecords } from '../parsers/types.js'
import { appendContinues, storedAppendOf, storedAppendState } from './append-state.js'
import { pruneCutoff } from './change-log.js'
import { columnValue } from './column-value.js'
import { documentSections, sectionAt, storedRaw, storedRow } from './document-records.js'
import { deriveSession, TRACEABILITY_FIELDS } from './session-derive.js'
import type { StoredSessionFacts } from './session-summary.js'
import { classifySqliteError, explainWriteError, fileAt, openSqliteDatabase, type OpenedFile } from './sqlite-open.js'
import { readSessionDetail, type SqliteQueries } from './sqlite-read.js'
import { SqliteHistory } from './sqlite-history.js'
import { SqliteArchive } from './sqlite-archive.js'
import { BatchInsert } from './sqlite-batch.js'
import { upgradeMessage } from './migrations.js'
import type { BlobChain, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionQuery } from '../history/types.js'
import type {
  ArchivedSession,
  ChangeKind,
  ChangeRecord,
  FileAppend,
  FileFailure,
  FileIdentity,
  FileSnapshot,
  FinishedSession,
  HistoryImportResult,
  KnownFile,
  PurgeResult,
  ReadChangesOptions,
  SessionDetail,
  SessionDirectory,
  SessionExport,
  SessionMark,
  Store,
  StoreErrorKind,
  StoreStatus,
  StoredAppend,
  SyncRunSummary,
} from './types.js'

type Statement = Database.Statement<unknown[], unknown>

/** How to open a SQLite store. */
export interface SqliteStoreOptions {
  /** Apply pending migrations (default); `false` only checks the schema is current. */
  migrate?: boolean
  /** Where a database file deleted or replaced while open is reported (default: nowhere). */
  logger?: Logger
  /** This sidecar's name, recorded in the change log for removals (default `''`). */
  instance?: string
}

/** Open (creating directories and schema as needed) a SQLite store at `file` (`:memory:` allowed). */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  const logger = options.logger
  const db = openSqliteDatabase(file, {
    migrate: options.migrate,
    onMigrated: (applied) => {
      const message = upgradeMessage(applied)
      if (message) logger?.info({ database: `sqlite:${file}`, applied }, message)
    },
  })
  return new SqliteStore(db, file, options.logger, options.instance ?? '', options.migrate !== false)
}

// State files whose stated creation time is remembered; past this the memory starts again empty.
const CREATED_CLAIM_CACHE_MAX = 10_000

class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const
  readonly description: string
  private readonly file: string
  private readonly logger: Logger | undefined
  private readonly instance: string
  // The connection and everything prepared on it are replaced together when the file is reopened.
  private db!: Database.Database
  private opened: OpenedFile | null = null
  // The -wal and -shm files this connection made; SQLite leaves them behind when the database moved.
  private companions = new Map<string, OpenedFile | null>()
  private sql!: Record<string, Statement>
  private applyTx!: (snapshot: FileSnapshot) => void
  private failTx!: (failure: FileFailure) => void
  private appendTx!: (append: FileAppend) => boolean
  private removeTx!: (root: string, path: string) => void
  private removeSessionTx!: (root: string, sessionId: string) => void
  private history!: SqliteHistory
  private archive!: SqliteArchive
  private typedInsert!: Record<TypedTableName, Statement>
  private typedDelete!: Record<TypedTableName, Statement>
  private rowBatch!: BatchInsert
  private fieldBatch!: BatchInsert
  // The creation time each JSON state file states, by document id, with the content it was read from.
  private readonly createdClaimCache = new Map<number, { hash: string | null; claim: { value: unknown } | null }>()

  // With migrations on, rows older than the schema's latest derivation are derived again at open.
  private readonly rederive: boolean

  constructor(db: Database.Database, file: string, logger: Logger | undefined, instance: string, rederive: boolean) {
    this.file = file
    this.instance = instance
    this.description = `sqlite:${file}`
    this.logger = logger?.child({ module: 'store' })
    this.rederive = rederive
    this.bind(db)
  }

  // Prepare every statement and transaction on `db`, and remember which file it is.
  private bind(db: Database.Database): void {
    this.db = db
    this.opened = this.file === ':memory:' ? null : fileAt(this.file)
    if (this.file !== ':memory:') {
      this.companions = new Map(COMPANIONS.map((suffix) => [`${this.file}${suffix}`, fileAt(`${this.file}${suffix}`)]))
    }
    this.sql = {
      knownFiles: db.prepare(
        `SELECT path, ${STALE_PARSE.sizeBytes} AS sizeBytes, mtime_ms AS mtimeMs, ${STALE_PARSE.contentHash} AS contentHash, status
         FROM documents WHERE root = ?`,
      ),
      listSessions: db.prepare('SELECT session_id AS sessionId FROM sessions WHERE root = ?'),
      // An archived session gets no row: `import` brings it back, not a file event.
      ensureSession: db.prepare(
        `INSERT INTO sessions (root, session_id, created_at, created_at_from_name, created_at_source, status_reason, first_seen_at, updated_at)
         SELECT @root, @sessionId, @createdAt, @createdAt, CASE WHEN @createdAt IS NULL THEN NULL ELSE 'name' END, '${NOT_DERIVED_REASON}', @now, @now
         WHERE NOT EXISTS (SELECT 1 FROM archived_sessions WHERE root = @root AND session_id = @sessionId)
         ON CONFLICT (root, session_id) DO NOTHING`,
      ),
      touchSession: db.prepare(
        `UPDATE sessions SET updated_at = ? WHERE root = ? AND session_id = ? RETURNING status_reason = '${NOT_DERIVED_REASON}' AS underived`,
      ),
      removeSession: db.prepare('DELETE FROM sessions WHERE root = ? AND session_id = ?'),
      upsertDocument: db.prepare(
        `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
           parsed_hash, word_count, footnote_count, table_count, json, diagnostics, status, error, error_line,
           instance, applied_at, checked_at, parser_version, append_offset, append_hash, append_state)
         VALUES (@root, @path, @sessionId, @documentType, @format, @sizeBytes, @mtimeMs, @contentHash,
           @contentHash, @wordCount, @footnoteCount, @tableCount, @json, @diagnostics, 'ok', NULL, NULL,
           @instance, @now, @now, ${PARSER_VERSION}, @appendOffset, @appendHash, @appendState)
         ON CONFLICT (root, path) DO UPDATE SET
           session_id = excluded.session_id, document_type = excluded.document_type, format = excluded.format,
           size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
           parsed_hash = excluded.parsed_hash, word_count = excluded.word_count,
           footnote_count = excluded.footnote_count, table_count = excluded.table_count, json = excluded.json,
           diagnostics = excluded.diagnostics, status = 'ok', error = NULL, error_line = NULL,
           instance = excluded.instance, applied_at = excluded.applied_at, checked_at = excluded.checked_at,
           parser_version = excluded.parser_version, append_offset = excluded.append_offset,
           append_hash = excluded.append_hash, append_state = excluded.append_state
         RETURNING id`,
      ),
      upsertFailure: db.prepare(
        `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
           diagnostics, status, error, error_line, instance, checked_at, parser_version)
         VALUES (@root, @path, @sessionId, @documentType, @format, @sizeBytes, @mtimeMs, @contentHash,
           '[]', 'error', @error, @errorLine, @instance, @now, ${PARSER_VERSION})
         ON CONFLICT (root, path) DO UPDATE SET
           size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
           status = 'error', error = excluded.error, error_line = excluded.error_line,
           instance = excluded.instance, checked_at = excluded.checked_at, parser_version = excluded.parser_version`,
      ),
      recordStat: db.prepare('UPDATE documents SET size_bytes = ?, mtime_ms = ?, checked_at = ? WHERE root = ? AND path = ?'),
      deleteSections: db.prepare('DELETE FROM document_sections WHERE document_id = ?'),
      insertSection: db.prepare(
        'INSERT INTO document_sections (document_id, ordinal, parent_id, depth, title, line) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deleteTables: db.prepare('DELETE FROM document_tables WHERE document_id = ?'),
      insertTable: db.prepare(
        `INSERT INTO document_tables (document_id, ordinal, section_id, headers, raw_headers, line, end_line, row_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      removeFile: db.prepare('DELETE FROM documents WHERE root = ? AND path = ? RETURNING session_id AS sessionId'),
      setTypedKind: db.prepare('UPDATE documents SET typed_kind = ? WHERE id = ?'),
      appendBase: db.prepare(
        `SELECT content_hash AS contentHash, append_offset AS offset, append_hash AS hash, append_state AS state
         FROM documents WHERE root = ? AND path = ? AND status = 'ok' AND append_offset IS NOT NULL AND parser_version = ${PARSER_VERSION}`,
      ),
      appendedDocument: db.prepare(
        `SELECT id, content_hash AS contentHash, append_offset AS offset, status, parser_version AS parserVersion, diagnostics
         FROM documents WHERE root = ? AND path = ?`,
      ),
      updateAppended: db.prepare(
        `UPDATE documents SET size_bytes = @sizeBytes, mtime_ms = @mtimeMs, content_hash = @contentHash, parsed_hash = @contentHash,
           diagnostics = @diagnostics, append_offset = @offset, append_hash = @appendHash, append_state = @state,
           instance = @instance, applied_at = @now, checked_at = @now
         WHERE id = @id`,
      ),
      pruneRuns: db.prepare(
        `DELETE FROM sync_runs WHERE root = ? AND id <= (
           SELECT id FROM sync_runs WHERE root = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      ),
      deleteFields: db.prepare('DELETE FROM document_fields WHERE document_id = ?'),
      deleteFacts: db.prepare('DELETE FROM session_facts WHERE document_id = ?'),
      insertFacts: db.prepare(
        `INSERT INTO session_facts (root, session_id, document_id, precedence, line, ${SESSION_COLUMN_NAMES.join(', ')}, metadata)
         VALUES (?, ?, ?, ?, ?, ${SESSION_COLUMN_NAMES.map(() => '?').join(', ')}, ?)`,
      ),
      sessionFacts: db.prepare(
        `SELECT f.precedence, d.path, ${SESSION_COLUMN_NAMES.map((c) => `f.${c}`).join(', ')}, f.metadata
         FROM session_facts f JOIN documents d ON d.id = f.document_id WHERE f.root = ? AND f.session_id = ?`,
      ),
      // `ORDER BY +path`: without statistics SQLite walks the root's whole (root, path)
      // index to save a sort; by session it reads that session's documents only.
      errorFiles: db.prepare(
        `SELECT path, error_line AS line, error FROM documents WHERE root = ? AND session_id = ? AND status = 'error'
           AND document_type IN ${STATE_TYPES_SQL} ORDER BY +path LIMIT 100`,
      ),
      synthesis: db.prepare(
        'SELECT d.path, y.status FROM synthesis_state y JOIN documents d ON d.id = y.document_id WHERE y.root = ? AND y.session_id = ?',
      ),
      finalMemoranda: db.prepare(
        "SELECT path FROM documents WHERE root = ? AND session_id = ? AND document_type = 'final_memorandum' ORDER BY +path LIMIT 100",
      ),
      openPhases: db.prepare(
        `SELECT count(*) AS n FROM session_phases WHERE root = ? AND session_id = ?
           AND status IN ('pending', 'in_progress', 'ready', 'blocked')`,
      ),
      certificates: db.prepare(
        `SELECT d.path, (SELECT f.value FROM document_fields f WHERE f.document_id = d.id
             AND lower(f.key) IN ('status', 'decision', 'certification status', 'certification decision') ORDER BY f.line, f.id LIMIT 1) AS decision
         FROM documents d WHERE d.root = ? AND d.session_id = ? AND d.status = 'ok'
           AND ${certificatePathSql('lower(d.path)')}
         ORDER BY +d.path LIMIT 100`,
      ),
      // A session's JSON state files, and (below) the creation time one of them states:
      // read apart, so that each file's JSON is parsed once per content, not on every
      // refresh of its session (on the corpus that parse took 0.7 s of the sync).
      claimDocuments: db.prepare(
        `SELECT id, path, content_hash AS hash FROM documents
         WHERE root = ? AND session_id = ? AND status = 'ok' AND format = 'json' AND json IS NOT NULL
           AND document_type IN ('state_file', 'risk_summary')`,
      ),
      createdClaim: db.prepare(
        `SELECT coalesce(json_extract(json, '$.created_at'), json_extract(json, '$.createdAt'),
             json_extract(json, '$.metadata.created_at')) AS value
         FROM documents WHERE id = ? AND json_type(json) = 'object'`,
      ),
      createdAtFromName: db.prepare('SELECT created_at_from_name AS at FROM sessions WHERE root = ? AND session_id = ?'),
      sessionHasDocuments: db.prepare('SELECT EXISTS (SELECT 1 FROM documents WHERE root = ? AND session_id = ?) AS has'),
      assignments: db.prepare('SELECT id, task_id, specialist_type, status FROM specialist_assignments WHERE root = ? AND session_id = ?'),
      reports: db.prepare(
        "SELECT path FROM documents WHERE root = ? AND session_id = ? AND document_type = 'specialist_report' AND status = 'ok'",
      ),
      // Cells are in header order (migration 12): with these headers, Field is cell 0 and Value cell 1.
      reportFields: db.prepare(
        `SELECT d.path, json_extract(r.cells, '$[0]') AS field, json_extract(r.cells, '$[1]') AS value
         FROM documents d JOIN document_tables t ON t.document_id = d.id JOIN document_table_rows r ON r.table_id = t.id
         WHERE d.root = ? AND d.session_id = ? AND d.document_type = 'specialist_report' AND d.status = 'ok'
           AND t.headers = '["Field","Value"]'
           AND json_extract(r.cells, '$[0]') IN (${TRACEABILITY_FIELDS.map((f) => `'${f}'`).join(', ')})`,
      ),
      inventory: db.prepare(
        `SELECT d.path, e.specialist_id, e.report_file, e.complete FROM execution_inventory e JOIN documents d ON d.id = e.document_id
         WHERE e.root = ? AND e.session_id = ?`,
      ),
      agents: db.prepare(
        'SELECT d.path, a.agent, a.status FROM agent_states a JOIN documents d ON d.id = a.document_id WHERE a.root = ? AND a.session_id = ?',
      ),
      updateAssignment: db.prepare('UPDATE specialist_assignments SET derived_status = ?, status_evidence = ?, evidence_path = ? WHERE id = ?'),
      remediationTasks: db.prepare('SELECT id, task_id, status FROM remediation_tasks WHERE root = ? AND session_id = ?'),
      remediationOutputs: db.prepare(
        `SELECT d.path, o.output_name, o.reports_complete FROM remediation_outputs o JOIN documents d ON d.id = o.document_id
         WHERE o.root = ? AND o.session_id = ?`,
      ),
      updateRemediationTask: db.prepare('UPDATE remediation_tasks SET derived_status = ?, status_evidence = ?, evidence_path = ? WHERE id = ?'),
      updateSession: db.prepare(
        `UPDATE sessions SET ${SESSION_COLUMN_NAMES.map((c) => `${c} = ?`).join(', ')}, status = ?, metadata = ?,
           status_reason = ?, error_files = ?, created_at = ?, created_at_source = ?
         WHERE root = ? AND session_id = ?`,
      ),
      unexplainedSessions: db.prepare('SELECT root, session_id AS sessionId FROM sessions WHERE status_reason IS NULL'),
      documentExists: db.prepare('SELECT 1 FROM documents WHERE root = ? AND path = ?'),
      insertChange: db.prepare(
        'INSERT INTO change_log (root, session_id, path, change, status, instance, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readChanges: db.prepare(
        `SELECT seq, root, session_id AS sessionId, path, change, status, instance, at FROM change_log
         WHERE seq > ? ORDER BY seq LIMIT ?`,
      ),
      readChangesOfRoot: db.prepare(
        `SELECT seq, root, session_id AS sessionId, path, change, status, instance, at FROM change_log
         WHERE root = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      oldestChange: db.prepare('SELECT min(seq) AS seq FROM change_log'),
      latestChange: db.prepare('SELECT max(seq) AS seq FROM change_log'),
      // The newest row stays, so the latest seq a client may hold never disappears from the log.
      pruneChanges: db.prepare('DELETE FROM change_log WHERE at < ? AND seq < (SELECT max(seq) FROM change_log)'),
      feedCursor: db.prepare('SELECT seq FROM feed_cursors WHERE name = ?'),
      // max(): two daemons mirroring one database must not move a shared cursor back.
      saveFeedCursor: db.prepare(
        `INSERT INTO feed_cursors (name, seq, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq), updated_at = excluded.updated_at`,
      ),
      insertRun: db.prepare(
        `INSERT INTO sync_runs (root, instance, mode, started_at, finished_at, files_seen, files_applied,
           files_unchanged, files_removed, files_failed)
         VALUES (@root, @instance, @mode, @startedAt, @finishedAt, @filesSeen, @filesApplied,
           @filesUnchanged, @filesRemoved, @filesFailed)`,
      ),
    }

    this.typedInsert = {} as Record<TypedTableName, Statement>
    this.typedDelete = {} as Record<TypedTableName, Statement>
    for (const table of TYPED_TABLE_NAMES) {
      const columns = Object.keys(TYPED_TABLES[table])
      this.typedInsert[table] = db.prepare(
        `INSERT INTO ${table} (root, session_id, document_id, line, extra, raw, ${columns.join(', ')})
         VALUES (?, ?, ?, ?, ?, ?, ${columns.map(() => '?').join(', ')})`,
      )
      this.typedDelete[table] = db.prepare(`DELETE FROM ${table} WHERE document_id = ?`)
    }

    this.rowBatch = new BatchInsert(db, 'INSERT INTO document_table_rows (table_id, row_index, cells, raw_cells, cell_keys, line)', 6)
    this.fieldBatch = new BatchInsert(db, 'INSERT INTO document_fields (document_id, section_id, key, value, raw, raw_prefix, raw_form, style, line)', 9)
    this.history = new SqliteHistory(db)
    this.archive = new SqliteArchive(db, (root, sessionId, at) => this.logChange(root, sessionId, null, 'removed', null, this.instance, at))
    this.applyTx = db.transaction((snapshot: FileSnapshot) => {
      const now = new Date().toISOString()
      const underived = this.ensureSessionRow(snapshot, now)
      // Archived by a cleanup since this file was read (another process): the file is not applied.
      if (snapshot.sessionId !== null && this.archive.isArchived(snapshot.root, snapshot.sessionId)) return
      const change = this.changeOf(snapshot)
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
        appendOffset: parsed.append?.offset ?? null,
        appendHash: parsed.append ? (snapshot.appendHash ?? null) : null,
        appendState: parsed.append ? storedAppendState(parsed.append) : null,
      }) as { id: number }
      // A document row just created has no records to replace.
      const fresh = change === 'created'
      this.replaceMarkdown(id, markdown, fresh)
      this.replaceTyped(snapshot, id, parsed.typed ?? null, fresh)
      this.refreshAfter(snapshot, underived)
      this.history.recordContent(snapshot, snapshot.contentHash, snapshot.blob ?? null, 'ok', snapshot.revisionChange, now)
      this.logChange(snapshot.root, snapshot.sessionId, snapshot.path, change, 'ok', snapshot.instance, now)
    })

    this.failTx = db.transaction((failure: FileFailure) => {
      const now = new Date().toISOString()
      // A refused file keeps nothing: its document row is recreated bare, without any derived record.
      if (failure.discardRecords) this.sql.removeFile!.get(failure.root, failure.path)
      const underived = this.ensureSessionRow(failure, now)
      if (failure.sessionId !== null && this.archive.isArchived(failure.root, failure.sessionId)) return
      const change = this.changeOf(failure)
      this.sql.upsertFailure!.run({
        ...identityParams(failure, now),
        contentHash: failure.contentHash,
        error: formatDiagnostic(failure.error),
        errorLine: failure.error.line,
      })
      this.refreshAfter(failure, underived)
      this.history.recordContent(failure, failure.contentHash, failure.blob ?? null, 'error', undefined, now)
      this.logChange(failure.root, failure.sessionId, failure.path, change, 'error', failure.instance, now)
    })

    this.appendTx = db.transaction((append: FileAppend): boolean => {
      const now = new Date().toISOString()
      const row = this.sql.appendedDocument!.get(append.root, append.path) as
        | { id: number; contentHash: string | null; offset: number | null; status: string; parserVersion: number; diagnostics: string }
        | undefined
      if (!appendContinues(row, append)) return false
      if (append.sessionId !== null && this.archive.isArchived(append.root, append.sessionId)) return true
      const { parsed } = append
      for (const table of parsed.summaryTables) this.typedDelete[table].run(row.id)
      this.insertTypedRows(append, row.id, parsed.typed)
      const diagnostics = parsed.diagnostics.length === 0 ? row.diagnostics : JSON.stringify([...(JSON.parse(row.diagnostics) as unknown[]), ...parsed.diagnostics])
      this.sql.updateAppended!.run({
        id: row.id,
        sizeBytes: append.sizeBytes,
        mtimeMs: append.mtimeMs,
        contentHash: append.contentHash,
        diagnostics,
        offset: parsed.append.offset,
        appendHash: append.appendHash,
        state: storedAppendState(parsed.append),
        instance: append.instance,
        now,
      })
      if (append.sessionId !== null) this.refreshSession(append.root, append.sessionId)
      this.history.recordContent(append, append.contentHash, append.blob ?? null, 'ok', undefined, now)
      this.logChange(append.root, append.sessionId, append.path, 'updated', 'ok', append.instance, now)
      return true
    })

    this.removeTx = db.transaction((root: string, filePath: string) => {
      const removed = this.sql.removeFile!.get(root, filePath) as { sessionId: string | null } | undefined
      if (!removed) return
      // The last file of a session takes its derivation with it, whatever the file.
      if (removed.sessionId && (shapesSession(filePath) || !this.sessionHasDocuments(root, removed.sessionId))) {
        this.refreshSession(root, removed.sessionId)
      }
      const now = new Date().toISOString()
      this.history.recordRemoval(root, filePath, removed.sessionId, this.instance, now)
      this.logChange(root, removed.sessionId, filePath, 'removed', null, this.instance, now)
    })

    this.removeSessionTx = db.transaction((root: string, sessionId: string) => {
      const now = new Date().toISOString()
      this.history.recordSessionRemoval(root, sessionId, this.instance, now)
      const { changes } = this.sql.removeSession!.run(root, sessionId)
      if (changes > 0) this.logChange(root, sessionId, null, 'removed', null, this.instance, now)
    })
    if (this.rederive) this.explainSessions()
  }

  // Whether the apply about to run creates the document row or updates it; asked inside the transaction.
  private changeOf(file: FileIdentity): ChangeKind {
    return this.sql.documentExists!.get(file.root, file.path) === undefined ? 'created' : 'updated'
  }

  // One change-log row, in the transaction of the change it records.
  private logChange(
    root: string,
    sessionId: string | null,
    filePath: string | null,
    change: ChangeKind,
    status: 'ok' | 'error' | null,
    instance: string,
    at: string,
  ): void {
    this.sql.insertChange!.run(root, sessionId, filePath, change, status, instance, at)
  }

  // A document's sections, tables and fields (stored as document-records.ts says), replacing the old ones.
  private replaceMarkdown(documentId: number, markdown: MarkdownRecords | null, fresh = false): void {
    try {
      this.insertMarkdown(documentId, markdown, fresh)
      this.rowBatch.flush()
      this.fieldBatch.flush()
    } catch (error) {
      this.rowBatch.discard()
      this.fieldBatch.discard()
      throw error
    }
  }

  private insertMarkdown(documentId: number, markdown: MarkdownRecords | null, fresh: boolean): void {
    if (!fresh) {
      this.sql.deleteTables!.run(documentId)
      this.sql.deleteFields!.run(documentId)
      this.sql.deleteSections!.run(documentId)
    }
    if (!markdown) return
    const headings = markdown.headings
    const sectionIds: Array<number | bigint> = []
    for (const section of documentSections(headings)) {
      const parentId = section.parent === null ? null : sectionIds[section.parent]!
      sectionIds.push(
        this.sql.insertSection!.run(documentId, section.ordinal, parentId, section.depth, section.title, section.line).lastInsertRowid,
      )
    }
    const sectionId = (line: number): number | bigint | null => {
      const ordinal = sectionAt(headings, line)
      return ordinal === null ? null : sectionIds[ordinal]!
    }
    for (const table of markdown.tables) {
      const tableId = this.sql.insertTable!.run(
        documentId,
        table.ordinal,
        sectionId(table.line),
        JSON.stringify(table.headers),
        JSON.stringify(table.rawHeaders),
        table.line,
        table.endLine,
        table.rows.length,
      ).lastInsertRowid
      for (const row of table.rows) {
        const stored = storedRow(table.headers, row)
        this.rowBatch.add(
          tableId,
          row.index,
          JSON.stringify(stored.cells),
          stored.rawCells === null ? null : JSON.stringify(stored.rawCells),
          stored.cellKeys === null ? null : JSON.stringify(stored.cellKeys),
          row.line,
        )
      }
    }
    for (const field of markdown.fields) {
      const { raw, prefix, form } = storedRaw(field)
      this.fieldBatch.add(documentId, sectionId(field.line), field.key, field.value, raw, prefix, form, field.style, field.line)
    }
  }

  private replaceTyped(file: FileIdentity, documentId: number, typed: TypedRecords | null, fresh = false): void {
    if (!fresh) {
      for (const table of TYPED_TABLE_NAMES) this.typedDelete[table].run(documentId)
      this.sql.deleteFacts!.run(documentId)
    }
    this.sql.setTypedKind!.run(typed?.kind ?? null, documentId)
    if (!typed) return
    this.insertTypedRows(file, documentId, typed)
  }

  // A document's typed rows and session facts, added to what it has.
  private insertTypedRows(file: FileIdentity, documentId: number, typed: TypedRecords): void {
    for (const table of TYPED_TABLE_NAMES) {
      const rows = typed.rows[table]
      if (!rows) continue
      const columns = Object.keys(TYPED_TABLES[table])
      for (const row of rows) {
        this.typedInsert[table].run(
          file.root,
          file.sessionId,
          documentId,
          row.line,
          row.extra === null ? null : JSON.stringify(row.extra),
          row.raw === null ? null : typeof row.raw === 'string' ? row.raw : JSON.stringify(row.raw),
          ...columns.map((column) => columnValue(row.values[column])),
        )
      }
    }
    if (typed.session && file.sessionId !== null) {
      const facts = typed.session
      this.sql.insertFacts!.run(
        file.root,
        file.sessionId,
        documentId,
        facts.precedence,
        facts.line,
        ...SESSION_COLUMN_NAMES.map((column) => columnValue(facts.values[column])),
        JSON.stringify(facts.metadata),
      )
    }
  }

  // The session row's derived columns, and its specialists' derived statuses, follow every change to its documents.
  private refreshSession(root: string, sessionId: string): void {
    const facts = (this.sql.sessionFacts!.all(root, sessionId) as Array<Record<string, unknown>>).map(
      (row): StoredSessionFacts => ({
        precedence: Number(row.precedence),
        path: String(row.path),
        values: row,
        metadata: JSON.parse(String(row.metadata)) as Record<string, string>,
      }),
    )
    const all = (name: string): Array<Record<string, unknown>> => this.sql[name]!.all(root, sessionId) as Array<Record<string, unknown>>
    const name = this.sql.createdAtFromName!.get(root, sessionId) as { at: string | null } | undefined
    const { summary, specialists, remediation } = deriveSession({
      facts,
      errorFiles: all('errorFiles'),
      synthesis: all('synthesis'),
      finalMemoranda: all('finalMemoranda'),
      openPhases: (this.sql.openPhases!.get(root, sessionId) as { n: number }).n,
      certificates: all('certificates'),
      createdClaims: this.createdClaims(root, sessionId),
      createdAtFromName: name?.at ?? null,
      assignments: all('assignments'),
      reports: all('reports'),
      reportFields: all('reportFields'),
      inventory: all('inventory'),
      agents: all('agents'),
      remediationTasks: all('remediationTasks'),
      remediationOutputs: all('remediationOutputs'),
      hasDocuments: this.sessionHasDocuments(root, sessionId),
    })
    for (const s of specialists) this.sql.updateAssignment!.run(s.status, s.evidence, s.evidencePath, s.id)
    for (const t of remediation) this.sql.updateRemediationTask!.run(t.status, t.evidence, t.evidencePath, t.id)
    this.sql.updateSession!.run(
      ...SESSION_COLUMN_NAMES.map((column) => columnValue(summary.values[column] as ColumnValue)),
      summary.status,
      JSON.stringify(summary.metadata),
      summary.statusReason,
      JSON.stringify(summary.errorFiles),
      summary.createdAt,
      summary.createdAtSource,
      root,
      sessionId,
    )
  }

  // The creation times a session's JSON state files state (`path`, `value`), each file's read again only when its content changed.
  private createdClaims(root: string, sessionId: string): Array<Record<string, unknown>> {
    const claims: Array<Record<string, unknown>> = []
    const documents = this.sql.claimDocuments!.all(root, sessionId) as Array<{ id: number; path: string; hash: string | null }>
    if (this.createdClaimCache.size > CREATED_CLAIM_CACHE_MAX) this.createdClaimCache.clear()
    for (const { id, path, hash } of documents) {
      let cached = this.createdClaimCache.get(id)
      if (!cached || cached.hash !== hash || hash === null) {
        const row = this.sql.createdClaim!.get(id) as { value: unknown } | undefined
        cached = { hash, claim: row ? { value: row.value } : null }
        this.createdClaimCache.set(id, cached)
      }
      if (cached.claim) claims.push({ path, value: cached.claim.value })
    }
    return claims
  }

  // Sessions written before their reason was kept (migration 7) are derived again, each in its own transaction.
  private explainSessions(): void {
    const stale = this.sql.unexplainedSessions!.all() as Array<{ root: string; sessionId: string }>
    const refresh = this.db.transaction((root: string, sessionId: string) => this.refreshSession(root, sessionId))
    for (const { root, sessionId } of stale) refresh(root, sessionId)
  }

  /** Create or touch the file's session row; whether no refresh has derived it yet (false without a session or row). */
  private ensureSessionRow(file: FileIdentity, now: string): boolean {
    if (file.sessionId === null) return false
    // Touched first: the row nearly always exists, and then one statement does.
    const row = this.sql.touchSession!.get(now, file.root, file.sessionId) as { underived: number } | undefined
    if (row) return row.underived === 1
    return this.sql.ensureSession!.run({ root: file.root, sessionId: file.sessionId, createdAt: file.sessionCreatedAt, now }).changes === 1
  }

  private sessionHasDocuments(root: string, sessionId: string): boolean {
    return (this.sql.sessionHasDocuments!.get(root, sessionId) as { has: number }).has === 1
  }

  // A session is derived again after a change to a file that feeds it, and after its first file.
  private refreshAfter(file: FileIdentity, underived: boolean): void {
    if (file.sessionId !== null && (underived || shapesSession(file.path))) this.refreshSession(file.root, file.sessionId)
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get()
  }

  classifyError(error: unknown): StoreErrorKind {
    // A connection closed by a failed reopen throws plain TypeErrors: the database, not the file.
    if (!this.db.open) return 'fatal'
    return classifySqliteError(error)
  }

  async reopenIfReplaced(): Promise<boolean> {
    if (this.file === ':memory:') return false
    const now = fileAt(this.file)
    if (this.db.open && now !== null && this.opened !== null && now.dev === this.opened.dev && now.ino === this.opened.ino) return false
    // After a failed reopen the connection stays closed and each call tries again; the loss was said already.
    if (this.db.open) {
      this.logger?.error(
        { database: this.description },
        `the SQLite database file ${this.file} ${now === null ? 'was deleted' : 'was replaced by another file'} while open; ` +
          'opening the file at that path (migrated, empty if new), into which every file is applied again',
      )
    }
    // SQLite closes a moved database without a checkpoint and leaves its -wal and -shm at the path.
    // The database now there would read that WAL as its own and mix the old pages into it: remove
    // them when they are ours, or when no database is left that they could belong to.
    if (this.db.open) this.db.close()
    for (const [companion, ours] of this.companions) {
      const there = fileAt(companion)
      if (there === null) continue
      if (now === null || (ours !== null && there.dev === ours.dev && there.ino === ours.ino)) fs.rmSync(companion, { force: true })
    }
    this.bind(openSqliteDatabase(this.file))
    return true
  }

  // A write refused because the database is read-only says so, not just "attempt to write a readonly database".
  private write<T>(work: () => T): T {
    try {
      return work()
    } catch (error) {
      return explainWriteError(error, this.file)
    }
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
    this.write(() => this.sql.ensureSession!.run({ root: session.root, sessionId: session.sessionId, createdAt: session.createdAt, now }))
  }

  async removeSession(root: string, sessionId: string): Promise<void> {
    this.write(() => this.removeSessionTx(root, sessionId))
  }

  async applyFileSnapshot(snapshot: FileSnapshot): Promise<void> {
    this.write(() => this.applyTx(snapshot))
  }

  async recordFileFailure(failure: FileFailure): Promise<void> {
    this.write(() => this.failTx(failure))
  }

  async applyFileAppend(append: FileAppend): Promise<boolean> {
    return this.write(() => this.appendTx(append))
  }

  async appendBase(root: string, filePath: string): Promise<StoredAppend | null> {
    const row = this.sql.appendBase!.get(root, filePath) as
      | { contentHash: string | null; offset: number | null; hash: string | null; state: string | null }
      | undefined
    return storedAppendOf(row && { ...row, state: row.state === null ? null : (JSON.parse(row.state) as unknown) })
  }

  async recordFileStat(root: string, filePath: string, sizeBytes: number, mtimeMs: number): Promise<void> {
    this.write(() => this.sql.recordStat!.run(sizeBytes, mtimeMs, new Date().toISOString(), root, filePath))
  }

  async removeFile(root: string, filePath: string): Promise<void> {
    this.write(() => this.removeTx(root, filePath))
  }

  async recordSyncRun(summary: SyncRunSummary): Promise<void> {
    this.write(() => {
      this.sql.insertRun!.run(summary)
      // A watch reconciles every 10 minutes for months: keep the recent history only.
      this.sql.pruneRuns!.run(summary.root, summary.root, SYNC_RUNS_KEPT)
    })
  }

  async readChanges(options: ReadChangesOptions): Promise<ChangeRecord[]> {
    const rows =
      options.root === undefined
        ? this.sql.readChanges!.all(options.sinceSeq, options.limit)
        : this.sql.readChangesOfRoot!.all(options.root, options.sinceSeq, options.limit)
    return rows as ChangeRecord[]
  }

  async oldestChangeSeq(): Promise<number | null> {
    return (this.sql.oldestChange!.get() as { seq: number | null }).seq
  }

  async latestChangeSeq(): Promise<number> {
    return (this.sql.latestChange!.get() as { seq: number | null }).seq ?? 0
  }

  async pruneChangeLog(olderThan: string): Promise<number> {
    const at = pruneCutoff(olderThan)
    return this.write(() => this.sql.pruneChanges!.run(at).changes)
  }

  async readFeedCursor(name: string): Promise<number | null> {
    return (this.sql.feedCursor!.get(name) as { seq: number } | undefined)?.seq ?? null
  }

  async saveFeedCursor(name: string, seq: number): Promise<void> {
    this.write(() => this.sql.saveFeedCursor!.run(name, seq, new Date().toISOString()))
  }

  async listRevisions(query: RevisionQuery): Promise<Revision[]> {
    return this.history.revisions(query)
  }

  async getRevision(rev: number): Promise<Revision | null> {
    return this.history.revision(rev)
  }

  async blobChain(contentHash: string): Promise<BlobChain> {
    return this.history.chain(contentHash)
  }

  async historyStats(): Promise<HistoryStats> {
    return this.history.stats()
  }

  async pruneHistory(policy: RetentionPolicy, options: { dryRun?: boolean; now?: Date } = {}): Promise<PruneResult> {
    // Between batches the event loop runs, so queued applies get the connection.
    const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
    // The prune awaits between batches, so its errors arrive as a rejection, not through `write`.
    try {
      return await this.history.prune(policy, options.now ?? new Date(), options.dryRun === true, pause)
    } catch (error) {
      return explainWriteError(error, this.file)
    }
  }

  async finishedSessions(root: string, olderThan: string): Promise<FinishedSession[]> {
    return this.archive.finished(root, olderThan)
  }

  async exportSession(root: string, sessionId: string): Promise<SessionExport | null> {
    return this.archive.exportSession(root, sessionId)
  }

  async purgeSession(root: string, sessionId: string, archive: string, filesDeleted: boolean, unchangedSince?: SessionMark): Promise<PurgeResult> {
    return this.write(() => this.archive.purge(root, sessionId, archive, filesDeleted, unchangedSince))
  }

  async importSessionHistory(root: string, data: SessionExport): Promise<HistoryImportResult> {
    return this.write(() => this.archive.importHistory(root, data))
  }

  async archivedSessions(root: string): Promise<Map<string, ArchivedSession>> {
    return this.archive.archived(root)
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
      syncRuns: count('SELECT count(*) AS n FROM sync_runs'),
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

  async sessionDetail(sessionId: string): Promise<SessionDetail[]> {
    const db = this.db
    // The read side's statements, so `show` and the API give one answer; one snapshot, as there.
    const queries: SqliteQueries = {
      all: (sql, ...params) => db.prepare(sql).all(...params) as Array<Record<string, unknown>>,
      get: (sql, ...params) => db.prepare(sql).get(...params) as Record<string, unknown> | undefined,
    }
    return db.transaction(() => readSessionDetail(queries, sessionId)).deferred()
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}

// The files SQLite keeps beside a WAL-mode database.
const COMPANIONS = ['-wal', '-shm']

/** Sync runs kept per root in `sync_runs`. */
const SYNC_RUNS_KEPT = 1000

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
