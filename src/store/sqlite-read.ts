/**
 * The SQLite dialect of the read side: a second, read-only connection to the
 * daemon's database file. In WAL mode a reader sees the last committed state
 * and never blocks the writer (nor is blocked by it), so API reads cannot
 * stall applies. Each method reads inside one deferred transaction, so its
 * several statements see one snapshot.
 */
import Database from 'better-sqlite3'
import { StatebridgeError } from '../errors.js'
import type { BlobChain, HistoryStats, Revision, RevisionQuery } from '../history/types.js'
import { compareJsonbKeys, fieldsQuery, readCells, readField, readRawCells, sectionPaths } from './document-records.js'
import {
  agentEventPageOf,
  agentModelTotalsOf,
  agentPageOf,
  agentUsageRollup,
  byRecentActivity,
  checkAgentListQuery,
  checkAgentSessionQuery,
  mergeAgentSessions,
  type AgentModelTotal,
  type AgentSession,
  type AgentSessionDetail,
  type AgentSessionListQuery,
  type AgentSessionPage,
  type AgentSessionQuery,
  modelUsageSql,
  reportLinksSql,
} from './agent-sessions.js'
import { withResume } from './session-derive.js'
import { SESSION_COLUMN_NAMES, TYPED_TABLE_NAMES, TYPED_TABLES } from '../parsers/typed/tables.js'
import {
  activeOf,
  checkChangesQuery,
  checkListQuery,
  checkRevisionQuery,
  LIST_CAP,
  mergeRevisions,
  pageOf,
  readsByRoot,
  type ActiveSessions,
  type DocumentDetail,
  type DocumentList,
  type ErrorList,
  type ReadStats,
  type SessionListQuery,
  type SessionPage,
  type StoreReader,
  usageOf,
} from './read-types.js'
import { SqliteHistory } from './sqlite-history.js'
import type { ChangeRecord, SessionDetail, SyncRunSummary } from './types.js'

type Row = Record<string, unknown>

/** How to open the SQLite reader. */
export interface SqliteReaderOptions {
  /** How long a read waits on a lock SQLite takes briefly (WAL recovery, checkpoint restart), ms; default 5000. */
  busyTimeoutMs?: number
}

/**
 * Open a read-only connection to the database file the daemon writes. The file
 * must exist (the daemon, or `statebridge migrate`, creates it); `:memory:` has
 * no second connection and is refused.
 */
