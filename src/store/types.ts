/**
 * The store contract: what `src/sync` may ask of a database. Each dialect
 * (SQLite now, PostgreSQL next) implements it in its own module with its own SQL.
 */
import type { SessionResume } from './session-derive.js'
import type { AgentSession, AgentUsageRollup } from './agent-sessions.js'
import type { DocumentType } from '../parsers/document-type.js'
import type { AppendCheckpoint } from '../parsers/agent/types.js'
import type { Diagnostic, DocumentFormat, ParsedAppend, ParsedDocument } from '../parsers/types.js'
import type { BlobChain, BlobEncoding, EncodedBlob, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionChange, RevisionQuery } from '../history/types.js'

/** Identity and file-system facts of one file under a root. */
export interface FileIdentity {
  /** Identity of the watched root (its absolute path unless configured). */
  root: string
  /** Path relative to the root, with `/` separators. */
  path: string
  /** Session directory name, `null` for files directly under the root. */
  sessionId: string | null
  /** Creation time of the session, from its directory name; `null` when unknown. */
  sessionCreatedAt: string | null
  documentType: DocumentType
  format: DocumentFormat
  sizeBytes: number
  mtimeMs: number
  /** Name of the sidecar that applied the change. */
  instance: string
}

/** A file that parsed: its records replace everything previously derived from it. */
export interface FileSnapshot extends FileIdentity {
  /** sha256 (hex) of the bytes that were parsed. */
  contentHash: string
  parsed: ParsedDocument
  /** The document of a valid JSON file, serialised before the transaction; `null` otherwise. */
  jsonText: string | null
  /** The content as history stores it, encoded by a parse worker; absent when history has it already or keeps none. */
  blob?: EncodedBlob | null
  /** The revision's change when it is not plain `created`/`updated` (a `restore` writing the file). */
  revisionChange?: 'restored'
  /** sha256 of the bytes `parsed.append` says were read (JSON Lines only): what a later append checks. */
  appendHash?: string | null
}

/**
 * A JSON Lines file that grew with the same prefix: the rows of its new lines
 * are added to the ones applied, the summary rows replaced, in one transaction.
 */
export interface FileAppend extends FileIdentity {
  /** sha256 of the whole file now. */
  contentHash: string
  /** The content and offset the read continued from: applied only while the document still is that. */
  base: { contentHash: string; offset: number }
  parsed: ParsedAppend
  /** sha256 of the bytes `parsed.append.offset` covers. */
  appendHash: string
  blob?: EncodedBlob | null
}

/** What the store keeps of a JSON Lines file's last read (see `FileAppend`). */
export interface StoredAppend extends AppendCheckpoint {
  contentHash: string
  hash: string
}

/** A file that could not be read or parsed: status and reason change, its last good records stay. */
export interface FileFailure extends FileIdentity {
  /** sha256 of the bytes on disk, `null` when they could not be read. */
  contentHash: string | null
  error: Diagnostic
  /**
   * Drop every record derived from the file, not only mark it (default `false`):
   * for a file statebridge refuses to read, such as one reached through a
   * symlink that leaves the root, whose earlier rows may hold outside bytes.
   */
  discardRecords?: boolean
  /** The bytes that failed to parse, as history stores them; absent when they were not read. */
  blob?: EncodedBlob | null
}

/** What the store remembers of a file, enough to decide whether it changed. */
export interface KnownFile {
  path: string
  sizeBytes: number
  mtimeMs: number
  /**
   * Inode of the content applied, when this process read it (not stored).
   * Two files written within one clock tick can share size and mtime; a file
   * renamed over another then differs only here.
   */
  ino?: number
  contentHash: string | null
  status: 'ok' | 'error'
}

/** A session directory found on disk. */
export interface SessionDirectory {
  root: string
  sessionId: string
  /** ISO time derived from a unix timestamp in the directory name, if any. */
  createdAt: string | null
}

