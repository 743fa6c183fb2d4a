/**
 * Typed records of `fact-registry.md`: the canonical facts section writers
 * must use. A fact is written as
 *
 * - a table row under a category heading (`## Key Dates (USE THESE VALUES)`,
 *   `| Fact | Canonical Value | Source | Confidence |`),
 * - a heading with attribute lines under it (`### 1.1 Purchase Price` +
 *   `**Canonical Value:** $425 million`), or a bold title with attribute
 *   bullets, or attribute runs with no title,
 * - or a bullet whose key is the fact (`- **Purchase Price**: $4.8 billion`).
 *
 * Tables need a fact column and a value column; sections about the registry
 * itself (completeness, methodology, metadata, instructions, validation) are
 * left to the generic tables. Conflict sections give `fact_conflicts` rows and
 * data-gap sections `coverage_gaps` rows.
 */
import type { FieldRecord, MarkdownRecords, TableRecord } from '../types.js'
import { groupFields, splitBlocks, type FieldBlock } from './fact-blocks.js'
import {
  blankValues,
  bodyPath,
  categoryOf,
  cellText,
  cleanHeading,
  columnOfKey,
  documentTitle,
  leftoverCells,
  mapHeaders,
  mentions,
  splitId,
  uniqueEntries,
  type LabelPriority,
} from './fact-columns.js'
import { labelMatches } from './labels.js'
import { isCountLike, isDateLike, isIdentifierLike, missOf, quantify } from './fact-values.js'
import { conflictShapedRows, extractConflicts, isConflictSection } from './conflict-records.js'
import { extractGaps, isDataGapSection } from './coverage-records.js'
import { mergeRestated } from './fact-merge.js'
import { isNullLike, parseConfidence } from '../normalize/index.js'
import { allRowsAgree, attributionOf, isLegend, isStatusCounter, namesList, saysNothing, subHeaderLabel, underNoneHeading } from './boilerplate.js'
import { emptyTyped, pushRows, type NormaliseMiss, type TypedRecords, type TypedRow } from './types.js'

/** Header and key labels of the fact columns, most specific first. */
export const FACT_LABELS: LabelPriority = [
  ['fact_id', ['Fact ID', 'Fact #', 'Fact No', 'Registry ID', 'Reference ID', 'ID', '#', 'No', 'Ref', 'Exposure ID', 'Item #']],
  ['fact_name', [
    'Fact', 'Fact Name', 'Fact Description', 'Key Fact', 'Description', 'Metric', 'Parameter', 'Attribute', 'Data Point', 'Item',
    'Event', 'Milestone', 'Finding', 'Exposure', 'Liability', 'Entity Type', 'Entity', 'Role', 'Party', 'Component', 'Policy Type',
    'Requirement', 'Approval', 'Statute', 'Regulation', 'Code Section', 'Case Name', 'Term', 'Subject', 'Name', 'Category',
  ]],
  ['canonical_value', [
    'Canonical Value', 'Canonical Values', 'Verified Value', 'Validated Value', 'Value', 'Values', 'Canonical Name',
    'Canonical Legal Name', 'Canonical Form', 'Canonical Citation', 'Canonical Range', 'Canonical Weighted Range', 'Canonical Amount',
    'Canonical Date', 'Canonical', 'Citation', 'Date', 'Deadline', 'Timeline', 'Amount', 'Figure', 'Limit', 'Limits', 'Estimated Limits',
    'Exposure Range', 'Range', 'Gross Exposure', 'Expected Value', 'Details', 'Detail',
  ]],
  ['source_reports', [
    'Source Reports', 'Source Report', 'Sources', 'Source', 'Source Document', 'Source Documents', 'Primary Source', 'Reports',
    'Report', 'Specialist Report', 'Appears In', 'Reports Citing', 'Cited In',
  ]],
  ['source_location', [
    'Source Location', 'Line/Section', 'Line Reference', 'Line Citation', 'Line Ref', 'Line', 'Lines', 'Location', 'Section',
    'Reference', 'Page',
  ]],
  ['confidence', ['Confidence', 'Confidence Level', 'Verification Status', 'Verification', 'Verified']],
  ['notes', ['Notes', 'Note', 'Comments', 'Comment', 'Remarks', 'Context', 'Why This Matters', 'Additional Details', 'Conflicts', 'Conflict']],
]

