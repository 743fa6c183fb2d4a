/**
 * A dialect-neutral picture of what the database says, without timestamps,
 * surrogate ids or the instance name: two databases that mirror the same tree
 * must produce equal dumps (after `canonicalDump`, which evens out how each
 * dialect spells JSON).
 */
import Database from 'better-sqlite3'
import { SESSION_COLUMNS, TYPED_TABLE_NAMES, TYPED_TABLES } from '../../src/parsers/typed/tables.js'
import { createPool, type PostgresTarget } from '../../src/store/postgres-connection.js'

export interface Dump {
  sessions: Array<{ root: string; session_id: string; created_at: string | null }>
  documents: Array<Record<string, unknown>>
  tables: Array<Record<string, unknown>>
  rows: Array<Record<string, unknown>>
  /** Session metadata, sections, fields and typed rows, keyed by table. */
  typed: Record<string, Array<Record<string, unknown>>>
}

type Queries = { [K in keyof Omit<Dump, 'typed'>]: string } & { typed: Record<string, string> }

/**
 * The dump's queries in one dialect. `json(c)` reads a JSON column as text
 * (jsonb in PostgreSQL: a JSON string comes back bare, as SQLite stores it);
 * `key(c)` sorts bytewise, as SQLite does, whatever the database's collation.
 */
function dumpQueries(json: (column: string) => string, key: (column: string) => string): Queries {
  const typed: Record<string, string> = {
    session_state: `SELECT root, session_id, ${Object.keys(SESSION_COLUMNS).join(', ')}, status, ${json('metadata')} AS metadata,
        status_reason, ${json('error_files')} AS error_files, created_at_source
      FROM sessions ORDER BY ${key('root')}, ${key('session_id')}`,
    // What a session refresh derives for its specialists and remediation tasks.
    derived_statuses: `SELECT x.path, x.kind, x.line, x.derived_status, x.status_evidence, x.evidence_path FROM (
        SELECT d.root, d.path, 'assignment' AS kind, a.line, a.id, a.derived_status, a.status_evidence, a.evidence_path
        FROM specialist_assignments a JOIN documents d ON d.id = a.document_id
        UNION ALL
        SELECT d.root, d.path, 'remediation' AS kind, r.line, r.id, r.derived_status, r.status_evidence, r.evidence_path
        FROM remediation_tasks r JOIN documents d ON d.id = r.document_id) x
      ORDER BY ${key('x.root')}, ${key('x.path')}, x.kind, x.line, x.id`,
    // Sections by ordinal, parents and records pointing at them by ordinal too (ids differ between databases).
    document_sections: `SELECT d.path, s.ordinal, p.ordinal AS parent, s.depth, s.title, s.line
      FROM document_sections s LEFT JOIN document_sections p ON p.id = s.parent_id JOIN documents d ON d.id = s.document_id
      ORDER BY ${key('d.root')}, ${key('d.path')}, s.ordinal`,
    // heading_path and raw as the view rebuilds them, stored_raw as stored (null where rebuilt) with what rebuilds it.
    document_fields: `SELECT d.path, s.ordinal AS section, ${json('v.heading_path')} AS heading_path, f.key, f.value, v.raw,
        f.raw AS stored_raw, f.raw_prefix, f.raw_form, f.style, f.line
      FROM document_fields f JOIN document_fields_with_path v ON v.id = f.id LEFT JOIN document_sections s ON s.id = f.section_id
      JOIN documents d ON d.id = f.document_id ORDER BY ${key('d.root')}, ${key('d.path')}, f.line, ${key('f.key')}, f.id`,
  }
  for (const table of TYPED_TABLE_NAMES) {
    const columns = Object.entries(TYPED_TABLES[table]).map(([c, type]) => (type === 'json' ? `${json(`t.${c}`)} AS ${c}` : `t.${c}`))
    typed[table] = `SELECT d.path, t.root, t.session_id, t.line, ${json('t.extra')} AS extra, t.raw, ${columns.join(', ')}
      FROM ${table} t JOIN documents d ON d.id = t.document_id ORDER BY ${key('d.root')}, ${key('d.path')}, t.id`
  }
  return {
    typed,
    sessions: `SELECT root, session_id, created_at FROM sessions ORDER BY ${key('root')}, ${key('session_id')}`,
    documents: `SELECT root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash, parsed_hash,
        word_count, footnote_count, table_count, ${json('json')} AS json, ${json('diagnostics')} AS diagnostics, status, error, error_line,
        append_offset, append_hash, ${json('append_state')} AS append_state
      FROM documents ORDER BY ${key('root')}, ${key('path')}`,
    tables: `SELECT d.path, t.ordinal, s.ordinal AS section, ${json('v.heading_path')} AS heading_path, ${json('t.headers')} AS headers,
        ${json('t.raw_headers')} AS raw_headers, t.line, t.end_line, t.row_count
      FROM document_tables t JOIN document_tables_with_path v ON v.id = t.id LEFT JOIN document_sections s ON s.id = t.section_id
      JOIN documents d ON d.id = t.document_id ORDER BY ${key('d.root')}, ${key('d.path')}, t.ordinal`,
    // cells (an object) and raw_cells (every cell) as the view rebuilds them; the stored_ columns as stored.
    rows: `SELECT d.path, t.ordinal, r.row_index, ${json('v.cells')} AS cells, ${json('v.raw_cells')} AS raw_cells,
        ${json('r.cells')} AS stored_cells, ${json('r.raw_cells')} AS stored_raw_cells, ${json('r.cell_keys')} AS cell_keys, r.line
      FROM document_table_rows r JOIN document_table_rows_with_cells v ON v.table_id = r.table_id AND v.row_index = r.row_index
      JOIN document_tables t ON t.id = r.table_id JOIN documents d ON d.id = t.document_id
      ORDER BY ${key('d.root')}, ${key('d.path')}, t.ordinal, r.row_index`,
  }
}

