/**
 * Archiving in SQLite: the reads and writes of `cleanup` and `import` (which
 * sessions are finished, a session's export, its purge, the re-import of its
 * history) and the `archived_sessions` list the sync consults. Every write is
 * one synchronous transaction, begun IMMEDIATE: it reads before it writes,
 * and in WAL mode a deferred transaction that another connection wrote past
 * in between could not upgrade.
 */
import type Database from 'better-sqlite3'
import type { Statement } from 'better-sqlite3'
import type {
  ArchivedSession,
  ExportedBlob,
  ExportedRevision,
  FinishedSession,
  HistoryImportResult,
  PurgeResult,
  SessionExport,
  SessionMark,
} from './types.js'
import { sameMark } from './session-mark.js'

/** Logs the one `removed` change of a purged session, in the purge's transaction. */
export type LogSessionRemoval = (root: string, sessionId: string, at: string) => void

// Every content the session's revisions need: their own, then the bases of the deltas among them, transitively.
const NEEDED_BLOBS = `
  WITH RECURSIVE needed(hash) AS (
    SELECT content_hash FROM file_revisions WHERE root = ? AND session_id = ? AND content_hash IS NOT NULL
    UNION
    SELECT b.base_hash FROM history_blobs b JOIN needed n ON b.content_hash = n.hash WHERE b.base_hash IS NOT NULL)`

// Document metadata: every column but the surrogate id and the JSON body (the file itself is archived).
const DOCUMENT_COLUMNS = `root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash, parsed_hash,
  word_count, footnote_count, table_count, diagnostics, status, error, error_line, instance, applied_at, checked_at, typed_kind`

/** The archive statements prepared on one connection. */
export class SqliteArchive {
  private readonly sql: Record<string, Statement>
  private readonly purgeTx: Database.Transaction<
    (root: string, sessionId: string, archive: string, filesDeleted: boolean, mark: SessionMark | undefined) => PurgeResult
  >
  private readonly importTx: Database.Transaction<(root: string, data: SessionExport) => HistoryImportResult>
  private readonly exportTx: Database.Transaction<(root: string, sessionId: string) => SessionExport | null>

