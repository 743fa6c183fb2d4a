/**
 * Row-building helpers shared by the orchestrator-state and research-plan
 * parsers: typed rows with every column present, section and sub-heading
 * lookup by meaning, and value readers that record a miss when a value is
 * present but does not normalise.
 */
import {
  isNullLike,
  parseConfidence,
  parseCount,
  parseDateValue,
  parseMoney,
  parsePercent,
  parseSeverity,
  parseStatus,
  saysNoLevel,
} from '../normalize/index.js'
import type { Count, DateValue, Money, Percent } from '../normalize/index.js'
import type { FieldRecord, TableRecord, TableRowRecord } from '../types.js'
import { cell, extraCells, labelMatches, mapColumns, normalizeLabel, normalizedAliases, type ColumnSynonyms } from './labels.js'
import { columnsOf } from './columns.js'
import type { TYPED_TABLES, TypedTableName } from './tables.js'
import { pushRows, type ColumnValue, type TypedRecords, type TypedRow } from './types.js'
import { headingSaysNone, saysNothing, subHeaderLabel } from './boilerplate.js'
import { detached } from '../detached.js'

/** Column names of a typed table. */
export type ColumnOf<T extends TypedTableName> = keyof (typeof TYPED_TABLES)[T] & string

/** Values of a typed row by column; columns left out are stored as null. */
export type RowValues<T extends TypedTableName> = Partial<Record<ColumnOf<T>, ColumnValue>>

/** A typed row of `table` with every column present (null when unknown). */
export function newRow<T extends TypedTableName>(
  table: T,
  line: number | null,
  values: RowValues<T>,
  extra: Record<string, string> | null,
  raw: Record<string, string> | string | null,
): TypedRow {
  const full: Record<string, ColumnValue> = {}
  for (const column of columnsOf(table)) {
    const value = (values as Record<string, ColumnValue | undefined>)[column]
    full[column] = value === undefined ? null : value
  }
  return { line, values: full, extra: extra !== null && Object.keys(extra).length > 0 ? extra : null, raw }
}

/** Record that a generic table was taken by a typed table (once, in order). */
export function markTyped(records: TypedRecords, ordinal: number): void {
  if (!records.typedTables.includes(ordinal)) records.typedTables.push(ordinal)
}

/** {@link normalizeLabel} (cached there). */
export const normal = normalizeLabel

/** Whether `label` means one of `aliases`: whole label or leading words. */
export const labelMeans = labelMatches

/** Whether `label` means exactly one of `aliases` (normalised equality, no prefix match). */
export function sameLabel(label: string, aliases: readonly string[]): boolean {
  return labelIndex(label, aliases) >= 0
}

/** Index in `aliases` of the alias `label` means exactly, or -1. */
export function labelIndex(label: string, aliases: readonly string[]): number {
  const value = normal(label)
  if (value === '') return -1
  return normalizedAliases(aliases).indexOf(value)
}

/** How a section is recognised: headings meaning one of `aliases`, unless they contain an excluded word. */
export interface SectionSpec {
  aliases: readonly string[]
  /** Whole-label matches only (for short aliases such as `transaction`). */
  exact?: readonly string[]
  /** Words that disqualify a heading (`verification` in `Critical Issues Checklist Verification`). */
  exclude?: readonly string[]
}

const sectionCache = new WeakMap<SectionSpec, Map<string, boolean>>()
const SECTION_CACHE_LIMIT = 10_000

/** Whether one heading opens a section of `spec` (remembered per spec and heading). */
export function isSection(heading: string, spec: SectionSpec): boolean {
  let seen = sectionCache.get(spec)
  if (seen === undefined) {
    seen = new Map()
    sectionCache.set(spec, seen)
  }
  let answer = seen.get(heading)
  if (answer === undefined) {
    if (seen.size >= SECTION_CACHE_LIMIT) seen.clear()
    const words = normal(heading).split(' ')
    answer =
      words[0] !== '' &&
      !(spec.exclude?.some((word) => words.includes(word)) ?? false) &&
      (labelMeans(heading, spec.aliases) || (spec.exact !== undefined && sameLabel(heading, spec.exact)))
    seen.set(detached(heading), answer)
  }
  return answer
}

/** Index of the outermost heading of `path` that opens a section of `spec`, or -1. */
export function sectionIndex(path: readonly string[], spec: SectionSpec): number {
  return path.findIndex((heading) => isSection(heading, spec))
}

/** Items (tables, fields) inside a section of `spec`, with the index of the section heading in their path. */
function inSection<T extends { headingPath: readonly string[] }>(items: readonly T[], spec: SectionSpec): Array<{ item: T; at: number }> {
  const found: Array<{ item: T; at: number }> = []
  for (const item of items) {
    const at = sectionIndex(item.headingPath, spec)
    if (at >= 0) found.push({ item, at })
  }
  return found
}

