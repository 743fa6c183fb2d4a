/**
 * The derived columns of a session row, from what its documents say. Pure and
 * dialect-neutral: each store gathers the inputs with its own SQL.
 */
import { SESSION_COLUMNS } from '../parsers/typed/tables.js'

/** Session facts of one document, as stored. */
export interface StoredSessionFacts {
  precedence: number
  path: string
  values: Record<string, unknown>
  metadata: Record<string, string>
}

/** Signals for the derived status. */
export interface SessionSignals {
  /** State documents (orchestrator, plan, registries, state files) in error. */
  stateFilesInError: number
  /** Normalised statuses of the session's synthesis_state rows. */
  synthesisStatuses: string[]
  /** Whether a final memorandum exists. */
  hasFinalMemorandum: boolean
  /** Phases not yet complete. */
  openPhases: number
}

/** What the session row gets. */
export interface SessionSummary {
  values: Record<string, unknown>
  metadata: Record<string, string>
  status: 'active' | 'complete' | 'error'
}

/**
 * Merge facts by precedence (lower first, then path, so the result does not
 * depend on the order files were applied): the first non-null value of each
 * column wins, and likewise for each metadata label.
 */
export function summariseSession(facts: StoredSessionFacts[], signals: SessionSignals): SessionSummary {
  const ordered = [...facts].sort((a, b) => a.precedence - b.precedence || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const values: Record<string, unknown> = {}
  for (const column of Object.keys(SESSION_COLUMNS)) {
    values[column] = ordered.map((f) => f.values[column]).find((v) => v !== null && v !== undefined) ?? null
  }
  const metadata: Record<string, string> = {}
  for (const f of ordered) for (const [label, value] of Object.entries(f.metadata)) if (!(label in metadata)) metadata[label] = value
  return { values, metadata, status: deriveStatus(signals) }
}

function deriveStatus(signals: SessionSignals): SessionSummary['status'] {
  if (signals.stateFilesInError > 0) return 'error'
  if (signals.synthesisStatuses.includes('complete')) return 'complete'
  if (signals.hasFinalMemorandum && signals.openPhases === 0 && !signals.synthesisStatuses.some((s) => s !== 'complete')) {
    return 'complete'
  }
  return 'active'
}
