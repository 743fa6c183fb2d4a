/**
 * The read side of the store: what the HTTP API may ask of a database. It is
 * separate from the write `Store` (its own connection or pool), so API reads
 * never queue behind, or hold up, the applies. Each dialect implements it in
 * its own module (`sqlite-read.ts`, `postgres-read.ts`) and both answer with
 * the same JSON for the same rows: timestamps as ISO-8601 text in UTC, JSON
 * columns parsed (object keys in PostgreSQL's jsonb order), no surrogate ids.
 */
import type { BlobChain, HistoryStats, Revision, RevisionQuery } from '../history/types.js'
import type { ChangeRecord, PendingSpecialist as StoredPendingSpecialist, SessionDetail, SyncRunSummary } from './types.js'
import type {
  AgentModelTotal,
  AgentSessionDetail,
  AgentSessionListQuery,
  AgentSessionPage,
  AgentSessionQuery,
} from './agent-sessions.js'

export type {
  AgentCounts,
  AgentEvent,
  AgentEventPage,
  AgentLinkEvidence,
  AgentModelTotal,
  AgentModelUsage,
  AgentSession,
  AgentSessionDetail,
  AgentSessionLink,
  AgentSessionListQuery,
  AgentSessionPage,
  AgentSessionQuery,
  AgentSessionSource,
  AgentUsage,
  AgentUsageRollup,
} from './agent-sessions.js'

/** Most changes one `changesSince` call returns. */
export const MAX_CHANGES_PAGE = 1000

/** Most revisions one `revisions` call returns (the API's pages are at most `MAX_PAGE_SIZE`, read one over). */
export const MAX_REVISIONS_PAGE = 1000

/** Derived session statuses (see README "Typed session state"). */
export const SESSION_STATUSES = ['active', 'complete', 'degraded'] as const

/** A session's derived status. */
export type SessionStatus = (typeof SESSION_STATUSES)[number]

/** Most sessions one page of `listSessions` returns. */
export const MAX_PAGE_SIZE = 500

/** Page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 50

/** Most rows any other list (active sessions, errors, documents, a document's rows) returns; `truncated` says when more exist. */
export const LIST_CAP = 1000

/** Filters and position of one page of sessions. */
export interface SessionListQuery {
  /** Only sessions with this derived status. */
  status?: SessionStatus
  /** Only sessions under this root (exact match). */
  root?: string
  /** Only sessions updated at or after this instant (ISO-8601, normalised by `parseInstant`). */
  updatedSince?: string
  /** Case-insensitive (ASCII) substring of `session_id` or `matter_name`. */
  q?: string
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string
  /** Page size, 1 to `MAX_PAGE_SIZE`; default `DEFAULT_PAGE_SIZE`. */
  limit?: number
}

/** One session in a list. */
export interface SessionListItem {
  root: string
  sessionId: string
  status: string
  statusReason: string | null
  matterName: string | null
  dealValue: number | null
  closingDate: string | null
  createdAt: string | null
  createdAtSource: string | null
  firstSeenAt: string
  updatedAt: string
}

/** One page of sessions, newest update first. */
export interface SessionPage {
  items: SessionListItem[]
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null
}

/** A specialist assignment not yet complete or skipped, after weighing the evidence. */
export type PendingSpecialist = StoredPendingSpecialist

/** Where an unfinished session picks up. */
export interface ResumePoint {
  /** From the session's synthesis-state.json, when it has one. */
  synthesis: {
    current_phase: string | null
    status: string | null
    last_completed_step: string | null
    next_action: string | null
    blocking_issue: string | null
  } | null
  /** The first phase of the orchestrator's metrics that is not complete. */
  openPhase: { phase: string | null; status: string | null } | null
  /** The stage the latest evidence shows: `SessionDetail.resume.where`. */
  where: string
  /** What resumes next, weighing every signal: `SessionDetail.resume.next`, what `show` prints. */
  next: string
}