export function openSqliteReader(file: string, options: SqliteReaderOptions = {}): StoreReader {
  if (file === ':memory:' || file === '') {
    throw new StatebridgeError('SB_CONFIG', 'the HTTP API cannot read an in-memory SQLite database: give --db a file')
  }
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`)
    // Fails now, not on the first request, when the file is no SQLite database or has no schema yet.
    db.prepare('SELECT 1 FROM sessions LIMIT 1').get()
  } catch (error) {
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `cannot open ${file} read-only for the HTTP API: ${(error as Error).message}; run statebridge sync or migrate first`,
      { cause: error },
    )
  }
  return new SqliteReader(db, file)
}

class SqliteReader implements StoreReader {
  readonly dialect = 'sqlite' as const
  readonly description: string
  private readonly db: Database.Database
  // Statements are prepared on first use and kept: a read-only connection never sees them invalidated by us.
  private readonly prepared = new Map<string, Database.Statement>()
  // The write store's history statements, prepared on the first history read (a read-only
  // connection may prepare its writes; it never runs them).
  private historyStatements: SqliteHistory | null = null
  // This connection's statements as the shared readers (session detail, agent sessions) ask for them.
  private readonly queries: SqliteQueries = { all: (sql, ...params) => this.all(sql, ...params), get: (sql, ...params) => this.get(sql, ...params) }

  constructor(db: Database.Database, file: string) {
    this.db = db
    this.description = `sqlite:${file} (read-only)`
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.prepared.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.prepared.set(sql, statement)
    }
    return statement
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.stmt(sql).all(...params) as Row[]
  }

  private get(sql: string, ...params: unknown[]): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined
  }

  // SQLite's own counter: it moves whenever another connection commits (this one only reads).
  private dataVersionStatement: Database.Statement | null = null

  dataVersion(): number {
    this.dataVersionStatement ??= this.db.prepare('PRAGMA data_version').pluck()
    return this.dataVersionStatement.get() as number
  }

  // One snapshot for the statements of one answer; no await happens inside.
  private snapshot<T>(work: () => T): T {
    return this.db.transaction(work).deferred()
  }

  async listSessions(query: SessionListQuery): Promise<SessionPage> {
    const q = checkListQuery(query)
    const where: string[] = []
    const params: unknown[] = []
    if (q.status !== undefined) where.push('status = ?'), params.push(q.status)
    if (q.root !== undefined) where.push('root = ?'), params.push(q.root)
    if (q.updatedSince !== undefined) where.push('updated_at >= ?'), params.push(q.updatedSince)
    // A substring match cannot use an index; the sessions table holds one row per run directory, so it stays small.
    if (q.q !== undefined) where.push('(instr(lower(session_id), ?) > 0 OR instr(lower(coalesce(matter_name, \'\')), ?) > 0)'), params.push(q.q, q.q)
    if (q.after !== null) {
      where.push('(updated_at < ? OR (updated_at = ? AND (session_id > ? OR (session_id = ? AND root > ?))))')
      params.push(q.after.updatedAt, q.after.updatedAt, q.after.sessionId, q.after.sessionId, q.after.root)
    }
    const rows = this.all(
      `SELECT ${SESSION_LIST_COLUMNS} FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY updated_at DESC, session_id, root LIMIT ?`,
      ...params,
      q.limit + 1,
    )
    return pageOf(rows, q.limit)
  }

  async activeSessions(): Promise<ActiveSessions> {
    return this.snapshot(() => {
      const rows = this.all(
        `SELECT s.root, s.session_id AS "sessionId", s.status, s.status_reason AS "statusReason", s.matter_name AS "matterName",
           s.updated_at AS "updatedAt",
           y.id AS has_synthesis, y.current_phase, y.status AS synthesis_status, y.last_completed_step, y.next_action,
           y.blocking_issue,
           p.phase AS open_phase, p.status AS open_phase_status
         FROM sessions s
         LEFT JOIN synthesis_state y ON y.id = (
           SELECT min(id) FROM synthesis_state WHERE root = s.root AND session_id = s.session_id)
         LEFT JOIN session_phases p ON p.id = (
           SELECT id FROM session_phases WHERE root = s.root AND session_id = s.session_id
             AND status IN ('pending', 'in_progress', 'ready', 'blocked') ORDER BY document_id, id LIMIT 1)
         WHERE s.status <> 'complete'
         ORDER BY s.updated_at DESC, s.session_id, s.root LIMIT ?`,
        LIST_CAP + 1,
      )
      const items = rows.slice(0, LIST_CAP).map((row) => {
        // The session object's answer, pending specialists and resume alike, so the list and `show` never disagree.
        const detail = readSessionDetail(this.queries, String(row.sessionId)).find((d) => d.root === row.root)
        return activeOf(row, detail)
      })
      return { items, truncated: rows.length > LIST_CAP }
    })
  }

  async stats(): Promise<ReadStats> {
    return this.snapshot(() => {
      const byStatus: Record<string, number> = {}
      let total = 0
      for (const row of this.all('SELECT status, count(*) AS n FROM sessions GROUP BY status ORDER BY status')) {
        byStatus[String(row.status)] = Number(row.n)
        total += Number(row.n)
      }
      const docs = this.get(
        `SELECT coalesce(sum(status = 'ok'), 0) AS ok, coalesce(sum(status = 'error'), 0) AS error FROM documents`,
      ) as { ok: number; error: number }
      const lastRun = this.get(`SELECT ${LAST_RUN_COLUMNS} FROM sync_runs ORDER BY finished_at DESC, id DESC LIMIT 1`) as
        | SyncRunSummary
        | undefined
      return { sessions: { total, byStatus }, documents: { ok: docs.ok, error: docs.error }, lastRun: lastRun ?? null }
    })
  }

  async session(sessionId: string): Promise<SessionDetail[]> {
    return this.snapshot(() => readSessionDetail(this.queries, sessionId))
  }

  async documents(sessionId: string): Promise<DocumentList | null> {
    return this.snapshot(() => {
      if (!this.get('SELECT 1 AS found FROM sessions WHERE session_id = ? LIMIT 1', sessionId)) return null
      // Through documents_session (root, session_id): one index range per root that has the session.
      const rows = this.all(
        `SELECT ${DOCUMENT_LIST_COLUMNS} FROM documents
         WHERE root IN (SELECT root FROM sessions WHERE session_id = ?) AND session_id = ?
         ORDER BY root, path LIMIT ?`,
        sessionId,
        sessionId,
        LIST_CAP + 1,
      )
      return { items: rows.slice(0, LIST_CAP) as unknown as DocumentList['items'], truncated: rows.length > LIST_CAP }
    })
  }

  async document(path: string, root?: string): Promise<DocumentDetail[]> {
    return this.snapshot(() => {
      // (root, path) is the unique key. Without a root, the roots are found by a skip scan of that
      // index (a handful of steps, one per root), so the lookup stays indexed either way.
      const rows =
        root !== undefined
          ? this.all(`SELECT id, ${DOCUMENT_COLUMNS} FROM documents WHERE root = ? AND path = ?`, root, path)
          : this.all(
              `WITH RECURSIVE roots(root) AS (
                 SELECT min(root) FROM documents
                 UNION ALL SELECT (SELECT min(root) FROM documents WHERE root > roots.root) FROM roots WHERE roots.root IS NOT NULL)
               SELECT id, ${DOCUMENT_COLUMNS} FROM documents
               WHERE root IN (SELECT root FROM roots WHERE root IS NOT NULL) AND path = ? ORDER BY root LIMIT 100`,
              path,
            )
      return rows.map((row) => this.documentDetail(row))
    })
  }

  private documentDetail(row: Row): DocumentDetail {
    const id = row.id
    let truncated = false
    const capped = (list: Row[]): Row[] => {
      if (list.length > LIST_CAP) truncated = true
      return list.slice(0, LIST_CAP)
    }
    const typed: DocumentDetail['typed'] = {}
    for (const table of TYPED_TABLE_NAMES) {
      const columns = Object.entries(TYPED_TABLES[table])
      const rows = capped(
        this.all(
          `SELECT line, ${columns.map(([c]) => c).join(', ')}, extra, raw FROM ${table} WHERE document_id = ? ORDER BY id LIMIT ?`,
          id,
          LIST_CAP + 1,
        ),
      )
      if (rows.length === 0) continue
      for (const typedRow of rows) {
        for (const [column, type] of columns) if (type === 'json') typedRow[column] = parseJson(typedRow[column])
        typedRow.extra = parseJson(typedRow.extra)
      }
      typed[table] = rows
    }
    const paths = sectionPaths(this.all('SELECT id, parent_id AS "parentId", title FROM document_sections WHERE document_id = ?', id))
    const pathOf = (sectionId: unknown): string[] => (sectionId === null ? [] : (paths.get(String(sectionId)) ?? []))
    const tables = capped(
      this.all(
        `SELECT id, ordinal, section_id AS "sectionId", headers, raw_headers AS "rawHeaders", line, end_line AS "endLine",
           row_count AS "rowCount"
         FROM document_tables WHERE document_id = ? ORDER BY ordinal LIMIT ?`,
        id,
        LIST_CAP + 1,
      ),
    ).map(({ id: tableId, sectionId, ...table }) => {
      const headers = parseJson(table.headers) as string[]
      const rows = capped(
        this.all(
          `SELECT row_index AS "rowIndex", cells, raw_cells AS "rawCells", cell_keys AS "cellKeys", line FROM document_table_rows
           WHERE table_id = ? ORDER BY row_index LIMIT ?`,
          tableId,
          LIST_CAP + 1,
        ),
      ).map((r) => {
        const cells = parseJson(r.cells) as string[]
        return {
          rowIndex: r.rowIndex,
          cells: readCells(headers, cells, parseJson(r.cellKeys) as string[] | null),
          rawCells: readRawCells(cells, parseJson(r.rawCells) as Array<string | null> | null),
          line: r.line,
        }
      })
      return {
        ordinal: table.ordinal,
        headingPath: pathOf(sectionId),
        headers,
        rawHeaders: parseJson(table.rawHeaders),
        line: table.line,
        endLine: table.endLine,
        rowCount: table.rowCount,
        rows,
      }
    })
    const fields = capped(
      this.all(fieldsQuery('?', '?'), id, LIST_CAP + 1),
    ).map((f) => readField(f, pathOf))
    const { id: _id, ...document } = row
    return {
      ...(document as Omit<DocumentDetail, 'json' | 'diagnostics' | 'typed' | 'tables' | 'fields' | 'truncated'>),
      json: parseJson(document.json),
      diagnostics: (parseJson(document.diagnostics) as unknown[] | null) ?? [],
      typed,
      tables: tables as unknown as DocumentDetail['tables'],
      fields: fields as unknown as DocumentDetail['fields'],
      truncated,
    }
  }

  async errors(): Promise<ErrorList> {
    // documents_status is a partial index on the error rows.
    const rows = this.all(
      `SELECT root, path, session_id AS "sessionId", document_type AS "documentType", error, error_line AS "errorLine",
         checked_at AS "checkedAt"
       FROM documents WHERE status = 'error' ORDER BY root, path LIMIT ?`,
      LIST_CAP + 1,
    )
    return { items: rows.slice(0, LIST_CAP) as unknown as ErrorList['items'], truncated: rows.length > LIST_CAP }
  }

  // Through the primary key, or change_log_root (root, seq) with a root: one index range either way.
  async changesSince(sinceSeq: number, limit: number, root?: string): Promise<ChangeRecord[]> {
    checkChangesQuery(sinceSeq, limit)
    const rows =
      root === undefined
        ? this.all(`SELECT ${CHANGE_COLUMNS} FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`, sinceSeq, limit)
        : this.all(`SELECT ${CHANGE_COLUMNS} FROM change_log WHERE root = ? AND seq > ? ORDER BY seq LIMIT ?`, root, sinceSeq, limit)
    return rows as unknown as ChangeRecord[]
  }

  async oldestChangeSeq(): Promise<number | null> {
    return (this.get('SELECT min(seq) AS seq FROM change_log') as { seq: number | null }).seq
  }

  async latestChangeSeq(): Promise<number> {
    return (this.get('SELECT max(seq) AS seq FROM change_log') as { seq: number | null }).seq ?? 0
  }

  private get history(): SqliteHistory {
    return (this.historyStatements ??= new SqliteHistory(this.db))
  }

  async revisions(query: RevisionQuery): Promise<Revision[]> {
    checkRevisionQuery(query)
    return this.snapshot(() =>
      readsByRoot(query)
        ? mergeRevisions(this.history.roots().map((root) => this.history.revisions({ ...query, root })), query)
        : this.history.revisions(query),
    )
  }

  async revision(rev: number): Promise<Revision | null> {
    return this.history.revision(rev)
  }

  async blobChain(contentHash: string): Promise<BlobChain> {
    return this.snapshot(() => this.history.chain(contentHash))
  }

  async historyStats(): Promise<HistoryStats> {
    return this.history.stats()
  }

  async agentSessions(query: AgentSessionListQuery): Promise<AgentSessionPage> {
    const q = checkAgentListQuery(query)
    const where: string[] = []
    const params: unknown[] = []
    if (q.after !== null) where.push('(last_at < ? OR (last_at = ? AND id > ?))'), params.push(q.after.lastAt, q.after.lastAt, q.after.sdkSessionId)
    return this.snapshot(() => {
      // agent_sessions holds one row per file, so grouping all of them per SDK session stays cheap.
      const keys = this.all(
        `SELECT id, last_at FROM (
           SELECT sdk_session_id AS id, coalesce(max(ended_at), max(started_at), '') AS last_at FROM agent_sessions
           WHERE sdk_session_id IS NOT NULL
             ${q.reportSession !== undefined ? 'AND sdk_session_id IN (SELECT sdk_session_id FROM agent_session_links WHERE report_session_id = ?)' : ''}
           GROUP BY sdk_session_id) g
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY last_at DESC, id LIMIT ?`,
        ...(q.reportSession !== undefined ? [q.reportSession] : []),
        ...params,
        q.limit + 1,
      )
      return agentPageOf(keys, q.limit, readAgentSessions(this.queries, keys.slice(0, q.limit).map((k) => String(k.id))))
    })
  }

  async agentSession(sdkSessionId: string, query: AgentSessionQuery = {}): Promise<AgentSessionDetail | null> {
    const q = checkAgentSessionQuery(query)
    const [op, dir] = q.order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC']
    return this.snapshot(() => {
      const [item] = readAgentSessions(this.queries, [sdkSessionId])
      if (item === undefined) return null
      const rows = this.all(
        `SELECT ${AGENT_EVENT_COLUMNS} FROM agent_events e JOIN documents d ON d.id = e.document_id
         WHERE e.sdk_session_id = ? ${q.after !== null ? `AND (e.document_id, coalesce(e.line, 0), e.id) ${op} (?, ?, ?)` : ''}
         ORDER BY e.document_id ${dir}, coalesce(e.line, 0) ${dir}, e.id ${dir} LIMIT ?`,
        sdkSessionId,
        ...(q.after !== null ? [q.after.documentId, q.after.line, q.after.id] : []),
        q.limit + 1,
      )
      const total = this.get('SELECT count(*) AS n FROM agent_events WHERE sdk_session_id = ?', sdkSessionId)!.n
      return { ...item, events: agentEventPageOf(rows, q.limit, total) }
    })
  }

  async agentModelTotals(): Promise<AgentModelTotal[]> {
    return agentModelTotalsOf(this.all(AGENT_MODEL_TOTALS))
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}

const AGENT_FILE_COLUMNS = `a.sdk_session_id, d.root, d.path, a.source, a.agent_id, a.started_at, a.ended_at, a.cwd, a.transcript_path,
  a.version, a.first_prompt_length, a.first_prompt_preview, a.compactions, a.status, a.lines, a.tool_calls, a.tool_failures,
  a.subagents, a.reports_saved`

// The ids go in as one JSON list, bound once per place that reads it.
const SESSION_REPORT_LINKS = reportLinksSql((column) => `${column} IN (SELECT value FROM json_each(?))`)
const SESSION_MODEL_USAGE = modelUsageSql((column) => `${column} IN (SELECT value FROM json_each(?))`, 'sqlite')

const AGENT_EVENT_COLUMNS = `e.id, e.document_id, d.root, d.path, e.line, e.at, e.event, e.tool, e.tool_type, e.mcp_server, e.mcp_action,
  e.agent_type, e.agent_id, e.tool_use_id, e.duration_ms, e.success, e.error, e.file_path`

/**
 * `agent_model_usage` summed per model, read on the main thread for /metrics:
 * the view numbers every transcript line with a window (0.7 s for 400,000
 * lines), while grouping by usage key walks its index (0.18 s). SQLite takes
 * a bare column from the row that gives the aggregate's minimum, here the
 * first line of each key in the view's order (time, with no time first;
 * document; line); lines without a key count each.
 */
const AGENT_MODEL_TOTALS = `SELECT model, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens, sum(cost_usd) AS cost_usd
  FROM (
    SELECT sdk_session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,
      min(coalesce(at, '') || char(0) || printf('%020d', document_id) || printf('%012d', coalesce(line, 0))) AS first
    FROM agent_messages
    WHERE usage_key IS NOT NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL OR cache_read_tokens IS NOT NULL
      OR cache_creation_tokens IS NOT NULL OR cost_usd IS NOT NULL)
    GROUP BY usage_key
    UNION ALL
    SELECT sdk_session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, NULL
    FROM agent_messages
    WHERE +usage_key IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL OR cache_read_tokens IS NOT NULL
      OR cache_creation_tokens IS NOT NULL OR cost_usd IS NOT NULL))
  WHERE sdk_session_id IS NOT NULL
  GROUP BY model`

/**
 * The SDK sessions `ids` names, each merged from its files, with usage and
 * links (`mergeAgentSessions`); an id no file tells of is left out. The ids go
 * in as one JSON list, so one prepared statement serves any count.
 */
export function readAgentSessions(db: SqliteQueries, ids: string[]): AgentSession[] {
  if (ids.length === 0) return []
  const list = JSON.stringify(ids)
  const files = db.all(
    `SELECT ${AGENT_FILE_COLUMNS} FROM agent_sessions a JOIN documents d ON d.id = a.document_id
     WHERE a.sdk_session_id IN (SELECT value FROM json_each(?)) ORDER BY a.id`,
    list,
  )
  if (files.length === 0) return []
  const usage = db.all(SESSION_MODEL_USAGE, list, list, list)
  const links = db.all(SESSION_REPORT_LINKS, list)
  return mergeAgentSessions(files, usage, links)
}

// The SDK sessions linked to a report session, the most recently active first.
function linkedAgentSessions(db: SqliteQueries, sessionId: string): AgentSession[] {
  const ids = db.all(
    `SELECT DISTINCT sdk_session_id AS id FROM agent_session_links WHERE report_session_id = ? AND sdk_session_id IS NOT NULL LIMIT ${LIST_CAP}`,
    sessionId,
  )
  return byRecentActivity(readAgentSessions(db, ids.map((row) => String(row.id))))
}

const SESSION_LIST_COLUMNS = `root, session_id AS "sessionId", status, status_reason AS "statusReason", matter_name AS "matterName",
  deal_value AS "dealValue", closing_date AS "closingDate", created_at AS "createdAt", created_at_source AS "createdAtSource",
  first_seen_at AS "firstSeenAt", updated_at AS "updatedAt"`

const LAST_RUN_COLUMNS = `root, instance, mode, started_at AS "startedAt", finished_at AS "finishedAt", files_seen AS "filesSeen",
  files_applied AS "filesApplied", files_unchanged AS "filesUnchanged", files_removed AS "filesRemoved",
  files_failed AS "filesFailed"`

const CHANGE_COLUMNS = `seq, root, session_id AS "sessionId", path, change, status, instance, at`

const DOCUMENT_LIST_COLUMNS = `root, path, document_type AS "documentType", format, status, error, error_line AS "errorLine",
  size_bytes AS "sizeBytes", applied_at AS "appliedAt", checked_at AS "checkedAt"`

const DOCUMENT_COLUMNS = `root, path, session_id AS "sessionId", document_type AS "documentType", typed_kind AS "typedKind", format,
  status, error, error_line AS "errorLine", size_bytes AS "sizeBytes", mtime_ms AS "mtimeMs", content_hash AS "contentHash",
  parsed_hash AS "parsedHash", word_count AS "wordCount", footnote_count AS "footnoteCount", table_count AS "tableCount",
  applied_at AS "appliedAt", checked_at AS "checkedAt", json, diagnostics`

/** JSON text as stored by SQLite, parsed, with object keys in jsonb order (what PostgreSQL answers). */
/** Statements run on one connection, inside the caller's snapshot if it has one. */
export interface SqliteQueries {
  all(sql: string, ...params: unknown[]): Row[]
  get(sql: string, ...params: unknown[]): Row | undefined
}

/**
 * One session in detail, per root that has it: what `statebridge show --json`
 * prints and `GET /api/v1/sessions/{id}` answers. JSON columns are parsed, so
 * both dialects give the same object. The write store's `sessionDetail` runs it too.
 */
export function readSessionDetail(db: SqliteQueries, sessionId: string): SessionDetail[] {
  const sessions = db.all(
    `SELECT root, session_id, created_at, created_at_source, created_at_from_name, status, status_reason, error_files, metadata,
       ${SESSION_COLUMN_NAMES.join(', ')}
     FROM sessions WHERE session_id = ? ORDER BY root LIMIT 100`,
    sessionId,
  )
  // Links name the report session, not its root: every root's session gets the same SDK sessions.
  const agentSessions = sessions.length === 0 ? [] : linkedAgentSessions(db, sessionId)
  return sessions
    .map((row): Omit<SessionDetail, 'resume'> => {
    const root = String(row.root)
    const args = [root, sessionId]
    const docs = db.get(
      `SELECT coalesce(sum(status = 'ok'), 0) AS ok, coalesce(sum(status = 'error'), 0) AS error
       FROM documents WHERE root = ? AND session_id = ?`,
      ...args,
    ) as { ok: number; error: number }
    const synthesis = db.get(
      `SELECT current_phase, status, last_completed_step, next_action, critical_context, blocking_issue, last_updated,
         sections_completed, sections_pending
       FROM synthesis_state WHERE root = ? AND session_id = ? ORDER BY id LIMIT 1`,
      ...args,
    )
    if (synthesis) {
      synthesis.sections_completed = parseJson(synthesis.sections_completed)
      synthesis.sections_pending = parseJson(synthesis.sections_pending)
    }
    return {
      root,
      sessionId,
      createdAt: (row.created_at as string | null) ?? null,
      createdAtSource: (row.created_at_source as string | null) ?? null,
      createdAtFromName: (row.created_at_from_name as string | null) ?? null,
      status: String(row.status),
      statusReason: (row.status_reason as string | null) ?? null,
      errorFiles: (parseJson(row.error_files) as SessionDetail['errorFiles'] | null) ?? [],
      deal: Object.fromEntries(SESSION_COLUMN_NAMES.map((c) => [c, row[c] ?? null])),
      metadata: parseJson(row.metadata) as Record<string, string>,
      documents: { ok: docs.ok, error: docs.error },
      phases: db.all(
        `SELECT phase, status, start_time, end_time FROM session_phases WHERE root = ? AND session_id = ?
         ORDER BY document_id, id LIMIT ${LIST_CAP}`,
        ...args,
      ) as SessionDetail['phases'],
      iterations: db.all(
        `SELECT gate_name, current_iteration, max_iterations FROM session_iterations WHERE root = ? AND session_id = ?
         ORDER BY id LIMIT ${LIST_CAP}`,
        ...args,
      ) as SessionDetail['iterations'],
      pendingSpecialists: db.all(
        `SELECT task_id, specialist_type, coalesce(derived_status, status) AS status, status AS plan_status, status_raw AS plan_mark, priority FROM specialist_assignments
         WHERE root = ? AND session_id = ? AND coalesce(derived_status, status, '') NOT IN ('complete', 'skipped') ORDER BY id LIMIT ${LIST_CAP}`,
        ...args,
      ) as unknown as SessionDetail['pendingSpecialists'],
      specialists: db.all(
        `SELECT task_id, specialist_type, status AS plan_status, status_raw AS plan_mark, coalesce(derived_status, status) AS status,
           status_evidence AS evidence, evidence_path
         FROM specialist_assignments WHERE root = ? AND session_id = ? ORDER BY id LIMIT ${LIST_CAP}`,
        ...args,
      ) as unknown as SessionDetail['specialists'],
      factCount: Number(db.get('SELECT count(*) AS n FROM fact_registry WHERE root = ? AND session_id = ?', ...args)!.n),
      synthesis: synthesis ?? null,
      agents: db.all(
        `SELECT agent, status, current_phase, last_updated FROM agent_states WHERE root = ? AND session_id = ?
         ORDER BY agent, id LIMIT ${LIST_CAP}`,
        ...args,
      ) as SessionDetail['agents'],
      qaAssessments: db.all(
        `SELECT d.path, q.assessment_type, q.pass, q.overall_score, q.max_score, q.status, q.certification, q.assessed_at, q.issue_count
         FROM qa_assessments q JOIN documents d ON d.id = q.document_id WHERE q.root = ? AND q.session_id = ?
         ORDER BY d.path, q.id LIMIT ${LIST_CAP}`,
        ...args,
      ) as unknown as SessionDetail['qaAssessments'],
      remediationTasks: db.all(
        `SELECT d.path, t.task_id, t.wave, t.status AS plan_status, t.status_raw AS plan_mark, coalesce(t.derived_status, t.status) AS status,
           t.status_evidence AS evidence, t.evidence_path
         FROM remediation_tasks t JOIN documents d ON d.id = t.document_id WHERE t.root = ? AND t.session_id = ?
         ORDER BY d.path, t.id LIMIT ${LIST_CAP}`,
        ...args,
      ) as unknown as SessionDetail['remediationTasks'],
      usage: usageOf(db.get(
        `SELECT files, records, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, turns, tool_calls,
           duration_ms, cost_usd FROM session_usage_totals WHERE root = ? AND session_id = ?`,
        ...args,
      )),
      agentSessions,
      agentUsage: agentUsageRollup(agentSessions),
    }
  })
    .map(withResume)
}

function parseJson(text: unknown): unknown {
  if (text === null || text === undefined) return null
  return jsonbOrder(JSON.parse(String(text)))
}

// jsonb keeps one key per name and orders keys by byte length, then bytewise.
function jsonbOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonbOrder)
  if (value === null || typeof value !== 'object') return value
  const keys = Object.keys(value).sort(compareJsonbKeys)
  const ordered: Record<string, unknown> = {}
  for (const key of keys) ordered[key] = jsonbOrder((value as Record<string, unknown>)[key])
  return ordered
}
