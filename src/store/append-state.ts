/**
 * How a JSON Lines file's checkpoint is kept in `documents.append_state`
 * (with `append_offset` and `append_hash` beside it): the lines read and the
 * parser's fold state, as one JSON value. PostgreSQL keeps it as jsonb, which
 * reorders keys; the parsers' states do not depend on key order.
 */
import type { AppendCheckpoint } from '../parsers/agent/types.js'

/** The JSON text stored for a checkpoint. */
export function storedAppendState(checkpoint: AppendCheckpoint): string {
  return JSON.stringify({ lines: checkpoint.lines, state: checkpoint.state })
}

/** The lines and state back from the stored value (parsed JSON). */
export function readAppendState(value: unknown): { lines: number; state: unknown } {
  const stored = value as { lines?: unknown; state?: unknown } | null
  return { lines: Number(stored?.lines ?? 0), state: stored?.state ?? null }
}
