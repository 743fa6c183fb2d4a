/**
 * Schema migrations: one ordered list, each step written once per dialect.
 * A step is applied at most once and recorded in `schema_migrations`.
 */
import { SESSION_COLUMNS, TYPED_TABLES, type ColumnType } from '../parsers/typed/tables.js'

const SQLITE_TYPES: Record<ColumnType, string> = { text: 'TEXT', integer: 'INTEGER', real: 'REAL', json: 'TEXT' }

// Built from the table catalogue as it stood when step 2 was written; a later
// column change is a new step (ALTER TABLE), never an edit of this one.
function typedTablesSqlite(): string {
  const parts: string[] = []
  for (const [name, columns] of Object.entries(TYPED_TABLES)) {
    const typed = Object.entries(columns).map(([column, type]) => `${column} ${SQLITE_TYPES[type as ColumnType]}`)
    parts.push(`CREATE TABLE ${name} (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        ${typed.join(',\n        ')},
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX ${name}_document ON ${name} (document_id);
      CREATE INDEX ${name}_session ON ${name} (root, session_id);`)
  }
  const sessionColumns = Object.entries(SESSION_COLUMNS).map(([column, type]) => `${column} ${SQLITE_TYPES[type]}`)
  return `
      ${sessionColumns.map((c) => `ALTER TABLE sessions ADD COLUMN ${c};`).join('\n      ')}
      ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE sessions ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE documents ADD COLUMN typed_kind TEXT;

      CREATE TABLE document_fields (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        heading_path TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        raw TEXT NOT NULL,
        style TEXT NOT NULL,
        line INTEGER NOT NULL
      );
      CREATE INDEX document_fields_document ON document_fields (document_id);
      CREATE INDEX document_fields_key ON document_fields (key);

      CREATE TABLE session_facts (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        precedence INTEGER NOT NULL,
        line INTEGER,
        ${sessionColumns.join(',\n        ')},
        metadata TEXT NOT NULL
      );
      CREATE INDEX session_facts_session ON session_facts (root, session_id);
      CREATE INDEX session_facts_document ON session_facts (document_id);

      ${parts.join('\n\n      ')}
    `
}

/** One schema step. */
export interface Migration {
  version: number
  name: string
  sqlite: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core: sessions, documents, tables, sync runs',
    sqlite: `
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT NOT NULL,
        created_at TEXT,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (root, session_id)
      );

      CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        path TEXT NOT NULL,
        session_id TEXT,
        document_type TEXT NOT NULL,
        format TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        content_hash TEXT,
        parsed_hash TEXT,
        word_count INTEGER,
        footnote_count INTEGER,
        table_count INTEGER,
        json TEXT,
        diagnostics TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
        error TEXT,
        error_line INTEGER,
        instance TEXT NOT NULL,
        applied_at TEXT,
        checked_at TEXT NOT NULL,
        UNIQUE (root, path),
        FOREIGN KEY (root, session_id) REFERENCES sessions (root, session_id) ON DELETE CASCADE
      );
      CREATE INDEX documents_session ON documents (root, session_id);
      CREATE INDEX documents_status ON documents (status) WHERE status = 'error';

      CREATE TABLE document_tables (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        heading_path TEXT NOT NULL,
        headers TEXT NOT NULL,
        raw_headers TEXT NOT NULL,
        line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        UNIQUE (document_id, ordinal)
      );

      CREATE TABLE document_table_rows (
        table_id INTEGER NOT NULL REFERENCES document_tables (id) ON DELETE CASCADE,
        row_index INTEGER NOT NULL,
        cells TEXT NOT NULL,
        raw_cells TEXT NOT NULL,
        line INTEGER NOT NULL,
        PRIMARY KEY (table_id, row_index)
      ) WITHOUT ROWID;

      CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        instance TEXT NOT NULL,
        mode TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        files_seen INTEGER NOT NULL,
        files_applied INTEGER NOT NULL,
        files_unchanged INTEGER NOT NULL,
        files_removed INTEGER NOT NULL,
        files_failed INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'typed session state: session columns, fields, session facts, typed tables',
    sqlite: typedTablesSqlite(),
  },
]