/** A session that is not complete, with its pending work. */
export interface ActiveSession {
  root: string
  sessionId: string
  status: string
  /** Why the session has its status (see `SessionDetail.statusReason`). */
  statusReason: string | null
  matterName: string | null
  updatedAt: string
  resume: ResumePoint
  pendingSpecialists: PendingSpecialist[]
}

/** Active sessions, most recently updated first. */
export interface ActiveSessions {
  items: ActiveSession[]
  /** More than `LIST_CAP` sessions are active; the oldest are left out. */
  truncated: boolean
}

/** Counts across the whole database. */
export interface ReadStats {
  sessions: { total: number; byStatus: Record<string, number> }
  documents: { ok: number; error: number }
  /** The most recently finished sync run or reconcile, any root. */
  lastRun: SyncRunSummary | null
}

/** One file of a session. */
export interface DocumentListItem {
  root: string
  path: string
  documentType: string
  format: string
  status: 'ok' | 'error'
  error: string | null
  errorLine: number | null
  sizeBytes: number
  appliedAt: string | null
  checkedAt: string
}

/** The files of one session, by root then path. */
export interface DocumentList {
  items: DocumentListItem[]
  truncated: boolean
}

/** One GFM table of a document, with its rows. */
export interface DocumentTable {
  ordinal: number
  headingPath: string[]
  headers: string[]
  rawHeaders: string[]
  line: number
  endLine: number
  rowCount: number
  rows: Array<{ rowIndex: number; cells: Record<string, string>; rawCells: string[]; line: number }>
}

/** One key-value line of a document. */
export interface DocumentField {
  headingPath: string[]
  key: string
  value: string
  raw: string
  style: string
  line: number
}

/** One file with everything derived from it. */
export interface DocumentDetail {
  root: string
  path: string
  sessionId: string | null
  documentType: string
  typedKind: string | null
  format: string
  status: 'ok' | 'error'
  error: string | null
  errorLine: number | null
  sizeBytes: number
  mtimeMs: number
  contentHash: string | null
  parsedHash: string | null
  wordCount: number | null
  footnoteCount: number | null
  tableCount: number | null
  appliedAt: string | null
  checkedAt: string
  /** The parsed document of a valid JSON file. */
  json: unknown
  diagnostics: unknown[]
  /** Typed rows per typed table that has any for this file (columns as in the README, without ids). */
  typed: Record<string, Array<Record<string, unknown>>>
  tables: DocumentTable[]
  fields: DocumentField[]
  /** Some list (typed rows of a table, tables, rows of a table, fields) held more than `LIST_CAP` entries. */
  truncated: boolean
}

/** A file whose last read or parse failed. */
export interface ErrorItem {
  root: string
  path: string
  sessionId: string | null
  documentType: string
  error: string | null
  errorLine: number | null
  checkedAt: string
}

/** Files in error, by root then path. */
export interface ErrorList {
  items: ErrorItem[]
  truncated: boolean
}

