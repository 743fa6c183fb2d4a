/**
 * The statements of the PostgreSQL dialect, built once from the table
 * catalogue. Record sets travel as one JSON parameter per table and are
 * expanded server-side (`json_to_recordset`), so a file costs a handful of
 * round trips however many rows it has.
 */
import { STATE_TYPES_SQL } from '../kinds/registry.js'
import { certificatePathSql, NOT_DERIVED_REASON } from './session-inputs.js'
import { PARSER_VERSION } from '../parsers/version.js'
import { STALE_PARSE } from './stale-parse.js'
import { SESSION_COLUMN_NAMES, TYPED_TABLE_NAMES, TYPED_TABLES, type TypedTableName } from '../parsers/typed/tables.js'
import { TRACEABILITY_FIELDS } from './session-derive.js'

/** A statement built for the record sets one file has, named for its shape (prepared once per connection). */
export interface ShapedStatement {
  name: string
  text: string
  values: unknown[]
}

// An INSERT names its table, and PostgreSQL opens and locks the table and every index of it
// whether or not a row comes: one statement with a CTE for each of the forty record tables cost
// a small file about a millisecond of server time. So each file's statement names only the sets
// it has; files of one kind share one shape.

/**
 * The insert of one document's fields, typed rows and session facts, and its `typed_kind`, for
 * `records` as `encodeSnapshot`/`encodeAppend` make them: root, session id, fields (JSON), one
 * JSON set per typed table, the session facts (JSON), the typed kind. Empty sets (`'[]'`) are left out.
 */
export function insertRecordsStatement(documentId: unknown, records: readonly unknown[]): ShapedStatement {
  const [root, sessionId, fields, ...rest] = records
  const facts = rest[TYPED_TABLE_NAMES.length]
  const hasFields = fields !== '[]'
  const hasFacts = facts !== '[]'
  const present: TypedTableName[] = []
  // The values in the order insertRecordsText numbers them.
  const values: unknown[] = [documentId]
  const sets: unknown[] = []
  TYPED_TABLE_NAMES.forEach((table, i) => {
    if (rest[i] === '[]') return
    present.push(table)
    sets.push(rest[i])
  })
  if (present.length > 0 || hasFacts) values.push(root, sessionId)
  if (hasFields) values.push(fields)
  values.push(...sets)
  if (hasFacts) values.push(facts)
  values.push(rest[TYPED_TABLE_NAMES.length + 1])
  const shape = shapeOf(`insert:${hasFields ? 'f' : ''}${hasFacts ? 's' : ''}:${present.join(',')}`, () => insertRecordsText(hasFields, present, hasFacts))
  return { ...shape, values }
}

function insertRecordsText(hasFields: boolean, present: readonly TypedTableName[], hasFacts: boolean): string {
  let param = 1
  const next = (): string => `$${++param}`
  const [root, session] = present.length > 0 || hasFacts ? [next(), next()] : ['', '']
  const ctes: string[] = []
  if (hasFields) {
    // The sections went in by insertMarkdown, earlier in the transaction; a field names its section's ordinal.
    ctes.push(`i_fields AS (
      INSERT INTO document_fields (document_id, section_id, key, value, raw, raw_prefix, raw_form, style, line)
      SELECT $1, s.id, x.key, x.value, x.raw, x.raw_prefix, x.raw_form, x.style, x.line
      FROM json_to_recordset(${next()}::json)
        AS x(section integer, key text, value text, raw text, raw_prefix text, raw_form smallint, style text, line integer)
      LEFT JOIN document_sections s ON s.document_id = $1 AND s.ordinal = x.section)`)
  }
  for (const table of present) {
    const columns = Object.keys(TYPED_TABLES[table])
    ctes.push(`i_${table} AS (
      INSERT INTO ${table} (root, session_id, document_id, line, extra, raw, ${columns.join(', ')})
      SELECT ${root}, ${session}, $1, x.line, x.extra, x.raw, ${columns.map((c) => `x.${c}`).join(', ')}
      FROM json_populate_recordset(NULL::${table}, ${next()}::json) AS x)`)
  }
  if (hasFacts) {
    ctes.push(`i_facts AS (
      INSERT INTO session_facts (root, session_id, document_id, precedence, line, ${SESSION_COLUMN_NAMES.join(', ')}, metadata)
      SELECT ${root}, ${session}, $1, x.precedence, x.line, ${SESSION_COLUMN_NAMES.map((c) => `x.${c}`).join(', ')}, x.metadata
      FROM json_populate_recordset(NULL::session_facts, ${next()}::json) AS x)`)
  }
  const update = `UPDATE documents SET typed_kind = ${next()}::text WHERE id = $1`
  return ctes.length > 0 ? `WITH ${ctes.join(',\n    ')}\n    ${update}` : update
}

