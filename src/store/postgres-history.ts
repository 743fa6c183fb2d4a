/**
 * History in PostgreSQL: the revision written inside each apply's transaction
 * (one statement each, so history adds one round trip to an apply), the reads
 * of `history`, `diff`, `restore` and the API, and retention.
 */
import type pg from 'pg'
import type { BlobChain, EncodedBlob, HistoryStats, PruneResult, RetentionPolicy, Revision, RevisionChange, RevisionQuery } from '../history/types.js'
import { MAX_DELTA_DEPTH } from '../history/types.js'
import { retentionBounds } from '../history/retention.js'
import type { FileIdentity } from './types.js'

/** Revisions (and then blobs) deleted per transaction by a prune. */
export const PRUNE_BATCH = 500

/** Runs one statement and gives back its rows. */
export type Query = (sql: string | pg.QueryConfig, values?: unknown[]) => Promise<Array<Record<string, unknown>>>

const REVISION_COLUMNS =
  'rev, root, path, session_id AS "sessionId", change, content_hash AS "contentHash", size_bytes AS "sizeBytes", status, at, instance'

const LATEST = `SELECT ordinal, change, content_hash, size_bytes FROM file_revisions WHERE root = $1 AND path = $2 ORDER BY rev DESC LIMIT 1`

// A revision for the content the file now has, unless its latest revision has it
// already; a content not stored before comes with its blob (else nothing is recorded).
const RECORD_CONTENT = `
  WITH latest AS (${LATEST}),
  same AS (SELECT 1 FROM latest WHERE change <> 'removed' AND content_hash = $5),
  blob AS (
    INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
    SELECT $5, $10, $11, $12, $13, length($14::bytea), $14::bytea, $8 WHERE $14::bytea IS NOT NULL AND NOT EXISTS (SELECT 1 FROM same)
    ON CONFLICT (content_hash) DO NOTHING)
  INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
  SELECT $1, $2, coalesce((SELECT ordinal FROM latest), 0) + 1, $3,
    coalesce($4::text, CASE WHEN coalesce((SELECT change FROM latest), 'removed') = 'removed' THEN 'created' ELSE 'updated' END),
    $5, $6, $7, $8, $9
  WHERE NOT EXISTS (SELECT 1 FROM same)
    AND ($14::bytea IS NOT NULL OR EXISTS (SELECT 1 FROM history_blobs WHERE content_hash = $5))`

const RECORD_REMOVAL = `
  WITH latest AS (${LATEST})
  INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
  SELECT $1, $2, ordinal + 1, $3, 'removed', content_hash, size_bytes, NULL, $4, $5 FROM latest WHERE change <> 'removed'`

const RECORD_SESSION_REMOVAL = `
  INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
  SELECT l.root, l.path, l.ordinal + 1, $2, 'removed', l.content_hash, l.size_bytes, NULL, $3, $4
  FROM (SELECT DISTINCT ON (r.path) r.root, r.path, r.ordinal, r.change, r.content_hash, r.size_bytes
        FROM file_revisions r JOIN documents d ON d.root = r.root AND d.path = r.path
        WHERE d.root = $1 AND d.session_id = $2 ORDER BY r.path, r.rev DESC) l
  WHERE l.change <> 'removed'`

const CHAIN = `
  WITH RECURSIVE chain AS (
    SELECT content_hash, size_bytes, encoding, base_hash, depth, data, 0 AS step FROM history_blobs WHERE content_hash = $1
    UNION ALL
    SELECT b.content_hash, b.size_bytes, b.encoding, b.base_hash, b.depth, b.data, c.step + 1
    FROM history_blobs b JOIN chain c ON b.content_hash = c.base_hash WHERE c.step <= ${MAX_DELTA_DEPTH})
  SELECT content_hash AS "contentHash", size_bytes AS "sizeBytes", encoding, base_hash AS "baseHash", depth, data
  FROM chain ORDER BY step DESC`

