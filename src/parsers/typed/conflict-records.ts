/**
 * Conflict records, wherever they are written: a `### Conflict 2: Name`
 * heading with `**Severity:**`, `**Resolution:**` lines and a
 * `| Source | Value Stated | Location |` table under it; a numbered heading
 * under a variations section; or a row of a conflict summary table. Rows of a
 * summary table that name a conflict already described under its own heading
 * (same id, or the same name) fill that record's gaps instead of repeating it.
 * Shared by the conflict-report, fact-registry and coverage-gaps parsers.
 */
import type { FieldRecord, MarkdownRecords, TableRecord } from '../types.js'
import { startsWith } from './fact-blocks.js'
import {
  blankValues,
  bodyPath,
  cellText,
  clean,
  cleanHeading,
  columnOfKey,
  leftoverCells,
  mapHeaders,
  mentions,
  splitId,
  uniqueEntries,
  type LabelPriority,
} from './fact-columns.js'
import { addOrMerge, conflictKey, countOnce } from './fact-merge.js'
import { allRowsAgree, saysNothing, subHeaderLabel, underNoneHeading } from './boilerplate.js'
import { conflictStatusOf, severityOf, severityOr, trailingSeverity } from './fact-values.js'
import { saysNoLevel } from '../normalize/index.js'
import { normalizeLabel } from './labels.js'
import type { TypedRow } from './types.js'

/** Key and header labels of the conflict columns, most specific first. */
const CONFLICT_LABELS: LabelPriority = [
  ['conflict_id', ['Conflict ID', 'Conflict #', 'Conflict No', 'Conflict Number', '#', 'No', 'ID']],
  ['fact_name', ['Fact', 'Fact Name', 'Potential Conflict', 'Conflict', 'Conflicting Fact', 'Topic', 'Subject', 'Issue', 'Item', 'Fact Category', 'Category']],
  ['canonical_value', [
    'Canonical Value Selected', 'Recommended Canonical Value', 'Canonical Value', 'Canonical Values', 'Resolved Value',
    'Recommended Value', 'Correct Value', 'Canonical', 'Value to Use', 'Use',
  ]],
  ['conflicting_values', [
    'Conflicting Values', 'Conflicting Value', 'Values', 'Values Found', 'Values Stated', 'Variation Found', 'Variations Found',
    'Variation', 'Conflict Details', 'Discrepancy', 'Stated as', 'Superseded Value',
  ]],
  ['sources', ['Sources', 'Source', 'Source Reports', 'Source Report', 'Reports', 'Reports Involved', 'Specialists Involved', 'Specialists']],
  ['resolution', [
    'Resolution', 'Resolution Method', 'Recommended Resolution', 'Resolution Approach', 'Resolution Required', 'Resolution Path',
    'Reasoning', 'Reason', 'Rationale',
  ]],
  ['severity', ['Severity', 'Conflict Severity', 'Severity Level', 'Conflict Level']],
  ['status', ['Status', 'Resolution Status', 'Conflict Status']],
]

/** Words of a heading that opens one conflict (`Conflict 2: Name`, `TENSION: Name`). */
const RECORD_WORDS = 'conflict|discrepancy|inconsistency|variance|variation|tension|contradiction'
const RECORD_HEADING = new RegExp(
  String.raw`^(?:(?:critical|major|minor|material)\s+)?(?:${RECORD_WORDS})\s*(?:(?:#|no\.?)\s*)?(?:[A-Za-z]{0,3}-?\d{1,4}[a-z]?\b|:\s*\S)`,
  'iu',
)
/** Sections whose numbered sub-headings are one conflict each. */
const LIST_SECTIONS = ['conflict', 'conflicts', 'variation', 'variations', 'clarification', 'clarifications', 'discrepancy', 'discrepancies', 'inconsistencies', 'tensions']
/** Sections about how conflicts were looked for, not about conflicts. */
const NOT_RECORDS = [
  'methodology', 'method', 'patterns', 'detection', 'hierarchy', 'priority', 'timeline', 'validation', 'checks', 'consistency',
  'confirmations', 'confirmed', 'not found', 'triggers', 'summary', 'instructions', 'appendix', 'metrics',
]
/** Sections whose tables are about the search for conflicts, not lists of them (a summary table is a list). */
const NOT_CONFLICT_TABLES = NOT_RECORDS.filter((word) => word !== 'summary')

