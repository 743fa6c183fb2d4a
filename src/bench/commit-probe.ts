/**
 * A store wrapper that timestamps commits: each `applyFileSnapshot` is
 * forwarded, and once the underlying transaction has resolved the bench learns
 * which content of which file reached the database, and when.
 */
import type { BlobChain, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionQuery } from '../history/types.js'
import type {
  ArchivedSession,
  ChangeRecord,
  FileAppend,
  FileFailure,
  FileSnapshot,
  FinishedSession,
  HistoryImportResult,
  KnownFile,
  PurgeResult,
  ReadChangesOptions,
  SessionDirectory,
  SessionExport,
  SessionMark,
  Store,
  StoredAppend,
  StoreStatus,
  SyncRunSummary,
} from '../store/types.js'

/** When the transaction that committed an expected content ran (`performance.now()`). */
export interface CommitTimes {
  applyStartedAt: number
  committedAt: number
}

/** The commit an edit waits for. */
interface Expectation {
  path: string
  contentHash: string
  resolve: (times: CommitTimes) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/** Forwards every call to `inner`; reports commits of expected content. */
export class CommitProbe implements Store {
  readonly dialect: Store['dialect']
  readonly description: string
  private readonly inner: Store
  private readonly pending = new Map<string, Expectation>()

  constructor(inner: Store) {
    this.inner = inner
    this.dialect = inner.dialect
    this.description = inner.description
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }

  classifyError(error: unknown): ReturnType<Store['classifyError']> {
    return this.inner.classifyError(error)
  }

  /**
   * Resolve with the times of the commit of `contentHash` at `path`;
   * reject when the file is recorded as failed or after `timeoutMs`.
   */
  expect(path: string, contentHash: string, timeoutMs: number): Promise<CommitTimes> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(path)
        reject(new Error(`${path}: no commit within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(path, { path, contentHash, resolve, reject, timer })
    })
  }

  async applyFileSnapshot(snapshot: FileSnapshot): Promise<void> {
    const applyStartedAt = performance.now()
    await this.inner.applyFileSnapshot(snapshot)
    const committedAt = performance.now()
    const expected = this.pending.get(snapshot.path)
    if (expected && expected.contentHash === snapshot.contentHash) {
      this.pending.delete(snapshot.path)
      clearTimeout(expected.timer)
      expected.resolve({ applyStartedAt, committedAt })
    }
  }

  async applyFileAppend(append: FileAppend): Promise<boolean> {
    const applyStartedAt = performance.now()
    const applied = await this.inner.applyFileAppend(append)
    const committedAt = performance.now()
    const expected = this.pending.get(append.path)
    if (applied && expected && expected.contentHash === append.contentHash) {
      this.pending.delete(append.path)
      clearTimeout(expected.timer)
      expected.resolve({ applyStartedAt, committedAt })
    }
    return applied
  }

  appendBase(root: string, path: string): Promise<StoredAppend | null> {
    return this.inner.appendBase(root, path)
  }

  async recordFileFailure(failure: FileFailure): Promise<void> {
    await this.inner.recordFileFailure(failure)
    const expected = this.pending.get(failure.path)
    if (expected && expected.contentHash === failure.contentHash) {
      this.pending.delete(failure.path)
      clearTimeout(expected.timer)
      expected.reject(new Error(`${failure.path}: recorded as failed: ${failure.error.reason}`))
    }
  }

  loadKnownFiles(root: string): Promise<Map<string, KnownFile>> {
    return this.inner.loadKnownFiles(root)
  }

  listSessions(root: string): Promise<string[]> {
    return this.inner.listSessions(root)
  }

  ensureSession(session: SessionDirectory): Promise<void> {
    return this.inner.ensureSession(session)
  }

  removeSession(root: string, sessionId: string): Promise<void> {
    return this.inner.removeSession(root, sessionId)
  }

  recordFileStat(root: string, path: string, sizeBytes: number, mtimeMs: number): Promise<void> {
    return this.inner.recordFileStat(root, path, sizeBytes, mtimeMs)
  }

  removeFile(root: string, path: string): Promise<void> {
    return this.inner.removeFile(root, path)
  }

  recordSyncRun(summary: SyncRunSummary): Promise<void> {
    return this.inner.recordSyncRun(summary)
  }

  sessionDetail(sessionId: string): ReturnType<Store['sessionDetail']> {
    return this.inner.sessionDetail(sessionId)
  }

  reopenIfReplaced(): Promise<boolean> {
    return this.inner.reopenIfReplaced()
  }

  status(): Promise<StoreStatus> {
    return this.inner.status()
  }

  listRevisions(query: RevisionQuery): Promise<Revision[]> {
    return this.inner.listRevisions(query)
  }

  getRevision(rev: number): Promise<Revision | null> {
    return this.inner.getRevision(rev)
  }

  blobChain(contentHash: string): Promise<BlobChain> {
    return this.inner.blobChain(contentHash)
  }

  historyStats(): Promise<HistoryStats> {
    return this.inner.historyStats()
  }

  pruneHistory(policy: RetentionPolicy, options?: { dryRun?: boolean; now?: Date }): Promise<PruneResult> {
    return this.inner.pruneHistory(policy, options)
  }

  finishedSessions(root: string, olderThan: string): Promise<FinishedSession[]> {
    return this.inner.finishedSessions(root, olderThan)
  }

  exportSession(root: string, sessionId: string): Promise<SessionExport | null> {
    return this.inner.exportSession(root, sessionId)
  }

  purgeSession(root: string, sessionId: string, archive: string, filesDeleted: boolean, unchangedSince?: SessionMark): Promise<PurgeResult> {
    return this.inner.purgeSession(root, sessionId, archive, filesDeleted, unchangedSince)
  }

  importSessionHistory(root: string, data: SessionExport): Promise<HistoryImportResult> {
    return this.inner.importSessionHistory(root, data)
  }

  archivedSessions(root: string): Promise<Map<string, ArchivedSession>> {
    return this.inner.archivedSessions(root)
  }

  readChanges(options: ReadChangesOptions): Promise<ChangeRecord[]> {
    return this.inner.readChanges(options)
  }

  oldestChangeSeq(): Promise<number | null> {
    return this.inner.oldestChangeSeq()
  }

  latestChangeSeq(): Promise<number> {
    return this.inner.latestChangeSeq()
  }

  pruneChangeLog(olderThan: string): Promise<number> {
    return this.inner.pruneChangeLog(olderThan)
  }

  readFeedCursor(name: string): Promise<number | null> {
    return this.inner.readFeedCursor(name)
  }

  saveFeedCursor(name: string, seq: number): Promise<void> {
    return this.inner.saveFeedCursor(name, seq)
  }

  // The bench owns the underlying store and closes it itself.
  async close(): Promise<void> {}
}
