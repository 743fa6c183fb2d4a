/**
 * History in SQLite: the revision written inside each apply's transaction, the
 * reads of `history`, `diff`, `restore` and the API, and retention. The write
 * methods run inside the caller's transaction and never await.
 */
import type Database from 'better-sqlite3'
import type { Statement } from 'better-sqlite3'
import type { BlobChain, EncodedBlob, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionChange, RevisionQuery } from '../history/types.js'
import { MAX_DELTA_DEPTH } from '../history/types.js'
import { retentionBounds } from '../history/retention.js'
import type { FileIdentity } from './types.js'

/** Revisions (and then blobs) deleted per transaction by a prune, so applies queue behind none for long. */
export const PRUNE_BATCH = 500

const INCREMENTAL = 2

const REVISION_COLUMNS = 'rev, root, path, session_id AS sessionId, change, content_hash AS contentHash, size_bytes AS sizeBytes, status, at, instance'

// A loose index scan: the next root after each one, so a few roots cost a few steps however many revisions they hold.
const HISTORY_ROOTS = `
  WITH RECURSIVE roots(root) AS (
    SELECT min(root) FROM file_revisions
    UNION ALL SELECT (SELECT min(root) FROM file_revisions WHERE root > roots.root) FROM roots WHERE roots.root IS NOT NULL)
  SELECT root FROM roots WHERE root IS NOT NULL`

interface LatestRevision {
  ordinal: number
  change: RevisionChange
  contentHash: string | null
  sizeBytes: number | null
}

/** History statements prepared on one connection. */
export class SqliteHistory {
  private readonly db: Database.Database
  private readonly sql: Record<string, Statement>

  constructor(db: Database.Database) {
    this.db = db
    const prepare = (text: string): Statement => db.prepare(text)
    this.sql = {
      latest: prepare(
        `SELECT ordinal, change, content_hash AS contentHash, size_bytes AS sizeBytes FROM file_revisions
         WHERE root = ? AND path = ? ORDER BY rev DESC LIMIT 1`,
      ),
      blobExists: prepare('SELECT 1 FROM history_blobs WHERE content_hash = ?'),
      insertBlob: prepare(
        `INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
      ),
      insertRevision: prepare(
        `INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      sessionPaths: prepare('SELECT DISTINCT path FROM documents WHERE root = ? AND session_id = ?'),
      revision: prepare(`SELECT ${REVISION_COLUMNS} FROM file_revisions WHERE rev = ?`),
      blob: prepare(
        `SELECT content_hash AS contentHash, size_bytes AS sizeBytes, encoding, base_hash AS baseHash, depth, data
         FROM history_blobs WHERE content_hash = ?`,
      ),
      stats: prepare(
        `SELECT (SELECT count(*) FROM file_revisions) AS revisions, count(*) AS blobs,
                coalesce(sum(stored_bytes), 0) AS storedBytes, coalesce(sum(size_bytes), 0) AS contentBytes,
                (SELECT min(at) FROM file_revisions) AS oldestAt, (SELECT max(at) FROM file_revisions) AS newestAt
         FROM history_blobs`,
      ),
      expired: prepare(
        `SELECT rev FROM (
           SELECT rev, at, change, ordinal, row_number() OVER (PARTITION BY root, path ORDER BY rev DESC) AS newest
           FROM file_revisions)
         WHERE NOT (newest = 1 AND change <> 'removed')
           AND (at < @keepAfter OR newest > @keepRevisions OR (at < @thinAfter AND ordinal % @interval <> 0))
         ORDER BY rev`,
      ),
      deleteRevision: prepare('DELETE FROM file_revisions WHERE rev = ?'),
      orphanBlobs: prepare(
        `SELECT content_hash AS contentHash, stored_bytes AS storedBytes FROM history_blobs b
         WHERE NOT EXISTS (SELECT 1 FROM file_revisions r WHERE r.content_hash = b.content_hash)
           AND NOT EXISTS (SELECT 1 FROM history_blobs c WHERE c.base_hash = b.content_hash)
         LIMIT ${PRUNE_BATCH}`,
      ),
      deleteBlob: prepare('DELETE FROM history_blobs WHERE content_hash = ?'),
      roots: prepare(HISTORY_ROOTS),
    }
  }

  /**
   * In the apply's transaction: a revision for the content the file now has,
   * unless its latest revision already has it. A content not stored before
   * needs its `blob`; without one (the bytes were never read) nothing is recorded.
   */
  recordContent(file: FileIdentity, contentHash: string | null, blob: EncodedBlob | null, status: 'ok' | 'error', change: RevisionChange | undefined, at: string): void {
    if (contentHash === null) return
    const latest = this.sql.latest!.get(file.root, file.path) as LatestRevision | undefined
    if (latest && latest.change !== 'removed' && latest.contentHash === contentHash) return
    if (blob && blob.contentHash === contentHash) {
      // Parse workers send a Uint8Array; the driver binds a Buffer as a BLOB.
      const data = Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength)
      this.sql.insertBlob!.run(blob.contentHash, blob.sizeBytes, blob.encoding, blob.baseHash, blob.depth, data.length, data, at)
    } else if (this.sql.blobExists!.get(contentHash) === undefined) {
      return
    }
    const kind = change ?? (latest === undefined || latest.change === 'removed' ? 'created' : 'updated')
    this.sql.insertRevision!.run(
      file.root, file.path, (latest?.ordinal ?? 0) + 1, file.sessionId, kind, contentHash, file.sizeBytes, status, at, file.instance,
    )
  }