/** Sections about the registry itself, not facts. */
const NOT_FACTS = [
  'completeness', 'methodology', 'metadata', 'instructions', 'version control', 'classification guide', 'type classification',
  'classification examples', 'status definitions', 'cross reference index', 'confidence levels', 'statistics', 'validation summary',
  'validation notes', 'validation signatures', 'validation methodology', 'verification protocol', 'verification requirements',
  'verification summary', 'cross verification', 'consistency', 'reconciliation', 'quality check', 'handoff', 'orchestrator',
  'notes for', 'executive summary', 'coverage matrix', 'signatures', 'how to use', 'next steps', 'spot check', 'reports reviewed',
  'detailed calculations', 'detailed analysis', 'scenario analysis', 'calculations', 'usage',
]

/** Keys of bullet lines that are remarks about facts, not facts. */
const REMARK_KEY = /^(?:note|notes|nb|source|sources|status|summary|result|results|test|assessment|conclusion|recommendations?|actions?|rationale|examples?|methodology|method|important|critical|mandatory|warning|caution|purpose|usage|definitions?|legend|check|references?|see|resolution|context|cite facts as|use format|example usage|correct|wrong|section writers?|writers?|do not|deal importance|conflicts?|conflicts detected|verification required|gate decision|pending|section mapping|mapping|generated|created|last updated|updated|session|transaction|prepared|validator|validated by|reports? analy[sz]ed|analyst|version|total facts|facts extracted|baseline facts|additional facts|source reports|completeness|validation status|overall)\b|^\[[ x]?\]/

/** Typed records of a fact-registry document. */
export function parseFactRegistry(markdown: MarkdownRecords): TypedRecords {
  const records = emptyTyped('fact_registry')
  const title = documentTitle(markdown)
  const conflicts = extractConflicts(markdown, title, { within: isConflictSection })
  pushRows(records, 'fact_conflicts', conflicts.rows)
  const gaps = extractGaps(markdown, title, { within: isDataGapSection })
  pushRows(records, 'coverage_gaps', gaps.rows)
  const typed = new Set([...conflicts.tables, ...gaps.tables])
  // A list under a heading that says there is none (`Data Gaps: None identified`) is no list.
  const skip = (path: readonly string[]): boolean =>
    bodyPath(path, title).some((h) => mentions(h, NOT_FACTS) || isConflictSection(h)) || underNoneHeading(bodyPath(path, title))
  const sections = new Map<TypedRow, string>()
  const valuedHeadings = new Set(
    markdown.fields.filter((f) => RULES.keyColumn(f.key) === 'canonical_value').map((f) => f.headingPath.join('\u0000')),
  )

  const rows: TypedRow[] = []
  for (const table of markdown.tables) {
    if (typed.has(table.ordinal)) continue
    const conflictRows = conflictShapedRows(table)
    if (conflictRows !== null) {
      pushRows(records, 'fact_conflicts', conflictRows)
      typed.add(table.ordinal)
      continue
    }
    if (skip(table.headingPath)) continue
    // A table under a heading that is one fact (it states its own canonical value) details that fact.
    const inferName = !valuedHeadings.has(table.headingPath.join('\u0000'))
    const tableRows = factRows(table, title, records.misses, inferName)
    if (tableRows === null) continue
    typed.add(table.ordinal)
    rows.push(...tableRows)
    for (const row of tableRows) sections.set(row, table.headingPath.join('\u0000'))
  }
  const attributions = new Map<string, string>()
  for (const group of groupFields(markdown.fields.filter((f) => !gaps.fieldLines.has(f.line)))) {
    if (skip(group.headingPath)) continue
    const body = bodyPath(group.headingPath, title)
    // Lines above the first section are the document's own metadata.
    if (body.length === 0) continue
    const read = groupRows(group.fields, body, records.misses)
    rows.push(...read.rows)
    for (const source of read.attributions) {
      const key = group.headingPath.join('\u0000')
      attributions.set(key, attributions.has(key) ? `${attributions.get(key)}; ${source}` : source)
    }
  }
  // A section's `**Source**: x-report.md` line is the source of its table's facts that name none.
  for (const [row, key] of sections) {
    const source = attributions.get(key)
    if (source !== undefined && row.values.source_reports === null) row.values.source_reports = source
  }
  // A fact the registry states twice with one value (a summary table and a section) is one row counting both.
  const facts = mergeRestated(rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), { name: 'fact_name', value: 'canonical_value', key: 'fact_key' })
  pushRows(records, 'fact_registry', facts)
  records.typedTables = [...typed].sort((a, b) => a - b)
  return records
}