/** Tables inside a section of `spec`, with the index of the section heading in their path. */
export function sectionTables(tables: readonly TableRecord[], spec: SectionSpec): Array<{ table: TableRecord; at: number }> {
  return inSection(tables, spec).map(({ item, at }) => ({ table: item, at }))
}

/** Fields inside a section of `spec`, with the index of the section heading in their path. */
export function sectionFields(fields: readonly FieldRecord[], spec: SectionSpec): Array<{ field: FieldRecord; at: number }> {
  return inSection(fields, spec).map(({ item, at }) => ({ field: item, at }))
}

const NUMBERING = /^\s*(?:(?:section|part|phase|step|issue|item)\s+)?#?((?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])(?=[.):]\s)|\d+(?:\.\d+)+(?=\s))[.):]?\s+/i

/** Leading numbering of a heading (`1` of `### 1. Statutory Law Analyst`), or null. */
export function headingNumber(text: string): string | null {
  return NUMBERING.exec(text)?.[1] ?? null
}

const SUMMARY = /^(?:summary|overview|totals?|aggregation|aggregate|assessment summary|conclusion|recommendations?|methodology|notes?|usage|legend)\b|\b(?:summary|totals?|aggregation|legend)$/

/** Whether a heading or label names a summary rather than an item (`Aggregation Summary`). */
export function isSummaryLabel(text: string): boolean {
  return SUMMARY.test(normal(text))
}

/** A text value: trimmed, null when empty or a placeholder (`—`, `N/A`, `TBD`); `None` and `Pending` are kept. */
export function textValue(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null
  const text = raw.trim()
  if (text === '') return null
  if (placeholder(text) && !/^(?:none|pending)\.?$/i.test(text)) return null
  return text
}

// Placeholders are short (`to be determined` is the longest): long cells skip the check.
const PLACEHOLDER_MAX = 40

/** {@link isNullLike} for cells short enough to be a placeholder. */
function placeholder(text: string): boolean {
  return text.length <= PLACEHOLDER_MAX && isNullLike(text)
}

/** Record a value that is present but did not normalise. */
export function miss(
  records: TypedRecords,
  table: TypedTableName | 'sessions',
  column: string,
  raw: string,
  line: number | null,
): void {
  records.misses.push({ table, column, raw, line })
}

/** Whether a text is present and not a placeholder. */
function present(raw: string | null): raw is string {
  return raw !== null && raw.trim() !== '' && !placeholder(raw)
}

/** A reader that normalises a present value and records a miss when it does not read. */
type ValueReader<T> = (
  records: TypedRecords,
  table: TypedTableName | 'sessions',
  column: string,
  raw: string | null,
  line: number | null,
) => T | null

function reader<T>(parse: (raw: string) => T | null, read: (value: T) => boolean = () => true): ValueReader<T> {
  return (records, table, column, raw, line) => {
    if (!present(raw)) return null
    const value = parse(raw)
    if (value === null || !read(value)) miss(records, table, column, raw, line)
    return value
  }
}

/** Money in `raw`; a miss when present but unreadable. */
export const moneyValue: ValueReader<Money> = reader(parseMoney)

/** A percentage in `raw`; a miss when present but unreadable. */
export const percentValue: ValueReader<Percent> = reader(parsePercent)

/** A count in `raw`; a miss when present but unreadable or without a number. */
export const countValue: ValueReader<Count> = reader(parseCount, (count) => count.value !== null)

// Where a date may begin inside a longer text (`Target Q4 2026`, `~February 28, 2026`).
const DATE_START =
  /(?:\b(?:Q[1-4]|H[12])\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\b\d{4}-\d{2}|\b\d{1,2}\/\d{1,2}\/\d{2,4}|\b(?:19|20)\d{2}\b)/i

/** A date read from the start of `raw`, or from the first date-like word in it. Null when none. */
export function findDate(raw: string): DateValue | null {
  const direct = parseDateValue(raw)
  if (direct === null || direct.date !== null) return direct
  const start = DATE_START.exec(raw)
  if (start === null || start.index === 0) return direct
  const later = parseDateValue(raw.slice(start.index))
  return later !== null && later.date !== null ? { ...later, raw } : direct
}

/** A date in `raw`; a miss when present but unreadable. */
export function dateValue(
  records: TypedRecords,
  table: TypedTableName | 'sessions',
  column: string,
  raw: string | null,
  line: number | null,
): DateValue | null {
  if (!present(raw)) return null
  const date = findDate(raw)
  if (date === null || date.date === null) {
    miss(records, table, column, raw, line)
    return null
  }
  return date
}