  /** In the removal's transaction: a tombstone naming the content the file last had. */
  recordRemoval(root: string, filePath: string, sessionId: string | null, instance: string, at: string): void {
    const latest = this.sql.latest!.get(root, filePath) as LatestRevision | undefined
    if (!latest || latest.change === 'removed') return
    this.sql.insertRevision!.run(root, filePath, latest.ordinal + 1, sessionId, 'removed', latest.contentHash, latest.sizeBytes, null, at, instance)
  }

  /** In the session removal's transaction: a tombstone for each of its files. */
  recordSessionRemoval(root: string, sessionId: string, instance: string, at: string): void {
    for (const { path } of this.sql.sessionPaths!.all(root, sessionId) as Array<{ path: string }>) {
      this.recordRemoval(root, path, sessionId, instance, at)
    }
  }

  /** Revisions matching `query`. */
  revisions(query: RevisionQuery): Revision[] {
    const order = query.order ?? 'desc'
    const filters: Array<[string, unknown]> = []
    if (query.root !== undefined) filters.push(['root = ?', query.root])
    if (query.sessionId !== undefined) filters.push(['session_id = ?', query.sessionId])
    if (query.path !== undefined) filters.push(['path = ?', query.path])
    if (query.cursor !== undefined) filters.push([order === 'desc' ? 'rev < ?' : 'rev > ?', query.cursor])
    const where = filters.map(([condition]) => condition)
    const values = filters.map(([, value]) => value)
    const sql = `SELECT ${REVISION_COLUMNS} FROM file_revisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY rev ${order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`
    return this.db.prepare(sql).all(...values, query.limit) as Revision[]
  }

  /** One revision, `null` when there is none with that number. */
  revision(rev: number): Revision | null {
    return (this.sql.revision!.get(rev) as Revision | undefined) ?? null
  }

  /** The blobs that decode `contentHash`, from its full copy up; empty when it is not stored. */
  chain(contentHash: string): BlobChain {
    const chain: EncodedBlob[] = []
    for (let hash: string | null = contentHash; hash !== null && chain.length <= MAX_DELTA_DEPTH + 1; ) {
      const blob = this.sql.blob!.get(hash) as EncodedBlob | undefined
      if (!blob) return []
      chain.unshift(blob)
      hash = blob.baseHash
    }
    return chain
  }

  /** The roots that have revisions: one step of the (root, path, rev) index per root. */
  roots(): string[] {
    return (this.sql.roots!.all() as Array<{ root: string }>).map((row) => row.root)
  }

  stats(): HistoryStats {
    return this.sql.stats!.get() as HistoryStats
  }

  /**
   * Delete what `policy` no longer keeps: revisions first, then the contents
   * nothing refers to any more (a delta's base stays while the delta does).
   * Runs in batches of `PRUNE_BATCH`, each its own transaction, awaiting
   * `pause` between them so applies run in between. A dry run does the same
   * work in one transaction and rolls it back.
   */
  async prune(policy: RetentionPolicy, now: Date, dryRun: boolean, pause: () => Promise<void>): Promise<PruneResult> {
    const result: PruneResult = { revisionsDeleted: 0, blobsDeleted: 0, bytesFreed: 0, dryRun }
    const params = retentionBounds(policy, now)
    const expired = (this.sql.expired!.all(params) as Array<{ rev: number }>).map((r) => r.rev)
    const deleteRevisions = (revs: number[]): void => {
      for (const rev of revs) result.revisionsDeleted += this.sql.deleteRevision!.run(rev).changes
    }
    const deleteOrphans = (): number => {
      const orphans = this.sql.orphanBlobs!.all() as Array<{ contentHash: string; storedBytes: number }>
      for (const orphan of orphans) {
        result.blobsDeleted += this.sql.deleteBlob!.run(orphan.contentHash).changes
        result.bytesFreed += orphan.storedBytes
      }
      return orphans.length
    }
    if (dryRun) {
      const rollback = new Error('dry run')
      try {
        this.db.transaction(() => {
          deleteRevisions(expired)
          while (deleteOrphans() > 0);
          throw rollback
        })()
      } catch (error) {
        if (error !== rollback) throw error
      }
      return result
    }
    for (let i = 0; i < expired.length; i += PRUNE_BATCH) {
      this.db.transaction(deleteRevisions)(expired.slice(i, i + PRUNE_BATCH))
      await pause()
    }
    while (this.db.transaction(deleteOrphans)() > 0) await pause()
    // Give the freed pages back to the file system, a bounded number at a time.
    if (this.db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) {
      while ((this.db.pragma('freelist_count', { simple: true }) as number) > 0) {
        this.db.pragma('incremental_vacuum(2000)')
        await pause()
      }
    }
    return result
  }
}
