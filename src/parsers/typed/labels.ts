/**
 * Match headings and table headers by meaning, not by exact text: case, bold,
 * emoji, numbering (`## II. QUANTITATIVE FACTS`, `### 1.1`), parenthetical
 * suffixes (`(For fact-validator V1.2)`), separators and known synonyms.
 */
import type { FieldRecord, TableRecord } from '../types.js'
import { detached } from '../detached.js'

/**
 * A label reduced to lowercase words: `## II. QUANTITATIVE FACTS (USE THESE VALUES)`
 * → `quantitative facts`; `Source Report(s)` → `source reports`; `DEAL_METADATA` → `deal metadata`.
 */
export function normalizeLabel(text: string): string {
  let value = normalCache.get(text)
  if (value === undefined) {
    if (normalCache.size >= NORMAL_CACHE_LIMIT) normalCache.clear()
    value = normalizeUncached(text)
    normalCache.set(detached(text), value)
  }
  return value
}

// Labels repeat (every field under a heading carries its path) and normalising is the
// costliest step of matching: results are kept per text, dropped when the cache grows.
const NORMAL_CACHE_LIMIT = 10_000
const normalCache = new Map<string, string>()
const aliasCache = new WeakMap<readonly string[], string[]>()

/** Normalised aliases, computed once per alias list. */
export function normalizedAliases(aliases: readonly string[]): string[] {
  let list = aliasCache.get(aliases)
  if (list === undefined) {
    list = aliases.map(normalizeLabel)
    aliasCache.set(aliases, list)
  }
  return list
}

