/**
 * A dialect-neutral picture of what the database says, without timestamps,
 * surrogate ids or the instance name: two databases that mirror the same tree
 * must produce equal dumps.
 */
import Database from 'better-sqlite3'

export interface Dump {
  sessions: Array<{ root: string; session_id: string; created_at: string | null }>
  documents: Array<Record<string, unknown>>
  tables: Array<Record<string, unknown>>
  rows: Array<Record<string, unknown>>
}

/** Dump a SQLite database file. */
export function dumpSqlite(file: string): Dump {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return {
      sessions: db.prepare('SELECT root, session_id, created_at FROM sessions ORDER BY root, session_id').all() as Dump['sessions'],
      documents: db
        .prepare(
          `SELECT root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash, parsed_hash,
             word_count, footnote_count, table_count, json, diagnostics, status, error, error_line
           FROM documents ORDER BY root, path`,
        )
        .all() as Array<Record<string, unknown>>,
      tables: db
        .prepare(
          `SELECT d.path, t.ordinal, t.heading_path, t.headers, t.raw_headers, t.line, t.end_line, t.row_count
           FROM document_tables t JOIN documents d ON d.id = t.document_id ORDER BY d.root, d.path, t.ordinal`,
        )
        .all() as Array<Record<string, unknown>>,
      rows: db
        .prepare(
          `SELECT d.path, t.ordinal, r.row_index, r.cells, r.raw_cells, r.line
           FROM document_table_rows r JOIN document_tables t ON t.id = r.table_id JOIN documents d ON d.id = t.document_id
           ORDER BY d.root, d.path, t.ordinal, r.row_index`,
        )
        .all() as Array<Record<string, unknown>>,
    }
  } finally {
    db.close()
  }
}