const SECTION_WORDS = [...LIST_SECTIONS, 'conflict report', 'conflict analysis']

/** Whether a heading names a section of conflicts. */
export function isConflictSection(heading: string): boolean {
  return mentions(heading, SECTION_WORDS)
}

const KEYS = { id: 'conflict_id', name: 'fact_name' }

interface ConflictRecord {
  path: string[]
  id: string | null
  name: string | null
  headingSeverity: string | null
  /** What the record's own heading and the headings inside its block state, nearest first. */
  stated: HeadingState[]
  fields: FieldRecord[]
  tables: TableRecord[]
  line: number
}

/** What conflict extraction found. */
export interface ConflictResult {
  rows: TypedRow[]
  /** Ordinals of the tables the rows took. */
  tables: number[]
}

/** How far to look. */
export interface ConflictScope {
  /** Only headings at or under one that passes this test count; all headings when absent. */
  within?: (heading: string) => boolean
}

/** Conflict rows of a document. */
export function extractConflicts(markdown: MarkdownRecords, title: string | null, scope: ConflictScope = {}): ConflictResult {
  // Under `Date Conflicts (NONE FOUND)` or `No Conflicts`, whatever is listed is no conflict.
  const inScope = (path: readonly string[]): boolean =>
    (scope.within === undefined || bodyPath(path, title).some((h) => scope.within!(h))) && !underNoneHeading(bodyPath(path, title))
  const records = findRecords(markdown, title, inScope)
  const taken = new Set<number>()
  const rows: TypedRow[] = []
  for (const record of records) {
    for (const table of record.tables) taken.add(table.ordinal)
    addOrMerge(rows, recordRow(record, title), KEYS)
  }
  for (const table of markdown.tables) {
    if (taken.has(table.ordinal) || !inScope(table.headingPath)) continue
    if (records.some((r) => startsWith(table.headingPath, r.path))) continue
    if (bodyPath(table.headingPath, title).some((h) => mentions(h, NOT_CONFLICT_TABLES))) continue
    const tableRows = summaryRows(table, bodyPath(table.headingPath, title))
    if (tableRows === null) continue
    taken.add(table.ordinal)
    for (const row of tableRows) addOrMerge(rows, row, KEYS)
  }
  return { rows: keyed(rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))), tables: [...taken].sort((a, b) => a - b) }
}

/** Rows with their tellings counted and the key that links the same conflict in other files. */
function keyed(rows: TypedRow[]): TypedRow[] {
  for (const row of countOnce(rows)) row.values.conflict_key = conflictKey(typeof row.values.fact_name === 'string' ? row.values.fact_name : null)
  return rows
}

