/**
 * Read a JSON Lines file of an agent kind, whole or from where the last read
 * stopped: split the new lines (json-lines.ts), fold them into the kind's
 * state (audit-log.ts, transcript.ts), and rebuild the summary from the state.
 * Reading a prefix and then the rest from its checkpoint gives the rows of a
 * whole read, concatenated, and the same summary and diagnostics (see
 * test/agent-lines.test.ts).
 */
import { auditSummary, foldAuditLog } from './audit-log.js'
import { readJsonLines } from './json-lines.js'
import type { FoldContext, FoldRows } from './line-values.js'
import { foldTranscript, transcriptSummary } from './transcript.js'
import type { AppendCheckpoint, LinesOptions, LinesRead } from './types.js'

/** The JSON Lines kinds: hook audit logs and SDK transcripts. */
export type AgentLinesKind = 'audit_log' | 'transcript'

/**
 * Read `bytes` (the whole file as it is now) as a file of `kind` at `relPath`,
 * from `from` (null: from the start). Throws an `AppendOffsetError` when
 * `from.offset` lies past the end of `bytes` (the file shrank: read it whole).
 */
export function readAgentLines(
  kind: AgentLinesKind,
  relPath: string,
  bytes: Uint8Array,
  from: AppendCheckpoint | null,
  options: LinesOptions = {},
): LinesRead {
  const linesBefore = from?.lines ?? 0
  const chunk = readJsonLines(bytes, from?.offset ?? 0, linesBefore + 1)
  const context: FoldContext = { relPath, pricing: options.pricing ?? null, linesRead: linesBefore + chunk.count }
  const folded: { rows: FoldRows; state: unknown } =
    kind === 'audit_log' ? foldAuditLog(from?.state ?? null, chunk.lines, context) : foldTranscript(from?.state ?? null, chunk.lines, context)
  const summary = kind === 'audit_log' ? auditSummary(folded.state, relPath) : transcriptSummary(folded.state, relPath)
  return {
    rows: folded.rows,
    summary: { agent_sessions: [summary] },
    diagnostics: chunk.diagnostics,
    checkpoint: { offset: chunk.offset, lines: context.linesRead, state: folded.state },
  }
}
