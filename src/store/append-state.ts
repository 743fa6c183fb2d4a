/**
 * How a JSON Lines file's checkpoint is kept in `documents.append_state`
 * (with `append_offset` and `append_hash` beside it): the lines read and the
 * parser's fold state, as one JSON value. PostgreSQL keeps it as jsonb, which
 * reorders keys; the parsers' states do not depend on key order.
 */
import type { AppendCheckpoint } from '../parsers/agent/types.js'
import { PARSER_VERSION } from '../parsers/version.js'
import type { FileAppend, StoredAppend } from './types.js'

/** The JSON text stored for a checkpoint. */
export function storedAppendState(checkpoint: AppendCheckpoint): string {
  return JSON.stringify({ lines: checkpoint.lines, state: checkpoint.state })
}

/** The lines and state back from the stored value (parsed JSON). */
export function readAppendState(value: unknown): { lines: number; state: unknown } {
  const stored = value as { lines?: unknown; state?: unknown } | null
  return { lines: Number(stored?.lines ?? 0), state: stored?.state ?? null }
}

/** A document row as both dialects read it for an append (PostgreSQL gives bigint offsets as text). */
export interface AppendedRow {
  contentHash: string | null
  offset: number | string | null
  status: string
  parserVersion: number
}

/** Whether the document is still the content an append continues, read by this parser version. */
export function appendContinues<T extends AppendedRow>(row: T | undefined, append: FileAppend): row is T {
  return (
    row !== undefined &&
    row.status === 'ok' &&
    row.parserVersion === PARSER_VERSION &&
    row.contentHash === append.base.contentHash &&
    row.offset !== null &&
    Number(row.offset) === append.base.offset
  )
}

/** A stored checkpoint from a document row (`state` parsed JSON), or null when it has none. */
export function storedAppendOf(
  row: { contentHash: string | null; offset: number | string | null; hash: string | null; state: unknown } | undefined,
): StoredAppend | null {
  if (!row || row.contentHash === null || row.offset === null || row.hash === null || row.state === null) return null
  return { contentHash: row.contentHash, offset: Number(row.offset), hash: row.hash, ...readAppendState(row.state) }
}