const SQLITE_QUERIES = dumpQueries(
  (c) => c,
  (c) => c,
)
const POSTGRES_QUERIES = dumpQueries(
  (c) => `(${c} #>> '{}')`,
  (c) => `${c} COLLATE "C"`,
)

/** Dump a SQLite database file. */
export function dumpSqlite(file: string): Dump {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const all = (sql: string) => db.prepare(sql).all() as Array<Record<string, unknown>>
    return assemble(SQLITE_QUERIES, (sql) => all(sql))
  } finally {
    db.close()
  }
}

/** Dump a PostgreSQL schema (read with the store's own value parsers). */
export async function dumpPostgres(target: PostgresTarget): Promise<Dump> {
  const pool = createPool(target, { max: 1, applicationName: 'statebridge-test-dump' })
  try {
    const results = new Map<string, Array<Record<string, unknown>>>()
    const all = [...Object.values(POSTGRES_QUERIES.typed), POSTGRES_QUERIES.sessions, POSTGRES_QUERIES.documents, POSTGRES_QUERIES.tables, POSTGRES_QUERIES.rows]
    for (const sql of all) results.set(sql, (await pool.query(sql)).rows as Array<Record<string, unknown>>)
    return assemble(POSTGRES_QUERIES, (sql) => results.get(sql)!)
  } finally {
    await pool.end()
  }
}

function assemble(queries: Queries, all: (sql: string) => Array<Record<string, unknown>>): Dump {
  return {
    typed: Object.fromEntries(Object.entries(queries.typed).map(([name, sql]) => [name, all(sql)])),
    sessions: all(queries.sessions) as Dump['sessions'],
    documents: all(queries.documents),
    tables: all(queries.tables),
    rows: all(queries.rows),
  }
}

/**
 * The same dump with every JSON text re-serialised with sorted keys and no
 * spaces: jsonb keeps neither key order nor the original spacing.
 */
export function canonicalDump(dump: Dump): Dump {
  return canonical(dump) as Dump
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]))
  }
  if (typeof value === 'string' && (value.startsWith('{') || value.startsWith('['))) {
    try {
      return `json:${JSON.stringify(sortKeys(JSON.parse(value)))}`
    } catch {
      return value
    }
  }
  return value
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    )
  }
  return value
}
