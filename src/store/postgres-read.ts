/**
 * The PostgreSQL dialect of the read side: its own small pool (not the
 * daemon's), every connection read-only with a server-side
 * `statement_timeout`, so a slow or piled-up API query can neither take the
 * connections the applies need nor run forever. Answers equal the SQLite
 * reader's for the same rows: text is ordered with `COLLATE "C"` (bytewise,
 * as SQLite's BINARY), values come back through the store's own parsers.
 */
import type pg from 'pg'
import type { Logger } from 'pino'
import { StatebridgeError } from '../errors.js'
import type { BlobChain, HistoryStats, Revision, RevisionQuery } from '../history/types.js'
import { fieldsQuery, readCells, readField, readRawCells, sectionPaths } from './document-records.js'
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
import { connectionBroken, createPool, describeTarget, type PostgresTarget } from './postgres-connection.js'
import { classifyPostgresError } from './postgres-errors.js'
import * as history from './postgres-history.js'
import {
  activeOf,
  checkChangesQuery,
  checkListQuery,
  checkRevisionQuery,
  LIST_CAP,
  mergeRevisions,
  pageOf,
  readsByRoot,
  type ActiveSession,
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
import type { ChangeRecord, SessionDetail, SyncRunSummary } from './types.js'

type Row = Record<string, unknown>
/** One statement on the connection of the caller's snapshot (or the pool). */
export type Query = (sql: string, values?: unknown[]) => Promise<Row[]>

/** How to open the PostgreSQL reader. */
export interface PostgresReaderOptions {
  /** Connections at most (default 3): API reads queue here, never in the daemon's pool. */
  poolSize?: number
  /** Server-side ceiling of one statement, ms (default 5000). */
  statementTimeoutMs?: number
  /** Give up connecting after this long, ms (default 5000). */
  connectionTimeoutMs?: number
  /** Where lost connections are logged (default: nowhere). */
  logger?: Logger
}

/** Connect and check the schema is there. Throws `SB_DB_UNAVAILABLE` when the server cannot be reached, `SB_DB_OPEN` otherwise. */
export async function openPostgresReader(target: PostgresTarget, options: PostgresReaderOptions = {}): Promise<StoreReader> {
  const description = describeTarget(target)
  const log = options.logger?.child({ module: 'api-reader' })
  const statementTimeoutMs = Math.max(1, Math.trunc(options.statementTimeoutMs ?? 5_000))
  const pool = createPool(target, {
    max: options.poolSize ?? 3,
    applicationName: 'statebridge api',
    connectionTimeoutMs: options.connectionTimeoutMs,
    // The server cancels at statement_timeout; this client-side ceiling only catches a silent network cut.
    queryTimeoutMs: statementTimeoutMs + 2_000,
    onConnectionError: (error) => log?.debug({ err: error, database: description }, `PostgreSQL API connection lost: ${error.message}`),
  })
  pool.on('error', (error) => log?.warn({ err: error, database: description }, `idle PostgreSQL API connection lost: ${error.message}`))
  const reader = new PostgresReader(pool, description, statementTimeoutMs)
  try {
    await reader.probe()
  } catch (error) {
    await pool.end().catch(() => undefined)
    const kind = classifyPostgresError(error)
    const reason = `${description}: ${(error as Error).message}`
    if (kind === 'transient') throw new StatebridgeError('SB_DB_UNAVAILABLE', `cannot reach ${reason}`, { cause: error })
    throw new StatebridgeError('SB_DB_OPEN', `cannot read ${reason}; run statebridge migrate first`, { cause: error })
  }
  return reader
}

// Connections already set up for the API (read-only, statement_timeout).
const configured = new WeakSet<pg.ClientBase>()

class PostgresReader implements StoreReader {
  readonly dialect = 'postgres' as const
  readonly description: string
  private readonly pool: pg.Pool
  private readonly statementTimeoutMs: number

  constructor(pool: pg.Pool, description: string, statementTimeoutMs: number) {
    this.pool = pool
    this.description = description
    this.statementTimeoutMs = statementTimeoutMs
  }

  // An outage or a timeout says so (the API answers 503); anything else goes up as it is.
  private explain(error: unknown): never {
    const code = (error as { code?: unknown }).code
    if (code === '57014') {
      throw new StatebridgeError('SB_DB_UNAVAILABLE', `the query took longer than ${this.statementTimeoutMs} ms and was cancelled`, {
        cause: error,
      })
    }
    if (classifyPostgresError(error) === 'transient') {
      throw new StatebridgeError('SB_DB_UNAVAILABLE', `${this.description} is not answering: ${(error as Error).message}`, { cause: error })
    }
    throw error
  }

  /** Fail unless the schema is there (the reader's own classification is left to the caller). */
  async probe(): Promise<void> {
    const client = await this.pool.connect()
    let destroy: Error | undefined
    try {
      await this.configure(client)
      await client.query('SELECT 1 FROM sessions LIMIT 1')
    } catch (error) {
      destroy = error as Error
      throw error
    } finally {
      client.release(destroy)
    }
  }

  // Once per connection, before its first statement: every API statement runs read-only and under
  // the timeout. The number is ours, never a request's.
  private async configure(client: pg.PoolClient): Promise<void> {
    if (configured.has(client)) return
    await client.query(`SET statement_timeout = ${this.statementTimeoutMs}; SET default_transaction_read_only = on`)
    configured.add(client)
  }

  private async one(sql: string, values: unknown[] = []): Promise<Row[]> {
    return this.snapshot((query) => query(sql, values))
  }

  // Several statements on one client in one read-only snapshot, as the SQLite reader's transaction.
  private snapshot<T>(work: (query: history.Query) => Promise<T>): Promise<T> {
    return this.onClient(true, work)
  }

  // One configured client for `work`, in a read-only transaction or not. A client whose
  // connection broke is destroyed, not reused; every failure becomes the reader's error.
  // The history statements pass a named query config, whose values must not be replaced.
  private async onClient<T>(transaction: boolean, work: (query: history.Query) => Promise<T>): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      return this.explain(error)
    }
    let destroy: Error | undefined
    try {
      await this.configure(client)
      if (transaction) await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const result = await work(async (sql, values) =>
        (typeof sql === 'string' ? await client.query(sql, values ?? []) : await client.query(sql)).rows as Row[],
      )
      if (transaction) await client.query('COMMIT')
      return result
    } catch (error) {
      if (connectionBroken(client) || classifyPostgresError(error) === 'transient') destroy = error as Error
      else if (transaction) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          destroy = rollbackError
        })
      }
      return this.explain(error)
    } finally {
      client.release(destroy)
    }
  }

  async listSessions(query: SessionListQuery): Promise<SessionPage> {
    const q = checkListQuery(query)
    const where: string[] = []
    const values: unknown[] = []
    const bind = (value: unknown): string => {
      values.push(value)
      return `$${values.length}`
    }
    if (q.status !== undefined) where.push(`status = ${bind(q.status)}`)
    if (q.root !== undefined) where.push(`root = ${bind(q.root)}`)
    if (q.updatedSince !== undefined) where.push(`updated_at >= ${bind(q.updatedSince)}::timestamptz`)
    if (q.q !== undefined) {
      // ASCII lowering, as SQLite's lower(); a substring match cannot use an index, and sessions stay few.
      const needle = bind(q.q)
      where.push(`(strpos(${asciiLower('session_id')}, ${needle}) > 0 OR strpos(${asciiLower("coalesce(matter_name, '')")}, ${needle}) > 0)`)
    }
    if (q.after !== null) {
      const at = bind(q.after.updatedAt)
      const id = bind(q.after.sessionId)
      const root = bind(q.after.root)
      where.push(
        `(updated_at < ${at}::timestamptz OR (updated_at = ${at}::timestamptz AND (session_id COLLATE "C" > ${id}
           OR (session_id = ${id} AND root COLLATE "C" > ${root}))))`,
      )
    }
    const rows = await this.one(
      `SELECT ${SESSION_LIST_COLUMNS} FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY updated_at DESC, session_id COLLATE "C", root COLLATE "C" LIMIT ${bind(q.limit + 1)}`,
      values,
    )
    return pageOf(rows, q.limit)
  }

  async activeSessions(): Promise<ActiveSessions> {
    return this.snapshot(async (query) => {
      const rows = await query(
        `SELECT s.root, s.session_id AS "sessionId", s.status, s.status_reason AS "statusReason", s.matter_name AS "matterName",
           s.updated_at AS "updatedAt",
           y.id AS has_synthesis, y.current_phase, y.status AS synthesis_status, y.last_completed_step, y.next_action,
           y.blocking_issue, p.phase AS open_phase, p.status AS open_phase_status
         FROM sessions s
         LEFT JOIN synthesis_state y ON y.id = (
           SELECT min(id) FROM synthesis_state WHERE root = s.root AND session_id = s.session_id)
         LEFT JOIN session_phases p ON p.id = (
           SELECT id FROM session_phases WHERE root = s.root AND session_id = s.session_id
             AND status IN ('pending', 'in_progress', 'ready', 'blocked') ORDER BY document_id, id LIMIT 1)
         WHERE s.status <> 'complete'
         ORDER BY s.updated_at DESC, s.session_id COLLATE "C", s.root COLLATE "C" LIMIT $1`,
        [LIST_CAP + 1],
      )
      const kept = rows.slice(0, LIST_CAP)
      const items: ActiveSession[] = []
      for (const row of kept) {
        // The session object's answer, pending specialists and resume alike, so the list and `show` never disagree.
        const detail = (await readSessionDetail(query, String(row.sessionId))).find((d) => d.root === row.root)
        items.push(activeOf(row, detail))
      }
      return { items, truncated: rows.length > LIST_CAP }
    })
  }

  async stats(): Promise<ReadStats> {
    return this.snapshot(async (query) => {
      const byStatus: Record<string, number> = {}
      let total = 0
      for (const row of await query('SELECT status, count(*) AS n FROM sessions GROUP BY status ORDER BY status COLLATE "C"')) {
        byStatus[String(row.status)] = Number(row.n)
        total += Number(row.n)
      }
      const [docs] = await query(
        `SELECT count(*) FILTER (WHERE status = 'ok') AS ok, count(*) FILTER (WHERE status = 'error') AS error FROM documents`,
      )
      const [lastRun] = await query(`SELECT ${LAST_RUN_COLUMNS} FROM sync_runs ORDER BY finished_at DESC, id DESC LIMIT 1`)
      return {
        sessions: { total, byStatus },
        documents: { ok: Number(docs!.ok), error: Number(docs!.error) },
        lastRun: (lastRun as SyncRunSummary | undefined) ?? null,
      }
    })
  }

  async session(sessionId: string): Promise<SessionDetail[]> {
    return this.snapshot((query) => readSessionDetail(query, sessionId))
  }

  async documents(sessionId: string): Promise<DocumentList | null> {
    return this.snapshot(async (query) => {
      if ((await query('SELECT 1 FROM sessions WHERE session_id = $1 LIMIT 1', [sessionId])).length === 0) return null
      const rows = await query(
        `SELECT ${DOCUMENT_LIST_COLUMNS} FROM documents
         WHERE root IN (SELECT root FROM sessions WHERE session_id = $1) AND session_id = $1
         ORDER BY root COLLATE "C", path COLLATE "C" LIMIT $2`,
        [sessionId, LIST_CAP + 1],
      )
      return { items: rows.slice(0, LIST_CAP) as unknown as DocumentList['items'], truncated: rows.length > LIST_CAP }
    })
  }

  async document(path: string, root?: string): Promise<DocumentDetail[]> {
    return this.snapshot(async (query) => {
      // (root, path) is the unique key; without a root, a loose index scan finds the few roots first.
      const rows =
        root !== undefined
          ? await query(`SELECT id, ${DOCUMENT_COLUMNS} FROM documents WHERE root = $1 AND path = $2`, [root, path])
          : await query(
              `WITH RECURSIVE roots(root) AS (
                 SELECT min(root) FROM documents
                 UNION ALL SELECT (SELECT min(root) FROM documents WHERE root > roots.root) FROM roots WHERE roots.root IS NOT NULL)
               SELECT id, ${DOCUMENT_COLUMNS} FROM documents
               WHERE root IN (SELECT root FROM roots WHERE root IS NOT NULL) AND path = $1 ORDER BY root COLLATE "C" LIMIT 100`,
              [path],
            )
      const details: DocumentDetail[] = []
      for (const row of rows) details.push(await documentDetail(query, row))
      return details
    })
  }

  async errors(): Promise<ErrorList> {
    const rows = await this.one(
      `SELECT root, path, session_id AS "sessionId", document_type AS "documentType", error, error_line AS "errorLine",
         checked_at AS "checkedAt"
       FROM documents WHERE status = 'error' ORDER BY root COLLATE "C", path COLLATE "C" LIMIT $1`,
      [LIST_CAP + 1],
    )
    return { items: rows.slice(0, LIST_CAP) as unknown as ErrorList['items'], truncated: rows.length > LIST_CAP }
  }

  // One statement each, outside a snapshot: the feed polls these, so they cost one round trip.
  async changesSince(sinceSeq: number, limit: number, root?: string): Promise<ChangeRecord[]> {
    checkChangesQuery(sinceSeq, limit)
    const rows =
      root === undefined
        ? await this.plain(`SELECT ${CHANGE_COLUMNS} FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [sinceSeq, limit])
        : await this.plain(`SELECT ${CHANGE_COLUMNS} FROM change_log WHERE root = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [root, sinceSeq, limit])
    return rows as unknown as ChangeRecord[]
  }

  async oldestChangeSeq(): Promise<number | null> {
    const [row] = await this.plain('SELECT min(seq) AS seq FROM change_log')
    return (row?.seq as number | null | undefined) ?? null
  }

  async latestChangeSeq(): Promise<number> {
    const [row] = await this.plain('SELECT max(seq) AS seq FROM change_log')
    return (row?.seq as number | null | undefined) ?? 0
  }

  async revisions(filter: RevisionQuery): Promise<Revision[]> {
    checkRevisionQuery(filter)
    if (!readsByRoot(filter)) return this.onClient(false, (query) => history.listRevisions(query, filter))
    return this.snapshot(async (query) => {
      const perRoot: Revision[][] = []
      for (const root of await history.historyRoots(query)) perRoot.push(await history.listRevisions(query, { ...filter, root }))
      return mergeRevisions(perRoot, filter)
    })
  }

  async revision(rev: number): Promise<Revision | null> {
    return this.onClient(false, (query) => history.getRevision(query, rev))
  }

  async blobChain(contentHash: string): Promise<BlobChain> {
    return this.onClient(false, (query) => history.blobChain(query, contentHash))
  }

  async historyStats(): Promise<HistoryStats> {
    return this.onClient(false, (query) => history.historyStats(query))
  }

  async agentSessions(query: AgentSessionListQuery): Promise<AgentSessionPage> {
    const q = checkAgentListQuery(query)
    const values: unknown[] = []
    const bind = (value: unknown): string => {
      values.push(value)
      return `$${values.length}`
    }
    const linked =
      q.reportSession !== undefined
        ? `AND sdk_session_id IN (SELECT sdk_session_id FROM agent_session_links WHERE report_session_id = ${bind(q.reportSession)})`
        : ''
    let after = ''
    if (q.after !== null) {
      const at = bind(q.after.lastAt)
      after = `WHERE (last_at < ${at} OR (last_at = ${at} AND id > ${bind(q.after.sdkSessionId)}))`
    }
    return this.snapshot(async (query) => {
      // agent_sessions holds one row per file, so grouping all of them per SDK session stays cheap.
      // Text compares bytewise (COLLATE "C"), as SQLite's BINARY, so both dialects page alike.
      const keys = await query(
        `SELECT id, last_at FROM (
           SELECT sdk_session_id COLLATE "C" AS id, coalesce(max(ended_at COLLATE "C"), max(started_at COLLATE "C"), '') COLLATE "C" AS last_at
           FROM agent_sessions WHERE sdk_session_id IS NOT NULL ${linked}
           GROUP BY sdk_session_id) g
         ${after}
         ORDER BY last_at DESC, id LIMIT ${bind(q.limit + 1)}`,
        values,
      )
      return agentPageOf(keys, q.limit, await readAgentSessions(query, keys.slice(0, q.limit).map((k) => String(k.id))))
    })
  }

  async agentSession(sdkSessionId: string, options: AgentSessionQuery = {}): Promise<AgentSessionDetail | null> {
    const q = checkAgentSessionQuery(options)
    const [op, dir] = q.order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC']
    return this.snapshot(async (query) => {
      const [item] = await readAgentSessions(query, [sdkSessionId])
      if (item === undefined) return null
      const values: unknown[] = [sdkSessionId]
      if (q.after !== null) values.push(q.after.documentId, q.after.line, q.after.id)
      values.push(q.limit + 1)
      const rows = await query(
        `SELECT ${AGENT_EVENT_COLUMNS} FROM agent_events e JOIN documents d ON d.id = e.document_id
         WHERE e.sdk_session_id = $1 ${q.after !== null ? `AND (e.document_id, coalesce(e.line, 0), e.id) ${op} ($2, $3, $4)` : ''}
         ORDER BY e.document_id ${dir}, coalesce(e.line, 0) ${dir}, e.id ${dir} LIMIT $${values.length}`,
        values,
      )
      const [total] = await query('SELECT count(*) AS n FROM agent_events WHERE sdk_session_id = $1', [sdkSessionId])
      return { ...item, events: agentEventPageOf(rows, q.limit, total?.n) }
    })
  }

  async agentModelTotals(): Promise<AgentModelTotal[]> {
    return agentModelTotalsOf(await this.plain(AGENT_MODEL_TOTALS))
  }

  // One statement on a configured connection, without BEGIN/COMMIT (a single statement is its own snapshot).
  private plain(sql: string, values: unknown[] = []): Promise<Row[]> {
    return this.onClient(false, (query) => query(sql, values))
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end()
  }
}