/** Headings that open one conflict each, with the fields and tables under them. */
function findRecords(markdown: MarkdownRecords, title: string | null, inScope: (path: readonly string[]) => boolean): ConflictRecord[] {
  const paths = new Map<string, string[]>()
  for (const item of [...markdown.fields, ...markdown.tables]) {
    const path = item.headingPath
    for (let depth = 1; depth <= path.length; depth++) {
      const prefix = path.slice(0, depth)
      paths.set(prefix.join('\u0000'), prefix)
    }
  }
  const records: ConflictRecord[] = []
  for (const path of paths.values()) {
    if (!inScope(path)) continue
    const body = bodyPath(path, title)
    const heading = body[body.length - 1]
    if (heading === undefined || !isRecordHeading(heading, body.slice(0, -1))) continue
    // The outermost record heading owns the ones under it (`Conflict 1 > Conflicting Statements`).
    if (records.some((r) => startsWith(path, r.path))) continue
    const fields = markdown.fields.filter((f) => startsWith(f.headingPath, path))
    const tables = markdown.tables.filter((t) => startsWith(t.headingPath, path))
    if (fields.length === 0 && tables.length === 0) continue
    const split = splitId(heading, RECORD_WORDS)
    const titled = split.id === null ? split.title.replace(new RegExp(String.raw`^(?:(?:critical|major|minor|material)\s+)?(?:${RECORD_WORDS})\s*:\s*`, 'iu'), '') : split.title
    // `Conflict 3 — HIGH — RESOLVED`: the levels are read off, the rest is the name.
    const own = headingState(titled)
    const trailing = trailingSeverity(cleanHeading(own.name))
    // `#### Severity: High` inside the block states the record's level as a heading.
    const inner = markdown.headings
      .filter((h) => h.path.length > path.length && startsWith(h.path, path))
      .map((h) => headingState(h.path[h.path.length - 1]!))
      // `#### Option C (HIGH RISK)` is about something else; `#### Severity: High` is about the record.
      .filter((state) => state.aboutLevels)
    const name = trailing.title.replace(/\s*\((?:resolved|unresolved|requires?[^)]*)\)\s*$/iu, '').trim()
    const lines = [...fields.map((f) => f.line), ...tables.map((t) => t.line)]
    records.push({
      path,
      id: split.id,
      name: name === '' ? null : name,
      headingSeverity: trailing.severity,
      stated: [own, ...inner],
      fields,
      tables,
      line: Math.min(...lines),
    })
  }
  return records.sort((a, b) => a.line - b.line)
}

function isRecordHeading(heading: string, parents: readonly string[]): boolean {
  const text = cleanHeading(heading)
  if (/\b(?:none found|no conflicts?|not found)\b/i.test(heading)) return false
  if (RECORD_HEADING.test(text) && !/^(?:conflicts|variations|discrepancies|tensions)\b/i.test(text)) return true
  // `### 1. Name` under `## Minor Variations (Not Conflicts)`.
  const parent = parents[parents.length - 1]
  if (parent === undefined || !mentions(parent, LIST_SECTIONS) || mentions(parent, NOT_RECORDS)) return false
  return /^\s*(?:#\s*)?\d{1,3}[.):]\s+\S/.test(clean(heading))
}

// Keys that name where a value was stated: `T1 stated`, `Research Plan`, `Source A - x.md`, `Financial Report (T15)`.
const SOURCE_KEY = /\.md\b|^(?:source|specialist|conclusion|position|perspective)\s+[a-z0-9]\b|^T\d{1,2}\b|\bstated$|\b(?:report|plan|registry|memo|review)s?(?:\s*\([^)]*\))?$/i
const NOT_SOURCE_KEY = /^(?:same|no|not|other|all|any|each|every)\b/i