/** Labels that name the fact column outright; any other name column may give way to the table's first column. */
const EXPLICIT_FACT = ['Fact', 'Fact Name', 'Fact Description', 'Key Fact', 'Canonical Fact']
/** Headers that hold a value in a table named after rules or tests (`| Rule | Threshold |`, `| Test | Result |`). */
const VALUE_LIKE = [
  'Threshold', 'Thresholds', 'Requirement', 'Requirements', 'Finding', 'Findings', 'Result', 'Results', 'Level', 'Minimum',
  'Maximum', 'Cap', 'Ratio', 'Rate', 'Standard',
]
/** Value headers that hold a date; an amount column beside one holds the value of every fact that is not a date. */
const DATE_VALUE = ['Canonical Date', 'Date', 'Deadline', 'Timeline', 'Timing', 'Expected Timing']
/** Value headers that hold an amount (`Expected Value ($)`, `Gross Exposure`, `Amount`). */
const AMOUNT_VALUE = /\$|\b(?:usd|amount|value|exposure|cost|costs|price|limit|limits|range|figure|total)\b/i

/** A cell that is a placeholder to fill in: `[Assumption text]`, `[specialist-type]`. */
const PLACEHOLDER = /^\[[^\]]+\]$/

/** Which headers of a fact table hold what: the mapped columns, the rest, and a date column an amount column outranks. */
interface FactColumns {
  columns: Map<string, string>
  unmapped: string[]
  /** A date-like value column kept for facts about dates when `canonical_value` is an amount column. */
  dateHeader: string | null
}

/**
 * The columns of a fact table. Header labels decide first (`mapHeaders`).
 * Then two rules that hold for any layout:
 *
 * - A table with a value-like column (`Value`, `Threshold`, `Result`) but no
 *   column named a fact is named by its first text column, whatever that
 *   column is called (`Rule`, `Standard`, `Covenant`, `Test`), provided no
 *   label claims that header for anything else and `inferName` allows it
 *   (not under a heading that is itself one fact).
 * - An amount column outranks a date column as the value (`| Item | Expected
 *   Value ($) | Timeline |`); the date column stays for facts about dates.
 */
function factColumns(headers: readonly string[], inferName: boolean): FactColumns {
  const map = mapHeaders(headers, FACT_LABELS)
  const columns = new Map(map.columns)
  const nameHeader = columns.get('fact_name')
  const explicit = nameHeader !== undefined && labelMatches(nameHeader, EXPLICIT_FACT)
  if (inferName && !explicit) {
    let valueHeader = columns.get('canonical_value')
    // `| Rule | Requirement |`: with no value column, a value-like header is the value, even one a name label took.
    if (valueHeader === undefined) valueHeader = headers.slice(1).find((h) => labelMatches(h, VALUE_LIKE) && !isMeta(columns, h))
    if (valueHeader !== undefined) {
      const first = headers.find((h) => h !== valueHeader && !isMeta(columns, h) && h.trim() !== '')
      const claimed = first !== undefined && (first === nameHeader || [...columns.values()].includes(first) || columnOfKey(first, FACT_LABELS) !== null)
      if (first !== undefined && (nameHeader === undefined || nameHeader === valueHeader || !claimed)) {
        columns.set('fact_name', first)
        columns.set('canonical_value', valueHeader)
      }
    }
  }
  let dateHeader: string | null = null
  const valueHeader = columns.get('canonical_value')
  if (valueHeader !== undefined && labelMatches(valueHeader, DATE_VALUE)) {
    const taken = new Set(columns.values())
    const amount = headers.find((h) => !taken.has(h) && AMOUNT_VALUE.test(h) && !labelMatches(h, DATE_VALUE))
    if (amount !== undefined) {
      columns.set('canonical_value', amount)
      dateHeader = valueHeader
    }
  }
  const used = new Set(columns.values())
  return { columns, unmapped: headers.filter((h) => !used.has(h) && h !== dateHeader), dateHeader }
}

/** Whether a header is mapped to a column that is neither the fact nor its value. */
function isMeta(columns: ReadonlyMap<string, string>, header: string): boolean {
  for (const [column, h] of columns) if (h === header && column !== 'fact_name' && column !== 'canonical_value') return true
  return false
}

