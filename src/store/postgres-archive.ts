/**
 * Archiving in PostgreSQL: the reads and writes of `cleanup` and `import`
 * (which sessions are finished, a session's export, its purge, the re-import
 * of its history) and the `archived_sessions` list the sync consults. The
 * writes run inside the store's transaction, on its client, under the
 * session's advisory lock, so no apply of the session interleaves.
 */
import type pg from 'pg'
import { connectionBroken } from './postgres-connection.js'
import type { Query } from './postgres-history.js'
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

// Every content the session's revisions need: their own, then the bases of the deltas among them, transitively.
const NEEDED_BLOBS = `
  WITH RECURSIVE needed(hash) AS (
    SELECT content_hash FROM file_revisions WHERE root = $1 AND session_id = $2 AND content_hash IS NOT NULL
    UNION
    SELECT b.base_hash FROM history_blobs b JOIN needed n ON b.content_hash = n.hash WHERE b.base_hash IS NOT NULL)`

// Document metadata: every column but the surrogate id and the JSON body (the file itself is archived).
const DOCUMENT_COLUMNS = `root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash, parsed_hash,
  word_count, footnote_count, table_count, diagnostics, status, error, error_line, instance, applied_at, checked_at, typed_kind`

const SQL = {
  finished: `SELECT session_id AS "sessionId", updated_at AS "updatedAt" FROM sessions
    WHERE root = $1 AND status = 'complete' AND updated_at < $2::timestamptz ORDER BY session_id COLLATE "C"`,
  archived: `SELECT session_id AS "sessionId", archive, files_deleted AS "filesDeleted", archived_at AS "archivedAt"
    FROM archived_sessions WHERE root = $1 ORDER BY session_id COLLATE "C"`,
  session: 'SELECT * FROM sessions WHERE root = $1 AND session_id = $2',
  documents: `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE root = $1 AND session_id = $2 ORDER BY path COLLATE "C"`,
  revisions: `SELECT rev, path, ordinal, change, content_hash AS "contentHash", size_bytes AS "sizeBytes", status, at, instance
    FROM file_revisions WHERE root = $1 AND session_id = $2 ORDER BY rev`,
  blobs: `${NEEDED_BLOBS}
    SELECT content_hash AS "contentHash", size_bytes AS "sizeBytes", encoding, base_hash AS "baseHash", depth, data
    FROM history_blobs WHERE content_hash IN (SELECT hash FROM needed) ORDER BY depth, content_hash COLLATE "C"`,
  neededHashes: `${NEEDED_BLOBS}
    SELECT content_hash AS "contentHash", depth FROM history_blobs WHERE content_hash IN (SELECT hash FROM needed)`,
  mark: `SELECT s.updated_at AS "updatedAt",
      (SELECT max(rev) FROM file_revisions r WHERE r.root = s.root AND r.session_id = s.session_id) AS "latestRev",
      (SELECT count(*) FROM documents d WHERE d.root = s.root AND d.session_id = s.session_id) AS documents
    FROM sessions s WHERE s.root = $1 AND s.session_id = $2`,
  // Derived rows (tables, rows, fields, facts, typed rows) go with their documents (ON DELETE CASCADE).
  deleteDocuments: 'DELETE FROM documents WHERE root = $1 AND session_id = $2',
  deleteSession: 'DELETE FROM sessions WHERE root = $1 AND session_id = $2',
  deleteRevisions: 'DELETE FROM file_revisions WHERE root = $1 AND session_id = $2',
  // One depth at a time, deepest first: a statement does not see its own deletions, and a
  // delta's base is one level below it, so a base its deltas alone kept goes in the next round.
  deleteUnneededBlobs: `DELETE FROM history_blobs b WHERE b.content_hash = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM file_revisions r WHERE r.content_hash = b.content_hash)
      AND NOT EXISTS (SELECT 1 FROM history_blobs c WHERE c.base_hash = b.content_hash)`,
  archive: `INSERT INTO archived_sessions (root, session_id, archive, files_deleted, archived_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (root, session_id) DO UPDATE SET
      archive = excluded.archive, files_deleted = excluded.files_deleted, archived_at = excluded.archived_at`,
  unarchive: 'DELETE FROM archived_sessions WHERE root = $1 AND session_id = $2',
  // One statement for all contents: foreign keys are checked at its end, so a base and its deltas may arrive together.
  insertBlobs: `INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
    SELECT x."contentHash", x."sizeBytes", x.encoding, x."baseHash", x.depth, length(decode(x.data, 'base64')), decode(x.data, 'base64'), $2
    FROM json_to_recordset($1::json) AS x("contentHash" text, "sizeBytes" bigint, encoding text, "baseHash" text, depth integer, data text)
    ORDER BY x.depth
    ON CONFLICT (content_hash) DO NOTHING`,
  // The same revision imported twice (same file, ordinal, time and change) is there once; rev order is kept.
  insertRevisions: `INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
    SELECT $2, x.path, x.ordinal, $3, x.change, x."contentHash", x."sizeBytes", x.status, x.at, x.instance
    FROM json_to_recordset($1::json)
      AS x(rev bigint, path text, ordinal integer, change text, "contentHash" text, "sizeBytes" bigint, status text, at timestamptz, instance text)
    WHERE NOT EXISTS (SELECT 1 FROM file_revisions r
                      WHERE r.root = $2 AND r.path = x.path AND r.ordinal = x.ordinal AND r.at = x.at AND r.change = x.change)
    ORDER BY x.rev`,
} as const