// A loose index scan of (root, path, rev): one step per root, however many revisions each holds.
const ROOTS = `
  WITH RECURSIVE roots(root) AS (
    SELECT min(root) FROM file_revisions
    UNION ALL SELECT (SELECT min(root) FROM file_revisions WHERE root > roots.root) FROM roots WHERE roots.root IS NOT NULL)
  SELECT root FROM roots WHERE root IS NOT NULL`

const STATS = `
  SELECT (SELECT count(*) FROM file_revisions) AS revisions, count(*) AS blobs,
         coalesce(sum(stored_bytes), 0) AS "storedBytes", coalesce(sum(size_bytes), 0) AS "contentBytes",
         (SELECT min(at) FROM file_revisions) AS "oldestAt", (SELECT max(at) FROM file_revisions) AS "newestAt"
  FROM history_blobs`

const EXPIRED = `
  SELECT rev FROM (
    SELECT rev, at, change, ordinal, row_number() OVER (PARTITION BY root, path ORDER BY rev DESC) AS newest FROM file_revisions) r
  WHERE NOT (newest = 1 AND change <> 'removed')
    AND (at < $1 OR newest > $2 OR (at < $3 AND ordinal % $4 <> 0))
  ORDER BY rev`

const DELETE_ORPHANS = `
  DELETE FROM history_blobs WHERE content_hash IN (
    SELECT b.content_hash FROM history_blobs b
    WHERE NOT EXISTS (SELECT 1 FROM file_revisions r WHERE r.content_hash = b.content_hash)
      AND NOT EXISTS (SELECT 1 FROM history_blobs c WHERE c.base_hash = b.content_hash)
    LIMIT ${PRUNE_BATCH})
  RETURNING stored_bytes AS "storedBytes"`

/** In the apply's transaction: the revision of the file's content (see `RECORD_CONTENT`). */
export async function recordContent(
  client: pg.PoolClient,
  file: FileIdentity,
  contentHash: string | null,
  blob: EncodedBlob | null,
  status: 'ok' | 'error',
  change: RevisionChange | undefined,
  at: string,
): Promise<void> {
  if (contentHash === null) return
  const stored = blob !== null && blob.contentHash === contentHash ? blob : null
  await client.query({
    name: 'sb_history_content',
    text: RECORD_CONTENT,
    values: [
      file.root, file.path, file.sessionId, change ?? null, contentHash, file.sizeBytes, status, at, file.instance,
      stored?.sizeBytes ?? null, stored?.encoding ?? null, stored?.baseHash ?? null, stored?.depth ?? null,
      stored ? Buffer.from(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength) : null,
    ],
  })
}

/** In the removal's transaction: a tombstone naming the content the file last had. */
export async function recordRemoval(client: pg.PoolClient, root: string, filePath: string, sessionId: string | null, instance: string, at: string): Promise<void> {
  await client.query({ name: 'sb_history_removal', text: RECORD_REMOVAL, values: [root, filePath, sessionId, at, instance] })
}

/** In the session removal's transaction, before its documents go: a tombstone for each of its files. */
export async function recordSessionRemoval(client: pg.PoolClient, root: string, sessionId: string, instance: string, at: string): Promise<void> {
  await client.query({ name: 'sb_history_session_removal', text: RECORD_SESSION_REMOVAL, values: [root, sessionId, at, instance] })
}

/** Revisions matching `query`. */
export async function listRevisions(query: Query, filter: RevisionQuery): Promise<Revision[]> {
  const order = filter.order ?? 'desc'
  const conditions: string[] = []
  const values: unknown[] = []
  const add = (condition: string, value: unknown): void => {
    values.push(value)
    conditions.push(condition.replace('?', `$${values.length}`))
  }
  if (filter.root !== undefined) add('root = ?', filter.root)
  if (filter.sessionId !== undefined) add('session_id = ?', filter.sessionId)
  if (filter.path !== undefined) add('path = ?', filter.path)
  if (filter.cursor !== undefined) add(order === 'desc' ? 'rev < ?' : 'rev > ?', filter.cursor)
  values.push(filter.limit)
  const sql = `SELECT ${REVISION_COLUMNS} FROM file_revisions ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY rev ${order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${values.length}`
  return (await query(sql, values)) as unknown as Revision[]
}