function recordRow(record: ConflictRecord, title: string | null): TypedRow {
  const values = blankValues('fact_conflicts')
  const extra: Array<[string, string]> = []
  const stated: Array<[string, string]> = []
  for (const field of record.fields) {
    const column = columnOfKey(field.key, CONFLICT_LABELS)
    if (column !== null && field.value !== '' && values[column] === null) {
      values[column] = field.value
      continue
    }
    if (column === null && field.value !== '' && SOURCE_KEY.test(field.key) && !NOT_SOURCE_KEY.test(field.key)) stated.push([field.key, field.value])
    else if (field.value !== '') extra.push([field.key, field.value])
  }
  values.conflict_id = values.conflict_id ?? record.id
  values.fact_name = record.name ?? values.fact_name ?? null
  for (const table of record.tables) readRecordTable(table, values, extra)
  if (values.conflicting_values === null && stated.length > 0) values.conflicting_values = stated.map(([k, v]) => `${k}: ${v}`).join('; ')
  else extra.push(...stated)
  if (values.sources === null && stated.length > 0) values.sources = sourcesOf(stated)
  const severityRaw = typeof values.severity === 'string' ? values.severity : null
  values.severity = severityOr(severityRaw, () => {
    const stated = record.stated.find((s) => s.severity !== undefined)
    if (stated !== undefined) return stated.severity ?? null
    return record.headingSeverity ?? ancestorSeverity(bodyPath(record.path, title).slice(0, -1))
  })
  if (severityRaw !== null && severityOf(severityRaw) === null) extra.push(['Severity', severityRaw])
  const statusRaw = typeof values.status === 'string' ? values.status : null
  values.status =
    conflictStatusOf(statusRaw) ??
    statusFromKeys(record.fields) ??
    record.stated.find((s) => s.status !== undefined && s.status !== null)?.status ??
    ancestorStatus(bodyPath(record.path, title))
  if (statusRaw !== null && conflictStatusOf(statusRaw) === null) extra.push(['Status', statusRaw])
  const heading = record.path[record.path.length - 1] ?? ''
  return {
    line: record.line,
    values,
    extra: extra.length > 0 ? uniqueEntries(extra) : null,
    raw: uniqueEntries([['heading', heading], ...record.fields.map((f) => [f.key, f.value] as const)]),
  }
}

/** Who stated the values: `Specialist A: T2 (Labor)` names its source in the value; `Research Plan: "x"` in the key. */
function sourcesOf(stated: ReadonlyArray<readonly [string, string]>): string | null {
  const named = stated.filter(([k]) => /^(?:source|specialist)\s+[a-z0-9]$/i.test(k.trim())).map(([, v]) => v)
  const keyed = stated.filter(([k]) => !/^(?:source|specialist|conclusion|position|perspective)\s+[a-z0-9]$/i.test(k.trim())).map(([k]) => k)
  const all = [...new Set([...named, ...keyed])]
  return all.length > 0 ? all.join('; ') : null
}

/** A table under a conflict heading: the sources and what each stated, or the conflict's own one-row summary. */
function readRecordTable(table: TableRecord, values: Record<string, unknown>, extra: Array<[string, string]>): void {
  const map = mapHeaders(table.headers, CONFLICT_LABELS)
  const valueHeaders = map.unmapped.filter(isValueHeader)
  const source = map.columns.get('sources')
  if (source !== undefined) {
    // `| Source | Value Stated | Location |`: one row per source.
    const valueHeader = valueHeaders[0] ?? map.unmapped[0]
    const others = map.unmapped.filter((h) => h !== valueHeader)
    const stated: string[] = []
    const sources: string[] = []
    for (const row of table.rows) {
      const from = cellText(row.cells, source)
      const value = cellText(row.cells, valueHeader)
      const where = others.map((h) => cellText(row.cells, h)).filter((t): t is string => t !== null)
      if (from !== null) sources.push(from)
      if (value !== null || from !== null) stated.push(`${from ?? '?'}: ${value ?? ''}${where.length > 0 ? ` (${where.join('; ')})` : ''}`.trim())
    }
    if (values.conflicting_values === null && stated.length > 0) values.conflicting_values = stated.join('; ')
    if (values.sources === null && sources.length > 0) values.sources = [...new Set(sources)].join('; ')
    return
  }
  for (const row of table.rows) {
    for (const [column, header] of map.columns) {
      const text = cellText(row.cells, header)
      if (text !== null && values[column] === null) values[column] = text
    }
    const stated = valueHeaders.map((h) => [h, cellText(row.cells, h)] as const).filter(([, v]) => v !== null)
    if (values.conflicting_values === null && stated.length > 0) values.conflicting_values = stated.map(([h, v]) => `${h}: ${v}`).join('; ')
    const left = leftoverCells(row.cells, map.unmapped.filter((h) => !valueHeaders.includes(h)))
    if (left) extra.push(...Object.entries(left))
  }
}