/** The delete of an appended document's summary rows, in the tables named (`null` when none is). */
export function deleteSummariesStatement(documentId: unknown, tables: readonly string[]): ShapedStatement | null {
  const known = TYPED_TABLE_NAMES.filter((table) => tables.includes(table))
  if (known.length === 0) return null
  const shape = shapeOf(`delete:${known.join(',')}`, () => {
    const ctes = known.map((table) => `d_${table} AS (DELETE FROM ${table} WHERE document_id = $1)`)
    return `WITH ${ctes.join(',\n    ')}\n    SELECT 1`
  })
  return { ...shape, values: [documentId] }
}

// Each shape's text, built once, and its prepared-statement name: numbered in the order this process
// first meets the shape, so two shapes never share a name (statements are prepared per connection).
const shapes = new Map<string, { name: string; text: string }>()
function shapeOf(key: string, build: () => string): { name: string; text: string } {
  let shape = shapes.get(key)
  if (shape === undefined) {
    shape = { name: `sb_shape_${shapes.size}`, text: build() }
    shapes.set(key, shape)
  }
  return shape
}

function deleteDerived(): string {
  const ctes = [...TYPED_TABLE_NAMES, 'document_fields', 'document_sections', 'session_facts'].map(
    (table) => `d_${table} AS (DELETE FROM ${table} WHERE document_id = $1)`,
  )
  // Rows go with their tables (ON DELETE CASCADE).
  return `WITH ${ctes.join(',\n    ')}
    DELETE FROM document_tables WHERE document_id = $1`
}

