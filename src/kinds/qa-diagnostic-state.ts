/**
 * A QA diagnostic's JSON state (`qa-diagnostic-state.json`,
 * `qa-diagnostic-state-cycle2.json`, `qa-outputs/pass-2/*-state.json`): the
 * agent state kind takes the file (its `agent_states` row); this kind also
 * reads it for one `qa_assessments` row of type `diagnostic`.
 */
import { isRecord, pickValue, type JsonObject } from '../parsers/typed/json-keys.js'
import { newRow, severityText, textValue } from '../parsers/typed/research-typed-rows.js'
import { emptyTyped, pushRows } from '../parsers/typed/types.js'
import { certificationOf, passOfPath, type AssessmentIssue } from './qa-read.js'
import type { KindSpec } from './types.js'

const QA_STATE = /^qa[-_.](?:diagnostic|certification)[-_.]state\b.*\.json$/

export const qaDiagnosticState: KindSpec = {
  kind: 'qa_diagnostic_state',
  documentType: 'state_file',
  // Never a file's own kind: the agent state kind takes these files; this one reads them too.
  accepts: () => false,
  also: (name, relPath) => QA_STATE.test(name) || (/(?:^|\/)pass-\d+\//.test(relPath) && /diagnostic/.test(name)),
  format: 'json',
  state: false,
  sections: [],
  tables: {},
  parse: (input) => {
    const records = emptyTyped('qa_diagnostic_state')
    if (!isRecord(input.json)) return records
    const doc = input.json
    const metrics = isRecord(doc.metrics) ? doc.metrics : {}
    const cycle = isRecord(doc.qa_cycle) ? doc.qa_cycle : {}
    const history = Array.isArray(cycle.cycle_history) ? cycle.cycle_history.filter(isRecord) : []
    const last: JsonObject = history[history.length - 1] ?? {}
    const summary = isRecord(doc.scoring_summary) ? doc.scoring_summary : isRecord(doc.score_calculation) ? doc.score_calculation : {}
    const score = [metrics.aggregate_score_percentage, metrics.aggregate_score, summary.final_score, summary.percentage, last.score, metrics.aggregate_score_so_far].find((v) => typeof v === 'number')
    const issues: AssessmentIssue[] = (Array.isArray(doc.issues_found) ? doc.issues_found.filter(isRecord) : []).map((item) => ({
      id: textValue(String(pickValue(item, ['id', 'issue_id']) ?? '')),
      issue: String(pickValue(item, ['description', 'issue', 'title']) ?? ''),
      severity: severityText(typeof item.severity === 'string' ? item.severity : null),
    }))
    const outcome = typeof last.outcome === 'string' ? last.outcome : null
    // A state that records no assessment (no score, issue or outcome) is an agent's progress only.
    if (typeof score !== 'number' && issues.length === 0 && outcome === null) return records
    const pass = [doc.cycle, cycle.current_cycle, last.cycle].find((v) => typeof v === 'number') ?? passOfPath(input.relPath)
    const values = {
      assessment_type: 'diagnostic',
      pass: pass ?? null,
      overall_score: typeof score === 'number' ? score : null,
      score_raw: typeof score === 'number' ? String(score) : null,
      max_score: typeof score === 'number' ? 100 : null,
      status: typeof doc.status === 'string' ? doc.status.toLowerCase() : null,
      certification: outcome === null ? null : certificationOf(outcome),
      certification_raw: outcome,
      assessed_at: [metrics.last_checkpoint, last.timestamp].find((v) => typeof v === 'string') ?? null,
      issue_count: typeof metrics.total_issues === 'number' ? metrics.total_issues : issues.length,
      issues: issues.length > 0 ? issues : null,
      dimensions: isRecord(doc.dimensions_scored) ? dimensionsOf(doc.dimensions_scored) : null,
    }
    pushRows(records, 'qa_assessments', [newRow('qa_assessments', null, values, null, null)])
    return records
  },
  fixture: { dir: 'qa-diagnostic-state', path: 's/*' },
}

function dimensionsOf(scored: JsonObject): Array<Record<string, unknown>> {
  return Object.entries(scored).map(([dimension, value]) =>
    isRecord(value) ? { dimension, weight: value.weight ?? null, score: value.score ?? null, max: value.max ?? null } : { dimension, weight: null, score: value, max: null },
  )
}
