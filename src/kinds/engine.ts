/**
 * The one engine behind every kind: reads a kind's declared record shapes
 * (tables under a section, a heading per record) with the shared label
 * matcher and value readers, then lets the kind's hook finish. Pure.
 */
import { isNullLike, parseCount, parseMoney, parseNumber, parsePercent } from '../parsers/normalize/index.js'
import type { FieldRecord, MarkdownRecords } from '../parsers/types.js'
import { headingSaysNone, saysNothing } from '../parsers/typed/boilerplate.js'
import { uniqueEntries } from '../parsers/typed/fact-columns.js'
import {
  labelIndex,
  miss,
  newRow,
  rawFields,
  sectionIndex,
  severityText,
  statusValue,
  textValue,
  timeValue,
  typeTable,
} from '../parsers/typed/research-typed-rows.js'
import type { TypedTableName } from '../parsers/typed/tables.js'
import { emptyTyped, pushRows, type ColumnValue, type TypedRecords, type TypedRow } from '../parsers/typed/types.js'
import type { ColumnRule, HeadingShape, KindInput, KindSpec, Reader, RowContext, TableShape } from './types.js'

/** The typed records of one file of `spec`'s kind. */
export function readKind(spec: KindSpec, input: KindInput): TypedRecords {
  let records = emptyTyped(spec.kind)
  if (input.markdown !== null && spec.shapes !== undefined) {
    for (const shape of spec.shapes) {
      if (shape.shape === 'table') readTables(shape, input, input.markdown, records)
      else readHeadings(shape, input, input.markdown, records)
    }
    records.typedTables.sort((a, b) => a - b)
  }
  if (spec.parse !== undefined) records = spec.parse(input, records)
  return records
}

/**
 * The records of a file `primary` took, with the rows of every kind that also
 * reads it (`KindSpec.also`) joined in; the file keeps the primary's kind.
 */
export function readKinds(primary: KindSpec, also: readonly KindSpec[], input: KindInput): TypedRecords {
  const records = readKind(primary, input)
  for (const kind of also) {
    const more = readKind(kind, input)
    for (const [table, rows] of Object.entries(more.rows) as Array<[TypedTableName, TypedRow[]]>) pushRows(records, table, rows)
    records.misses.push(...more.misses)
  }
  return records
}

// One synonym list per shape, for the life of the process: the matcher keeps its normalised labels per list.
const shapeSynonyms = new WeakMap<TableShape, Record<string, readonly string[]>>()

function readTables(shape: TableShape, input: KindInput, markdown: MarkdownRecords, records: TypedRecords): void {
  let synonyms = shapeSynonyms.get(shape)
  if (synonyms === undefined) {
    synonyms = Object.fromEntries(Object.entries(shape.columns).map(([column, rule]) => [column, rule.labels]))
    shapeSynonyms.set(shape, synonyms)
  }
  for (const table of markdown.tables) {
    if (shape.sections !== undefined && sectionIndex(table.headingPath, shape.sections) < 0) continue
    typeTable(records, table, {
      table: shape.table,
      synonyms,
      requires: shape.requires,
      build: (get, line) => {
        const values = readColumns(shape.table, shape.columns, get, line, records)
        if (shape.needs?.some((column) => values[column] === null) ?? false) return null
        const context: RowContext = { headingPath: table.headingPath, line, input, text: get }
        return shape.complete === undefined ? values : shape.complete(values, context)
      },
    })
  }
}

function readHeadings(shape: HeadingShape, input: KindInput, markdown: MarkdownRecords, records: TypedRecords): void {
  const byPath = new Map<string, FieldRecord[]>()
  for (const field of markdown.fields) {
    const key = field.headingPath.join('\u0000')
    const list = byPath.get(key)
    if (list === undefined) byPath.set(key, [field])
    else list.push(field)
  }
  const rules = Object.entries(shape.columns)
  for (const heading of markdown.headings) {
    const text = heading.path[heading.path.length - 1]
    if (text === undefined || sectionIndex(heading.path.slice(0, -1), shape.sections) < 0) continue
    const match = shape.heading.pattern.exec(text)
    if (match === null || headingSaysNone(text, true)) continue
    const fields = (byPath.get(heading.path.join('\u0000')) ?? []).filter((field) => !saysNothing(field.value))
    const taken = new Map<string, string>()
    const extra: Record<string, string> = {}
    for (const field of fields) {
      const column = rules.find(([name, rule]) => !taken.has(name) && labelIndex(field.key, rule.labels) >= 0)?.[0]
      if (column === undefined) {
        if (field.value !== '') extra[field.key] = field.value
      } else taken.set(column, field.value)
    }
    const id = match.groups?.id ?? match[1] ?? null
    const title = (match.groups?.title ?? match[2] ?? '').trim()
    const values = readColumns(shape.table, shape.columns, (column) => taken.get(column) ?? null, heading.line, records)
    values[shape.heading.id] = id
    if (title !== '' && (values[shape.heading.title] ?? null) === null) values[shape.heading.title] = title
    const complete = shape.complete === undefined ? values : shape.complete(values, { headingPath: heading.path, line: heading.line, input, text: (column) => taken.get(column) ?? null })
    if (complete === null) continue
    pushRows(records, shape.table, [newRow(shape.table, heading.line, complete, extra, rawFields(fields))])
  }
}