/** Read-only queries behind the HTTP API. Every query is indexed or bounded, and LIMITed. */
export interface StoreReader {
  readonly dialect: 'sqlite' | 'postgres'
  /** Where the rows come from, without credentials, for logs. */
  readonly description: string
  /** One page of sessions. Throws `ReadParamError` for a bad cursor, limit, status or instant. */
  listSessions(query: SessionListQuery): Promise<SessionPage>
  activeSessions(): Promise<ActiveSessions>
  stats(): Promise<ReadStats>
  /** The `statebridge show --json` object: one per root that has the session (none: unknown). */
  session(sessionId: string): Promise<SessionDetail[]>
  /** `null` when no root has the session. */
  documents(sessionId: string): Promise<DocumentList | null>
  /** The file at `path` in each root (or in `root` only) that has it. */
  document(path: string, root?: string): Promise<DocumentDetail[]>
  errors(): Promise<ErrorList>
  /**
   * Changes with a seq above `sinceSeq`, ascending, at most `limit` (1 to
   * `MAX_CHANGES_PAGE`), only under `root` when given: the change feed's one
   * query. Same JSON from both dialects (`at` as ISO-8601 in UTC).
   */
  changesSince(sinceSeq: number, limit: number, root?: string): Promise<ChangeRecord[]>
  /** The seq of the oldest change still in the log; `null` when the log is empty. */
  oldestChangeSeq(): Promise<number | null>
  /** The seq of the newest change; 0 when none was ever logged (pruning keeps the newest row, so it never goes back). */
  latestChangeSeq(): Promise<number>
  /**
   * A number that changes whenever the database may have changed since the
   * last call: the API keeps JSON answers while it stays the same. Absent
   * where a cheap and complete signal is missing (PostgreSQL: not every write
   * is in the change log), and then nothing is kept.
   */
  dataVersion?(): number
  /**
   * Revisions matching `query` (limit 1 to `MAX_REVISIONS_PAGE`), through the
   * write store's own history statements. A session or path without a root
   * is read one root at a time (the history indexes lead with the root) and
   * merged. Throws `ReadParamError` for a bad limit or cursor.
   */
  revisions(query: RevisionQuery): Promise<Revision[]>
  /** One revision; `null` when none has that number (never had, or pruned). */
  revision(rev: number): Promise<Revision | null>
  /** The blobs that decode `contentHash`, its full copy first (`decodeChain`); empty when it is not stored. */
  blobChain(contentHash: string): Promise<BlobChain>
  /** Revisions, contents and their stored bytes, for /metrics. */
  historyStats(): Promise<HistoryStats>
  /**
   * One page of agent SDK sessions, each merged from its files (audit log,
   * transcripts), the most recently active first, with usage and the report
   * sessions it worked on. Throws `ReadParamError` for a bad cursor or limit.
   */
  agentSessions(query: AgentSessionListQuery): Promise<AgentSessionPage>
  /** One SDK session with a page of its audit-log events; `null` when no file tells of it. Throws `ReadParamError` for a bad events query. */
  agentSession(sdkSessionId: string, query?: AgentSessionQuery): Promise<AgentSessionDetail | null>
  /** Tokens and cost per model over every SDK session, for /metrics. */
  agentModelTotals(): Promise<AgentModelTotal[]>
  close(): Promise<void>
}

/** Check `changesSince`'s arguments the same way for both dialects. */
export function checkChangesQuery(sinceSeq: number, limit: number): void {
  if (!Number.isSafeInteger(sinceSeq) || sinceSeq < 0) throw new ReadParamError('since', 'since must be a whole number, 0 or more')
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_PAGE) {
    throw new ReadParamError('limit', `limit must be an integer from 1 to ${MAX_CHANGES_PAGE}`)
  }
}

/** Check `revisions`' query the same way for both dialects. */
export function checkRevisionQuery(query: RevisionQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_REVISIONS_PAGE) {
    throw new ReadParamError('limit', `limit must be an integer from 1 to ${MAX_REVISIONS_PAGE}`)
  }
  if (query.cursor !== undefined && (!Number.isSafeInteger(query.cursor) || query.cursor < 0)) {
    throw new ReadParamError('cursor', 'cursor must be a revision number, 0 or more')
  }
}

/**
 * Whether `query` is read one root at a time: a session or a path narrows it
 * but no root does, and every history index but the primary key leads with
 * the root, so one statement would walk the revisions newest first until it
 * found enough.
 */
export function readsByRoot(query: RevisionQuery): boolean {
  return query.root === undefined && (query.sessionId !== undefined || query.path !== undefined)
}

/** The first `query.limit` revisions of the per-root answers, in `query.order`. */
export function mergeRevisions(perRoot: Revision[][], query: RevisionQuery): Revision[] {
  const sign = query.order === 'asc' ? 1 : -1
  return perRoot.flat().sort((a, b) => sign * (a.rev - b.rev)).slice(0, query.limit)
}

/** A request parameter the reader cannot use; the API answers 400 naming `param`. */
export class ReadParamError extends Error {
  override readonly name = 'ReadParamError'
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message)
  }
}

/** A position in the session list: the last item of a page. */
export interface SessionCursor {
  updatedAt: string
  sessionId: string
  root: string
}