/** `Report 1 Value`, `T2 Value`, `Value in Report A`, `Value Stated`. */
function isValueHeader(header: string): boolean {
  const normal = normalizeLabel(header)
  return /\bvalues?\b|\bstated\b|^report \w+$|^t\d{1,2}$/.test(normal) && !/\bcanonical\b/.test(normal)
}

/**
 * Rows of a table shaped like a conflict list wherever it stands: a fact
 * column and two or more stated values (`| Fact | Value in Report A | Value
 * in Report B | Resolution |`). Null for any other table.
 */
export function conflictShapedRows(table: TableRecord): TypedRow[] | null {
  const map = mapHeaders(table.headers, CONFLICT_LABELS)
  if (map.unmapped.filter(isValueHeader).length < 2) return null
  // A cross-check whose every row agrees compares values but lists no conflict: taken, with no rows.
  if (allRowsAgree(table, true)) return []
  const rows = summaryRows(table)
  return rows === null ? null : keyed(rows)
}

/** Rows of a conflict summary table, or null when the table is no such table. */
function summaryRows(table: TableRecord, headings: readonly string[] = []): TypedRow[] | null {
  const map = mapHeaders(table.headers, CONFLICT_LABELS)
  const valueHeaders = map.unmapped.filter(isValueHeader)
  const named = map.columns.has('fact_name') || map.columns.has('conflict_id')
  const about = ['resolution', 'severity', 'status', 'canonical_value', 'conflicting_values'].filter((c) => map.columns.has(c)).length
  if (!named || (about === 0 && valueHeaders.length < 2)) return null
  // A `Source`-keyed table lists what sources said about one fact: it is no list of conflicts.
  if (map.columns.has('sources') && !map.columns.has('fact_name') && !map.columns.has('conflict_id')) return null
  if (allRowsAgree(table, true)) return []
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    // A group label (`| **DATES** | | |`) and a row that says there is nothing (`| None | — | — |`) are no conflicts.
    if (subHeaderLabel(table, row) !== null) continue
    if (Object.values(row.cells).every((cell) => cell.trim() === '' || saysNothing(cell))) continue
    const values = blankValues('fact_conflicts')
    for (const [column, header] of map.columns) values[column] = cellText(row.cells, header)
    if (typeof values.conflict_id === 'string') values.conflict_id = values.conflict_id.replace(/^#\s*/, '')
    const stated = valueHeaders.map((h) => [h, cellText(row.cells, h)] as const).filter(([, v]) => v !== null && !/^[-—–]$/.test(v))
    if (values.conflicting_values === null && stated.length > 0) values.conflicting_values = stated.map(([h, v]) => `${h}: ${v}`).join('; ')
    const id = values.conflict_id
    const name = values.fact_name
    const empty = (v: unknown): boolean => v === null || (typeof v === 'string' && /^(?:n\/?a|none|—|-|–)$/i.test(v))
    if (empty(id) && (empty(name) || /^(?:no|none)\b/i.test(String(name)))) continue
    const extra: Array<[string, string]> = Object.entries(leftoverCells(row.cells, map.unmapped.filter((h) => !valueHeaders.includes(h))) ?? {})
    const severityRaw = typeof values.severity === 'string' ? values.severity : null
    // A row's own cell wins; a table under `## HIGH SEVERITY CONFLICTS` or `## Resolved Conflicts` lends its level.
    values.severity = severityOr(severityRaw, () => ancestorSeverity(headings))
    if (severityRaw !== null && severityOf(severityRaw) === null) extra.push(['Severity', severityRaw])
    const statusRaw = typeof values.status === 'string' ? values.status : null
    values.status = conflictStatusOf(statusRaw) ?? ancestorStatus(headings)
    if (statusRaw !== null && conflictStatusOf(statusRaw) === null) extra.push(['Status', statusRaw])
    rows.push({ line: row.line, values, extra: extra.length > 0 ? uniqueEntries(extra) : null, raw: { ...row.cells } })
  }
  return rows
}

