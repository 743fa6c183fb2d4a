/**
 * One session's derived data from the rows each dialect reads with its own
 * SQL (the same columns under the same aliases): the session row's summary
 * (`session-summary.ts`), every specialist's derived status
 * (`specialist-evidence.ts`) and every remediation task's (`remediation-evidence.ts`). Pure, so both dialects derive the same values
 * from the same rows.
 */
import { certificationOf } from '../kinds/qa-read.js'
import { deriveRemediationTasks, type DerivedRemediationTask } from './remediation-evidence.js'
import { deriveSpecialists, type DerivedSpecialist, type ReportInput } from './specialist-evidence.js'
import { NO_FINAL_MEMORANDUM, NOTHING_TO_READ, QA_REJECTION_IN_REASON, summariseSession, type SessionSummary, type StoredSessionFacts } from './session-summary.js'
import { NOT_DERIVED_REASON } from './session-inputs.js'
import type { QaAssessmentSummary, SessionDetail } from './types.js'

type Row = Record<string, unknown>

/** The rows one refresh reads; each list under the aliases the dialects' statements give it. */
export interface SessionRows {
  facts: StoredSessionFacts[]
  /** path, line, error */
  errorFiles: Row[]
  /** path, status */
  synthesis: Row[]
  /** path */
  finalMemoranda: Row[]
  openPhases: number
  /** path, decision */
  certificates: Row[]
  /** path, value */
  createdClaims: Row[]
  createdAtFromName: string | null
  /** id, task_id, specialist_type, status */
  assignments: Row[]
  /** path */
  reports: Row[]
  /** path, field, value: the `Field | Value` traceability rows of the reports */
  reportFields: Row[]
  /** path, specialist_id, report_file, complete */
  inventory: Row[]
  /** path, agent, status */
  agents: Row[]
  /** id, task_id, status */
  remediationTasks: Row[]
  /** path, output_name, reports_complete */
  remediationOutputs: Row[]
  /** Whether any file of the session is in the database. */
  hasDocuments: boolean
}

/** Traceability fields naming the task. */
const ID_FIELDS = new Set(['Report ID', 'Task ID', 'Query Received'])
/** Traceability fields naming the specialist. */
const AUTHOR_FIELDS = new Set(['Subagent', 'Specialist'])

/** The `Field` values the dialects' `reportFields` statements select. */
export const TRACEABILITY_FIELDS = [...ID_FIELDS, ...AUTHOR_FIELDS]

/**
 * Remediation follows the memorandum, so a session complete by its synthesis
 * or memorandum may still have remediation open: only a certificate or
 * delivery decision that certifies, with none rejecting, closes its tasks.
 */
function certified(decisions: Array<string | null>): boolean {
  const outcomes = decisions.map((d) => (d === null ? null : certificationOf(d)))
  return outcomes.some((o) => o === 'CERTIFIED' || o === 'CONDITIONAL') && !outcomes.includes('NOT CERTIFIED')
}

/** Derive the session row and the specialists' statuses. */
export function deriveSession(
  rows: SessionRows,
  now: Date = new Date(),
): { summary: SessionSummary; specialists: DerivedSpecialist[]; remediation: DerivedRemediationTask[] } {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
  const summary = summariseSession(
    rows.facts,
    {
      errorFiles: rows.errorFiles.map((r) => ({ path: String(r.path), line: r.line === null || r.line === undefined ? null : Number(r.line), error: text(r.error) })),
      synthesis: rows.synthesis.map((r) => ({ path: String(r.path), status: text(r.status) })),
      finalMemoranda: rows.finalMemoranda.map((r) => String(r.path)),
      openPhases: rows.openPhases,
      certificates: rows.certificates.map((r) => ({ path: String(r.path), decision: text(r.decision) })),
      createdClaims: rows.createdClaims.map((r) => ({ path: String(r.path), value: r.value })),
      createdAtFromName: rows.createdAtFromName,
    },
    now,
  )
  const reports = new Map<string, ReportInput>()
  for (const r of rows.reports) reports.set(String(r.path), { path: String(r.path), idTexts: [], authors: [] })
  for (const r of rows.reportFields) {
    const report = reports.get(String(r.path))
    const value = text(r.value)
    if (!report || value === null) continue
    if (ID_FIELDS.has(String(r.field))) report.idTexts.push(value)
    else if (AUTHOR_FIELDS.has(String(r.field))) report.authors.push(value)
  }
  for (const report of reports.values()) report.idTexts.sort(), report.authors.sort()
  const specialists = deriveSpecialists(
    rows.assignments.map((r) => ({ id: Number(r.id), taskId: text(r.task_id), specialistType: text(r.specialist_type), status: text(r.status) })),
    {
      reports: [...reports.values()],
      inventory: rows.inventory.map((r) => ({
        path: String(r.path),
        specialistId: text(r.specialist_id),
        reportFile: text(r.report_file),
        complete: text(r.complete),
      })),
      agents: rows.agents.map((r) => ({ path: String(r.path), agent: text(r.agent), status: text(r.status) })),
    },
    summary.status === 'complete',
  )
  const remediation = deriveRemediationTasks(
    rows.remediationTasks.map((r) => ({ id: Number(r.id), taskId: text(r.task_id), status: text(r.status) })),
    rows.remediationOutputs.map((r) => ({ path: String(r.path), name: String(r.output_name ?? ''), complete: Number(r.reports_complete) === 1 })),
    certified(rows.certificates.map((r) => text(r.decision))),
  )
  // A session whose files are all gone is what a fresh sync makes of its directory: a row no file was applied to.
  return { summary: rows.hasDocuments ? summary : { ...summary, statusReason: NOT_DERIVED_REASON }, specialists, remediation }
}

