/**
 * Match headings and table headers by meaning, not by exact text: case, bold,
 * emoji, numbering (`## II. QUANTITATIVE FACTS`, `### 1.1`), parenthetical
 * suffixes (`(For fact-validator V1.2)`), separators and known synonyms.
 */
import type { FieldRecord, TableRecord } from '../types.js'

/**
 * A label reduced to lowercase words: `## II. QUANTITATIVE FACTS (USE THESE VALUES)`
 * → `quantitative facts`; `Source Report(s)` → `source reports`; `DEAL_METADATA` → `deal metadata`.
 */
export function normalizeLabel(text: string): string {
  let value = normalCache.get(text)
  if (value === undefined) {
    if (normalCache.size >= NORMAL_CACHE_LIMIT) normalCache.clear()
    value = normalizeUncached(text)
    normalCache.set(text, value)
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

/** Map headers onto canonical columns; each header is used once, the first synonym list that claims it wins. */
export function mapColumns(headers: readonly string[], synonyms: ColumnSynonyms): ColumnMapping {
  const columns: Record<string, string> = {}
  const taken = new Set<string>()
  // Exact matches first, so `Source` does not steal the column `Source Report` wants.
  for (const pass of ['exact', 'prefix'] as const) {
    for (const [column, labels] of Object.entries(synonyms)) {
      if (column in columns) continue
      const wanted = labels.map(normalizeLabel)
      const header = headers.find((h) => {
        if (taken.has(h)) return false
        const normal = normalizeLabel(h)
        return pass === 'exact' ? wanted.includes(normal) : wanted.some((w) => normal.startsWith(`${w} `))
      })
      if (header !== undefined) {
        columns[column] = header
        taken.add(header)
      }
    }
  }
  return { columns, unmapped: headers.filter((h) => !taken.has(h)) }
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