/** Complete sessions not updated since `olderThan`. */
export async function finishedSessions(query: Query, root: string, olderThan: string): Promise<FinishedSession[]> {
  return (await query({ name: 'sb_archive_finished', text: SQL.finished, values: [root, olderThan] })) as unknown as FinishedSession[]
}

/** The archived sessions of `root`. */
export async function archivedSessions(query: Query, root: string): Promise<Map<string, ArchivedSession>> {
  const rows = (await query({ name: 'sb_archive_list', text: SQL.archived, values: [root] })) as unknown as ArchivedSession[]
  return new Map(rows.map((row) => [row.sessionId, row]))
}

/**
 * The session's export, read in one REPEATABLE READ snapshot on a client of
 * `pool` (a sweep deleting revisions between two reads would otherwise leave
 * revisions whose contents were not read).
 */
export async function exportSession(pool: pg.Pool, root: string, sessionId: string): Promise<SessionExport | null> {
  const client = await pool.connect()
  let destroy: Error | undefined
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const all = async <T>(text: string): Promise<T[]> => (await client.query(text, [root, sessionId])).rows as T[]
    const [session] = await all<Record<string, unknown>>(SQL.session)
    let result: SessionExport | null = null
    if (session) {
      const { id: _id, ...columns } = session
      const documents = await all<Record<string, unknown>>(SQL.documents)
      const revisions = await all<ExportedRevision>(SQL.revisions)
      const blobs = (await all<Omit<ExportedBlob, 'data'> & { data: Buffer }>(SQL.blobs)).map((blob) => ({ ...blob, data: blob.data.toString('base64') }))
      result = {
        root,
        sessionId,
        dialect: 'postgres',
        exportedAt: new Date().toISOString(),
        mark: { updatedAt: String(columns.updated_at), latestRev: revisions.at(-1)?.rev ?? null, documents: documents.length },
        session: columns,
        documents,
        revisions,
        blobs,
      }
    }
    await client.query('COMMIT')
    return result
  } catch (error) {
    if (connectionBroken(client)) destroy = error as Error
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (destroy = rollbackError))
    throw error
  } finally {
    client.release(destroy)
  }
}

/**
 * In the caller's transaction (which holds the session's lock): see
 * `Store.purgeSession`, except the change-log entry, which the caller writes
 * when `purged` is true.
 */
export async function purgeSession(
  client: pg.PoolClient,
  root: string,
  sessionId: string,
  archive: string,
  filesDeleted: boolean,
  mark: SessionMark | undefined,
  at: string,
): Promise<PurgeResult> {
  const run = (name: keyof typeof SQL, values: unknown[]): Promise<pg.QueryResult> => client.query({ name: `sb_archive_${name}`, text: SQL[name], values })
  const [now] = (await run('mark', [root, sessionId])).rows as SessionMark[]
  if (!now || (mark && !sameMark(now, mark))) return { purged: false, documents: 0, revisions: 0, blobs: 0 }
  const needed = (await run('neededHashes', [root, sessionId])).rows as Array<{ contentHash: string; depth: number }>
  const documents = (await run('deleteDocuments', [root, sessionId])).rowCount ?? 0
  await run('deleteSession', [root, sessionId])
  const revisions = (await run('deleteRevisions', [root, sessionId])).rowCount ?? 0
  let blobs = 0
  const depths = [...new Set(needed.map((blob) => blob.depth))].sort((a, b) => b - a)
  for (const depth of depths) {
    const hashes = needed.filter((blob) => blob.depth === depth).map((blob) => blob.contentHash)
    blobs += (await run('deleteUnneededBlobs', [hashes])).rowCount ?? 0
  }
  await run('archive', [root, sessionId, archive, filesDeleted, at])
  return { purged: true, documents, revisions, blobs }
}

/** In the caller's transaction: see `Store.importSessionHistory`. */
export async function importSessionHistory(client: pg.PoolClient, root: string, data: SessionExport): Promise<HistoryImportResult> {
  const run = (name: keyof typeof SQL, values: unknown[]): Promise<pg.QueryResult> => client.query({ name: `sb_archive_${name}`, text: SQL[name], values })
  const blobs = data.blobs.length > 0 ? ((await run('insertBlobs', [JSON.stringify(data.blobs), new Date().toISOString()])).rowCount ?? 0) : 0
  const revisions = data.revisions.length > 0 ? ((await run('insertRevisions', [JSON.stringify(data.revisions), root, data.sessionId])).rowCount ?? 0) : 0
  await run('unarchive', [root, data.sessionId])
  return { revisions, blobs }
}