/** Where a session stands and what resumes next: what `show` prints under `where` and `next`. */
export interface SessionResume {
  /** The stage the latest evidence shows. */
  where: string
  /** What resumes next: for a complete session `nothing`, or the human review a QA rejection asks for. */
  next: string
  /** The synthesis state's own next action when the session's completion supersedes it; else null. */
  supersededNextAction: string | null
}

const DONE_PHASE = new Set(['complete', 'skipped'])

/** A session's detail with its {@link sessionResume} answer. */
export function withResume(d: Omit<SessionDetail, 'resume'>): SessionDetail {
  return { ...d, resume: sessionResume(d) }
}

/**
 * Where a session stands and what resumes next, from its detail alone (so
 * `show` and the API read the same answer). A complete session resumes
 * nothing, and a next action its synthesis state wrote before the QA files is
 * superseded; a QA rejection asks for human review. Otherwise, in this order:
 * an unfinished synthesis (its own next action), pending specialists, the
 * orchestrator's first open phase (noting agent states written after its phase
 * table, which is then stale), unfinished agent states, the memorandum still
 * to write. A file in error comes first in `next`.
 */
export function sessionResume(d: Omit<SessionDetail, 'resume'>): SessionResume {
  const reason = d.statusReason ?? ''
  const synthesis = d.synthesis
  const synthesisNext = textOf(synthesis?.next_action)
  if (d.status === 'complete') {
    const rejected = QA_REJECTION_IN_REASON.exec(reason)
    return {
      where: `finished: ${reason}`,
      next: rejected ? `human review: QA decision ${rejected[1]} (${rejected[2]}); no automated step resumes` : 'nothing: the session is complete',
      supersededNextAction: synthesisNext,
    }
  }
  const { where, next } = openWork(d, reason)
  const broken = d.errorFiles[0]
  const repair = broken ? `repair ${broken.path}${broken.error ? ` (${broken.error})` : ''}${d.errorFiles.length > 1 ? ` and ${d.errorFiles.length - 1} more` : ''}; then ` : ''
  return { where, next: `${repair}${next}`, supersededNextAction: null }
}

/** The QA assessment written last: by its stated time, then by pass, then by path. */
function newest(assessments: readonly QaAssessmentSummary[]): QaAssessmentSummary | null {
  let best: QaAssessmentSummary | null = null
  for (const a of assessments) {
    if (best === null) best = a
    else {
      const order = (a.assessed_at ?? '').localeCompare(best.assessed_at ?? '') || (a.pass ?? 0) - (best.pass ?? 0) || a.path.localeCompare(best.path)
      if (order > 0) best = a
    }
  }
  return best
}