/** Statement texts, by name; the name doubles as the prepared-statement name. */
export const SQL = {
  lockSession: 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
  knownFiles: `SELECT path, ${STALE_PARSE.sizeBytes} AS "sizeBytes", mtime_ms AS "mtimeMs", ${STALE_PARSE.contentHash} AS "contentHash", status
    FROM documents WHERE root = $1`,
  listSessions: 'SELECT session_id AS "sessionId" FROM sessions WHERE root = $1',
  // An archived session gets no row (`import` brings it back, not a file event): touchSession then changes no row.
  ensureSession: `INSERT INTO sessions (root, session_id, created_at, created_at_from_name, created_at_source, status_reason, first_seen_at, updated_at)
    SELECT $1::text, $2::text, $3::timestamptz, $3::timestamptz, CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'name' END,
      '${NOT_DERIVED_REASON}', $4::timestamptz, $4::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM archived_sessions WHERE root = $1 AND session_id = $2)
    ON CONFLICT (root, session_id) DO NOTHING`,
  touchSession: `INSERT INTO sessions (root, session_id, created_at, created_at_from_name, created_at_source, status_reason, first_seen_at, updated_at)
    SELECT $1::text, $2::text, $3::timestamptz, $3::timestamptz, CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'name' END,
      '${NOT_DERIVED_REASON}', $4::timestamptz, $4::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM archived_sessions WHERE root = $1 AND session_id = $2)
    ON CONFLICT (root, session_id) DO UPDATE SET updated_at = excluded.updated_at
    RETURNING status_reason = '${NOT_DERIVED_REASON}' AS underived`,
  removeSession: 'DELETE FROM sessions WHERE root = $1 AND session_id = $2',
  upsertDocument: `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
      parsed_hash, word_count, footnote_count, table_count, json, diagnostics, status, error, error_line,
      instance, applied_at, checked_at, parser_version, append_offset, append_hash, append_state)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12::jsonb, $13::jsonb, 'ok', NULL, NULL, $14, $15, $15, ${PARSER_VERSION},
      $16, $17, $18::jsonb)
    ON CONFLICT (root, path) DO UPDATE SET
      session_id = excluded.session_id, document_type = excluded.document_type, format = excluded.format,
      size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
      parsed_hash = excluded.parsed_hash, word_count = excluded.word_count,
      footnote_count = excluded.footnote_count, table_count = excluded.table_count, json = excluded.json,
      diagnostics = excluded.diagnostics, status = 'ok', error = NULL, error_line = NULL,
      instance = excluded.instance, applied_at = excluded.applied_at, checked_at = excluded.checked_at,
      parser_version = excluded.parser_version, append_offset = excluded.append_offset, append_hash = excluded.append_hash,
      append_state = excluded.append_state
    RETURNING id, (xmax = 0) AS created`,
  // A JSON Lines file's last read, for the next read of the grown file to continue.
  appendBase: `SELECT content_hash AS "contentHash", append_offset AS "offset", append_hash AS hash, append_state AS state
    FROM documents WHERE root = $1 AND path = $2 AND status = 'ok' AND append_offset IS NOT NULL AND parser_version = ${PARSER_VERSION}`,
  // Locked: a concurrent apply of the same file waits, then sees what this one wrote.
  appendedDocument: `SELECT id, content_hash AS "contentHash", append_offset AS "offset", status, parser_version AS "parserVersion"
    FROM documents WHERE root = $1 AND path = $2 FOR UPDATE`,
  updateAppended: `UPDATE documents SET size_bytes = $2, mtime_ms = $3, content_hash = $4, parsed_hash = $4,
      diagnostics = diagnostics || $5::jsonb, append_offset = $6, append_hash = $7, append_state = $8::jsonb,
      instance = $9, applied_at = $10, checked_at = $10
    WHERE id = $1`,
  upsertFailure: `INSERT INTO documents (root, path, session_id, document_type, format, size_bytes, mtime_ms, content_hash,
      diagnostics, status, error, error_line, instance, checked_at, parser_version)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '[]', 'error', $9, $10, $11, $12, ${PARSER_VERSION})
    ON CONFLICT (root, path) DO UPDATE SET
      size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
      status = 'error', error = excluded.error, error_line = excluded.error_line,
      instance = excluded.instance, checked_at = excluded.checked_at, parser_version = excluded.parser_version
    RETURNING (xmax = 0) AS created`,
  recordStat: 'UPDATE documents SET size_bytes = $1, mtime_ms = $2, checked_at = $3 WHERE root = $4 AND path = $5',
  deleteDerived: deleteDerived(),
  // A document's sections, tables and rows in one statement. Section ids are drawn first (the CTE
  // is materialised once), so a section names its parent and a table its section by id in the same
  // statement; the identity column's sequence has PostgreSQL's default name.
  insertMarkdown: `WITH x AS (
      SELECT r.ordinal, r.parent, r.depth, r.title, r.line, nextval('document_sections_id_seq') AS id
      FROM json_to_recordset($2::json) AS r(ordinal integer, parent integer, depth integer, title text, line integer)),
    s AS (
      INSERT INTO document_sections (id, document_id, ordinal, parent_id, depth, title, line) OVERRIDING SYSTEM VALUE
      SELECT x.id, $1, x.ordinal, p.id, x.depth, x.title, x.line FROM x LEFT JOIN x p ON p.ordinal = x.parent),
    t AS (
      INSERT INTO document_tables (document_id, ordinal, section_id, headers, raw_headers, line, end_line, row_count)
      SELECT $1, y.ordinal, x.id, y.headers, y.raw_headers, y.line, y.end_line, y.row_count
      FROM json_to_recordset($3::json)
        AS y(ordinal integer, section integer, headers jsonb, raw_headers jsonb, line integer, end_line integer, row_count integer)
      LEFT JOIN x ON x.ordinal = y.section
      RETURNING id, ordinal)
    INSERT INTO document_table_rows (table_id, row_index, cells, raw_cells, cell_keys, line)
    SELECT t.id, r.row_index, r.cells, r.raw_cells, r.cell_keys, r.line
    FROM json_to_recordset($4::json) AS r(ordinal integer, row_index integer, cells jsonb, raw_cells jsonb, cell_keys jsonb, line integer)
    JOIN t ON t.ordinal = r.ordinal`,
  removeFile: 'DELETE FROM documents WHERE root = $1 AND path = $2 RETURNING session_id AS "sessionId"',
  sessionHasDocuments: 'SELECT EXISTS (SELECT 1 FROM documents WHERE root = $1 AND session_id = $2) AS has',
  sessionFacts: `SELECT f.precedence, d.path, ${SESSION_COLUMN_NAMES.map((c) => `f.${c}`).join(', ')}, f.metadata
    FROM session_facts f JOIN documents d ON d.id = f.document_id WHERE f.root = $1 AND f.session_id = $2`,
  // Everything one refresh reads, in one round trip: each list as a JSON array under the aliases SQLite's statements give.
  // Report fields read cells by position (migration 12 keeps them in header order): Field is cell 0, Value cell 1.
  sessionRows: `SELECT
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT path, error_line AS line, error FROM documents WHERE root = $1 AND session_id = $2 AND status = 'error'
           AND document_type IN ${STATE_TYPES_SQL} ORDER BY path COLLATE "C" LIMIT 100) x) AS "errorFiles",
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, y.status FROM synthesis_state y JOIN documents d ON d.id = y.document_id
         WHERE y.root = $1 AND y.session_id = $2) x) AS synthesis,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT path FROM documents WHERE root = $1 AND session_id = $2 AND document_type = 'final_memorandum'
         ORDER BY path COLLATE "C" LIMIT 100) x) AS "finalMemoranda",
      (SELECT count(*) FROM session_phases WHERE root = $1 AND session_id = $2
         AND status IN ('pending', 'in_progress', 'ready', 'blocked')) AS "openPhases",
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, (SELECT f.value FROM document_fields f WHERE f.document_id = d.id
             AND lower(f.key) IN ('status', 'decision', 'certification status', 'certification decision') ORDER BY f.line, f.id LIMIT 1) AS decision
         FROM documents d WHERE d.root = $1 AND d.session_id = $2 AND d.status = 'ok'
           AND ${certificatePathSql('lower(d.path)')}
         ORDER BY d.path COLLATE "C" LIMIT 100) x) AS certificates,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT path, coalesce(json->'created_at', json->'createdAt', json#>'{metadata,created_at}') AS value
         FROM documents WHERE root = $1 AND session_id = $2 AND status = 'ok' AND format = 'json' AND json IS NOT NULL
           AND jsonb_typeof(json) = 'object' AND document_type IN ('state_file', 'risk_summary')) x) AS "createdClaims",
      (SELECT created_at_from_name FROM sessions WHERE root = $1 AND session_id = $2) AS "createdAtFromName",
      EXISTS (SELECT 1 FROM documents WHERE root = $1 AND session_id = $2) AS "hasDocuments",
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT id, task_id, specialist_type, status FROM specialist_assignments WHERE root = $1 AND session_id = $2) x) AS assignments,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT path FROM documents WHERE root = $1 AND session_id = $2 AND document_type = 'specialist_report' AND status = 'ok') x) AS reports,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, r.cells->>0 AS field, r.cells->>1 AS value
         FROM documents d JOIN document_tables t ON t.document_id = d.id JOIN document_table_rows r ON r.table_id = t.id
         WHERE d.root = $1 AND d.session_id = $2 AND d.document_type = 'specialist_report' AND d.status = 'ok'
           AND t.headers = '["Field", "Value"]'::jsonb
           AND r.cells->>0 IN (${TRACEABILITY_FIELDS.map((f) => `'${f}'`).join(', ')})) x) AS "reportFields",
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, e.specialist_id, e.report_file, e.complete FROM execution_inventory e JOIN documents d ON d.id = e.document_id
         WHERE e.root = $1 AND e.session_id = $2) x) AS inventory,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, a.agent, a.status FROM agent_states a JOIN documents d ON d.id = a.document_id
         WHERE a.root = $1 AND a.session_id = $2) x) AS agents,
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT id, task_id, status FROM remediation_tasks WHERE root = $1 AND session_id = $2) x) AS "remediationTasks",
      (SELECT coalesce(json_agg(x), '[]') FROM (
         SELECT d.path, o.output_name, o.reports_complete FROM remediation_outputs o JOIN documents d ON d.id = o.document_id
         WHERE o.root = $1 AND o.session_id = $2) x) AS "remediationOutputs"`,
  // The derived statuses as one JSON parameter: [{id, status, evidence, evidencePath}].
  updateAssignments: `UPDATE specialist_assignments a SET derived_status = x.status, status_evidence = x.evidence, evidence_path = x."evidencePath"
    FROM json_to_recordset($1::json) AS x(id bigint, status text, evidence text, "evidencePath" text) WHERE a.id = x.id`,
  // The same for remediation tasks.
  updateRemediationTasks: `UPDATE remediation_tasks t SET derived_status = x.status, status_evidence = x.evidence, evidence_path = x."evidencePath"
    FROM json_to_recordset($1::json) AS x(id bigint, status text, evidence text, "evidencePath" text) WHERE t.id = x.id`,
  updateSession: `UPDATE sessions SET ${SESSION_COLUMN_NAMES.map((c, i) => `${c} = $${i + 1}`).join(', ')},
      status = $${SESSION_COLUMN_NAMES.length + 1}, metadata = $${SESSION_COLUMN_NAMES.length + 2}::jsonb,
      status_reason = $${SESSION_COLUMN_NAMES.length + 3}, error_files = $${SESSION_COLUMN_NAMES.length + 4}::jsonb,
      created_at = $${SESSION_COLUMN_NAMES.length + 5}::timestamptz, created_at_source = $${SESSION_COLUMN_NAMES.length + 6}
    WHERE root = $${SESSION_COLUMN_NAMES.length + 7} AND session_id = $${SESSION_COLUMN_NAMES.length + 8}`,
  unexplainedSessions: 'SELECT root, session_id AS "sessionId" FROM sessions WHERE status_reason IS NULL',
  insertRun: `INSERT INTO sync_runs (root, instance, mode, started_at, finished_at, files_seen, files_applied,
      files_unchanged, files_removed, files_failed)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  pruneRuns: `DELETE FROM sync_runs WHERE root = $1 AND id <= (
      SELECT id FROM sync_runs WHERE root = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
  // The lock first, then the seq: a change takes its seq only once the previous one committed, so
  // seqs become visible in order and a reader that has seen seq n never later finds one below n.
  // NOTIFY already serialises commits, so the lock costs little more. The casts type the SELECT list.
  // The NOTIFY goes in the same statement, its payload the JSON around the seq ($10 seq $11): one round
  // trip fewer while the lock is held, which every file's apply waits for in turn.
  insertChange: `WITH turn AS (SELECT pg_advisory_xact_lock(hashtext($1))),
    logged AS (
      INSERT INTO change_log (root, session_id, path, change, status, instance, at)
      SELECT $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::timestamptz FROM turn
      RETURNING seq)
    SELECT seq, pg_notify($9::text, $10::text || seq || $11::text) FROM logged`,
  readChanges: `SELECT seq, root, session_id AS "sessionId", path, change, status, instance, at FROM change_log
    WHERE seq > $1 ORDER BY seq LIMIT $2`,
  readChangesOfRoot: `SELECT seq, root, session_id AS "sessionId", path, change, status, instance, at FROM change_log
    WHERE root = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  oldestChange: 'SELECT min(seq) AS seq FROM change_log',
  latestChange: 'SELECT max(seq) AS seq FROM change_log',
  // The newest row stays, so the latest seq a client may hold never disappears from the log.
  pruneChanges: 'DELETE FROM change_log WHERE at < $1::timestamptz AND seq < (SELECT max(seq) FROM change_log)',
  feedCursor: 'SELECT seq FROM feed_cursors WHERE name = $1',
  // greatest(): two daemons mirroring one database must not move a shared cursor back.
  saveFeedCursor: `INSERT INTO feed_cursors (name, seq, updated_at) VALUES ($1, $2, now())
    ON CONFLICT (name) DO UPDATE SET seq = greatest(feed_cursors.seq, excluded.seq), updated_at = excluded.updated_at`,
} as const

export type StatementName = keyof typeof SQL
