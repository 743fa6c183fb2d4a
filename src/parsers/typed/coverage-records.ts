/**
 * Coverage gaps, wherever they are written: a `### GAP 2: Name` heading (or
 * `CRITICAL GAP: Name`, `Dismissed Gap 1: Name`) with `**Severity:**` and
 * `**Recommendation:**` lines under it; attribute bullets under a `Minor Gaps`
 * heading; numbered `1. **Item**: why` lines under a `Data Gaps` heading; rows
 * of a gap table (`| Gap # | Description | Severity |`); and rows a coverage
 * table flags in a `Gap?` column. One gap told twice (a summary row and its own
 * heading) is one row. Shared by the coverage-gaps and fact-registry parsers.
 */
import type { FieldRecord, MarkdownRecords, TableRecord } from '../types.js'
import { groupFields, splitBlocks, startsWith } from './fact-blocks.js'
import {
  blankValues,
  bodyPath,
  cellText,
  cleanHeading,
  columnOfKey,
  leftoverCells,
  mapHeaders,
  mentions,
  splitId,
  uniqueEntries,
  type LabelPriority,
} from './fact-columns.js'
import { addOrMerge, countOnce } from './fact-merge.js'
import { gapStatusOf, severityOf, severityOr } from './fact-values.js'
import { isNullLike } from '../normalize/index.js'
import { normalizeLabel } from './labels.js'
import { isLegend, isStatusCounter, saysNothing, subHeaderLabel, underNoneHeading } from './boilerplate.js'
import type { TypedRow } from './types.js'

/** Key and header labels of the gap columns, most specific first. */
const GAP_LABELS: LabelPriority = [
  ['gap_id', ['Gap ID', 'Gap #', 'Gap No', 'Gap Number', 'Gap Ref', 'ID', '#', 'No']],
  ['description', [
    'Gap Description', 'Description', '=Gap', 'Issue', "What's Missing", 'What Is Missing', 'Missing', 'Missing Item', 'Data Element',
    'Missing Information', 'Finding', 'Item', 'Topic', 'Observation', 'Variable', 'Concern', 'Request', 'Data Room Question',
    'New Risk', 'Question',
  ]],
  ['domain', ['Domain', 'Legal Domain', 'Practice Area', 'Area', 'Due Diligence Category', 'Category', 'Memo Section', 'Affected Section', 'Affected Sections', 'Section']],
  ['severity', ['Severity', 'Gap Severity', 'Severity Level', 'Risk Level', 'Materiality', 'Priority', 'Gap Priority']],
  ['status', ['Status', 'Gap Status', 'Remediation Status', 'Resolution Status']],
  ['recommendation', [
    'Recommendation', 'Recommended Action', 'Recommended Remediation', 'Remediation', 'Remediation Approach', 'Remediation Required',
    'Recommended Diligence Action', 'Action Required', 'Required Action', 'Action', 'Next Step', 'Next Steps', 'Follow-Up',
    'Follow-Up Action', 'Resolution', 'Section Writer Action', 'Orchestrator Action',
  ]],
]

const KEYS = { id: 'gap_id', name: 'description' }

