/**
 * One session's derived data from the rows each dialect reads with its own
 * SQL (the same columns under the same aliases): the session row's summary
 * (`session-summary.ts`), every specialist's derived status
 * (`specialist-evidence.ts`) and every remediation task's (`remediation-evidence.ts`). Pure, so both dialects derive the same values
 * from the same rows.
 */
import { deriveRemediationTasks, type DerivedRemediationTask } from './remediation-evidence.js'
import { deriveSpecialists, type DerivedSpecialist, type ReportInput } from './specialist-evidence.js'
import { summariseSession, type SessionSummary, type StoredSessionFacts } from './session-summary.js'

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
}

/** Traceability fields naming the task. */
const ID_FIELDS = new Set(['Report ID', 'Task ID', 'Query Received'])
/** Traceability fields naming the specialist. */
const AUTHOR_FIELDS = new Set(['Subagent', 'Specialist'])

/** The `Field` values the dialects' `reportFields` statements select. */
export const TRACEABILITY_FIELDS = [...ID_FIELDS, ...AUTHOR_FIELDS]

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
  )
  return { summary, specialists, remediation }
}
