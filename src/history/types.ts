/**
 * History: every applied version of every file, kept once per distinct
 * content. These are the shapes shared by the encoder (parse workers), the
 * stores and the commands.
 */

/** What happened to a file in one revision. */
export type RevisionChange = 'created' | 'updated' | 'removed' | 'restored'

/**
 * How a blob's bytes are compressed, named as in HTTP's Content-Encoding:
 * `br` (Brotli, what this release writes), `gzip` (what releases before
 * schema version 14 wrote; still read) or `identity` (bytes as they are).
 */
export type BlobEncoding = 'br' | 'gzip' | 'identity'

/**
 * One stored content, as the database keeps it. A full copy (`baseHash`
 * `null`) is the file's bytes; a delta is the delta stream of `delta.ts`
 * against the content `baseHash`. Either is compressed as `encoding` says.
 */
export interface EncodedBlob {
  /** sha256 (hex) of the content this blob gives back. */
  contentHash: string
  /** Size of that content, in bytes. */
  sizeBytes: number
  encoding: BlobEncoding
  /** Content this one is a delta against; `null` for a full copy. */
  baseHash: string | null
  /** Deltas between this blob and the nearest full copy; 0 for a full copy. */
  depth: number
  /** The stored bytes. */
  data: Uint8Array
}

/** A blob as read back, enough to decode it: the chain from a full copy up to the wanted content. */
export type BlobChain = EncodedBlob[]

/** One revision row. */
export interface Revision {
  /** Position in the history: increases with every revision, never reused. */
  rev: number
  root: string
  path: string
  sessionId: string | null
  change: RevisionChange
  /**
   * Content of the file after the change. For a removal (a tombstone) the
   * content the file last had, so it can be brought back.
   */
  contentHash: string | null
  /** Size of that content, in bytes. */
  sizeBytes: number | null
  /** Whether the content parsed (`ok`) or not (`error`); `null` for a removal. */
  status: 'ok' | 'error' | null
  /** When the change was committed, ISO-8601 in UTC. */
  at: string
  /** Sidecar (or command) that recorded it. */
  instance: string
}

/** A delta is a full copy at the latest after this many revisions, so no restore walks a long chain. */
export const MAX_DELTA_DEPTH = 9

/** Which revisions `listRevisions` returns. */
export interface RevisionQuery {
  /** Only revisions under this root. */
  root?: string
  /** Only revisions of files of this session. */
  sessionId?: string
  /** Only revisions of this relative path. */
  path?: string
  /** Only revisions with a rev below this one (newest-first paging) or above it (oldest-first). */
  cursor?: number
  /** `asc`: oldest first; `desc` (default): newest first. */
  order?: 'asc' | 'desc'
  /** At most this many. */
  limit: number
}

/** What history holds, for `status`, metrics and the bench. */
export interface HistoryStats {
  revisions: number
  /** Distinct contents stored. */
  blobs: number
  /** Bytes stored for them (compressed, deltas). */
  storedBytes: number
  /** Bytes those contents have when decoded. */
  contentBytes: number
  /** Oldest and newest revision times, `null` when there is none. */
  oldestAt: string | null
  newestAt: string | null
}

/** How long history is kept (see README "History"). */
export interface RetentionPolicy {
  /** Revisions older than this many days go (default 30). */
  keepDays: number
  /** At most this many revisions per file (default 50). */
  keepRevisions: number
  /** Of revisions older than 24 h, only every Nth of a file is kept (default 1: all). */
  checkpointInterval: number
}

/** What one prune did (or, on a dry run, would do). */
export interface PruneResult {
  revisionsDeleted: number
  blobsDeleted: number
  /** Stored bytes of the blobs deleted. */
  bytesFreed: number
  dryRun: boolean
}