/** A heading that opens one gap: `GAP 2: Name`, `CRITICAL GAP: Name`, `Gap #3 - Name`, `Factual Verification Item #1: Name`. */
const GAP_HEADING = /^(?:(?:critical|high|medium|low|minor|major|material|dismissed|data|research|coverage|documentation|new|open|remaining|factual)\s+)*(?:gap|verification item|data room item)\s*(?:(?:#|no\.?)\s*)?(?:[A-Za-z]{0,3}-?\d{1,4}[a-z]?\b\s*)?[:.\-–—]\s*\S/iu
/** Words of a section that lists gaps. */
const LIST_WORDS = ['gaps', 'missing', 'verification items', 'data room items', 'outstanding items', 'open items']
/** Sections about gaps in general: how they were found, how many there are. */
const NOT_RECORDS = [
  'overview', 'assessment', 'methodology', 'method', 'criteria', 'classification', 'summary', 'statistics', 'metrics', 'matrix', 'decision', 'breakdown',
  'distribution', 'by category', 'by severity', 'prioritization', 'priority score', 'thresholds', 'checklist', 'appendix',
  'instructions', 'template', 'legend', 'definitions',
]

/** Whether a heading names a section of gaps (a list of them, not an analysis of coverage). */
export function isGapSection(heading: string): boolean {
  // `Overall Assessment: Complete - No Significant Gaps` is about gaps, but lists none.
  if (/\bno\b(?:\s+\w+){0,3}\s+gaps?\b|\bwithout\s+gaps\b/i.test(heading)) return false
  return mentions(heading, LIST_WORDS) && !mentions(heading, NOT_RECORDS)
}

/** Whether a heading path lies in a list of gaps: under a gap section, with no summary or methodology heading at or below it. */
function inGapList(body: readonly string[]): boolean {
  let at = -1
  body.forEach((heading, i) => {
    if (isGapSection(heading)) at = i
  })
  return at !== -1 && !body.slice(at).some((h) => mentions(h, NOT_RECORDS))
}

const DATA_GAP_WORDS = ['data gaps', 'information gaps', 'missing data', 'missing information', 'data not specified', 'gaps requiring']

/** Sections of a fact registry that list data gaps (`## Data Gaps Requiring Verification`). */
export function isDataGapSection(heading: string): boolean {
  return mentions(heading, DATA_GAP_WORDS)
}

/** What gap extraction found. */
export interface GapResult {
  rows: TypedRow[]
  /** Ordinals of the tables the rows took. */
  tables: number[]
  /** Lines of the fields the rows took. */
  fieldLines: Set<number>
}

/** How far to look. */
export interface GapScope {
  /** Only headings at or under one that passes this test count; all headings when absent. */
  within?: (heading: string) => boolean
}

/** Gap rows of a document. */
export function extractGaps(markdown: MarkdownRecords, title: string | null, scope: GapScope = {}): GapResult {
  // Under `Critical Gaps: NONE` or `No Gaps Identified`, whatever is listed is no gap.
  const inScope = (path: readonly string[]): boolean =>
    (scope.within === undefined || bodyPath(path, title).some((h) => scope.within!(h))) && !underNoneHeading(bodyPath(path, title))
  const rows: TypedRow[] = []
  const tables = new Set<number>()
  const fieldLines = new Set<number>()
  const records = recordHeadings(markdown, title, inScope)
  for (const path of records) {
    const fields = markdown.fields.filter((f) => startsWith(f.headingPath, path))
    for (const f of fields) fieldLines.add(f.line)
    addOrMerge(rows, headingGap(path, fields, title), KEYS)
  }
  for (const group of groupFields(markdown.fields)) {
    if (!inScope(group.headingPath) || records.some((p) => startsWith(group.headingPath, p))) continue
    if (!inGapList(bodyPath(group.headingPath, title))) continue
    const body = bodyPath(group.headingPath, title)
    for (const row of listGaps(group.fields, body)) {
      for (const line of row.lines) fieldLines.add(line)
      addOrMerge(rows, row.row, KEYS)
    }
  }
  for (const table of markdown.tables) {
    if (!inScope(table.headingPath) || records.some((p) => startsWith(table.headingPath, p))) continue
    const found = gapTableRows(table, bodyPath(table.headingPath, title))
    if (found === null) continue
    tables.add(table.ordinal)
    for (const row of found.rows) addOrMerge(rows, row, KEYS, { byId: found.ids })
  }
  return { rows: countOnce(rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))), tables: [...tables].sort((a, b) => a - b), fieldLines }
}

/** Heading paths that open one gap each (outermost only). */
function recordHeadings(markdown: MarkdownRecords, title: string | null, inScope: (path: readonly string[]) => boolean): string[][] {
  const paths = new Map<string, string[]>()
  for (const field of markdown.fields) {
    for (let depth = 1; depth <= field.headingPath.length; depth++) {
      const prefix = field.headingPath.slice(0, depth)
      paths.set(prefix.join('\u0000'), prefix)
    }
  }
  const found: string[][] = []
  for (const path of paths.values()) {
    if (!inScope(path) || found.some((p) => startsWith(path, p))) continue
    const body = bodyPath(path, title)
    const heading = body[body.length - 1]
    if (heading === undefined) continue
    const own = markdown.fields.filter((f) => f.headingPath.length === path.length && startsWith(f.headingPath, path))
    if (isGapHeading(heading, body.slice(0, -1), own)) found.push(path)
  }
  return found
}