/** Rows of a fact table, or null when the table has no fact and value columns. */
function factRows(table: TableRecord, title: string | null, misses: NormaliseMiss[], inferName: boolean): TypedRow[] | null {
  const map = factColumns(table.headers, inferName)
  const nameHeader = map.columns.get('fact_name')
  const valueHeader = map.columns.get('canonical_value')
  if (nameHeader === undefined || valueHeader === undefined) return null
  // A cross-check whose rows all agree (`| Fact | Report A | Report B | Match? |`, all `✅`) holds no facts.
  if (allRowsAgree(table)) return []
  const category = categoryOf(bodyPath(table.headingPath, title))
  let group: string | null = null
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    const read = (column: string): string | null => cellText(row.cells, map.columns.get(column))
    // `| **ONE-TIME COSTS** | | |` labels the rows after it (until a blank row): context, not a fact.
    const label = subHeaderLabel(table, row)
    if (label !== null) {
      group = label
      continue
    }
    const name = read('fact_name')
    // A fact about a date takes the date column; any other the amount column; either falls back to the other.
    const amount = read('canonical_value')
    const date = cellText(row.cells, map.dateHeader ?? undefined)
    // A fact about a date, or any fact of a section about dates (`Critical Deadlines`), takes the date.
    const wantsDate = map.dateHeader !== null && isDateLike(name, category)
    const value = wantsDate ? (date ?? amount) : (amount ?? date)
    const other = map.dateHeader === null ? [] : wantsDate ? (date === null ? [map.dateHeader] : [valueHeader]) : amount === null ? [valueHeader] : [map.dateHeader]
    if (name === null && value === null) {
      group = null
      continue
    }
    // `| [Assumption text] | [Finding] |`: a template row shows the format, it states nothing.
    if (name !== null && PLACEHOLDER.test(name) && (value === null || PLACEHOLDER.test(value))) continue
    // `| None | — | — |`: a row that says there is nothing.
    if (Object.values(row.cells).every((cell) => cell.trim() === '' || saysNothing(cell))) continue
    const extra: Array<[string, string]> = Object.entries(leftoverCells(row.cells, [...map.unmapped, ...other]) ?? {})
    const split = name === null ? { id: null, title: null } : splitId(name)
    rows.push(
      factRow({
        line: row.line,
        category: group === null ? category : category === null ? group : `${category} > ${group}`,
        id: read('fact_id')?.replace(/^#\s*/, '') ?? split.id,
        name: split.title,
        value,
        sources: read('source_reports'),
        location: read('source_location'),
        confidence: read('confidence'),
        notes: read('notes'),
        extra,
        raw: { ...row.cells },
        misses,
      }),
    )
  }
  return rows
}

interface FactInput {
  line: number | null
  category: string | null
  id: string | null
  name: string | null
  value: string | null
  sources: string | null
  location: string | null
  confidence: string | null
  notes: string | null
  extra: Array<[string, string]>
  raw: TypedRow['raw']
  misses: NormaliseMiss[]
}

function factRow(input: FactInput): TypedRow {
  const values = blankValues('fact_registry')
  const extra = [...input.extra]
  values.fact_category = input.category
  values.fact_id = input.id
  values.fact_name = input.name
  values.canonical_value = input.value
  if (input.value !== null && !isIdentifierLike(input.name, input.value)) {
    const quantity = quantify(input.value, isDateLike(input.name, input.category), isCountLike(input.name))
    values.value_number = quantity.value_number
    values.value_low = quantity.value_low
    values.value_high = quantity.value_high
    values.value_date = quantity.value_date
    values.value_date_precision = quantity.value_date_precision
    const miss = missOf('fact_registry', quantity, input.value, input.line)
    if (miss) input.misses.push(miss)
  }
  values.source_reports = input.sources
  values.source_location = input.location
  if (input.confidence !== null) {
    values.confidence = parseConfidence(input.confidence)
    if (values.confidence === null) extra.push(['Confidence', input.confidence])
  }
  values.notes = input.notes !== null && isNullLike(input.notes) ? null : input.notes
  return { line: input.line, values, extra: extra.length > 0 ? uniqueEntries(extra) : null, raw: input.raw }
}

const RULES = {
  keyColumn: (key: string): string | null => columnOfKey(key, FACT_LABELS),
  closing: new Set(['source_reports', 'confidence']),
}

/**
 * Whether a line is boilerplate rather than a fact: a legend, a status
 * counter, a statement of nothing. An attribute of a record (`**Conflicts**:
 * None`) is part of that record, not boilerplate.
 */
function isBoilerplateLine(field: FieldRecord): boolean {
  if (RULES.keyColumn(field.key) !== null) return false
  // `Open Issues: None` says a list is empty; `Key Vendor: None identified` is a fact whose value is none.
  const emptyList = field.value.trim() !== '' && saysNothing(field.value) && namesList(field.key)
  return isLegend(field.key, field.value) || isStatusCounter(field.key, field.value) || saysNothing(field.key) || emptyList
}