/** Counters of one `sync` run or one watch-mode reconcile. */
export interface SyncRunSummary {
  root: string
  instance: string
  mode: 'sync' | 'watch'
  startedAt: string
  finishedAt: string
  filesSeen: number
  filesApplied: number
  filesUnchanged: number
  filesRemoved: number
  filesFailed: number
}

/** What `statebridge status` prints. */
export interface StoreStatus {
  sessions: number
  documents: { ok: number; error: number }
  tables: number
  tableRows: number
  lastRun: SyncRunSummary | null
  /** Runs kept in `sync_runs` (the most recent per root). */
  syncRuns: number
  recentErrors: Array<{ root: string; path: string; error: string; line: number | null }>
  perSession: Array<{ root: string; sessionId: string; documents: number; errors: number; lastAppliedAt: string | null }>
}

/** What `statebridge show <session-id>` prints. */
export interface SessionDetail {
  root: string
  sessionId: string
  /** From the content when a plan or state file states it (see `createdAtSource`), else from the directory name. */
  createdAt: string | null
  /** `content:<path>` (the file that stated it) or `name`; null when neither gives a time. */
  createdAtSource: string | null
  /** What the directory name's unix timestamp gives, kept beside `createdAt`; null when the name has none. */
  createdAtFromName: string | null
  /** `active`, `complete` or `degraded`. */
  status: string
  /** Why: the evidence for `complete`, the files in error for `degraded`, what is missing for `active`. */
  statusReason: string | null
  /** The session's state files in error, whatever the status. */
  errorFiles: Array<{ path: string; line: number | null; error: string | null }>
  /** The deal columns of the session row (matter_name, deal_value, ...). */
  deal: Record<string, unknown>
  metadata: Record<string, string>
  documents: { ok: number; error: number }
  phases: Array<{ phase: string | null; status: string | null; start_time: string | null; end_time: string | null }>
  iterations: Array<{ gate_name: string | null; current_iteration: number | null; max_iterations: number | null }>
  /** Specialist assignments whose derived status is neither complete nor skipped. */
  pendingSpecialists: PendingSpecialist[]
  /** Every specialist assignment: the plan's mark beside the status derived from evidence. */
  specialists: SpecialistStatus[]
  factCount: number
  synthesis: Record<string, unknown> | null
  agents: Array<{ agent: string | null; status: string | null; current_phase: string | null; last_updated: string | null }>
  /** QA assessments (section reviews, diagnostics, certifications), by path: score and outcome. */
  qaAssessments: QaAssessmentSummary[]
  /** Every remediation task: the plan's mark beside the status derived from the outputs. */
  remediationTasks: RemediationTaskStatus[]
  /** What the session's state files record of tokens, turns, time and cost, summed; null when none records any. */
  usage: SessionUsage | null
  /** The agent SDK sessions linked to this session (`agent_session_report_links`), the most recently active first; filled by both readers. */
  agentSessions?: AgentSession[]
  /** Their tokens, turns, counts, wall time and cost summed; null when none is linked. */
  agentUsage?: AgentUsageRollup | null
  /** Where the session stands and what resumes next (`sessionResume`, session-derive.ts): the answer `show` prints. */
  resume: SessionResume
}

/** One QA assessment of the memorandum. */
export interface QaAssessmentSummary {
  path: string
  /** `section_review`, `diagnostic` or `certification`. */
  assessment_type: string | null
  pass: number | null
  overall_score: number | null
  max_score: number | null
  /** The assessment's own status, normalised (`passed`, `blocked`, `remediate`, ...). */
  status: string | null
  /** `CERTIFIED`, `CONDITIONAL` or `NOT CERTIFIED`; null when the document states no outcome. */
  certification: string | null
  assessed_at: string | null
  issue_count: number | null
}

/** One remediation task of a plan or dispatch (a task named in both is listed once per file). */
export interface RemediationTaskStatus {
  path: string
  task_id: string | null
  wave: number | null
  /** The plan's own status, normalised, and its mark as written. */
  plan_status: string | null
  plan_mark: string | null
  /** Derived: `complete` when the plan says so, an output named after the task reports completion, or the session is certified. */
  status: string | null
  /** `plan`, `output`, `session`, or null (only the plan's mark). */
  evidence: string | null
  /** The output file that shows it. */
  evidence_path: string | null
}