/** Every column of `columns`, read from the text `get` gives for it. */
function readColumns(
  table: TypedTableName,
  columns: Record<string, ColumnRule>,
  get: (column: string) => string | null,
  line: number,
  records: TypedRecords,
): Record<string, ColumnValue> {
  const values: Record<string, ColumnValue> = {}
  for (const [column, rule] of Object.entries(columns)) values[column] = readValue(rule.read ?? 'text', get(column), table, column, line, records)
  return values
}

/** One value through its reader; a present value that does not read is a miss, as in every kind. */
export function readValue(reader: Reader, raw: string | null, table: TypedTableName, column: string, line: number | null, records: TypedRecords): ColumnValue {
  const text = textValue(raw)
  switch (reader) {
    case 'text':
      return text
    case 'status':
      return statusValue(records, table, column, raw, line)
    case 'severity':
      return severityText(raw)
    case 'date':
      return text === null ? null : timeValue(records, table, column, text, line)
    case 'number':
    case 'percent':
    case 'integer': {
      if (text === null) return null
      const value = numberOf(reader, text)
      if (value === null) miss(records, table, column, text, line)
      return value
    }
    case 'list':
      return text === null ? null : listOf(text)
  }
}

function numberOf(reader: 'number' | 'percent' | 'integer', text: string): number | null {
  if (reader === 'integer') return parseCount(text)?.value ?? null
  const percent = parsePercent(text)
  if (reader === 'percent') return percent?.value ?? null
  // A score `87/100` or `8.5 / 10` is its first number; money and percentages read as amounts.
  const score = /^\s*(-?\d+(?:\.\d+)?)\s*\/\s*\d+(?:\.\d+)?\b/.exec(text)
  if (score !== null) return Number(score[1])
  const money = parseMoney(text)
  if (money !== null && money.value !== null) return money.value
  if (percent !== null && percent.value !== null && /%/.test(text)) return percent.value
  return parseNumber(text)?.value ?? null
}

/** The items a cell names: split at commas, semicolons and `<br>`s; placeholders dropped. */
function listOf(text: string): string[] | null {
  const items = text
    .split(/\s*(?:[,;]|<br\s*\/?>)\s*/i)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !isNullLike(item))
  return items.length > 0 ? items : null
}

/**
 * Rows of `table` that name the same `key` (a task in a plan's table and again
 * under its own heading) become the first of them, its empty columns filled
 * from the later ones in document order, their sources kept in `extra` as
 * `also: …`. Rows without a key stay as they are.
 */
export function mergeRows(records: TypedRecords, table: TypedTableName, key: string): void {
  const rows = records.rows[table]
  if (rows === undefined) return
  const byKey = new Map<string, TypedRow>()
  const kept: TypedRow[] = []
  for (const row of [...rows].sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
    const id = row.values[key]
    const first = typeof id === 'string' ? byKey.get(id.toLowerCase()) : undefined
    if (first === undefined) {
      if (typeof id === 'string') byKey.set(id.toLowerCase(), row)
      kept.push(row)
      continue
    }
    for (const [column, value] of Object.entries(row.values)) if ((first.values[column] ?? null) === null) first.values[column] = value
    // The later telling's source goes to `extra`, as merged facts keep theirs: nothing is lost.
    const told =
      typeof row.raw === 'string'
        ? [['also', row.raw] as const]
        : Object.entries(row.raw ?? {}).filter(([, v]) => v !== '').map(([k, v]) => [`also: ${k}`, v] as const)
    const extra = [...Object.entries(first.extra ?? {}), ...told]
    first.extra = extra.length > 0 ? uniqueEntries(extra) : null
  }
  records.rows[table] = kept
}