  constructor(db: Database.Database, logRemoval: LogSessionRemoval) {
    const prepare = (text: string): Statement => db.prepare(text)
    this.sql = {
      finished: prepare(
        `SELECT session_id AS sessionId, updated_at AS updatedAt FROM sessions
         WHERE root = ? AND status = 'complete' AND updated_at < ? ORDER BY session_id`,
      ),
      archived: prepare(
        `SELECT session_id AS sessionId, archive, files_deleted AS filesDeleted, archived_at AS archivedAt
         FROM archived_sessions WHERE root = ? ORDER BY session_id`,
      ),
      isArchived: prepare('SELECT 1 FROM archived_sessions WHERE root = ? AND session_id = ?'),
      session: prepare('SELECT * FROM sessions WHERE root = ? AND session_id = ?'),
      documents: prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE root = ? AND session_id = ? ORDER BY path`),
      revisions: prepare(
        `SELECT rev, path, ordinal, change, content_hash AS contentHash, size_bytes AS sizeBytes, status, at, instance
         FROM file_revisions WHERE root = ? AND session_id = ? ORDER BY rev`,
      ),
      blobs: prepare(
        `${NEEDED_BLOBS}
         SELECT content_hash AS contentHash, size_bytes AS sizeBytes, encoding, base_hash AS baseHash, depth, data
         FROM history_blobs WHERE content_hash IN (SELECT hash FROM needed) ORDER BY depth, content_hash`,
      ),
      neededHashes: prepare(
        `${NEEDED_BLOBS}
         SELECT content_hash AS contentHash, depth FROM history_blobs WHERE content_hash IN (SELECT hash FROM needed)
         ORDER BY depth DESC, content_hash`,
      ),
      mark: prepare(
        `SELECT s.updated_at AS updatedAt,
           (SELECT max(rev) FROM file_revisions WHERE root = s.root AND session_id = s.session_id) AS latestRev,
           (SELECT count(*) FROM documents WHERE root = s.root AND session_id = s.session_id) AS documents
         FROM sessions s WHERE s.root = ? AND s.session_id = ?`,
      ),
      // Derived rows (tables, rows, fields, facts, typed rows) go with their documents (ON DELETE CASCADE).
      deleteDocuments: prepare('DELETE FROM documents WHERE root = ? AND session_id = ?'),
      deleteSession: prepare('DELETE FROM sessions WHERE root = ? AND session_id = ?'),
      deleteRevisions: prepare('DELETE FROM file_revisions WHERE root = ? AND session_id = ?'),
      // Deepest first, so a delta goes before the base it alone kept.
      deleteUnneededBlob: prepare(
        `DELETE FROM history_blobs WHERE content_hash = @hash
           AND NOT EXISTS (SELECT 1 FROM file_revisions WHERE content_hash = @hash)
           AND NOT EXISTS (SELECT 1 FROM history_blobs c WHERE c.base_hash = @hash)`,
      ),
      archive: prepare(
        `INSERT INTO archived_sessions (root, session_id, archive, files_deleted, archived_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (root, session_id) DO UPDATE SET
           archive = excluded.archive, files_deleted = excluded.files_deleted, archived_at = excluded.archived_at`,
      ),
      unarchive: prepare('DELETE FROM archived_sessions WHERE root = ? AND session_id = ?'),
      insertBlob: prepare(
        `INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
      ),
      // The same revision imported twice (same file, ordinal, time and change) is there once.
      insertRevision: prepare(
        `INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
         SELECT @root, @path, @ordinal, @sessionId, @change, @contentHash, @sizeBytes, @status, @at, @instance
         WHERE NOT EXISTS (SELECT 1 FROM file_revisions
                           WHERE root = @root AND path = @path AND ordinal = @ordinal AND at = @at AND change = @change)`,
      ),
    }

    this.exportTx = db.transaction((root: string, sessionId: string): SessionExport | null => {
      const session = this.sql.session!.get(root, sessionId) as Record<string, unknown> | undefined
      if (!session) return null
      const { id: _id, ...columns } = session
      columns.metadata = parseJson(columns.metadata)
      const documents = (this.sql.documents!.all(root, sessionId) as Array<Record<string, unknown>>).map((row) => ({
        ...row,
        diagnostics: parseJson(row.diagnostics),
      }))
      const revisions = this.sql.revisions!.all(root, sessionId) as ExportedRevision[]
      const blobs = (this.sql.blobs!.all(root, sessionId) as Array<Omit<ExportedBlob, 'data'> & { data: Buffer }>).map((blob) => ({
        ...blob,
        data: blob.data.toString('base64'),
      }))
      return {
        root,
        sessionId,
        dialect: 'sqlite',
        exportedAt: new Date().toISOString(),
        mark: { updatedAt: String(columns.updated_at), latestRev: revisions.at(-1)?.rev ?? null, documents: documents.length },
        session: columns,
        documents,
        revisions,
        blobs,
      }
    })

    this.purgeTx = db.transaction((root: string, sessionId: string, archive: string, filesDeleted: boolean, mark: SessionMark | undefined): PurgeResult => {
      const now = this.sql.mark!.get(root, sessionId) as SessionMark | undefined
      if (!now || (mark && !sameMark(now, mark))) return { purged: false, documents: 0, revisions: 0, blobs: 0 }
      const needed = this.sql.neededHashes!.all(root, sessionId) as Array<{ contentHash: string }>
      const documents = this.sql.deleteDocuments!.run(root, sessionId).changes
      this.sql.deleteSession!.run(root, sessionId)
      const revisions = this.sql.deleteRevisions!.run(root, sessionId).changes
      let blobs = 0
      for (const { contentHash } of needed) blobs += this.sql.deleteUnneededBlob!.run({ hash: contentHash }).changes
      const at = new Date().toISOString()
      this.sql.archive!.run(root, sessionId, archive, filesDeleted ? 1 : 0, at)
      logRemoval(root, sessionId, at)
      return { purged: true, documents, revisions, blobs }
    })

    this.importTx = db.transaction((root: string, data: SessionExport): HistoryImportResult => {
      const createdAt = new Date().toISOString()
      let blobs = 0
      // Bases first: a delta's base_hash refers to a stored content.
      for (const blob of [...data.blobs].sort((a, b) => a.depth - b.depth)) {
        const bytes = Buffer.from(blob.data, 'base64')
        blobs += this.sql.insertBlob!.run(blob.contentHash, blob.sizeBytes, blob.encoding, blob.baseHash, blob.depth, bytes.length, bytes, createdAt).changes
      }
      let revisions = 0
      for (const revision of [...data.revisions].sort((a, b) => a.rev - b.rev)) {
        revisions += this.sql.insertRevision!.run({
          root,
          path: revision.path,
          ordinal: revision.ordinal,
          sessionId: data.sessionId,
          change: revision.change,
          contentHash: revision.contentHash,
          sizeBytes: revision.sizeBytes,
          status: revision.status,
          at: revision.at,
          instance: revision.instance,
        }).changes
      }
      this.sql.unarchive!.run(root, data.sessionId)
      return { revisions, blobs }
    })
  }

  /** Complete sessions not updated since `olderThan`. */
  finished(root: string, olderThan: string): FinishedSession[] {
    return this.sql.finished!.all(root, isoInstant(olderThan)) as FinishedSession[]
  }

  /** The archived sessions of `root`. */
  archived(root: string): Map<string, ArchivedSession> {
    const rows = this.sql.archived!.all(root) as Array<Omit<ArchivedSession, 'filesDeleted'> & { filesDeleted: number }>
    return new Map(rows.map((row) => [row.sessionId, { ...row, filesDeleted: row.filesDeleted === 1 }]))
  }

  /** Whether `sessionId` is archived; asked inside an apply's transaction, after its first write. */
  isArchived(root: string, sessionId: string): boolean {
    return this.sql.isArchived!.get(root, sessionId) !== undefined
  }

  /** The session's export, read in one snapshot. */
  exportSession(root: string, sessionId: string): SessionExport | null {
    return this.exportTx.deferred(root, sessionId)
  }

  /** See `Store.purgeSession`. */
  purge(root: string, sessionId: string, archive: string, filesDeleted: boolean, mark: SessionMark | undefined): PurgeResult {
    return this.purgeTx.immediate(root, sessionId, archive, filesDeleted, mark)
  }

  /** See `Store.importSessionHistory`. */
  importHistory(root: string, data: SessionExport): HistoryImportResult {
    return this.importTx.immediate(root, data)
  }
}

/** `value` as `toISOString()` text, the spelling SQLite compares; a `RangeError` when it is no instant. */
function isoInstant(value: string): string {
  const time = Date.parse(value)
  if (Number.isNaN(time)) throw new RangeError(`${JSON.stringify(value)} is not an ISO-8601 instant`)
  return new Date(time).toISOString()
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value
}