/** A session's usage summed over its per-file `session_usage` rows (the `session_usage_totals` view); null sums state nothing. */
export interface SessionUsage {
  /** Files that record usage, and their rows. */
  files: number
  records: number
  input_tokens: number | null
  output_tokens: number | null
  cache_read_tokens: number | null
  cache_creation_tokens: number | null
  /** Stated totals, else input + output + cache tokens. */
  total_tokens: number | null
  turns: number | null
  tool_calls: number | null
  duration_ms: number | null
  cost_usd: number | null
}

/** A specialist assignment still pending after weighing the evidence. */
export interface PendingSpecialist {
  task_id: string | null
  specialist_type: string | null
  /** The derived status (here the plan's, as nothing shows more). */
  status: string | null
  /** The plan's own status, normalised, and its mark as written (`⏳`). */
  plan_status: string | null
  plan_mark: string | null
  priority: string | null
}

/** One specialist assignment: the plan's mark and the status derived from evidence. */
export interface SpecialistStatus {
  task_id: string | null
  specialist_type: string | null
  plan_status: string | null
  plan_mark: string | null
  /** Derived: `complete` when the plan, a report, the execution inventory, an agent state or the session's completion says so. */
  status: string | null
  /** `plan`, `report`, `inventory`, `agent_state`, `session`, or null (only the plan's pending mark). */
  evidence: string | null
  /** The report, inventory or agent state file that shows it. */
  evidence_path: string | null
}

/** What happened to a file (or, with no path, to a whole session). */
export type ChangeKind = 'created' | 'updated' | 'removed'

/**
 * One row of the change log: a file change committed by an apply, written in
 * the apply's own transaction, so the log holds exactly the changes that
 * committed, in commit order.
 */
export interface ChangeRecord {
  /** Position in the log: increases with every commit, never reused (also after pruning). */
  seq: number
  root: string
  /** Session directory name; `null` for files directly under the root. */
  sessionId: string | null
  /** Relative path; `null` when a whole session was removed. */
  path: string | null
  change: ChangeKind
  /** `ok` or `error` for created and updated files; `null` for removals. */
  status: 'ok' | 'error' | null
  /** Name of the sidecar that committed the change. */
  instance: string
  /** When it was committed, ISO-8601 in UTC. */
  at: string
}

/** Which changes `readChanges` returns. */
export interface ReadChangesOptions {
  /** Only changes after this seq (0: from the start of the log). */
  sinceSeq: number
  /** At most this many. */
  limit: number
  /** Only changes under this root (default: every root). */
  root?: string
}

/**
 * What a failed store call means: `transient` (the database is away: wait,
 * retry, keep the file dirty), `file` (the database refused this file's
 * records: record the failure on the file) or `fatal` (configuration or schema:
 * tell the operator; retrying soon will not help).
 */
export type StoreErrorKind = 'transient' | 'file' | 'fatal'

/** A session `cleanup` may archive: derived status `complete`, not updated since the cutoff. */
export interface FinishedSession {
  sessionId: string
  /** When an apply last touched the session, ISO-8601 in UTC. */
  updatedAt: string
}

/** A session `cleanup` archived (a row of `archived_sessions`): sync and watch leave its directory alone. */
export interface ArchivedSession {
  sessionId: string
  /** The archive written for it (an absolute path). */
  archive: string
  /** Whether the cleanup was asked to delete its directory from disk. */
  filesDeleted: boolean
  /** When it was archived, ISO-8601 in UTC. */
  archivedAt: string
}

/**
 * What a session looked like when it was exported: `purgeSession` given it
 * deletes nothing if the session changed since (an apply by a watch elsewhere).
 */
