/**
 * A dialect-neutral picture of what the database says, without timestamps,
 * surrogate ids or the instance name: two databases that mirror the same tree
 * must produce equal dumps.
 */
import Database from 'better-sqlite3'
import { SESSION_COLUMNS, TYPED_TABLE_NAMES, TYPED_TABLES } from '../../src/parsers/typed/tables.js'

export interface Dump {
  sessions: Array<{ root: string; session_id: string; created_at: string | null }>
  documents: Array<Record<string, unknown>>
  tables: Array<Record<string, unknown>>
  rows: Array<Record<string, unknown>>
  /** Session metadata, fields and typed rows, keyed by table. */
  typed: Record<string, Array<Record<string, unknown>>>
}

/** Dump a SQLite database file. */
export function dumpSqlite(file: string): Dump {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const typed: Dump['typed'] = {
      session_state: db
        .prepare(`SELECT root, session_id, ${Object.keys(SESSION_COLUMNS).join(', ')}, status, metadata FROM sessions ORDER BY root, session_id`)
        .all() as Array<Record<string, unknown>>,
      document_fields: db
        .prepare(
          `SELECT d.path, f.heading_path, f.key, f.value, f.raw, f.style, f.line
           FROM document_fields f JOIN documents d ON d.id = f.document_id ORDER BY d.root, d.path, f.line, f.key`,
        )
        .all() as Array<Record<string, unknown>>,
    }
    for (const table of TYPED_TABLE_NAMES) {
      const columns = Object.keys(TYPED_TABLES[table]).map((c) => `t.${c}`)
      typed[table] = db
        .prepare(
          `SELECT d.path, t.root, t.session_id, t.line, t.extra, t.raw, ${columns.join(', ')}
           FROM ${table} t JOIN documents d ON d.id = t.document_id ORDER BY d.root, d.path, t.id`,
        )
        .all() as Array<Record<string, unknown>>
    }
    return {
      typed,
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