/** The opaque cursor for `position`: base64url of its JSON. */
export function encodeCursor(position: SessionCursor): string {
  return Buffer.from(JSON.stringify([position.updatedAt, position.sessionId, position.root])).toString('base64url')
}

/** The position a cursor names; throws `ReadParamError('cursor')` for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): SessionCursor {
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new ReadParamError('cursor', 'cursor is not one this server issued; start again without it')
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string')) {
    throw new ReadParamError('cursor', 'cursor is not one this server issued; start again without it')
  }
  const [updatedAt, sessionId, root] = value as [string, string, string]
  return { updatedAt: parseInstant(updatedAt, 'cursor'), sessionId, root }
}

/** An ISO-8601 instant with a date, time and zone, as `toISOString` spells it; throws `ReadParamError(param)` otherwise. */
export function parseInstant(text: string, param: string): string {
  // A date alone or a time without zone would mean different instants to the two dialects.
  const shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/
  const ms = shape.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new ReadParamError(param, `${param} must be an ISO-8601 instant with a zone, such as 2026-02-03T10:00:00Z`)
  }
  return new Date(ms).toISOString()
}

/** Check the list query's values the same way for both dialects, and fill the defaults. */
export function checkListQuery(query: SessionListQuery): Required<Pick<SessionListQuery, 'limit'>> & SessionListQuery & { after: SessionCursor | null } {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ReadParamError('limit', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  }
  if (query.status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(query.status)) {
    throw new ReadParamError('status', `status must be one of ${SESSION_STATUSES.join(', ')}`)
  }
  return {
    ...query,
    limit,
    updatedSince: query.updatedSince === undefined ? undefined : parseInstant(query.updatedSince, 'updated_since'),
    // ASCII-only lowering: SQLite's lower() and the PostgreSQL translate() used for the match do the same.
    q: query.q === undefined || query.q === '' ? undefined : query.q.replace(/[A-Z]/g, (c) => c.toLowerCase()),
    after: query.cursor === undefined ? null : decodeCursor(query.cursor),
  }
}

/** The page of `limit` rows and the cursor after its last one (fetched: `limit + 1` rows). */
export function pageOf(rows: Array<Record<string, unknown>>, limit: number): SessionPage {
  const items = rows.slice(0, limit) as unknown as SessionPage['items']
  const last = items[items.length - 1]
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ updatedAt: last.updatedAt, sessionId: last.sessionId, root: last.root }) : null,
  }
}

/** An active-session answer from the joined row (`has_synthesis`, `current_phase`, `synthesis_status`, `open_phase`, ...), which both dialects select under the same aliases, and the session's detail (its pending specialists and resume). */
export function activeOf(row: Record<string, unknown>, detail: SessionDetail | undefined): ActiveSession {
  return {
    root: String(row.root),
    sessionId: String(row.sessionId),
    status: String(row.status),
    statusReason: (row.statusReason as string | null) ?? null,
    matterName: (row.matterName as string | null) ?? null,
    updatedAt: String(row.updatedAt),
    resume: {
      synthesis:
        row.has_synthesis === null || row.has_synthesis === undefined
          ? null
          : {
              current_phase: (row.current_phase as string | null) ?? null,
              status: (row.synthesis_status as string | null) ?? null,
              last_completed_step: (row.last_completed_step as string | null) ?? null,
              next_action: (row.next_action as string | null) ?? null,
              blocking_issue: (row.blocking_issue as string | null) ?? null,
            },
      openPhase:
        row.open_phase === null && row.open_phase_status === null
          ? null
          : { phase: (row.open_phase as string | null) ?? null, status: (row.open_phase_status as string | null) ?? null },
      where: detail?.resume.where ?? '',
      next: detail?.resume.next ?? '',
    },
    pendingSpecialists: detail?.pendingSpecialists ?? [],
  }
}

/** The view's sums as numbers (both dialects agree; PostgreSQL's bigint sums arrive as text), or null without a row. */
export function usageOf(row: Record<string, unknown> | undefined): SessionDetail['usage'] {
  if (row === undefined) return null
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : Number(v)])) as unknown as SessionDetail['usage']
}