export interface SessionMark {
  /** The session row's `updated_at`. */
  updatedAt: string
  /** The highest rev among the session's revisions; `null` when it has none. */
  latestRev: number | null
  /** Documents of the session. */
  documents: number
}

/** One revision in a session export: as stored, with the rev it had (the importing database numbers it anew). */
export interface ExportedRevision {
  rev: number
  path: string
  /** The file's own revision number (1, 2, 3…), kept on import. */
  ordinal: number
  change: RevisionChange
  contentHash: string | null
  sizeBytes: number | null
  status: 'ok' | 'error' | null
  at: string
  instance: string
}

/** One stored content in a session export: an `EncodedBlob` whose bytes are base64 text. */
export interface ExportedBlob {
  contentHash: string
  sizeBytes: number
  encoding: BlobEncoding
  baseHash: string | null
  depth: number
  /** The stored bytes (compressed or delta as stored), base64. */
  data: string
}

/**
 * A session's part of the database, as JSON can carry it (see README
 * "Cleanup and import"). `session` and `documents` record what the database
 * held; an import derives them again from the files, as it does every typed
 * row, which is why typed rows, tables and fields are not exported. The
 * history is exported whole: every revision of the session and every content
 * they need, delta bases included, so it decodes without the database it came from.
 */
export interface SessionExport {
  /** Root identity the session was exported from. */
  root: string
  sessionId: string
  dialect: 'sqlite' | 'postgres'
  exportedAt: string
  mark: SessionMark
  /** The session row: every column but the surrogate id, JSON columns parsed. */
  session: Record<string, unknown>
  /** The session's document rows (metadata: no id, no JSON body; the file is in the archive), by path. */
  documents: Array<Record<string, unknown>>
  /** Revisions, oldest first. */
  revisions: ExportedRevision[]
  /** Contents the revisions need, bases before the deltas built on them. */
  blobs: ExportedBlob[]
}

/** What `purgeSession` deleted. */
export interface PurgeResult {
  /** `false`: the session changed since its mark (or is gone), and nothing was deleted. */
  purged: boolean
  documents: number
  revisions: number
  blobs: number
}

/** What `importSessionHistory` added. */
export interface HistoryImportResult {
  /** Revisions inserted (those already present, same path, ordinal, time and change, are skipped). */
  revisions: number
  /** Contents inserted (those already stored are skipped). */
  blobs: number
}

