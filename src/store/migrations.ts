/**
 * Schema migrations: one ordered list, each step written once per dialect.
 * A step is applied at most once and recorded in `schema_migrations`.
 */
import { SESSION_COLUMNS, TYPED_TABLES, type ColumnType } from '../parsers/typed/tables.js'

/** How one dialect spells the types and keys the generated steps use. */
interface DialectTypes {
  column: Record<ColumnType, string>
  id: string
  /** A column that references an id. */
  reference: string
  text: string
  integer: string
  json: string
}

const SQLITE: DialectTypes = {
  column: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', json: 'TEXT' },
  id: 'INTEGER PRIMARY KEY',
  reference: 'INTEGER',
  text: 'TEXT',
  integer: 'INTEGER',
  json: 'TEXT',
}

// JSON is jsonb in PostgreSQL so dashboards can query into it; counts that can
// outgrow 2^31 are bigint (read back as numbers, see postgres-types.ts).
const POSTGRES: DialectTypes = {
  column: { text: 'text', integer: 'bigint', real: 'double precision', json: 'jsonb' },
  id: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  reference: 'bigint',
  text: 'text',
  integer: 'integer',
  json: 'jsonb',
}

// Built from the table catalogue as it stood when step 2 was written; a later
// column change is a new step (ALTER TABLE), never an edit of this one.
function typedTables(t: DialectTypes): string {
  const parts: string[] = []
  for (const [name, columns] of Object.entries(TYPED_TABLES)) {
    const typed = Object.entries(columns).map(([column, type]) => `${column} ${t.column[type as ColumnType]}`)
    parts.push(`CREATE TABLE ${name} (
        id ${t.id},
        root ${t.text} NOT NULL,
        session_id ${t.text},
        document_id ${t.reference} NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line ${t.integer},
        ${typed.join(',\n        ')},
        extra ${t.json},
        raw ${t.text}
      );
      CREATE INDEX ${name}_document ON ${name} (document_id);
      CREATE INDEX ${name}_session ON ${name} (root, session_id);`)
  }
  const sessionColumns = Object.entries(SESSION_COLUMNS).map(([column, type]) => `${column} ${t.column[type]}`)
  return `
      ${sessionColumns.map((c) => `ALTER TABLE sessions ADD COLUMN ${c};`).join('\n      ')}
      ALTER TABLE sessions ADD COLUMN status ${t.text} NOT NULL DEFAULT 'active';
      ALTER TABLE sessions ADD COLUMN metadata ${t.json} NOT NULL DEFAULT '{}';
      ALTER TABLE documents ADD COLUMN typed_kind ${t.text};

      CREATE TABLE document_fields (
        id ${t.id},
        document_id ${t.reference} NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        heading_path ${t.json} NOT NULL,
        key ${t.text} NOT NULL,
        value ${t.text} NOT NULL,
        raw ${t.text} NOT NULL,
        style ${t.text} NOT NULL,
        line ${t.integer} NOT NULL
      );
      CREATE INDEX document_fields_document ON document_fields (document_id);
      CREATE INDEX document_fields_key ON document_fields (key);

      CREATE TABLE session_facts (
        id ${t.id},
        root ${t.text} NOT NULL,
        session_id ${t.text} NOT NULL,
        document_id ${t.reference} NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        precedence ${t.integer} NOT NULL,
        line ${t.integer},
        ${sessionColumns.join(',\n        ')},
        metadata ${t.json} NOT NULL
      );
      CREATE INDEX session_facts_session ON session_facts (root, session_id);
      CREATE INDEX session_facts_document ON session_facts (document_id);

      ${parts.join('\n\n      ')}
    `
}

/** One schema step, written once per dialect. */
export interface Migration {
  version: number
  name: string
  sqlite: string
  postgres: string
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
    postgres: `
      CREATE TABLE sessions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text NOT NULL,
        created_at timestamptz,
        first_seen_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (root, session_id)
      );

      CREATE TABLE documents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        path text NOT NULL,
        session_id text,
        document_type text NOT NULL,
        format text NOT NULL,
        size_bytes bigint NOT NULL,
        mtime_ms double precision NOT NULL,
        content_hash text,
        parsed_hash text,
        word_count integer,
        footnote_count integer,
        table_count integer,
        json jsonb,
        diagnostics jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL CHECK (status IN ('ok', 'error')),
        error text,
        error_line integer,
        instance text NOT NULL,
        applied_at timestamptz,
        checked_at timestamptz NOT NULL,
        UNIQUE (root, path),
        FOREIGN KEY (root, session_id) REFERENCES sessions (root, session_id) ON DELETE CASCADE
      );
      CREATE INDEX documents_session ON documents (root, session_id);
      CREATE INDEX documents_status ON documents (status) WHERE status = 'error';

      CREATE TABLE document_tables (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        heading_path jsonb NOT NULL,
        headers jsonb NOT NULL,
        raw_headers jsonb NOT NULL,
        line integer NOT NULL,
        end_line integer NOT NULL,
        row_count integer NOT NULL,
        UNIQUE (document_id, ordinal)
      );

      CREATE TABLE document_table_rows (
        table_id bigint NOT NULL REFERENCES document_tables (id) ON DELETE CASCADE,
        row_index integer NOT NULL,
        cells jsonb NOT NULL,
        raw_cells jsonb NOT NULL,
        line integer NOT NULL,
        PRIMARY KEY (table_id, row_index)
      );

      CREATE TABLE sync_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        instance text NOT NULL,
        mode text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        files_seen integer NOT NULL,
        files_applied integer NOT NULL,
        files_unchanged integer NOT NULL,
        files_removed integer NOT NULL,
        files_failed integer NOT NULL
      );
      CREATE INDEX sync_runs_root ON sync_runs (root, id);
    `,
  },
  {
    version: 2,
    name: 'typed session state: session columns, fields, session facts, typed tables',
    sqlite: typedTables(SQLITE),
    postgres: typedTables(POSTGRES),
  },
]

/** The schema version this build needs. */
export const LATEST_VERSION = migrations[migrations.length - 1]!.version
