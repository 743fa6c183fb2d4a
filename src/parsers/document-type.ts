/**
 * Classify a session file by its folder and name, using the document types
 * of the upstream design. Pure: a relative path in, a type out.
 */
import { NAMED_TYPES } from '../kinds/registry.js'
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
  | 'agent_transcript'
  | 'script'
  | 'backup'
  | 'other'

/**
 * Tokens of a file's stem: its name without the extension, split at `-`, `_`
 * and `.` (`risk_summary.v2` → `risk`, `summary`, `v2`).
 */
function stemTokens(name: string, extension: string): string[] | null {
  if (!name.endsWith(extension)) return null
  return name.slice(0, -extension.length).split(/[-_.]+/).filter((token) => token !== '')
}

/** A token that marks a copy kept aside: `foo-state.backup.json`, `risk-summary-old.json`. */
const BACKUP_TOKEN = /^(?:bak|backup\w*|orig|old)$/
/** A token that only tells a version or a run apart: `v2`, `cycle2`, `2`, `final`. */
const VERSION_TOKEN = /^(?:v\d+|r\d+|rev\d*|cycle\d+|pass\d+|wave\d+|\d+|final|updated|revised|latest)$/

/**
 * Named JSON state files, whatever their separators and suffixes:
 *
 * - a risk summary is a `.json` whose stem is `risk`, `summary`, then only
 *   version tokens: `risk-summary.json`, `risk_summary.json`,
 *   `risk-summary-v2.json`, `risk.summary.cycle2.json`;
 * - a state file is a `.json` whose stem has a `state` token after the agent's name:
 *   `synthesis-state.json`, `fact_validator_state.json`,
 *   `qa.state.json`, `section-writer-state-IV-A.json`,
 *   `risk-aggregator-state.cycle2.json`, `state.json`; not one that
 *   starts with a `state` subject (`state-licensing-matrix.json`);
 *   in Markdown only a stem ending in `state` (`qa-diagnostic-state.md`),
 *   since reports name the subject they cover (`section-IV-D-state-licensing.md`).
 *
 * A name with a backup token is a backup, not the live state: a resume must
 * not read it as the agent's state.
 */
function byStateName(name: string): DocumentType | null {
  const json = stemTokens(name, '.json')
  if (json !== null) {
    if (json.some((token) => BACKUP_TOKEN.test(token))) {
      return json.includes('state') || (json[0] === 'risk' && json[1] === 'summary') ? 'backup' : null
    }
    if (json[0] === 'risk' && json[1] === 'summary' && json.slice(2).every((token) => VERSION_TOKEN.test(token))) return 'risk_summary'
    // A leading `state` names a subject (`state-licensing-matrix.json`) unless nothing but a version follows.
    const at = json.indexOf('state')
    if (at > 0 || (at === 0 && json.slice(1).every((token) => VERSION_TOKEN.test(token)))) return 'state_file'
    return null
  }
  const markdown = stemTokens(name, '.md')
  if (markdown !== null && markdown.length > 1 && markdown[markdown.length - 1] === 'state') return 'state_file'
  return null
}

// What a file is by its extension beats its folder: a script in remediation-outputs/ is still a script.
const BY_EXTENSION: Array<[RegExp, DocumentType]> = [
  [/\.(sh|py|js|mjs|ts)$/, 'script'],
  [/\.log$/, 'audit_log'],
  [/\.(jsonl|ndjson)$/, 'agent_transcript'],
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

/**
 * How a file is parsed, from its extension: JSON Lines are `.jsonl`,
 * `.ndjson`, and a `.log` whose name says `audit` (the hooks' audit logs);
 * other logs are not read.
 */
export function documentFormat(relPath: string): DocumentFormat {
  const lower = relPath.toLowerCase()
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'markdown'
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl'
  if (lower.endsWith('.log') && lower.slice(lower.lastIndexOf('/') + 1).includes('audit')) return 'jsonl'
  return 'other'
}

/** The document type of a path relative to its session directory or to the root. */
export function documentType(relPath: string): DocumentType {
  const parts = relPath.split('/')
  const name = (parts[parts.length - 1] ?? '').toLowerCase()
  // Named state files win over their folder: a fact registry is one wherever it lives.
  for (const [pattern, type] of NAMED_TYPES.state) if (pattern.test(name)) return type
  const named = byStateName(name)
  if (named !== null) return named
  for (const [pattern, type] of BY_EXTENSION) if (pattern.test(name)) return type
  for (const folder of parts.slice(0, -1).reverse()) {
    const type = BY_FOLDER[folder.toLowerCase()]
    if (type) return type
  }
  for (const [pattern, type] of NAMED_TYPES.other) if (pattern.test(name)) return type
  for (const [pattern, type] of BY_PATTERN) if (pattern.test(name)) return type
  return 'other'
}