/** A point in time as stored: ISO when the text is an instant or a day, else the text itself. */
export function timeValue(
  records: TypedRecords,
  table: TypedTableName,
  column: string,
  raw: string | null,
  line: number | null,
): string | null {
  if (!present(raw)) return null
  const date = dateValue(records, table, column, raw, line)
  return date !== null && (date.precision === 'instant' || date.precision === 'day') ? date.date : raw.trim()
}

/** A lifecycle status; a miss when present but unreadable. `Pending` is a status, not a placeholder. */
export function statusValue(
  records: TypedRecords,
  table: TypedTableName,
  column: string,
  raw: string | null,
  line: number | null,
): string | null {
  if (raw === null || raw.trim() === '') return null
  const status = parseStatus(raw)
  if (status !== null && status.status !== null) return status.status
  if (!isNullLike(raw)) miss(records, table, column, raw, line)
  return null
}

/** A severity or priority as stored: `critical`/`high`/`medium`/`low` when readable, null when it says none (`NONE`, `N/A`), else the text. */
export function severityText(raw: string | null): string | null {
  const text = textValue(raw)
  if (text === null || saysNoLevel(text)) return null
  return parseSeverity(text) ?? text
}

/** A confidence level as stored: `verified`/`high`/`medium`/`low` when readable, else the text. */
export function confidenceText(raw: string | null): string | null {
  const text = textValue(raw)
  if (text === null) return null
  return parseConfidence(text) ?? text
}

/** Raw markdown of a row's cells by header. */
export function rawCells(table: TableRecord, row: TableRowRecord): Record<string, string> {
  const raw: Record<string, string> = {}
  table.headers.forEach((header, index) => {
    const source = row.raw[index]
    if (source !== undefined) raw[header] = source
  })
  return raw
}

/** Source lines of fields by key (first line per key wins). */
export function rawFields(fields: readonly FieldRecord[]): Record<string, string> {
  const raw: Record<string, string> = {}
  for (const field of fields) if (!(field.key in raw)) raw[field.key] = field.raw
  return raw
}

/** Whether a row is a total line (`**TOTAL EXPOSURE**`) rather than an item. */
function isTotalRow(table: TableRecord, row: TableRowRecord): boolean {
  const first = table.headers.map((header) => row.cells[header] ?? '').find((text) => text.trim() !== '')
  return first !== undefined && /^(?:grand |sub|net )?totals?\b/.test(normal(first))
}

/** How one generic table becomes rows of a typed table. */
export interface TableSpec<T extends TypedTableName> {
  table: T
  synonyms: ColumnSynonyms
  /** Groups of synonym keys; each group needs one mapped header, or the table stays generic. */
  requires: ReadonlyArray<readonly string[]>
  /** Synonym keys whose cell is read but also kept in `extra`: it informs a column without being one (a report file naming its specialist). */
  keep?: readonly string[]
  /** The typed values of one row (`get` reads a mapped cell), or null to leave the row out. */
  build: (get: (key: string) => string | null, line: number) => RowValues<T> | null
}

/**
 * Type the rows of `table` by `spec`. Unmapped cells go to `extra`; total rows
 * and empty rows are left to the generic table. Returns the rows added.
 */
export function typeTable<T extends TypedTableName>(records: TypedRecords, table: TableRecord, spec: TableSpec<T>): number {
  if (records.typedTables.includes(table.ordinal)) return 0
  // A table right under `### Critical Issues: None Identified` lists nothing: a typed table is a list.
  const heading = table.headingPath[table.headingPath.length - 1]
  if (table.headingPath.length > 1 && heading !== undefined && headingSaysNone(heading, true)) return 0
  const mapping = mapColumns(table.headers, spec.synonyms)
  if (!spec.requires.every((group) => group.some((key) => key in mapping.columns))) return 0
  const kept = new Set((spec.keep ?? []).map((key) => mapping.columns[key]))
  const leftOver = kept.size === 0 ? mapping : { ...mapping, unmapped: table.headers.filter((h) => mapping.unmapped.includes(h) || kept.has(h)) }
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    if (Object.values(row.cells).every((text) => text.trim() === '')) continue
    if (isTotalRow(table, row)) continue
    // A group label (`| **PHASE 2: RESEARCH** | | |`) or a row that says there is nothing (`| None | — | — |`) is no item.
    if (subHeaderLabel(table, row) !== null) continue
    if (Object.values(row.cells).every((text) => text.trim() === '' || saysNothing(text))) continue
    const values = spec.build((key) => cell(row.cells, mapping, key), row.line)
    if (values === null) continue
    rows.push(newRow(spec.table, row.line, values, extraCells(row.cells, leftOver), rawCells(table, row)))
  }
  if (rows.length === 0) return 0
  pushRows(records, spec.table, rows)
  markTyped(records, table.ordinal)
  return rows.length
}