const AGENT_FILE_COLUMNS = `a.sdk_session_id, d.root, d.path, a.source, a.agent_id, a.started_at, a.ended_at, a.cwd, a.transcript_path,
  a.version, a.first_prompt_length, a.first_prompt_preview, a.compactions, a.status, a.lines, a.tool_calls, a.tool_failures,
  a.subagents, a.reports_saved`

const SESSION_REPORT_LINKS = reportLinksSql((column) => `${column} = ANY($1::text[])`)
const SESSION_MODEL_USAGE = modelUsageSql((column) => `${column} = ANY($1::text[])`, 'postgres')

const AGENT_EVENT_COLUMNS = `e.id, e.document_id, d.root, d.path, e.line, e.at, e.event, e.tool, e.tool_type, e.mcp_server, e.mcp_action,
  e.agent_type, e.agent_id, e.tool_use_id, e.duration_ms, e.success, e.error, e.file_path`

const AGENT_MODEL_TOTALS = `SELECT model, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens, sum(cost_usd) AS cost_usd
  FROM agent_model_usage GROUP BY model`

/**
 * The SDK sessions `ids` names, each merged from its files, with usage and
 * links (`mergeAgentSessions`); an id no file tells of is left out.
 */
export async function readAgentSessions(query: Query, ids: string[]): Promise<AgentSession[]> {
  if (ids.length === 0) return []
  const files = await query(
    `SELECT ${AGENT_FILE_COLUMNS} FROM agent_sessions a JOIN documents d ON d.id = a.document_id
     WHERE a.sdk_session_id = ANY($1::text[]) ORDER BY a.id`,
    [ids],
  )
  if (files.length === 0) return []
  const usage = await query(SESSION_MODEL_USAGE, [ids])
  const links = await query(SESSION_REPORT_LINKS, [ids])
  return mergeAgentSessions(files, usage, links)
}