function normalizeUncached(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\(s\)/gi, 's')
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, ' ')
    .replace(/[*_`~#>]/g, ' ')
    .toLowerCase()
    .replace(/^\s*(?:(?:section|part|phase|step)\s+)?(?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])[.):]\s+/, '')
    .replace(/^\s*\d+(?:\.\d+)+\s+/, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Whether a label means one of `aliases` (normalised, whole-label or leading-words match). */
export function labelMatches(label: string, aliases: readonly string[]): boolean {
  const normal = normalizeLabel(label)
  return normal !== '' && normalizedAliases(aliases).some((want) => normal === want || normal.startsWith(`${want} `))
}

/** The innermost heading of `path` that means one of `aliases`, with its depth, or null. */
export function findHeading(path: readonly string[], aliases: readonly string[]): { index: number; text: string } | null {
  for (let i = path.length - 1; i >= 0; i--) {
    if (labelMatches(path[i]!, aliases)) return { index: i, text: path[i]! }
  }
  return null
}

/** Tables under a heading that means one of `aliases` (at any depth of their path). */
export function tablesUnder(tables: readonly TableRecord[], aliases: readonly string[]): TableRecord[] {
  return tables.filter((table) => findHeading(table.headingPath, aliases) !== null)
}

/** Fields under a heading that means one of `aliases`. */
export function fieldsUnder(fields: readonly FieldRecord[], aliases: readonly string[]): FieldRecord[] {
  return fields.filter((field) => findHeading(field.headingPath, aliases) !== null)
}

/** Column synonyms: canonical column → header labels that mean it. */
export type ColumnSynonyms = Record<string, readonly string[]>

/** How a table's headers map onto canonical columns. */
export interface ColumnMapping {
  /** canonical column → header (as it appears in `cells`). */
  columns: Record<string, string>
  /** Headers no canonical column took. */
  unmapped: string[]
}

/** Map headers onto canonical columns by {@link mapHeaders}, as a record. */
export function mapColumns(headers: readonly string[], synonyms: ColumnSynonyms): ColumnMapping {
  const map = mapHeaders(headers, priorityOf(synonyms))
  return { columns: Object.fromEntries(map.columns), unmapped: map.unmapped }
}

const priorities = new WeakMap<ColumnSynonyms, LabelPriority>()

function priorityOf(synonyms: ColumnSynonyms): LabelPriority {
  let priority = priorities.get(synonyms)
  if (priority === undefined) {
    priority = Object.entries(synonyms)
    priorities.set(synonyms, priority)
  }
  return priority
}

/** Canonical column → labels that mean it, most specific first; `=Label` matches the whole header only. */
export type LabelPriority = ReadonlyArray<readonly [column: string, labels: readonly string[]]>

/** How a table's headers map onto columns: column → header, and the headers left over. */
export interface HeaderMap {
  columns: Map<string, string>
  unmapped: string[]
}

/**
 * Map headers onto columns: the one label matcher of every kind. The label
 * order decides, not the header order: in `Category | Description`,
 * `Description` is the fact even though `Category` comes first. Columns are
 * served in the order given; a header is used once; whole-label matches beat
 * leading-word matches, so `Source` does not steal the column `Source Report`
 * wants.
 */
export function mapHeaders(headers: readonly string[], priority: LabelPriority): HeaderMap {
  const normal = new Map(headers.map((h) => [h, labelKey(h)]))
  const columns = new Map<string, string>()
  const taken = new Set<string>()
  for (const pass of ['exact', 'prefix'] as const) {
    for (const [column, labels] of compiled(priority)) {
      if (columns.has(column)) continue
      for (const { want, exactOnly } of labels) {
        // `=Gap` matches `Gap` only, never `Gap Type`.
        if (exactOnly && pass === 'prefix') continue
        const header = headers.find((h) => {
          if (taken.has(h)) return false
          const text = normal.get(h) ?? ''
          return pass === 'exact' ? text === want : text.startsWith(`${want} `)
        })
        if (header !== undefined) {
          columns.set(column, header)
          taken.add(header)
          break
        }
      }
    }
  }
  return { columns, unmapped: headers.filter((h) => !taken.has(h)) }
}

/** The column a field key means (whole-label match), or null. */
export function columnOfKey(key: string, priority: LabelPriority): string | null {
  const normal = labelKey(key)
  if (normal === '') return null
  let byKey = keyIndex.get(priority)
  if (byKey === undefined) {
    byKey = new Map()
    for (const [column, labels] of compiled(priority)) for (const { want } of labels) if (!byKey.has(want)) byKey.set(want, column)
    keyIndex.set(priority, byKey)
  }
  return byKey.get(normal) ?? null
}

// Label lists are module constants: their normal forms are worked out once per list.
const compiledLists = new WeakMap<LabelPriority, Array<[string, Array<{ want: string; exactOnly: boolean }>]>>()
const keyIndex = new WeakMap<LabelPriority, Map<string, string>>()

function compiled(priority: LabelPriority): Array<[string, Array<{ want: string; exactOnly: boolean }>]> {
  let list = compiledLists.get(priority)
  if (list === undefined) {
    list = priority.map(([column, labels]) => [
      column,
      labels.map((label) => ({ want: labelKey(label.replace(/^=/, '')), exactOnly: label.startsWith('=') })),
    ])
    compiledLists.set(priority, list)
  }
  return list
}

/** A label's normal form, with `#` read as `no` so `Conflict #` differs from `Conflict` and `#` from nothing. */
function labelKey(label: string): string {
  return normalizeLabel(label.replace(/#/g, ' no '))
}

/** The cells of a row that a mapping left unmapped, or null when none are non-empty. */
export function extraCells(cells: Record<string, string>, mapping: ColumnMapping): Record<string, string> | null {
  const extra: Record<string, string> = {}
  for (const header of mapping.unmapped) if (cells[header]) extra[header] = cells[header]!
  return Object.keys(extra).length > 0 ? extra : null
}

/** A mapped cell's text, or null when the column is unmapped or the cell is empty. */
export function cell(cells: Record<string, string>, mapping: ColumnMapping, column: string): string | null {
  const header = mapping.columns[column]
  if (header === undefined) return null
  const value = cells[header]
  return value === undefined || value === '' ? null : value
}