/** One revision, `null` when none has that number. */
export async function getRevision(query: Query, rev: number): Promise<Revision | null> {
  const rows = await query({ name: 'sb_history_revision', text: `SELECT ${REVISION_COLUMNS} FROM file_revisions WHERE rev = $1`, values: [rev] })
  return (rows[0] as unknown as Revision | undefined) ?? null
}

/** The blobs that decode `contentHash`, from its full copy up; empty when it is not stored whole. */
export async function blobChain(query: Query, contentHash: string): Promise<BlobChain> {
  const chain = (await query({ name: 'sb_history_chain', text: CHAIN, values: [contentHash] })) as unknown as EncodedBlob[]
  return chain.length > 0 && chain[0]!.baseHash === null ? chain : []
}

/** The roots that have revisions. */
export async function historyRoots(query: Query): Promise<string[]> {
  return (await query({ name: 'sb_history_roots', text: ROOTS, values: [] })).map((row) => String(row.root))
}

/** What history holds. */
export async function historyStats(query: Query): Promise<HistoryStats> {
  const row = (await query(STATS))[0]!
  return {
    revisions: Number(row.revisions),
    blobs: Number(row.blobs),
    storedBytes: Number(row.storedBytes),
    contentBytes: Number(row.contentBytes),
    oldestAt: (row.oldestAt as string | null) ?? null,
    newestAt: (row.newestAt as string | null) ?? null,
  }
}

/**
 * Delete what `policy` no longer keeps, revisions first, then the contents
 * nothing refers to, in batches of `PRUNE_BATCH` (one transaction each, on
 * `transaction`'s client). A dry run does it all in one transaction that is
 * rolled back. A content another sidecar refers to meanwhile stays (its
 * foreign key refuses the delete); the next sweep tries again.
 */
export async function pruneHistory(
  transaction: <T>(work: (client: pg.PoolClient) => Promise<T>, rollback?: boolean) => Promise<T>,
  policy: RetentionPolicy,
  now: Date,
  dryRun: boolean,
): Promise<PruneResult> {
  const result: PruneResult = { revisionsDeleted: 0, blobsDeleted: 0, bytesFreed: 0, dryRun }
  const bounds = retentionBounds(policy, now)
  const params = [bounds.keepAfter, bounds.keepRevisions, bounds.thinAfter, bounds.interval]
  const expiredRevs = async (client: pg.PoolClient): Promise<number[]> => (await client.query<{ rev: number }>(EXPIRED, params)).rows.map((r) => Number(r.rev))
  const deleteRevisions = async (client: pg.PoolClient, revs: number[]): Promise<void> => {
    result.revisionsDeleted += (await client.query('DELETE FROM file_revisions WHERE rev = ANY($1::bigint[])', [revs])).rowCount ?? 0
  }
  const deleteOrphans = async (client: pg.PoolClient): Promise<number> => {
    const { rows } = await client.query<{ storedBytes: number }>(DELETE_ORPHANS)
    result.blobsDeleted += rows.length
    for (const row of rows) result.bytesFreed += Number(row.storedBytes)
    return rows.length
  }
  if (dryRun) {
    await transaction(async (client) => {
      await deleteRevisions(client, await expiredRevs(client))
      while ((await deleteOrphans(client)) > 0);
    }, true)
    return result
  }
  const expired = await transaction(expiredRevs)
  for (let i = 0; i < expired.length; i += PRUNE_BATCH) {
    await transaction((client) => deleteRevisions(client, expired.slice(i, i + PRUNE_BATCH)))
  }
  try {
    while ((await transaction(deleteOrphans)) > 0);
  } catch (error) {
    // 23503: a revision another sidecar just wrote refers to a content being deleted.
    if ((error as { code?: string }).code !== '23503') throw error
  }
  return result
}
