/**
 * Route a file to its typed parser by document type and name.
 */
import type { DocumentType } from '../document-type.js'
import type { MarkdownRecords, ParsedDocument } from '../types.js'
import { parseAgentState, parseSynthesisState } from './agent-state.js'
import { parseConflictReport } from './conflict-report.js'
import { parseCoverageGaps } from './coverage-gaps.js'
import { parseFactRegistry } from './fact-registry.js'
import { parseOrchestratorState } from './orchestrator-state.js'
import { parseResearchPlan } from './research-plan.js'
import { parseRiskSummary } from './risk-summary.js'
import type { TypedRecords } from './types.js'

export type { TypedRecords } from './types.js'

const MARKDOWN_PARSERS: Partial<Record<DocumentType, (markdown: MarkdownRecords) => TypedRecords>> = {
  orchestrator_state: parseOrchestratorState,
  research_plan: parseResearchPlan,
  fact_registry: parseFactRegistry,
  conflict_report: parseConflictReport,
  coverage_gaps: parseCoverageGaps,
}

/** The synthesis state under any separator, with a version suffix or none (`synthesis_state.json`, `synthesis-state.cycle2.json`). */
const SYNTHESIS_STATE = /^synthesis[-_.]state(?:[-_.](?:v?\d+|r\d+|rev\d*|cycle\d+|pass\d+|wave\d+|final|updated|revised|latest))*\.json$/

/** Typed records of a parsed file, or `null` when no typed parser knows its kind. */
export function parseTyped(type: DocumentType, relPath: string, parsed: ParsedDocument): TypedRecords | null {
  if (parsed.markdown) return MARKDOWN_PARSERS[type]?.(parsed.markdown) ?? null
  if (parsed.format !== 'json' || parsed.json === null || typeof parsed.json !== 'object') return null
  const name = relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase()
  if (type === 'risk_summary') return parseRiskSummary(parsed.json)
  if (type === 'state_file' && SYNTHESIS_STATE.test(name)) return parseSynthesisState(parsed.json)
  if (type === 'state_file') return parseAgentState(name, parsed.json)
  return null
}