// The SDK sessions linked to a report session, the most recently active first.
async function linkedAgentSessions(query: Query, sessionId: string): Promise<AgentSession[]> {
  const ids = await query(
    `SELECT DISTINCT sdk_session_id AS id FROM agent_session_links WHERE report_session_id = $1 AND sdk_session_id IS NOT NULL LIMIT ${LIST_CAP}`,
    [sessionId],
  )
  return byRecentActivity(await readAgentSessions(query, ids.map((row) => String(row.id))))
}

/**
 * One session in detail, per root that has it: what `statebridge show --json`
 * prints and `GET /api/v1/sessions/{id}` answers. Ids sort bytewise, as in
 * SQLite. The write store's `sessionDetail` runs it too.
 */
export async function readSessionDetail(query: Query, sessionId: string): Promise<SessionDetail[]> {
  const sessions = await query(
    `SELECT root, session_id, created_at, created_at_source, created_at_from_name, status, status_reason, error_files, metadata,
       ${SESSION_COLUMN_NAMES.join(', ')}
     FROM sessions WHERE session_id = $1 ORDER BY root COLLATE "C" LIMIT 100`,
    [sessionId],
  )
  const details: SessionDetail[] = []
  // Links name the report session, not its root: every root's session gets the same SDK sessions.
  const agentSessions = sessions.length === 0 ? [] : await linkedAgentSessions(query, sessionId)
  for (const row of sessions) {
    const root = String(row.root)
    const args = [root, sessionId]
    const [docs] = await query(
      `SELECT count(*) FILTER (WHERE status = 'ok') AS ok, count(*) FILTER (WHERE status = 'error') AS error
       FROM documents WHERE root = $1 AND session_id = $2`,
      args,
    )
    const [synthesis] = await query(
      `SELECT current_phase, status, last_completed_step, next_action, critical_context, blocking_issue, last_updated,
         sections_completed, sections_pending
       FROM synthesis_state WHERE root = $1 AND session_id = $2 ORDER BY id LIMIT 1`,
      args,
    )
    const [facts] = await query('SELECT count(*) AS n FROM fact_registry WHERE root = $1 AND session_id = $2', args)
    details.push(withResume({
      root,
      sessionId,
      createdAt: (row.created_at as string | null) ?? null,
      createdAtSource: (row.created_at_source as string | null) ?? null,
      createdAtFromName: (row.created_at_from_name as string | null) ?? null,
      status: String(row.status),
      statusReason: (row.status_reason as string | null) ?? null,
      errorFiles: (row.error_files as SessionDetail['errorFiles'] | null) ?? [],
      deal: Object.fromEntries(SESSION_COLUMN_NAMES.map((c) => [c, row[c] ?? null])),
      metadata: row.metadata as Record<string, string>,
      documents: { ok: Number(docs!.ok), error: Number(docs!.error) },
      phases: (await query(
        `SELECT phase, status, start_time, end_time FROM session_phases WHERE root = $1 AND session_id = $2
         ORDER BY document_id, id LIMIT ${LIST_CAP}`,
        args,
      )) as SessionDetail['phases'],
      iterations: (await query(
        `SELECT gate_name, current_iteration, max_iterations FROM session_iterations WHERE root = $1 AND session_id = $2
         ORDER BY id LIMIT ${LIST_CAP}`,
        args,
      )) as SessionDetail['iterations'],
      pendingSpecialists: (await query(
        `SELECT task_id, specialist_type, coalesce(derived_status, status) AS status, status AS plan_status, status_raw AS plan_mark, priority FROM specialist_assignments
         WHERE root = $1 AND session_id = $2 AND coalesce(derived_status, status, '') NOT IN ('complete', 'skipped') ORDER BY id LIMIT ${LIST_CAP}`,
        args,
      )) as unknown as SessionDetail['pendingSpecialists'],
      specialists: (await query(
        `SELECT task_id, specialist_type, status AS plan_status, status_raw AS plan_mark, coalesce(derived_status, status) AS status,
           status_evidence AS evidence, evidence_path
         FROM specialist_assignments WHERE root = $1 AND session_id = $2 ORDER BY id LIMIT ${LIST_CAP}`,
        args,
      )) as unknown as SessionDetail['specialists'],
      factCount: Number(facts?.n ?? 0),
      synthesis: synthesis ?? null,
      agents: (await query(
        `SELECT agent, status, current_phase, last_updated FROM agent_states WHERE root = $1 AND session_id = $2
         ORDER BY agent COLLATE "C", id LIMIT ${LIST_CAP}`,
        args,
      )) as SessionDetail['agents'],
      qaAssessments: (await query(
        `SELECT d.path, q.assessment_type, q.pass, q.overall_score, q.max_score, q.status, q.certification, q.assessed_at, q.issue_count
         FROM qa_assessments q JOIN documents d ON d.id = q.document_id WHERE q.root = $1 AND q.session_id = $2
         ORDER BY d.path COLLATE "C", q.id LIMIT ${LIST_CAP}`,
        args,
      )).map(numbers) as unknown as SessionDetail['qaAssessments'],
      remediationTasks: (await query(
        `SELECT d.path, t.task_id, t.wave, t.status AS plan_status, t.status_raw AS plan_mark, coalesce(t.derived_status, t.status) AS status,
           t.status_evidence AS evidence, t.evidence_path
         FROM remediation_tasks t JOIN documents d ON d.id = t.document_id WHERE t.root = $1 AND t.session_id = $2
         ORDER BY d.path COLLATE "C", t.id LIMIT ${LIST_CAP}`,
        args,
      )).map(numbers) as unknown as SessionDetail['remediationTasks'],
      usage: usageOf((await query(
        `SELECT files, records, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, turns, tool_calls,
           duration_ms, cost_usd FROM session_usage_totals WHERE root = $1 AND session_id = $2`,
        args,
      ))[0]),
      agentSessions,
      agentUsage: agentUsageRollup(agentSessions),
    }))
  }
  return details
}

