/**
 * The PostgreSQL dialect of the store (node-postgres). Each write is one
 * transaction on one pooled client, serialised per session with an advisory
 * lock so sidecars sharing a root cannot interleave, recorded in `change_log`
 * and announced with `NOTIFY statebridge_changes` (carrying the log's seq)
 * when it commits.
 */
import type pg from 'pg'
import type { Logger } from 'pino'
import { StatebridgeError } from '../errors.js'
import { SESSION_COLUMN_NAMES } from '../parsers/typed/tables.js'
import { sessionIdOf } from '../sync/paths.js'
import { formatDiagnostic } from '../parsers/diagnostic.js'
import { connectionBroken, createPool, describeTarget, type PostgresTarget } from './postgres-connection.js'
import { pruneCutoff } from './change-log.js'
import { classifyPostgresError, fatalHint } from './postgres-errors.js'
import { appendContinues, storedAppendOf, type AppendedRow } from './append-state.js'
import { encodeAppend, encodeSnapshot, identityParams, pgJson, pgScalar, pgText } from './postgres-encode.js'
import { checkPostgresSchema, migratePostgres } from './postgres-migrate.js'
import { upgradeMessage } from './migrations.js'
import { readSessionDetail } from './postgres-read.js'
import * as history from './postgres-history.js'
import * as archives from './postgres-archive.js'
import type { BlobChain, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionQuery } from '../history/types.js'
import { deleteSummariesStatement, insertRecordsStatement, SQL, type ShapedStatement, type StatementName } from './postgres-sql.js'
import { deriveSession } from './session-derive.js'
import { shapesSession } from './session-inputs.js'
import type { StoredSessionFacts } from './session-summary.js'
import type {
  ArchivedSession,
  ChangeKind,
  ChangeRecord,
  FileAppend,
  FileFailure,
  FileIdentity,
  FileSnapshot,
  FinishedSession,
  HistoryImportResult,
  KnownFile,
  PurgeResult,
  ReadChangesOptions,
  SessionDetail,
  SessionDirectory,
  SessionExport,
  SessionMark,
  Store,
  StoredAppend,
  StoreErrorKind,
  StoreStatus,
  SyncRunSummary,
} from './types.js'

/** The channel every committed change is announced on. */
export const CHANGE_CHANNEL = 'statebridge_changes'

/** What a listener on `statebridge_changes` receives, as JSON. */
export interface ChangeNotice {
  schema: string
  /** The change's row in `change_log`: a listener that missed notices reads the log from its last seq. */
  seq: number
  root: string
  session: string | null
  /** Relative path; `null` when a whole session was removed. */
  path: string | null
  change: ChangeKind
  /** `ok` or `error` for created and updated files. */
  status?: 'ok' | 'error'
  instance: string
}

/** How to open a PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Apply pending migrations (default); `false` only checks the schema is current. */
  migrate?: boolean
  /** Connections at most (default 8). */
  poolSize?: number
  /** Where pool-level errors (an idle connection lost) are logged. */
  logger?: Logger
  /** Recorded on `NOTIFY` for removals and as the connection's application_name. */
  instance?: string
  /** Give up connecting after this long, ms; default 5000. */
  connectionTimeoutMs?: number
  /** Client-side ceiling of one query, ms; default 120000. A silent partition ends there. */
  queryTimeoutMs?: number
}