function statusFromKeys(fields: readonly FieldRecord[]): string | null {
  for (const field of fields) {
    if (/\bnot (?:a )?conflict\b|\bno conflict\b|\bnot double[- ]counted\b/i.test(field.key)) return 'dismissed'
  }
  return null
}

/** Levels a heading states; `undefined` when it states none, `null` when it says there is none (`Severity: NONE`). */
interface HeadingState {
  name: string
  severity: string | null | undefined
  status: string | null | undefined
  /** Whether the heading is about levels: it says `Severity:` or `Status:`, or nothing but levels (`#### HIGH`). */
  aboutLevels: boolean
}

const STATE_SEPARATOR = /\s+[—–-]\s+|\s*[|•·]\s*|\s*[()[\]]\s*|\s*,\s+/u
const SEVERITY_KEY = /^(?:conflict\s+)?(?:severity|severity level|priority|level)\s*[:=]\s*(.+)$/iu
const STATUS_KEY = /^(?:conflict\s+|resolution\s+)?status\s*[:=]\s*(.+)$/iu
const SEVERITY_WORD = /^(?:critical|high|medium|moderate|low|minor|major)(?:\s+(?:severity|priority|risk|impact))?$/iu
const STATUS_WORD = /^(?:(?:auto[- ]?)?resolved|unresolved|open|closed|dismissed|pending|not a conflict|no conflict|requires? [\p{L} ]+|needs? [\p{L} ]+)$/iu

/**
 * The severity and status a heading states as parts of itself: `HIGH —
 * RESOLVED`, `Severity: High`, `Name (Status: Open)`. Parts that state
 * nothing are the name, joined back with ` — `.
 */
function headingState(heading: string): HeadingState {
  const parts = clean(heading).replace(/[\p{Extended_Pictographic}\u{FE0F}]/gu, ' ').split(STATE_SEPARATOR).map((p) => p.trim()).filter((p) => p !== '')
  let severity: string | null | undefined
  let status: string | null | undefined
  let byKey = false
  const name: string[] = []
  for (const part of parts) {
    const keyed = SEVERITY_KEY.exec(part)
    if (keyed && severity === undefined) {
      severity = severityOf(keyed[1]!) ?? (saysNoLevel(keyed[1]!) ? null : undefined)
      if (severity !== undefined) {
        byKey = true
        continue
      }
    }
    const statusKeyed = STATUS_KEY.exec(part)
    if (statusKeyed && status === undefined) {
      status = conflictStatusOf(statusKeyed[1]!) ?? undefined
      if (status !== undefined) {
        byKey = true
        continue
      }
    }
    if (severity === undefined && SEVERITY_WORD.test(part)) {
      severity = severityOf(part)
      continue
    }
    if (status === undefined && STATUS_WORD.test(part) && conflictStatusOf(part) !== null) {
      status = conflictStatusOf(part)
      continue
    }
    name.push(part)
  }
  // A heading that states no level keeps its text as written; one that is nothing but levels names nothing.
  const stated = severity !== undefined || status !== undefined
  return { name: stated ? name.join(' — ') : clean(heading), severity, status, aboutLevels: stated && (byKey || name.length === 0) }
}

/** The status the innermost heading of `body` states, or null. */
function ancestorStatus(body: readonly string[]): string | null {
  for (let i = body.length - 1; i >= 0; i--) {
    const status = conflictStatusOf(clean(body[i]!))
    if (status !== null) return status
  }
  return null
}

/** The severity the innermost heading of `body` states (`## HIGH SEVERITY CONFLICTS`, `## Group — Severity: High`), or null. */
function ancestorSeverity(body: readonly string[]): string | null {
  for (let i = body.length - 1; i >= 0; i--) {
    const state = headingState(body[i]!)
    if (state.aboutLevels && state.severity !== undefined) return state.severity
    const severity = severityOf(cleanHeading(body[i]!))
    if (severity !== null) return severity
  }
  return null
}