// bigint columns arrive as text from pg: the session object carries numbers, as SQLite's does.
function numbers(row: Row): Row {
  const out: Row = { ...row }
  for (const key of ['pass', 'wave', 'issue_count']) if (typeof out[key] === 'string') out[key] = Number(out[key])
  return out
}

async function documentDetail(query: Query, row: Row): Promise<DocumentDetail> {
  const id = row.id
  let truncated = false
  const capped = (list: Row[]): Row[] => {
    if (list.length > LIST_CAP) truncated = true
    return list.slice(0, LIST_CAP)
  }
  const typed: DocumentDetail['typed'] = {}
  for (const table of TYPED_TABLE_NAMES) {
    const columns = Object.keys(TYPED_TABLES[table])
    const rows = capped(
      await query(`SELECT line, ${columns.join(', ')}, extra, raw FROM ${table} WHERE document_id = $1 ORDER BY id LIMIT $2`, [
        id,
        LIST_CAP + 1,
      ]),
    )
    if (rows.length > 0) typed[table] = rows
  }
  const paths = sectionPaths(await query('SELECT id, parent_id AS "parentId", title FROM document_sections WHERE document_id = $1', [id]))
  const pathOf = (sectionId: unknown): string[] => (sectionId === null ? [] : (paths.get(String(sectionId)) ?? []))
  const tables: Row[] = []
  for (const { id: tableId, sectionId, ...table } of capped(
    await query(
      `SELECT id, ordinal, section_id AS "sectionId", headers, raw_headers AS "rawHeaders", line, end_line AS "endLine",
         row_count AS "rowCount"
       FROM document_tables WHERE document_id = $1 ORDER BY ordinal LIMIT $2`,
      [id, LIST_CAP + 1],
    ),
  )) {
    const headers = table.headers as string[]
    const rows = capped(
      await query(
        `SELECT row_index AS "rowIndex", cells, raw_cells AS "rawCells", cell_keys AS "cellKeys", line FROM document_table_rows
         WHERE table_id = $1 ORDER BY row_index LIMIT $2`,
        [tableId, LIST_CAP + 1],
      ),
    ).map((r) => ({
      rowIndex: r.rowIndex,
      cells: readCells(headers, r.cells as string[], r.cellKeys as string[] | null),
      rawCells: readRawCells(r.cells as string[], r.rawCells as Array<string | null> | null),
      line: r.line,
    }))
    tables.push({
      ordinal: table.ordinal,
      headingPath: pathOf(sectionId),
      headers,
      rawHeaders: table.rawHeaders,
      line: table.line,
      endLine: table.endLine,
      rowCount: table.rowCount,
      rows,
    })
  }
  const fields = capped(
    await query(fieldsQuery('$1', '$2'), [id, LIST_CAP + 1]),
  ).map((f) => readField(f, pathOf))
  const { id: _id, ...document } = row
  return {
    ...(document as Omit<DocumentDetail, 'json' | 'diagnostics' | 'typed' | 'tables' | 'fields' | 'truncated'>),
    json: document.json ?? null,
    diagnostics: (document.diagnostics as unknown[] | null) ?? [],
    typed,
    tables: tables as unknown as DocumentDetail['tables'],
    fields: fields as unknown as DocumentDetail['fields'],
    truncated,
  }
}

// translate() lowers A-Z only, as SQLite's built-in lower() does, so both dialects match the same sessions.
function asciiLower(expression: string): string {
  return `translate(${expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`
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
