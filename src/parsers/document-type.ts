/**
 * Classify a session file by its folder and name, using the document types
 * of the upstream design. Pure: a relative path in, a type out.
 */
import type { DocumentFormat } from './types.js'

/** Every document type statebridge assigns. */
export type DocumentType =
  | 'orchestrator_state'
  | 'research_plan'
  | 'fact_registry'
  | 'conflict_report'
  | 'coverage_gaps'
  | 'risk_summary'
  | 'state_file'
  | 'specialist_report'
  | 'section_report'
  | 'review_output'
  | 'qa_output'
  | 'remediation_output'
  | 'executive_summary'
  | 'final_memorandum'
  | 'audit_log'
  | 'script'
  | 'backup'
  | 'other'

// Named state files win over their folder: a fact registry is one wherever it lives.
const BY_NAME: Array<[RegExp, DocumentType]> = [
  [/^orchestrator-state\.md$/, 'orchestrator_state'],
  [/^research-plan\.md$/, 'research_plan'],
  [/^fact-registry\.md$/, 'fact_registry'],
  [/^conflict-report\.md$/, 'conflict_report'],
  [/^coverage-gaps?(-analysis)?(-report)?\.md$/, 'coverage_gaps'],
  [/^risk-summary\.json$/, 'risk_summary'],
  // `synthesis-state.json`, `section-writer-state-IV-A.json`, `qa-diagnostic-state.md`;
  // not a report that merely mentions a state (`section-IV-D-state-licensing.md`).
  [/-state(-[\w-]+)?\.json$|-state\.md$/, 'state_file'],
]

// What a file is by its extension beats its folder: a script in remediation-outputs/ is still a script.
const BY_EXTENSION: Array<[RegExp, DocumentType]> = [
  [/\.(sh|py|js|mjs|ts)$/, 'script'],
  [/\.log$/, 'audit_log'],
  [/\.(bak|backup[\w-]*|orig|old)$/, 'backup'],
]

const BY_FOLDER: Record<string, DocumentType> = {
  'specialist-reports': 'specialist_report',
  'section-reports': 'section_report',
  sections: 'section_report',
  'review-outputs': 'review_output',
  'qa-outputs': 'qa_output',
  'remediation-outputs': 'remediation_output',
}

const BY_PATTERN: Array<[RegExp, DocumentType]> = [
  [/^executive-summary.*\.md$/, 'executive_summary'],
  [/^final-memorandum.*\.md$/, 'final_memorandum'],
  [/-report\.md$/, 'specialist_report'],
]

/** How a file is parsed, from its extension. */
export function documentFormat(relPath: string): DocumentFormat {
  const lower = relPath.toLowerCase()
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'markdown'
  if (lower.endsWith('.json')) return 'json'
  return 'other'
}

/** The document type of a path relative to its session directory or to the root. */
export function documentType(relPath: string): DocumentType {
  const parts = relPath.split('/')
  const name = (parts[parts.length - 1] ?? '').toLowerCase()
  for (const [pattern, type] of BY_NAME) if (pattern.test(name)) return type
  for (const [pattern, type] of BY_EXTENSION) if (pattern.test(name)) return type
  for (const folder of parts.slice(0, -1).reverse()) {
    const type = BY_FOLDER[folder.toLowerCase()]
    if (type) return type
  }
  for (const [pattern, type] of BY_PATTERN) if (pattern.test(name)) return type
  return 'other'
}