/** Facts of the key-value lines under one heading, and the sources that lines with no fact attribute to the section. */
function groupRows(all: readonly FieldRecord[], body: readonly string[], misses: NormaliseMiss[]): { rows: TypedRow[]; attributions: string[] } {
  const fields = all.filter((field) => !isBoilerplateLine(field))
  const attributions: string[] = []
  let blocks = splitBlocks(fields, RULES)
  const heading = body[body.length - 1] ?? ''
  const valued = blocks.filter((b) => b.columns.has('canonical_value'))
  // One untitled record that states a value: the heading is the fact (`### 1.1 Purchase Price`),
  // and the other untitled lines under it (a `**Context:**` after a table) are its attributes.
  const headingRecord = valued.length === 1 && valued[0]!.kind === 'run'
  if (headingRecord) {
    const untitled = blocks.filter((b) => b.kind !== 'titled')
    const merged: FieldBlock = {
      kind: 'run',
      title: null,
      fields: untitled.flatMap((b) => b.fields),
      columns: new Set(untitled.flatMap((b) => [...b.columns])),
    }
    blocks = [merged, ...blocks.filter((b) => b.kind === 'titled')]
  }
  const rows: TypedRow[] = []
  for (const block of blocks) {
    if (block.kind === 'loose') {
      const row = bulletFact(block.fields[0]!, body, [], misses)
      if (row) rows.push(row)
      continue
    }
    if (!block.columns.has('canonical_value')) {
      // Attributes with no value: the other lines are the facts, sharing the record's source.
      const shared = block.fields.filter((f) => RULES.keyColumn(f.key) !== null)
      // A block of attributes only (`**Source**: x-report.md` above a table) attributes its section.
      if (block.title === null && shared.length === block.fields.length) {
        for (const f of shared) {
          const source = RULES.keyColumn(f.key) === 'source_reports' ? attributionOf(f.key, f.value) : null
          if (source !== null) attributions.push(source)
        }
      }
      if (block.title !== null && REMARK_KEY.test(cleanHeading(block.title.key).toLowerCase())) continue
      const path = block.title === null ? body : [...body, block.title.key]
      for (const field of block.fields) {
        if (RULES.keyColumn(field.key) !== null) continue
        const row = bulletFact(field, path, shared, misses)
        if (row) rows.push(row)
      }
      continue
    }
    rows.push(blockFact(block, body, headingRecord && block.kind === 'run' ? heading : null, misses))
  }
  return { rows, attributions }
}

/** A record block as one fact. */
function blockFact(block: FieldBlock, body: readonly string[], heading: string | null, misses: NormaliseMiss[]): TypedRow {
  const attrs = new Map<string, string>()
  const extra: Array<[string, string]> = []
  for (const field of block.fields) {
    const column = RULES.keyColumn(field.key)
    if (column !== null && !attrs.has(column) && field.value !== '') attrs.set(column, field.value)
    else if (field.value !== '') extra.push([field.key, field.value])
  }
  const named = block.title?.key ?? heading
  const split = named === null ? null : splitId(named)
  const categoryPath = heading !== null ? body.slice(0, -1) : body
  const name = attrs.get('fact_name') ?? (split ? cleanHeading(split.title) || split.title : null)
  const lines = [block.title, ...block.fields].filter((f): f is FieldRecord => f !== null)
  return factRow({
    line: lines[0]?.line ?? null,
    category: categoryOf(categoryPath),
    id: attrs.get('fact_id')?.replace(/^#\s*/, '') ?? split?.id ?? null,
    name,
    value: attrs.get('canonical_value') ?? null,
    sources: attrs.get('source_reports') ?? null,
    location: attrs.get('source_location') ?? null,
    confidence: attrs.get('confidence') ?? null,
    notes: attrs.get('notes') ?? null,
    extra,
    raw: uniqueEntries(lines.map((f) => [f.key, f.value] as const)),
    misses,
  })
}

/** `- **Purchase Price**: $4.8 billion` as a fact, or null for remarks and empty lines. */
function bulletFact(field: FieldRecord, path: readonly string[], shared: readonly FieldRecord[], misses: NormaliseMiss[]): TypedRow | null {
  if (field.value === '' || isNullLike(field.value) || REMARK_KEY.test(cleanHeading(field.key).toLowerCase())) return null
  const attrs = new Map<string, string>()
  for (const s of shared) {
    const column = RULES.keyColumn(s.key)
    if (column !== null && !attrs.has(column) && s.value !== '') attrs.set(column, s.value)
  }
  const split = splitId(field.key)
  return factRow({
    line: field.line,
    category: categoryOf(path),
    id: split.id,
    name: split.title,
    value: field.value,
    sources: attrs.get('source_reports') ?? null,
    location: attrs.get('source_location') ?? null,
    confidence: attrs.get('confidence') ?? null,
    // A record's note is about the record, not about each line of it.
    notes: null,
    extra: [],
    raw: field.raw,
    misses,
  })
}
