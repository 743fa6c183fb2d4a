/**
 * A QA assessment of the memorandum (`qa-assessment.md`, `qa-review-findings.md`,
 * `qa-outputs/diagnostic-assessment*.md`, `final-qa-certificate.md`,
 * `delivery-decision.md`, `certification-*.md`): one `qa_assessments` row with
 * its score, outcome, issues and dimension scores. One row per document is
 * no shape the engine reads (fields, headings and tables all feed it), hence the hook.
 */
import { parseStatus } from '../parsers/normalize/index.js'
import type { FieldRecord, MarkdownRecords, TableRecord } from '../parsers/types.js'
import { mapHeaders } from '../parsers/typed/labels.js'
import { labelIndex, markTyped, newRow, severityText, timeValue } from '../parsers/typed/research-typed-rows.js'
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

// Whole labels only: `Issue Type` or `Severity Rationale` is no issue list's column.
const ISSUE_COLUMNS = [
  ['id', ['=issue id', '=id', '=#']],
  ['issue', ['=issue', '=finding', '=description', '=original finding']],
  ['severity', ['=severity']],
] as const

const QA_FILE = /^(?:qa-assessment|qa-review-findings|final-qa-certificate|delivery-decision|certification-[\w-]+|diagnostic-assessment[\w.-]*)\.md$/
const SCORE = ['final score', 'overall quality score', 'overall score', 'current diagnostic score', 'diagnostic score']
const OUTCOME = ['certification decision', 'decision', 'certification status']
const PASS = ['qa pass', 'qa cycle', 'diagnostic cycle', 'pass', 'cycle']
const DATE = ['assessment date', 'certification date', 'decision date', 'certification timestamp', 'decision timestamp', 'date']

export const qaAssessment: KindSpec = {
  kind: 'qa_assessment',
  documentType: 'qa_output',
  fileNames: [/^qa-assessment\.md$/, /^qa-review-findings\.md$/],
  accepts: (name, relPath) => QA_FILE.test(name) || (/(?:^|\/)pass-\d+\//.test(relPath) && /diagnostic|assessment/.test(name)),
  format: 'markdown',
  state: false,
  // One row per document, not per section: no section of its own can be empty or left generic.
  sections: [],
  tables: qaAssessmentTables(),
  parse: (input) => readAssessment(input),
  fixture: { dir: 'qa-assessment', path: 's/qa-outputs/*' },
}

function readAssessment(input: KindInput): TypedRecords {
  const records = emptyTyped('qa_assessment')
  const markdown = input.markdown!
  // A blank to sign (`**Date**: _____`) states nothing.
  const fields = [...markdown.fields.map(splitTitle), ...metricRows(markdown)].filter((f) => !/^[\s_\-—–]*$/.test(f.value))
  // The header under the title states the document's own values; a body's `Final Score` may be a dimension's.
  const header = fields.filter((f) => f.headingPath.length <= 1)
  const among = (list: FieldRecord[], labels: readonly string[]): FieldRecord | undefined =>
    labels.map((label) => list.find((f) => labelIndex(f.key, [label]) >= 0)).find((f) => f !== undefined)
  const field = (labels: readonly string[]): FieldRecord | null => among(header, labels) ?? among(fields, labels) ?? null
  const score = field(SCORE)
  const read = score === null ? null : scoreOf(score.value)
  const outcome = outcomeOf(markdown, fields.filter((f) => labelIndex(f.key, [...OUTCOME, 'status']) >= 0))
  for (const table of markdown.tables) if (isMetricTable(table)) markTyped(records, table.ordinal)
  // The document's own status stands in its header, under the title; deeper ones are about items.
  const status = fields.find((f) => f.headingPath.length <= 1 && labelIndex(f.key, ['status']) >= 0) ?? null
  const pass = field(PASS)
  const date = field(DATE)
  const issues = issuesOf(markdown, records)
  const values = {
    assessment_type: assessmentType(input.relPath),
    pass: passOfPath(input.relPath) ?? (pass === null ? null : passOfText(pass.value)),
    overall_score: read?.score ?? null,
    score_raw: score?.value ?? null,
    max_score: read?.max ?? null,
    quality_tier: field(['quality tier'])?.value ?? null,
    // Prose (`Score below 88% threshold requires ...`) is no status and no miss either.
    status: status === null ? null : (parseStatus(status.value)?.status ?? null),
    certification: outcome === null ? null : certificationOf(outcome),
    certification_raw: outcome,
    assessed_at: date === null ? null : timeValue(records, 'qa_assessments', 'assessed_at', date.value, date.line),
    issue_count: issues.length,
    issues: issues.length > 0 ? issues : null,
    dimensions: dimensionsOf(markdown, records),
  }
  const used = [score, status, pass, date].filter((f): f is FieldRecord => f !== null)
  records.typedTables.sort((a, b) => a - b)
  pushRows(records, 'qa_assessments', [newRow('qa_assessments', score?.line ?? 1, values, null, Object.fromEntries(used.map((f) => [f.key, f.raw])))])
  return records
}

/** `| Metric | Value |` rows (a delivery decision's scores) read as fields. */
function metricRows(markdown: MarkdownRecords): FieldRecord[] {
  return markdown.tables
    .filter(isMetricTable)
    .flatMap((t) => t.rows.map((r) => ({ headingPath: t.headingPath, key: r.cells[t.headers[0]!]!, value: r.cells[t.headers[1]!]!, raw: r.raw.join(' | '), line: r.line, style: 'bold' as const })))
}

function isMetricTable(t: TableRecord): boolean {
  return t.headers.length === 2 && /^(?:metric|field|item)$/i.test(t.headers[0]!) && /^value$/i.test(t.headers[1]!)
}

/** The outcome: a `CERTIFICATION STATUS: ...` heading, the heading under `CERTIFICATION DECISION`, else the first decision or status field that names one. */
function outcomeOf(markdown: MarkdownRecords, decisions: FieldRecord[]): string | null {
  for (const { path } of markdown.headings) {
    const text = path[path.length - 1] ?? ''
    const stated = /^certification\s+(?:status|decision)\s*:\s*(.+)$/i.exec(text)
    if (stated !== null) return stated[1]!.trim()
    if (path.length > 1 && /^certification\s+decision$/i.test(path[path.length - 2]!) && certificationOf(text) !== null) return text.replace(/^\W+/, '').trim()
  }
  return decisions.find((f) => certificationOf(f.value) !== null)?.value ?? null
}

/** A bold key that holds its own value (`**Overall Quality Score: 93%** (Pass 2)`) as a field. */
function splitTitle(field: FieldRecord): FieldRecord {
  const match = /^(.+?):\s*(.+)$/.exec(field.key)
  return match === null ? field : { ...field, key: match[1]!.trim(), value: `${match[2]!.trim()} ${field.value}`.trim() }
}

/** Issues listed with a severity: table rows with a severity column, or `#### HIGH-001: title` headings under a severity heading. */
function issuesOf(markdown: MarkdownRecords, records: TypedRecords): AssessmentIssue[] {
  const issues: AssessmentIssue[] = []
  for (const table of markdown.tables) {
    const { columns } = mapHeaders(table.headers, ISSUE_COLUMNS)
    const severity = columns.get('severity')
    const title = columns.get('issue')
    if (severity === undefined || title === undefined) continue
    const id = columns.get('id')
    markTyped(records, table.ordinal)
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
function dimensionsOf(markdown: MarkdownRecords, records: TypedRecords): Array<Record<string, string | null>> | null {
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
    if (rows.length > 0) return markTyped(records, table.ordinal), rows
  }
  return null
}
