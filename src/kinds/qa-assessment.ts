/**
 * A QA assessment of the memorandum (`qa-assessment.md`, `qa-review-findings.md`,
 * `qa-outputs/diagnostic-assessment*.md`, `final-qa-certificate.md`,
 * `delivery-decision.md`, `certification-*.md`): one `qa_assessments` row with
 * its score, outcome, issues and dimension scores. One row per document is
 * no shape the engine reads (fields, headings and tables all feed it), hence the hook.
 */
import type { FieldRecord, MarkdownRecords } from '../parsers/types.js'
import { labelIndex, newRow, severityText, statusValue, timeValue } from '../parsers/typed/research-typed-rows.js'
import { emptyTyped, pushRows, type TypedRecords } from '../parsers/typed/types.js'
import { assessmentType, certificationOf, passOfPath, passOfText, scoreOf, type AssessmentIssue } from './qa-read.js'
import type { KindInput, KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function qaAssessmentTables() {
  return {
    qa_assessments: {
      assessment_type: 'text',
      pass: 'integer',
      overall_score: 'real',
      score_raw: 'text',
      max_score: 'real',
      quality_tier: 'text',
      status: 'text',
      certification: 'text',
      certification_raw: 'text',
      assessed_at: 'text',
      issue_count: 'integer',
      issues: 'json',
      dimensions: 'json',
    },
  } as const
}

const QA_FILE = /^(?:qa-assessment|qa-review-findings|final-qa-certificate|delivery-decision|certification-[\w-]+|diagnostic-assessment[\w.-]*)\.md$/
const SCORE = ['final score', 'overall quality score', 'overall score', 'current diagnostic score', 'diagnostic score']
const OUTCOME = ['certification decision', 'decision', 'certification status']
const PASS = ['qa pass', 'qa cycle', 'diagnostic cycle', 'pass', 'cycle']
const DATE = ['assessment date', 'certification date', 'decision date', 'date', 'certification timestamp', 'decision timestamp']

export const qaAssessment: KindSpec = {
  kind: 'qa_assessment',
  documentType: 'qa_output',
  fileNames: [/^qa-assessment\.md$/, /^qa-review-findings\.md$/],
  accepts: (name, relPath) => QA_FILE.test(name) || (/(?:^|\/)pass-\d+\//.test(relPath) && /diagnostic|assessment/.test(name)),
  format: 'markdown',
  state: false,
  sections: ['issues requiring attention', 'issues by severity', 'score breakdown', 'remaining issues'],
  tables: qaAssessmentTables(),
  parse: (input) => readAssessment(input),
  fixture: { dir: 'qa-assessment', path: 's/qa-outputs/*' },
}

function readAssessment(input: KindInput): TypedRecords {
  const records = emptyTyped('qa_assessment')
  const markdown = input.markdown!
  const fields = [...markdown.fields, ...metricRows(markdown)].filter((f) => f.value.trim() !== '')
  const field = (labels: readonly string[]): FieldRecord | null =>
    labels.map((label) => fields.find((f) => labelIndex(f.key, [label]) >= 0)).find((f) => f !== undefined) ?? null
  const score = field(SCORE)
  const read = score === null ? null : scoreOf(score.value)
  const outcome = outcomeOf(markdown, field(OUTCOME), field(['status']))
  const status = field(['status'])
  const pass = field(PASS)
  const date = field(DATE)
  const issues = issuesOf(markdown)
  const values = {
    assessment_type: assessmentType(input.relPath),
    pass: passOfPath(input.relPath) ?? (pass === null ? null : passOfText(pass.value)),
    overall_score: read?.score ?? null,
    score_raw: score?.value ?? null,
    max_score: read?.max ?? null,
    quality_tier: field(['quality tier'])?.value ?? null,
    status: status === null ? null : statusValue(records, 'qa_assessments', 'status', status.value, status.line),
    certification: outcome === null ? null : certificationOf(outcome),
    certification_raw: outcome,
    assessed_at: date === null ? null : timeValue(records, 'qa_assessments', 'assessed_at', date.value, date.line),
    issue_count: issues.length,
    issues: issues.length > 0 ? issues : null,
    dimensions: dimensionsOf(markdown),
  }
  const used = [score, status, pass, date].filter((f): f is FieldRecord => f !== null)
  pushRows(records, 'qa_assessments', [newRow('qa_assessments', score?.line ?? 1, values, null, Object.fromEntries(used.map((f) => [f.key, f.raw])))])
  return records
}

/** `| Metric | Value |` rows (a delivery decision's scores) read as fields. */
function metricRows(markdown: MarkdownRecords): FieldRecord[] {
  return markdown.tables
    .filter((t) => t.headers.length === 2 && /^(?:metric|field|item)$/i.test(t.headers[0]!) && /^value$/i.test(t.headers[1]!))
    .flatMap((t) => t.rows.map((r) => ({ headingPath: t.headingPath, key: r.cells[t.headers[0]!]!, value: r.cells[t.headers[1]!]!, raw: r.raw.join(' | '), line: r.line, style: 'bold' as const })))
}

/** The outcome: a `CERTIFICATION STATUS: ...` heading, the heading under `CERTIFICATION DECISION`, a decision field, else a status that names one. */
function outcomeOf(markdown: MarkdownRecords, decision: FieldRecord | null, status: FieldRecord | null): string | null {
  for (const { path } of markdown.headings) {
    const text = path[path.length - 1] ?? ''
    const stated = /^certification\s+(?:status|decision)\s*:\s*(.+)$/i.exec(text)
    if (stated !== null) return stated[1]!.trim()
    if (path.length > 1 && /^certification\s+decision$/i.test(path[path.length - 2]!) && certificationOf(text) !== null) return text.replace(/^\W+/, '').trim()
  }
  if (decision !== null) return decision.value
  return status !== null && certificationOf(status.value) !== null ? status.value : null
}

/** Issues listed with a severity: table rows with a severity column, or `#### HIGH-001: title` headings under a severity heading. */
function issuesOf(markdown: MarkdownRecords): AssessmentIssue[] {
  const issues: AssessmentIssue[] = []
  for (const table of markdown.tables) {
    const severity = table.headers.find((h) => /^severity$/i.test(h))
    const title = table.headers.find((h) => /^(?:issue|finding|description|original finding)$/i.test(h))
    if (severity === undefined || title === undefined) continue
    const id = table.headers.find((h) => /^(?:issue id|id|#)$/i.test(h))
    for (const row of table.rows) {
      const text = row.cells[title]!.trim()
      if (text !== '') issues.push({ id: id === undefined ? null : row.cells[id]!.trim() || null, issue: text, severity: severityText(row.cells[severity]!) })
    }
  }
  for (const { path } of markdown.headings) {
    const match = /^(?<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+)\s*:\s*(?<title>.+)$/i.exec(path[path.length - 1] ?? '')
    if (match === null || path.length < 2) continue
    const level = /\b(critical|high|medium|moderate|low|minor)\b/i.exec(path[path.length - 2]!) ?? /\((critical|high|medium|low)\)\s*$/i.exec(match.groups!.title!)
    if (level !== null) issues.push({ id: match.groups!.id!, issue: match.groups!.title!.trim(), severity: severityText(level[1]!) })
  }
  return issues
}

/** Per-dimension scores from a `| Dimension | Weight | Score | ... |` table: the last score column not weighted. */
function dimensionsOf(markdown: MarkdownRecords): Array<Record<string, string | null>> | null {
  for (const table of markdown.tables) {
    const dimension = table.headers.find((h) => /^dimension$/i.test(h))
    const scores = table.headers.filter((h) => /score|^pass \d|^cycle \d/i.test(h) && !/weighted/i.test(h))
    if (dimension === undefined || scores.length === 0) continue
    const score = scores[scores.length - 1]!
    const weight = table.headers.find((h) => /^weight$/i.test(h))
    const max = table.headers.find((h) => /^max$/i.test(h))
    const rows = table.rows
      .filter((r) => r.cells[dimension]!.trim() !== '' && !/total|final score|base score/i.test(r.cells[dimension]!))
      .map((r) => ({ dimension: r.cells[dimension]!.trim(), weight: weight === undefined ? null : r.cells[weight]!.trim() || null, score: r.cells[score]!.trim() || null, max: max === undefined ? null : r.cells[max]!.trim() || null }))
    if (rows.length > 0) return rows
  }
  return null
}