/** Connect, migrate (or check) and return the store. Throws `SB_DB_UNAVAILABLE` when the server cannot be reached. */
export async function openPostgresStore(target: PostgresTarget, options: PostgresStoreOptions = {}): Promise<Store> {
  const description = describeTarget(target)
  const pool = createPool(target, {
    max: options.poolSize ?? 8,
    applicationName: `statebridge ${options.instance ?? ''}`.trim(),
    connectionTimeoutMs: options.connectionTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs,
    // A checked-out connection's loss also rejects the query using it, which the sync loop reports.
    onConnectionError: (error) => options.logger?.debug({ err: error, database: description }, `PostgreSQL connection lost: ${error.message}`),
  })
  // Without a listener, a connection dropped while idle would crash the process.
  pool.on('error', (error) => {
    options.logger?.warn({ err: error, database: description }, `idle PostgreSQL connection lost: ${error.message}; the pool replaces it`)
  })
  try {
    const client = await pool.connect()
    let failure: Error | undefined
    try {
      if (options.migrate === false) await checkPostgresSchema(client, target.schema)
      else {
        const applied = await migratePostgres(client, target.schema)
        const message = upgradeMessage(applied)
        if (message) options.logger?.info({ database: description, applied }, message)
      }
    } catch (error) {
      failure = error as Error
      throw error
    } finally {
      // The pool is ended right after a failure: no need to tell a broken connection from a healthy one.
      client.release(failure)
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    if (error instanceof StatebridgeError) throw error
    const kind = classifyPostgresError(error)
    const message = (error as Error).message
    if (kind === 'transient') {
      throw new StatebridgeError('SB_DB_UNAVAILABLE', `cannot reach ${description}: ${message}`, { cause: error })
    }
    throw new StatebridgeError('SB_DB_OPEN', `cannot use ${description}: ${message}; ${fatalHint(error)}`, { cause: error })
  }
  const store = new PostgresStore(pool, target.schema, description, options.instance ?? '')
  if (options.migrate !== false) {
    try {
      await store.explainSessions()
    } catch (error) {
      await store.close().catch(() => undefined)
      throw error
    }
  }
  return store
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const
  readonly description: string
  private readonly pool: pg.Pool
  private readonly schema: string
  private readonly lockSpace: string
  // Taken by every change-log insert in this schema (one-key advisory locks, apart from the per-session two-key ones).
  private readonly changeLock: string
  private readonly instance: string

  constructor(pool: pg.Pool, schema: string, description: string, instance: string) {
    this.pool = pool
    this.schema = schema
    this.description = description
    this.lockSpace = `statebridge:${schema}`
    this.changeLock = `statebridge:changes:${schema}`
    this.instance = instance
  }

  classifyError(error: unknown): StoreErrorKind {
    return classifyPostgresError(error)
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1')
  }

  async loadKnownFiles(root: string): Promise<Map<string, KnownFile>> {
    const { rows } = await this.run<KnownFile>(this.pool, 'knownFiles', [root])
    return new Map(rows.map((row) => [row.path, row]))
  }

  async listSessions(root: string): Promise<string[]> {
    const { rows } = await this.run<{ sessionId: string }>(this.pool, 'listSessions', [root])
    return rows.map((r) => r.sessionId)
  }

  async ensureSession(session: SessionDirectory): Promise<void> {
    await this.run(this.pool, 'ensureSession', [session.root, session.sessionId, session.createdAt, new Date().toISOString()])
  }

  async removeSession(root: string, sessionId: string): Promise<void> {
    await this.transaction(root, sessionId, async (client) => {
      const now = new Date().toISOString()
      await history.recordSessionRemoval(client, root, sessionId, this.instance, now)
      const { rowCount } = await this.run(client, 'removeSession', [root, sessionId])
      if (rowCount) {
        await this.logChange(client, { root, session: sessionId, path: null, change: 'removed', instance: this.instance }, now)
      }
    })
  }

  async applyFileSnapshot(snapshot: FileSnapshot): Promise<void> {
    const encoded = encodeSnapshot(snapshot)
    await this.transaction(snapshot.root, snapshot.sessionId, async (client) => {
      const now = new Date().toISOString()
      // Archived by a cleanup since this file was read (another process): the file is not applied.
      const session = await this.touchSession(client, snapshot, now)
      if (session === 'archived') return
      const { rows } = await this.run<{ id: number; created: boolean }>(client, 'upsertDocument', [...encoded.document, now, ...encoded.append])
      const { id, created } = rows[0]!
      // A document row just created has no records to replace: one round trip fewer.
      if (!created) await this.run(client, 'deleteDerived', [id])
      if (encoded.markdown !== null) await this.run(client, 'insertMarkdown', [id, ...encoded.markdown])
      await this.runShaped(client, insertRecordsStatement(id, encoded.records))
      await this.refreshAfter(client, snapshot, session)
      await history.recordContent(client, snapshot, snapshot.contentHash, snapshot.blob ?? null, 'ok', snapshot.revisionChange, now)
      await this.logChange(
        client,
        {
          root: snapshot.root,
          session: snapshot.sessionId,
          path: snapshot.path,
          change: created ? 'created' : 'updated',
          status: 'ok',
          instance: snapshot.instance,
        },
        now,
      )
    })
  }

  async applyFileAppend(append: FileAppend): Promise<boolean> {
    const encoded = encodeAppend(append)
    return this.transaction(append.root, append.sessionId, async (client) => {
      const now = new Date().toISOString()
      const { rows } = await this.run<AppendedRow & { id: string }>(client, 'appendedDocument', [append.root, append.path])
      const row = rows[0]
      if (!appendContinues(row, append)) return false
      if ((await this.touchSession(client, append, now)) === 'archived') return true
      const summaries = deleteSummariesStatement(row.id, append.parsed.summaryTables)
      if (summaries !== null) await this.runShaped(client, summaries)
      await this.runShaped(client, insertRecordsStatement(row.id, encoded.records))
      await this.run(client, 'updateAppended', [
        row.id,
        append.sizeBytes,
        append.mtimeMs,
        append.contentHash,
        encoded.diagnostics,
        append.parsed.append.offset,
        append.appendHash,
        encoded.state,
        append.instance,
        now,
      ])
      if (append.sessionId !== null) await this.refreshSession(client, append.root, append.sessionId)
      await history.recordContent(client, append, append.contentHash, append.blob ?? null, 'ok', undefined, now)
      const change = { root: append.root, session: append.sessionId, path: append.path, change: 'updated' as const, status: 'ok' as const, instance: append.instance }
      await this.logChange(client, change, now)
      return true
    })
  }

  async appendBase(root: string, filePath: string): Promise<StoredAppend | null> {
    const { rows } = await this.run<{ contentHash: string | null; offset: string; hash: string | null; state: unknown }>(this.pool, 'appendBase', [
      root,
      filePath,
    ])
    return storedAppendOf(rows[0])
  }

  async recordFileFailure(failure: FileFailure): Promise<void> {
    await this.transaction(failure.root, failure.sessionId, async (client) => {
      const now = new Date().toISOString()
      // A refused file keeps nothing: its document row is recreated bare, without any derived record.
      if (failure.discardRecords) await this.run(client, 'removeFile', [failure.root, failure.path])
      const session = await this.touchSession(client, failure, now)
      if (session === 'archived') return
      const { rows } = await this.run<{ created: boolean }>(client, 'upsertFailure', [
        ...identityParams(failure),
        failure.contentHash,
        pgText(formatDiagnostic(failure.error)),
        failure.error.line,
        failure.instance,
        now,
      ])
      await this.refreshAfter(client, failure, session)
      await history.recordContent(client, failure, failure.contentHash, failure.blob ?? null, 'error', undefined, now)
      await this.logChange(
        client,
        {
          root: failure.root,
          session: failure.sessionId,
          path: failure.path,
          change: rows[0]?.created ? 'created' : 'updated',
          status: 'error',
          instance: failure.instance,
        },
        now,
      )
    })
  }

  async recordFileStat(root: string, filePath: string, sizeBytes: number, mtimeMs: number): Promise<void> {
    await this.run(this.pool, 'recordStat', [sizeBytes, mtimeMs, new Date().toISOString(), root, filePath])
  }

  async removeFile(root: string, filePath: string): Promise<void> {
    const sessionId = sessionIdOf(filePath)
    await this.transaction(root, sessionId, async (client) => {
      const { rows } = await this.run<{ sessionId: string | null }>(client, 'removeFile', [root, filePath])
      if (rows.length === 0) return
      const sessionId = rows[0]!.sessionId
      // The last file of a session takes its derivation with it, whatever the file.
      if (sessionId && (shapesSession(filePath) || !(await this.run<{ has: boolean }>(client, 'sessionHasDocuments', [root, sessionId])).rows[0]!.has)) {
        await this.refreshSession(client, root, sessionId)
      }
      const now = new Date().toISOString()
      await history.recordRemoval(client, root, filePath, rows[0]!.sessionId, this.instance, now)
      const change = { root, session: rows[0]!.sessionId, path: filePath, change: 'removed' as const, instance: this.instance }
      await this.logChange(client, change, now)
    })
  }

  async recordSyncRun(summary: SyncRunSummary): Promise<void> {
    await this.transaction(summary.root, null, async (client) => {
      await this.run(client, 'insertRun', [
        summary.root,
        summary.instance,
        summary.mode,
        summary.startedAt,
        summary.finishedAt,
        summary.filesSeen,
        summary.filesApplied,
        summary.filesUnchanged,
        summary.filesRemoved,
        summary.filesFailed,
      ])
      await this.run(client, 'pruneRuns', [summary.root, SYNC_RUNS_KEPT])
    })
  }

  async readChanges(options: ReadChangesOptions): Promise<ChangeRecord[]> {
    const { rows } =
      options.root === undefined
        ? await this.run<ChangeRecord>(this.pool, 'readChanges', [options.sinceSeq, options.limit])
        : await this.run<ChangeRecord>(this.pool, 'readChangesOfRoot', [options.root, options.sinceSeq, options.limit])
    return rows
  }

  async oldestChangeSeq(): Promise<number | null> {
    return (await this.run<{ seq: number | null }>(this.pool, 'oldestChange', [])).rows[0]?.seq ?? null
  }

  async latestChangeSeq(): Promise<number> {
    return (await this.run<{ seq: number | null }>(this.pool, 'latestChange', [])).rows[0]?.seq ?? 0
  }

  async pruneChangeLog(olderThan: string): Promise<number> {
    const { rowCount } = await this.run(this.pool, 'pruneChanges', [pruneCutoff(olderThan)])
    return rowCount ?? 0
  }

  async readFeedCursor(name: string): Promise<number | null> {
    return (await this.run<{ seq: number }>(this.pool, 'feedCursor', [name])).rows[0]?.seq ?? null
  }

  async saveFeedCursor(name: string, seq: number): Promise<void> {
    await this.run(this.pool, 'saveFeedCursor', [name, seq])
  }

  async status(): Promise<StoreStatus> {
    const one = async <T>(sql: string): Promise<T[]> => (await this.pool.query(sql)).rows as T[]
    const [counts] = await one<{ sessions: number; ok: number; error: number; tables: number; rows: number; runs: number }>(
      `SELECT (SELECT count(*) FROM sessions) AS sessions,
         (SELECT count(*) FROM documents WHERE status = 'ok') AS ok,
         (SELECT count(*) FROM documents WHERE status = 'error') AS error,
         (SELECT count(*) FROM document_tables) AS tables,
         (SELECT count(*) FROM document_table_rows) AS rows,
         (SELECT count(*) FROM sync_runs) AS runs`,
    )
    const [lastRun] = await one<SyncRunSummary>(
      `SELECT root, instance, mode, started_at AS "startedAt", finished_at AS "finishedAt", files_seen AS "filesSeen",
         files_applied AS "filesApplied", files_unchanged AS "filesUnchanged", files_removed AS "filesRemoved",
         files_failed AS "filesFailed"
       FROM sync_runs ORDER BY finished_at DESC, id DESC LIMIT 1`,
    )
    return {
      sessions: counts!.sessions,
      documents: { ok: counts!.ok, error: counts!.error },
      tables: counts!.tables,
      tableRows: counts!.rows,
      lastRun: lastRun ?? null,
      syncRuns: counts!.runs,
      recentErrors: await one<StoreStatus['recentErrors'][number]>(
        `SELECT root, path, error, error_line AS line FROM documents WHERE status = 'error'
         ORDER BY checked_at DESC, path LIMIT 20`,
      ),
      perSession: await one<StoreStatus['perSession'][number]>(
        `SELECT s.root, s.session_id AS "sessionId", count(d.id) AS documents,
           count(d.id) FILTER (WHERE d.status = 'error') AS errors, max(d.applied_at) AS "lastAppliedAt"
         FROM sessions s LEFT JOIN documents d ON d.root = s.root AND d.session_id = s.session_id
         GROUP BY s.id ORDER BY s.root, s.session_id`,
      ),
    }
  }

  async finishedSessions(root: string, olderThan: string): Promise<FinishedSession[]> {
    return archives.finishedSessions(this.query, root, olderThan)
  }

  async exportSession(root: string, sessionId: string): Promise<SessionExport | null> {
    return archives.exportSession(this.pool, root, sessionId)
  }

  async purgeSession(root: string, sessionId: string, archive: string, filesDeleted: boolean, unchangedSince?: SessionMark): Promise<PurgeResult> {
    return this.transaction(root, sessionId, async (client) => {
      const now = new Date().toISOString()
      const result = await archives.purgeSession(client, root, sessionId, archive, filesDeleted, unchangedSince, now)
      if (result.purged) await this.logChange(client, { root, session: sessionId, path: null, change: 'removed', instance: this.instance }, now)
      return result
    })
  }

  async importSessionHistory(root: string, data: SessionExport): Promise<HistoryImportResult> {
    return this.transaction(root, data.sessionId, (client) => archives.importSessionHistory(client, root, data))
  }

  async archivedSessions(root: string): Promise<Map<string, ArchivedSession>> {
    return archives.archivedSessions(this.query, root)
  }

  async sessionDetail(sessionId: string): Promise<SessionDetail[]> {
    // The read side's statements, so `show` and the API give one answer.
    return readSessionDetail(async (sql, values) => (await this.pool.query(sql, values)).rows as Array<Record<string, unknown>>, sessionId)
  }

  async listRevisions(query: RevisionQuery): Promise<Revision[]> {
    return history.listRevisions(this.query, query)
  }

  async getRevision(rev: number): Promise<Revision | null> {
    return history.getRevision(this.query, rev)
  }

  async blobChain(contentHash: string): Promise<BlobChain> {
    return history.blobChain(this.query, contentHash)
  }

  async historyStats(): Promise<HistoryStats> {
    return history.historyStats(this.query)
  }

  async pruneHistory(policy: RetentionPolicy, options: { dryRun?: boolean; now?: Date } = {}): Promise<PruneResult> {
    const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>, rollback = false): Promise<T> =>
      this.transaction(PRUNE_LOCK_ROOT, null, work, rollback)
    return history.pruneHistory(transaction, policy, options.now ?? new Date(), options.dryRun === true)
  }

  private readonly query: history.Query = async (sql, values) => (await this.pool.query(sql as string, values)).rows

  async reopenIfReplaced(): Promise<boolean> {
    // A server has no file to lose; a restarted or failed-over server is the outage path's business.
    return false
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end()
  }

  // One transaction on one pooled client. The client goes back to the pool
  // whatever happens; one whose connection broke is destroyed, not reused.
  // `rollback`: end with ROLLBACK instead of COMMIT (a dry run).
  private async transaction<T>(root: string, sessionId: string | null, work: (client: pg.PoolClient) => Promise<T>, rollback = false): Promise<T> {
    const client = await this.pool.connect()
    let destroy: Error | undefined
    try {
      await client.query('BEGIN')
      await this.run(client, 'lockSession', [this.lockSpace, `${root}\n${sessionId ?? ''}`])
      const result = await work(client)
      await client.query(rollback ? 'ROLLBACK' : 'COMMIT')
      return result
    } catch (error) {
      // A lost connection, or a client-side timeout after which the server may
      // still be busy on it: the connection's state is unknown, so it is not
      // reused. The server rolls back what a closed connection left open.
      if (connectionBroken(client) || classifyPostgresError(error) === 'transient') destroy = error as Error
      else {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          destroy = rollbackError
        })
      }
      throw error
    } finally {
      client.release(destroy)
    }
  }

  private runShaped(client: pg.PoolClient, statement: ShapedStatement): Promise<pg.QueryResult> {
    return client.query({ name: statement.name, text: statement.text, values: statement.values })
  }

  // Named statements are parsed once per connection.
  private run<R extends pg.QueryResultRow = pg.QueryResultRow>(
    client: pg.Pool | pg.PoolClient,
    name: StatementName,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return client.query<R>({ name: `sb_${name}`, text: SQL[name], values })
  }

  // Create or touch the file's session row: `archived` when the session is (no row is made),
  // `underived` when no refresh has derived the row yet; `derived` also for a file outside sessions.
  private async touchSession(client: pg.PoolClient, file: FileIdentity, now: string): Promise<'archived' | 'underived' | 'derived'> {
    if (file.sessionId === null) return 'derived'
    const { rows } = await this.run<{ underived: boolean }>(client, 'touchSession', [file.root, file.sessionId, file.sessionCreatedAt, now])
    if (rows.length === 0) return 'archived'
    return rows[0]!.underived ? 'underived' : 'derived'
  }

  // A session is derived again after a change to a file that feeds it, and after its first file.
  private async refreshAfter(client: pg.PoolClient, file: FileIdentity, session: 'underived' | 'derived'): Promise<void> {
    if (file.sessionId !== null && (session === 'underived' || shapesSession(file.path))) await this.refreshSession(client, file.root, file.sessionId)
  }

  // The session row's derived columns follow every change to its documents.
  private async refreshSession(client: pg.PoolClient, root: string, sessionId: string): Promise<void> {
    const factRows = (await this.run(client, 'sessionFacts', [root, sessionId])).rows
    const facts = factRows.map(
      (row): StoredSessionFacts => ({
        precedence: Number(row.precedence),
        path: String(row.path),
        values: row,
        metadata: row.metadata as Record<string, string>,
      }),
    )
    const row = (await this.run(client, 'sessionRows', [root, sessionId])).rows[0]!
    const list = (v: unknown): Array<Record<string, unknown>> => (v ?? []) as Array<Record<string, unknown>>
    const named = row.createdAtFromName as Date | string | null
    const { summary, specialists, remediation } = deriveSession({
      facts,
      errorFiles: list(row.errorFiles),
      synthesis: list(row.synthesis),
      finalMemoranda: list(row.finalMemoranda),
      openPhases: Number(row.openPhases),
      certificates: list(row.certificates),
      createdClaims: list(row.createdClaims),
      createdAtFromName: named === null || named === undefined ? null : new Date(named).toISOString(),
      assignments: list(row.assignments),
      reports: list(row.reports),
      reportFields: list(row.reportFields),
      inventory: list(row.inventory),
      agents: list(row.agents),
      remediationTasks: list(row.remediationTasks),
      remediationOutputs: list(row.remediationOutputs),
      hasDocuments: row.hasDocuments === true,
    })
    if (specialists.length > 0) await this.run(client, 'updateAssignments', [JSON.stringify(specialists)])
    if (remediation.length > 0) await this.run(client, 'updateRemediationTasks', [JSON.stringify(remediation)])
    await this.run(client, 'updateSession', [
      ...SESSION_COLUMN_NAMES.map((column) => pgScalar(summary.values[column])),
      summary.status,
      pgJson(summary.metadata),
      pgText(summary.statusReason),
      pgJson(summary.errorFiles),
      summary.createdAt,
      summary.createdAtSource === null ? null : pgText(summary.createdAtSource),
      root,
      sessionId,
    ])
  }

  /** Derive again the sessions written before their reason was kept (migration 7), each in its own transaction. */
  async explainSessions(): Promise<void> {
    const { rows } = await this.run<{ root: string; sessionId: string }>(this.pool, 'unexplainedSessions', [])
    for (const { root, sessionId } of rows) {
      await this.transaction(root, sessionId, (client) => this.refreshSession(client, root, sessionId))
    }
  }

  // The change's row in the log and its NOTIFY, last in the transaction, so the
  // lock the insert takes is held only until COMMIT; a rollback takes both back.
  private async logChange(client: pg.PoolClient, change: Omit<ChangeNotice, 'schema' | 'seq'>, at: string): Promise<void> {
    const [head, tail] = noticeAroundSeq({ schema: this.schema, seq: 0, ...change })
    await this.run(client, 'insertChange', [
      this.changeLock,
      change.root,
      change.session,
      change.path,
      change.change,
      change.status ?? null,
      change.instance,
      at,
      CHANGE_CHANNEL,
      head,
      tail,
    ])
  }
}

/** The advisory-lock key of history sweeps: one sweep at a time per schema, whatever the sidecar. */
const PRUNE_LOCK_ROOT = 'statebridge:history-prune'

/** Sync runs kept per root in `sync_runs`. */
const SYNC_RUNS_KEPT = 1000

// NOTIFY payloads must stay under 8000 bytes; only a very long path could pass that.
function truncatedNotice(notice: ChangeNotice): string {
  const text = JSON.stringify(notice)
  if (Buffer.byteLength(text) < 7900) return text
  return JSON.stringify({ ...notice, path: `${(notice.path ?? '').slice(0, 1000)}…`, truncated: true })
}

/**
 * The notice's JSON (its `seq` 0) split around the seq's digits, which the
 * server puts in. Inside a JSON string a quote is escaped, so the first
 * `"seq":0` is the key's.
 */
export function noticeAroundSeq(notice: ChangeNotice): [string, string] {
  const text = truncatedNotice(notice)
  const at = text.indexOf('"seq":0') + '"seq":'.length
  return [text.slice(0, at), text.slice(at + 1)]
}