function openWork(d: Omit<SessionDetail, 'resume'>, reason: string): { where: string; next: string } {
  const synthesis = d.synthesis
  const synthesisStatus = textOf(synthesis?.status)
  if (synthesis && synthesisStatus !== 'complete') {
    const phase = textOf(synthesis.current_phase)
    const step = textOf(synthesis.last_completed_step)
    return {
      where: `synthesis ${phase ?? 'without phase'} (${synthesisStatus ?? 'no status'})${step ? `, last step: ${step}` : ''}`,
      next: textOf(synthesis.next_action) ?? `resume the synthesis at ${phase ?? 'its first phase'}`,
    }
  }
  const planned = d.specialists.length
  const pending = d.pendingSpecialists
  if (pending.length > 0) {
    return {
      where: `research: ${planned - pending.length} of ${planned} specialists done`,
      next: `run ${pending.map((p) => `${p.task_id ?? '?'} ${p.specialist_type ?? '?'}`).join(', ')}`,
    }
  }
  const research = planned > 0 ? `research: all ${planned} specialists done` : null
  // The newest QA assessment saying it is blocked (assembly incomplete, say) is where an unfinished session stands.
  const newestQa = newest(d.qaAssessments ?? [])
  if (newestQa?.status === 'blocked') {
    return {
      where: `QA blocked: ${newestQa.path}${newestQa.assessed_at ? ` (${newestQa.assessed_at.slice(0, 10)})` : ''}`,
      next: `clear what ${newestQa.path} reports as blocking, then run the QA assessment again`,
    }
  }
  const openAgents = d.agents.filter((a) => a.status !== 'complete' && a.agent !== 'synthesis')
  const agentNote = d.agents.length > 0 ? `${d.agents.length - openAgents.length} of ${d.agents.length} agent states complete` : null
  const firstOpen = d.phases.find((p) => p.status === null || !DONE_PHASE.has(p.status))
  // Only an active session's reason lists what is missing; a degraded one's names the broken files.
  const memorandumWritten = d.status === 'active' && !reason.includes(NO_FINAL_MEMORANDUM)
  if (firstOpen) {
    const lastDone = [...d.phases].reverse().find((p) => p.status !== null && DONE_PHASE.has(p.status))
    const tableTime = latest(d.phases.flatMap((p) => [p.end_time, p.start_time]))
    const agentTime = latest(d.agents.map((a) => a.last_updated))
    const qa = [...(d.qaAssessments ?? [])]
      .map((a) => ({ path: a.path, at: latest([a.assessed_at]) }))
      .filter((a) => a.at !== null && tableTime !== null && a.at > tableTime)
      .sort((a, b) => (a.at! < b.at! ? 1 : a.at! > b.at! ? -1 : 0))
    // Agent states, a memorandum or QA assessments written after the phase table show the session went on without it.
    const later = [
      agentTime !== null && tableTime !== null && agentTime > tableTime ? `${agentNote} since (latest ${agentTime})` : null,
      memorandumWritten ? 'a final memorandum exists' : null,
      qa.length > 0 ? `QA assessment ${qa[0]!.path} (${qa[0]!.at!.slice(0, 10)})` : null,
    ].filter((n): n is string => n !== null)
    const stale = later.length > 0 ? `; the phase table is older than what followed: ${later.join(', ')}` : ''
    return {
      where: `${lastDone ? `after ${lastDone.phase ?? '?'}` : 'before the first phase'}; open: ${firstOpen.phase ?? '?'} (${firstOpen.status ?? 'no status'})${stale}`,
      next: `${firstOpen.phase ?? 'the first open phase'}${stale ? ' by the phase table; check the later files first' : ''}${openAgents.length > 0 ? `; unfinished: ${agentList(openAgents)}` : ''}`,
    }
  }
  if (openAgents.length > 0) {
    return { where: [research, agentNote].filter(Boolean).join('; '), next: `finish ${agentList(openAgents)}` }
  }
  if (reason.includes(NOTHING_TO_READ)) {
    return { where: `nothing to read: ${NOTHING_TO_READ} (${d.documents.ok + d.documents.error} other files)`, next: 'unknown: no plan says what this directory is for' }
  }
  if (d.status === 'degraded') {
    return { where: [research, agentNote, 'no completion evidence'].filter(Boolean).join('; '), next: 'whatever the repaired file says' }
  }
  if (!memorandumWritten) {
    return { where: [research, agentNote, NO_FINAL_MEMORANDUM].filter(Boolean).join('; '), next: 'write the final memorandum (synthesis has not started a state file)' }
  }
  return { where: reason || 'unknown', next: 'unknown: nothing states the next step' }
}

function agentList(agents: SessionDetail['agents']): string {
  const shown = agents.slice(0, 3).map((a) => `${a.agent ?? '?'} (${a.status ?? 'no status'}${a.current_phase ? `, ${a.current_phase}` : ''})`)
  return `${shown.join(', ')}${agents.length > 3 ? ` and ${agents.length - 3} more` : ''}`
}

// The latest of some ISO-8601 instants, compared as instants; null when none parses.
function latest(values: Array<string | null>): string | null {
  let best: number | null = null
  for (const v of values) {
    const ms = v === null ? NaN : Date.parse(v)
    if (!Number.isNaN(ms) && (best === null || ms > best)) best = ms
  }
  return best === null ? null : new Date(best).toISOString()
}

function textOf(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v)
}
