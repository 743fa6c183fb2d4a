/**
 * The derived columns of a session row, from what its documents say. Pure and
 * dialect-neutral: each store gathers the inputs with its own SQL.
 *
 * The status weighs every signal (README "Typed session state"): a QA
 * certificate, a complete synthesis, or a final memorandum with no open phase
 * makes the session `complete`, even when a state file is malformed; without
 * such evidence, a state file in error makes it `degraded`; otherwise it is
 * `active`. The reason says which file and why.
 */
import { SESSION_COLUMNS } from '../parsers/typed/tables.js'

/** Session facts of one document, as stored. */
export interface StoredSessionFacts {
  precedence: number
  path: string
  values: Record<string, unknown>
  metadata: Record<string, string>
}

/** A state document whose last read or parse failed. */
export interface ErrorFile {
  path: string
  /** Line of the error, when known. */
  line: number | null
  /** `line L, column C: reason`, as `documents.error` holds it. */
  error: string | null
}

/** A document that may certify the session: its path and the decision it states (a `Status`/`Decision` field), if any. */
export interface CertificateCandidate {
  path: string
  decision: string | null
}

/** Signals for the derived status and creation time. */
export interface SessionSignals {
  /** State documents (orchestrator, plan, registries, state files) in error, by path. */
  errorFiles: ErrorFile[]
  /** The session's synthesis_state rows: file and normalised status. */
  synthesis: Array<{ path: string; status: string | null }>
  /** Paths of the final memoranda. */
  finalMemoranda: string[]
  /** Phases not yet complete. */
  openPhases: number
  /** Documents whose path looks like a QA certificate or delivery decision (`certificateCandidatePaths`). */
  certificates: CertificateCandidate[]
  /** `created_at` (or `createdAt`, `metadata.created_at`) of the session's JSON state files. */
  createdClaims: Array<{ path: string; value: unknown }>
  /** The creation time the directory name gives (unix seconds in it), ISO-8601; null when none. */
  createdAtFromName: string | null
}

/** Derived session statuses. */
export type DerivedStatus = 'active' | 'complete' | 'degraded'

/** What the session row gets. */
export interface SessionSummary {
  values: Record<string, unknown>
  metadata: Record<string, string>
  status: DerivedStatus
  /** Why: the evidence for `complete`, the file and error for `degraded`, what is missing for `active`. */
  statusReason: string
  /** The state files in error, whatever the status. */
  errorFiles: ErrorFile[]
  /** The stated creation time when a plan or state file gives a credible one, else the name's. */
  createdAt: string | null
  /** `content:<path>` or `name`; null when neither gives a time. */
  createdAtSource: string | null
}

/**
 * Which documents may be QA certificates, by file name (no parsing):
 * `final-qa-certificate.md`, `qa-certificate.md`, `certification-summary.json`,
 * `final-qa-report.md`, `delivery-decision.md`. The SQL pre-filters with LIKE
 * on `certific`, `final-qa` and `delivery-decision`; this decides.
 */
export const CERTIFICATE_NAME = /^(final-qa-certificate|qa-certificate|certification-summary|final-qa-report|delivery-decision)[\w.-]*\.(md|json)$/i

/** How a status reason states a QA rejection (`QA decision REJECT (…/delivery-decision.md)`): the decision, then the file. */
export const QA_REJECTION_IN_REASON = /QA decision (.+?) \(([^()]+)\)/

/** How a status reason says the session has no final memorandum. */
export const NO_FINAL_MEMORANDUM = 'no final memorandum'

/** How a status reason says nothing in the session shows work: no plan, state file or memorandum. */
export const NOTHING_TO_READ = 'no research plan or state file'

/** A stated decision that certifies nothing. */
const REJECTED = /reject|not certified|fail/i

/** Metadata labels that state a plan's or state file's creation time (not `File Created`, which is later). */
const CREATED_LABEL = /^(created|created at|created on|creation date|date created|session created)$/i

/**
 * Merge facts by precedence (lower first, then path, so the result does not
 * depend on the order files were applied): the first non-null value of each
 * column wins, and likewise for each metadata label. Then derive the status
 * and the creation time.
 */
export function summariseSession(facts: StoredSessionFacts[], signals: SessionSignals, now: Date = new Date()): SessionSummary {
  const ordered = [...facts].sort((a, b) => a.precedence - b.precedence || compareText(a.path, b.path))
  const values: Record<string, unknown> = {}
  for (const column of Object.keys(SESSION_COLUMNS)) {
    values[column] = ordered.map((f) => f.values[column]).find((v) => v !== null && v !== undefined) ?? null
  }
  const metadata: Record<string, string> = {}
  for (const f of ordered) for (const [label, value] of Object.entries(f.metadata)) if (!(label in metadata)) metadata[label] = value
  const errorFiles = [...signals.errorFiles].sort((a, b) => compareText(a.path, b.path))
  const { status, statusReason } = deriveStatus({ ...signals, errorFiles, hasSessionFacts: facts.length > 0 })
  const created = statedCreation(ordered, signals.createdClaims, now)
  return {
    values,
    metadata,
    status,
    statusReason,
    errorFiles,
    createdAt: created?.at ?? signals.createdAtFromName,
    createdAtSource: created ? `content:${created.path}` : signals.createdAtFromName !== null ? 'name' : null,
  }
}

