/**
 * The registry of kinds: every kind of state file statebridge types, in the
 * order they are tried. Routing, the typed table list, the stores' list of
 * state document types, `check`'s known sections and the fixture router all
 * derive from this list; adding a kind is adding its spec here.
 */
import type { DocumentType } from '../parsers/document-type.js'
import { agentAuditLog } from './agent-audit-log.js'
import { agentState, agentStateTables } from './agent-state.js'
import { agentTranscript } from './agent-transcript.js'
import { conflictReport, conflictReportTables } from './conflict-report.js'
import { coverageGaps, coverageGapsTables } from './coverage-gaps.js'
import { factRegistry, factRegistryTables } from './fact-registry.js'
import { qaAssessment, qaAssessmentTables } from './qa-assessment.js'
import { qaDiagnosticState } from './qa-diagnostic-state.js'
import { remediationOutputs, remediationOutputsTables } from './remediation-outputs.js'
import { remediationTasks, remediationTasksTables } from './remediation-tasks.js'
import { remediationWaveState } from './remediation-wave-state.js'
import { sessionUsage, sessionUsageTables } from './session-usage.js'
import { agentTables } from './agent-tables.js'
import { orchestratorState, orchestratorStateTables } from './orchestrator-state.js'
import { researchPlan, researchPlanTables } from './research-plan.js'
import { riskSummary, riskSummaryTables } from './risk-summary.js'
import { synthesisState, synthesisStateTables } from './synthesis-state.js'
import type { ColumnType, KindSpec } from './types.js'

/** Every kind, in the order they are tried: a more specific kind comes before a catch-all of its document type. */
export const KINDS: readonly KindSpec[] = [
  orchestratorState,
  researchPlan,
  factRegistry,
  conflictReport,
  coverageGaps,
  synthesisState,
  agentState,
  riskSummary,
  qaAssessment,
  remediationTasks,
  remediationOutputs,
  qaDiagnosticState,
  remediationWaveState,
  sessionUsage,
  agentAuditLog,
  agentTranscript,
]

/**
 * Every kind's typed tables, in registry order: the catalogue the stores and
 * migrations follow (src/parsers/typed/tables.ts). A function declaration, so
 * the catalogue is there even while a cycle of imports is still loading.
 */
export function kindTables() {
  return {
    ...orchestratorStateTables(),
    ...researchPlanTables(),
    ...factRegistryTables(),
    ...conflictReportTables(),
    ...coverageGapsTables(),
    ...synthesisStateTables(),
    ...agentStateTables(),
    ...riskSummaryTables(),
    ...qaAssessmentTables(),
    ...remediationTasksTables(),
    ...remediationOutputsTables(),
    ...sessionUsageTables(),
    ...agentTables(),
  } as const satisfies Record<string, Record<string, ColumnType>>
}

/** The kind of a file of document type `type` named `name` (bare, lower-cased), or null when no kind takes it. */
export function kindOf(type: DocumentType, format: KindSpec['format'], name: string, relPath: string): KindSpec | null {
  for (const kind of KINDS) {
    if (kind.documentType !== type || kind.format !== format) continue
    if (kind.accepts === undefined || kind.accepts(name, relPath)) return kind
  }
  return null
}

/** The kinds that read a file `primary` took besides `primary` itself (see `KindSpec.also`), in registry order. */
export function alsoKindsOf(primary: KindSpec, name: string, relPath: string): KindSpec[] {
  return KINDS.filter((kind) => kind !== primary && kind.format === primary.format && kind.also !== undefined && kind.also(name, relPath))
}

/**
 * File names that make a file a kind's document type, in registry order: a
 * state file's name wins over its folder (a fact registry is one wherever it
 * lives); another kind's name only where no folder says what the file is (a
 * `remediation-plan.md` under `remediation-outputs/` is a remediation output).
 */
export const NAMED_TYPES = {
  state: namedTypes(KINDS.filter((kind) => kind.state)),
  other: namedTypes(KINDS.filter((kind) => !kind.state)),
}

function namedTypes(kinds: readonly KindSpec[]): ReadonlyArray<readonly [RegExp, DocumentType]> {
  return kinds.flatMap((kind) => (kind.fileNames ?? []).map((pattern) => [pattern, kind.documentType] as const))
}

/** Document types whose files are state files: a failure among them degrades their session. */
export const STATE_DOCUMENT_TYPES: readonly DocumentType[] = [...new Set(KINDS.filter((kind) => kind.state).map((kind) => kind.documentType))]

/** The document types as an SQL list literal, `('a', 'b')`, for both dialects. */
export const STATE_TYPES_SQL = `(${STATE_DOCUMENT_TYPES.map((type) => `'${type}'`).join(', ')})`

/** Headings each kind understands, by kind name (see `check`). */
export const KNOWN_SECTIONS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  KINDS.filter((kind) => kind.sections.length > 0).map((kind) => [kind.kind, kind.sections]),
)