function isGapHeading(heading: string, parents: readonly string[], fields: readonly FieldRecord[]): boolean {
  const text = cleanHeading(heading)
  if (GAP_HEADING.test(text)) return true
  const parent = parents[parents.length - 1]
  if (parent === undefined || !mentions(parent, LIST_WORDS) || mentions(heading, NOT_RECORDS)) return false
  // `### 1. Name` under `## Identified Gaps`.
  if (/^\s*(?:#\s*)?\d{1,3}[.):]\s+\S/.test(heading.replace(/[*_`]/g, ''))) return true
  // `### Stress Testing Coverage` under a gap section, with one severity and a remedy of its own.
  const columns = fields.map((f) => columnOfKey(f.key, GAP_LABELS))
  return columns.filter((c) => c === 'severity').length === 1 && columns.includes('recommendation')
}

const GAP_WORDS = 'gap|(?:factual\\s+)?verification item|data room item|(?:critical|high|medium|low|minor|major|dismissed|data|research|coverage|documentation|new)\\s+gap'

function headingGap(path: readonly string[], fields: readonly FieldRecord[], title: string | null): TypedRow {
  const body = bodyPath(path, title)
  const heading = body[body.length - 1] ?? ''
  const values = blankValues('coverage_gaps')
  const extra: Array<[string, string]> = []
  let describedBy = 'Description'
  for (const field of fields) {
    const column = columnOfKey(field.key, GAP_LABELS)
    if (column !== null && field.value !== '' && values[column] === null) {
      values[column] = field.value
      if (column === 'description') describedBy = field.key
    } else if (field.value !== '') extra.push([field.key, field.value])
  }
  const cleaned = cleanHeading(heading)
  const split = splitId(cleaned.replace(/^(?:(?:critical|high|medium|low|minor|major|material|dismissed|data|research|coverage|documentation|new|open|remaining|factual)\s+)+(?=gap\b|verification item)/i, ''), GAP_WORDS)
  const named = split.title.replace(/^(?:gap|verification item)\s*[:.\-–—]\s*/i, '').trim()
  // The heading names the gap; a `Description` line under it says more, and stays in `extra`.
  if (named !== '') {
    if (values.description !== null) extra.unshift([describedBy, String(values.description)])
    values.description = named
  }
  values.gap_id = values.gap_id ?? split.id
  const severityRaw = typeof values.severity === 'string' ? values.severity : null
  values.severity = severityOr(severityRaw, () => severityOf(cleaned) ?? ancestorSeverity(body.slice(0, -1)))
  if (severityRaw !== null && severityOf(severityRaw) === null) extra.push(['Severity', severityRaw])
  const statusRaw = typeof values.status === 'string' ? values.status : null
  values.status = gapStatusOf(statusRaw) ?? headingStatus(body)
  if (statusRaw !== null && gapStatusOf(statusRaw) === null) extra.push(['Status', statusRaw])
  const line = Math.min(...fields.map((f) => f.line))
  return {
    line: Number.isFinite(line) ? line : null,
    values,
    extra: extra.length > 0 ? uniqueEntries(extra) : null,
    raw: uniqueEntries([['heading', heading], ...fields.map((f) => [f.key, f.value] as const)]),
  }
}

const RULES = {
  keyColumn: (key: string): string | null => columnOfKey(key, GAP_LABELS),
  closing: new Set(['severity', 'recommendation']),
}

const COUNT_KEY = /^(?:total|count|number of|gaps? found|critical|high|medium|low|status|note|summary|assessment|conclusion|rationale|result|methodology)\b/i

/** Gaps written as attribute bullets or numbered lines under a gap section heading. */
function listGaps(fields: readonly FieldRecord[], body: readonly string[]): Array<{ row: TypedRow; lines: number[] }> {
  const out: Array<{ row: TypedRow; lines: number[] }> = []
  for (const block of splitBlocks(fields, RULES)) {
    if (block.kind === 'loose') {
      // Only a numbered line (`1. **Item**: why`) is a gap of its own; other loose lines are remarks.
      const field = block.fields[0]!
      if (!/^\d+[.)]\s/.test(field.raw) || COUNT_KEY.test(field.key) || field.value === '') continue
      if (saysNothing(field.key) || saysNothing(field.value) || isLegend(field.key, field.value) || isStatusCounter(field.key, field.value)) continue
      const values = blankValues('coverage_gaps')
      const split = splitId(field.key, GAP_WORDS)
      values.gap_id = split.id
      values.description = split.title
      values.status = headingStatus(body)
      out.push({ row: { line: field.line, values, extra: { [field.key]: field.value }, raw: field.raw }, lines: [field.line] })
      continue
    }
    const values = blankValues('coverage_gaps')
    const extra: Array<[string, string]> = []
    let describedBy = 'Description'
    for (const field of block.fields) {
      const column = RULES.keyColumn(field.key)
      if (column !== null && field.value !== '' && values[column] === null) {
        values[column] = field.value
        if (column === 'description') describedBy = field.key
      } else if (field.value !== '') extra.push([field.key, field.value])
    }
    if (block.title !== null) {
      const split = splitId(block.title.key, GAP_WORDS)
      if (values.description !== null) extra.unshift([describedBy, String(values.description)])
      values.description = split.title
      values.gap_id = values.gap_id ?? split.id
    }
    if (block.columns.size === 0) continue
    if (values.description === null && !(block.columns.has('severity') && block.columns.size >= 2)) continue
    // `- **Gap**: None identified`.
    if (typeof values.description === 'string' && saysNothing(values.description)) continue
    const severityRaw = typeof values.severity === 'string' ? values.severity : null
    values.severity = severityOr(severityRaw, () => ancestorSeverity(body))
    if (severityRaw !== null && severityOf(severityRaw) === null) extra.push(['Severity', severityRaw])
    const statusRaw = typeof values.status === 'string' ? values.status : null
    values.status = gapStatusOf(statusRaw) ?? headingStatus(body)
    if (statusRaw !== null && gapStatusOf(statusRaw) === null) extra.push(['Status', statusRaw])
    const lines = [block.title, ...block.fields].filter((f): f is FieldRecord => f !== null)
    out.push({
      row: {
        line: lines[0]?.line ?? null,
        values,
        extra: extra.length > 0 ? uniqueEntries(extra) : null,
        raw: uniqueEntries(lines.map((f) => [f.key, f.value] as const)),
      },
      lines: lines.map((f) => f.line),
    })
  }
  return out
}

/** `Gap?`, `Gaps`, `Gap Status`, `Gap Severity`: a column that flags some rows of a coverage table as gaps. */
const FLAG_HEADER = /^(?:gaps?|gap (?:status|severity|priority|identified|flag|flagged))$/

/**
 * Rows of a gap table, or of the flagged rows of a coverage table; null for any
 * other table. `ids` says whether the id column names gaps (`Gap #`) rather than rows (`#`).
 */
function gapTableRows(table: TableRecord, body: readonly string[]): { rows: TypedRow[]; ids: boolean } | null {
  if (table.headers.some((h) => /\bcounts?\b|^#? ?of gaps$/.test(normalizeLabel(h)))) return null
  // `Gap?` flags rows; a bare `Gap` column names them.
  const flag = table.headers.find((h) => FLAG_HEADER.test(normalizeLabel(h)) && (h.includes('?') || !/^gaps?$/.test(normalizeLabel(h))))
  const map = mapHeaders(table.headers.filter((h) => h !== flag), GAP_LABELS)
  const idHeader = map.columns.get('gap_id')
  const explicitId = idHeader !== undefined && /\bgap\b/i.test(idHeader)
  const gapType = table.headers.some((h) => normalizeLabel(h) === 'gap type')
  if (explicitId || gapType || (flag === undefined && inGapList(body) && map.columns.has('description'))) {
    return { rows: listRows(table, map, explicitId), ids: explicitId }
  }
  const loose = flag ?? table.headers.find((h) => /^gaps?$/.test(normalizeLabel(h)))
  if (loose !== undefined) return { rows: flaggedRows(table, loose), ids: true }
  return null
}

function listRows(table: TableRecord, map: ReturnType<typeof mapHeaders>, explicitId: boolean): TypedRow[] {
  // With no description column, the first text column not taken names the gap; but a table of
  // `GAP n` ids with no description refers to gaps described elsewhere, which its rows then join.
  const fallback = explicitId ? undefined : map.unmapped.find((h) => normalizeLabel(h) !== '' && !/\btype\b/.test(normalizeLabel(h)))
  const describe = map.columns.get('description') ?? fallback
  const rest = map.unmapped.filter((h) => h !== describe)
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    // A group label (`| **REGULATORY** | | |`) and a row that says there is nothing (`| — | No gaps identified | — |`) are no gaps.
    if (subHeaderLabel(table, row) !== null) continue
    if (Object.values(row.cells).every((cell) => cell.trim() === '' || saysNothing(cell))) continue
    const values = blankValues('coverage_gaps')
    for (const [column, header] of map.columns) values[column] = cellText(row.cells, header)
    values.description = cellText(row.cells, describe)
    if (typeof values.description === 'string' && (isNullLike(values.description) || saysNothing(values.description))) values.description = null
    if (typeof values.gap_id === 'string') values.gap_id = gapId(values.gap_id)
    const nothing = (v: unknown): boolean => v === null || (typeof v === 'string' && isNullLike(v))
    if (nothing(values.description) && nothing(values.gap_id)) continue
    if (typeof values.description === 'string' && /^total\b/i.test(values.description)) continue
    if (typeof values.gap_id === 'string' && isNullLike(values.gap_id)) values.gap_id = null
    const extra: Array<[string, string]> = Object.entries(leftoverCells(row.cells, rest) ?? {})
    normaliseLevels(values, extra)
    rows.push({ line: row.line, values, extra: extra.length > 0 ? uniqueEntries(extra) : null, raw: { ...row.cells } })
  }
  return rows
}

const NO_GAP = /^(?:no\b|none\b|no gap|n\/a\b|not applicable|justified|acceptable|adequate|complete|covered|addressed|resolved|ok\b|pass)/i

function flaggedRows(table: TableRecord, flag: string): TypedRow[] {
  const map = mapHeaders(table.headers.filter((h) => h !== flag), GAP_LABELS)
  // The row's own label names the gap: a description column, else the first column that is no number.
  const describe = map.columns.get('description') ?? table.headers.find((h) => h !== flag && h !== map.columns.get('gap_id') && normalizeLabel(h) !== 'no')
  const rest = map.unmapped.filter((h) => h !== describe)
  const flagNormal = normalizeLabel(flag)
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    const mark = cellText(row.cells, flag)
    if (mark === null || isNullLike(mark)) continue
    const text = mark.replace(/^[^\p{L}\p{N}]+/u, '')
    if (/^[✅✓✔]/u.test(mark) || NO_GAP.test(text) || /^\d+$/.test(text)) continue
    const values = blankValues('coverage_gaps')
    for (const [column, header] of map.columns) values[column] = cellText(row.cells, header)
    values.description = cellText(row.cells, describe)
    if (values.description === null || /^total\b/i.test(values.description)) continue
    values.gap_id = /\bgap\s*#?\s*([A-Za-z]{0,3}-?\d{1,4}[a-z]?)\b/i.exec(mark)?.[1] ?? null
    const extra: Array<[string, string]> = [[flag, mark], ...Object.entries(leftoverCells(row.cells, rest) ?? {})]
    if (values.severity === null && /severity|priority/.test(flagNormal)) values.severity = mark
    normaliseLevels(values, extra)
    values.status = values.status ?? (/status/.test(flagNormal) ? gapStatusOf(mark) : null)
    rows.push({ line: row.line, values, extra: uniqueEntries(extra), raw: { ...row.cells } })
  }
  return rows
}

/** Severity and status cells read into their vocabularies; text that reads as neither goes to `extra`. */
function normaliseLevels(values: Record<string, unknown>, extra: Array<[string, string]>): void {
  const severityRaw = typeof values.severity === 'string' ? values.severity : null
  values.severity = severityOf(severityRaw)
  if (severityRaw !== null && values.severity === null && !isNullLike(severityRaw)) extra.push(['Severity', severityRaw])
  const statusRaw = typeof values.status === 'string' ? values.status : null
  values.status = gapStatusOf(statusRaw)
  if (statusRaw !== null && values.status === null && !isNullLike(statusRaw)) extra.push(['Status', statusRaw])
}

/** `GAP 1`, `Gap #1` and `#1` are gap `1`, as a `### GAP 1: Name` heading gives it. */
function gapId(text: string): string {
  return text.replace(/^(?:gap\s*)?#?\s*(?=[A-Za-z]{0,3}-?\d)/i, '').trim()
}

/** A status said by a heading (`Dismissed Gap 1`, `Gaps Not Identified`), innermost first. */
function headingStatus(body: readonly string[]): string | null {
  for (let i = body.length - 1; i >= 0; i--) {
    const text = cleanHeading(body[i]!)
    if (/\bdismissed\b|\bnot identified\b|\bnot a (?:research )?gap\b|\bnot research gaps?\b/i.test(body[i]!)) return 'dismissed'
    if (/\b(?:resolved|closed)\b/i.test(text) && !/\bunresolved\b/i.test(text)) return 'resolved'
  }
  return null
}

/** A severity said by a section heading (`Minor Gaps`, `Tier 1 — Critical`), innermost first. */
function ancestorSeverity(body: readonly string[]): string | null {
  for (let i = body.length - 1; i >= 0; i--) {
    const severity = severityOf(cleanHeading(body[i]!))
    if (severity !== null) return severity
  }
  return null
}