function deriveStatus(signals: SessionSignals & { hasSessionFacts: boolean }): { status: DerivedStatus; statusReason: string } {
  const errors = signals.errorFiles
  const errorText = errors.length === 0 ? '' : `${errors.length === 1 ? 'state file' : `${errors.length} state files`} in error: ${describeErrors(errors)}`
  const evidence = completionEvidence(signals)
  if (evidence !== null) return { status: 'complete', statusReason: errors.length ? `${evidence}; ${errorText}` : evidence }
  if (errors.length > 0) return { status: 'degraded', statusReason: `no completion evidence; ${errorText}` }
  const open: string[] = []
  const running = signals.synthesis.filter((s) => s.status !== 'complete')
  if (running.length > 0) open.push(`synthesis ${running[0]!.status ?? 'without status'} (${running[0]!.path})`)
  if (signals.openPhases > 0) open.push(`${signals.openPhases} open phase${signals.openPhases === 1 ? '' : 's'}`)
  // A directory with no plan or state (an audit folder, a test run) is not a session waiting for its memorandum.
  if (!signals.hasSessionFacts && signals.synthesis.length === 0 && signals.openPhases === 0 && signals.finalMemoranda.length === 0) open.push(NOTHING_TO_READ)
  if (signals.finalMemoranda.length === 0) open.push(NO_FINAL_MEMORANDUM)
  const rejected = signals.certificates.find((c) => c.decision !== null && REJECTED.test(c.decision))
  if (rejected) open.push(`QA decision ${rejected.decision} (${rejected.path})`)
  return { status: 'active', statusReason: open.join('; ') }
}

// The first signal that the pipeline finished, in order of strength; null when none.
function completionEvidence(signals: SessionSignals): string | null {
  const certificates = signals.certificates
    .filter((c) => CERTIFICATE_NAME.test(baseName(c.path)))
    .sort((a, b) => compareText(a.path, b.path))
  // The QA files of a session speak of one decision: a rejection anywhere outweighs a certificate that states none.
  const rejected = certificates.find((c) => c.decision !== null && REJECTED.test(c.decision))
  const certified = rejected ? undefined : (certificates.find((c) => c.decision !== null) ?? certificates[0])
  if (certified) return `QA certificate ${certified.path}${certified.decision ? ` (${certified.decision})` : ''}`
  const qaNote = rejected ? `; QA decision ${rejected.decision} (${rejected.path})` : ''
  const synthesis = [...signals.synthesis].sort((a, b) => compareText(a.path, b.path)).find((s) => s.status === 'complete')
  if (synthesis) return `synthesis complete (${synthesis.path})${qaNote}`
  const memo = [...signals.finalMemoranda].sort(compareText)[0]
  if (memo !== undefined && signals.openPhases === 0 && signals.synthesis.every((s) => s.status === 'complete')) {
    return `final memorandum ${memo} and no open phase${qaNote}`
  }
  return null
}

function describeErrors(errors: ErrorFile[]): string {
  const shown = errors.slice(0, 3).map((e) => `${e.path}${e.error ? ` ${e.error}` : ''}`)
  return `${shown.join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''}`
}

/**
 * The earliest credible creation time a plan, orchestrator state or JSON state
 * file states. Credible: a date (with or without time) from 2000 up to a day
 * after `now`; anything else (a placeholder, a typo, a future date) is ignored.
 */
function statedCreation(facts: StoredSessionFacts[], claims: SessionSignals['createdClaims'], now: Date): { at: string; path: string } | null {
  const candidates: Array<{ path: string; value: unknown }> = [...claims]
  for (const f of facts) {
    for (const [label, value] of Object.entries(f.metadata)) if (CREATED_LABEL.test(label.trim())) candidates.push({ path: f.path, value })
  }
  let best: { ms: number; path: string } | null = null
  for (const candidate of candidates) {
    const ms = credibleInstant(candidate.value, now)
    if (ms === null) continue
    if (best === null || ms < best.ms || (ms === best.ms && compareText(candidate.path, best.path) < 0)) best = { ms, path: candidate.path }
  }
  return best === null ? null : { at: new Date(best.ms).toISOString(), path: best.path }
}

function credibleInstant(value: unknown, now: Date): number | null {
  if (typeof value !== 'string') return null
  const text = value.trim()
  // A date first, as ISO-8601 writes it; free text ("January 5") is not trusted.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?)?$/i.test(text)) return null
  let iso = text.replace(' ', 'T').replace(/\s*UTC$/i, 'Z')
  // A time without a zone is read as UTC, as the pipelines write it, never as this host's zone.
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z'
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return null
  if (ms < Date.UTC(2000, 0, 1) || ms > now.getTime() + 86_400_000) return null
  return ms
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