/** The database behind statebridge. Every method that writes is one transaction. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  /** Where the rows go, without credentials, for logs. */
  readonly description: string
  /** Resolve when the database answers a trivial query. */
  ping(): Promise<void>
  /** How the sync loop should treat an error this store threw. */
  classifyError(error: unknown): StoreErrorKind
  /** Files known under `root`, keyed by relative path. */
  loadKnownFiles(root: string): Promise<Map<string, KnownFile>>
  /** Session ids known under `root`. */
  listSessions(root: string): Promise<string[]>
  /** Create the session row if missing (not for an archived session: see `archivedSessions`). */
  ensureSession(session: SessionDirectory): Promise<void>
  /** Delete a session with every document and record derived from it. */
  removeSession(root: string, sessionId: string): Promise<void>
  /**
   * Replace every record of one file, in one transaction. A file of an
   * archived session is not applied (nothing is written): a cleanup in
   * another process may archive it after the sync decided to apply.
   */
  applyFileSnapshot(snapshot: FileSnapshot): Promise<void>
  /**
   * Add a grown JSON Lines file's new rows and replace its summary rows, in
   * one transaction. Resolves `false`, writing nothing, when the document is
   * no longer the content the read continued from (or is in error, or an
   * older parser read it): the caller then applies the whole file.
   */
  applyFileAppend(append: FileAppend): Promise<boolean>
  /** Where the last read of a JSON Lines file stopped; `null` when it has none or is in error. */
  appendBase(root: string, path: string): Promise<StoredAppend | null>
  /** Mark a file as failed, keeping its last good records; nothing for a file of an archived session. */
  recordFileFailure(failure: FileFailure): Promise<void>
  /** The content is unchanged but the stat moved (touch, copy): remember the new stat. */
  recordFileStat(root: string, path: string, sizeBytes: number, mtimeMs: number): Promise<void>
  /** Delete a file's document and everything derived from it. */
  removeFile(root: string, path: string): Promise<void>
  recordSyncRun(summary: SyncRunSummary): Promise<void>
  /** Changes with a seq above `sinceSeq`, ascending by seq, at most `limit`. */
  readChanges(options: ReadChangesOptions): Promise<ChangeRecord[]>
  /** The seq of the oldest change still in the log; `null` when the log is empty. */
  oldestChangeSeq(): Promise<number | null>
  /**
   * The seq of the newest committed change; 0 when none was ever logged.
   * Pruning never removes the newest change, so this never goes back.
   */
  latestChangeSeq(): Promise<number>
  /**
   * Delete changes committed before `olderThan` (ISO-8601), except the newest
   * change of the log; resolves with the number of rows deleted.
   */
  pruneChangeLog(olderThan: string): Promise<number>
  /** The last seq the change-log consumer `name` (such as the Redis mirror) delivered; `null` before its first save. */
  readFeedCursor(name: string): Promise<number | null>
  /** Record that `name` delivered every change up to `seq`; a cursor never moves back. */
  saveFeedCursor(name: string, seq: number): Promise<void>
  /** Revisions matching `query` (history). */
  listRevisions(query: RevisionQuery): Promise<Revision[]>
  /** One revision; `null` when none has that number (or it was pruned). */
  getRevision(rev: number): Promise<Revision | null>
  /** The stored blobs that decode `contentHash`, from its full copy up; empty when it is not stored. */
  blobChain(contentHash: string): Promise<BlobChain>
  /** What history holds. */
  historyStats(): Promise<HistoryStats>
  /**
   * Delete the revisions `policy` no longer keeps, then the contents nothing
   * needs; in bounded batches, so applies run in between. Never removes the
   * latest revision of a live file or a content a kept delta is built on.
   */
  pruneHistory(policy: RetentionPolicy, options?: { dryRun?: boolean; now?: Date }): Promise<PruneResult>
  /** Sessions under `root` whose status is `complete` and whose `updated_at` is before `olderThan` (ISO-8601), by id. */
  finishedSessions(root: string, olderThan: string): Promise<FinishedSession[]>
  /** One session's rows and whole history, read in one snapshot; `null` when the session has no row. */
  exportSession(root: string, sessionId: string): Promise<SessionExport | null>
  /**
   * In one transaction: delete the session with its documents and every row
   * derived from them, its revisions, and the contents nothing else needs any
   * more (one another revision uses, or a kept delta is built on, stays);
   * record it in `archived_sessions` (replacing an earlier row); log one
   * `removed` change for the session. With `unchangedSince`, nothing happens
   * (`purged: false`) unless the session still matches that mark.
   */
  purgeSession(root: string, sessionId: string, archive: string, filesDeleted: boolean, unchangedSince?: SessionMark): Promise<PurgeResult>
  /**
   * In one transaction: insert the contents and revisions of `data` under
   * `root` (new rev numbers; path, ordinal, change, time and instance kept) and
   * take the session off `archived_sessions`. Importing the same export twice
   * adds nothing the second time.
   */
  importSessionHistory(root: string, data: SessionExport): Promise<HistoryImportResult>
  /** The sessions under `root` that `cleanup` archived, by session id. */
  archivedSessions(root: string): Promise<Map<string, ArchivedSession>>
  status(): Promise<StoreStatus>
  /** One session in detail, per root that has it (usually one). */
  sessionDetail(sessionId: string): Promise<SessionDetail[]>
  /**
   * Reopen the database when its file was deleted or replaced since it was
   * opened (SQLite: compare the path's inode with the open one); resolves
   * `true` when it reopened, so the caller must treat the store as empty and
   * reconcile. PostgreSQL: always `false`.
   */
  reopenIfReplaced(): Promise<boolean>
  close(): Promise<void>
}
