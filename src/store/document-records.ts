/**
 * How a markdown document's generic records are stored (migration 12), the
 * same in both dialects: headings as section rows that fields and tables
 * point at instead of repeating their heading path; a field's raw line only
 * when {@link fieldRaw} cannot rebuild it from a prefix and a form; a table
 * row's cells as an array in column order, its raw cells only where they
 * differ from the text. Writers encode with these functions and readers
 * decode with them, so every read gives back what the parser produced. The
 * views of migration 12 decode the same way in SQL;
 * test/store-records.test.ts holds the two to each other.
 */
import type { FieldRecord, MarkdownRecords, TableRowRecord } from '../parsers/types.js'

/** One heading of a document as its section row (`document_sections`). */
export interface SectionRow {
  /** 0-based position among the document's headings. */
  ordinal: number
  /** Ordinal of the enclosing heading's section; `null` at the top. */
  parent: number | null
  /** Length of the heading path the heading opens. */
  depth: number
  /** The heading's text: the last element of its path. */
  title: string
  /** 1-based source line. */
  line: number
}

/**
 * The sections of a document's headings. Headings nest by a stack, so the
 * parent of a heading is the nearest earlier one whose path is one shorter.
 */
export function documentSections(headings: MarkdownRecords['headings']): SectionRow[] {
  // open[d] = ordinal of the latest heading with a path of length d + 1.
  const open: number[] = []
  return headings.map((heading, ordinal) => {
    const depth = heading.path.length
    open[depth - 1] = ordinal
    open.length = depth
    return { ordinal, parent: depth > 1 ? (open[depth - 2] ?? null) : null, depth, title: heading.path[depth - 1] ?? '', line: heading.line }
  })
}

/**
 * The section a record at `line` stands in: the ordinal of the last heading at
 * or before that line (as the parser gave records their heading path), or
 * `null` before the first heading. `headings` are in document order.
 */
export function sectionAt(headings: MarkdownRecords['headings'], line: number): number | null {
  let low = 0
  let high = headings.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (headings[middle]!.line <= line) low = middle + 1
    else high = middle
  }
  return low === 0 ? null : low - 1
}

/**
 * The heading path of every section, by section id, from `(id, parentId,
 * title)` rows: a section's path is its parent's path and its own title.
 */
export function sectionPaths(sections: Array<Record<string, unknown>>): Map<string, string[]> {
  const byId = new Map(sections.map((s) => [String(s.id), s]))
  const paths = new Map<string, string[]>()
  const pathOf = (id: string): string[] => {
    const known = paths.get(id)
    if (known) return known
    const section = byId.get(id)
    if (!section) return []
    // A parent has a smaller ordinal, so the walk ends; the guard keeps a damaged row from looping.
    paths.set(id, [])
    const parent = section.parentId
    const path = [...(parent === null || parent === undefined ? [] : pathOf(String(parent))), String(section.title)]
    paths.set(id, path)
    return path
  }
  for (const id of byId.keys()) pathOf(id)
  return paths
}

/**
 * How a field's raw line is kept (`document_fields.raw`, `raw_prefix`,
 * `raw_form`): the line itself, or `null` and what rebuilds it with
 * {@link fieldRaw}.
 */
export interface StoredRaw {
  /** The raw line; `null` when `prefix` and `form` rebuild it. */
  raw: string | null
  /** The text before the field's form, in practice its list marker (`- `, `12. `); `null` when none or when `raw` is kept. */
  prefix: string | null
  /** Which form of its style the field is written in: `null` the usual one, {@link COLON_AFTER} for bold; `null` when `raw` is kept. */
  form: number | null
}

/** `raw_form` of a bold field written with the colon after the bold: `**Key**: value`. */
export const COLON_AFTER = 1

// The forms tried per style, in this order (the SQL of migration 12 converts in the same order).
const FORMS = new Map<string, Array<number | null>>([
  ['bold', [null, COLON_AFTER]],
  ['title', [null]],
  ['bullet', [null]],
])

/**
 * A field's form without its prefix: bold `**Key:** value` (`**Key:**` when
 * the value is empty), or with `form` {@link COLON_AFTER} `**Key**: value`
 * (`**Key**:`); title `**Key**`; bullet `Key: value`. `null` for another
 * style. Measured on the corpus of issue 12 (187k fields, 24.5 MB of raw
 * lines), a prefix and these forms rebuild 88% of the fields and 73% of the
 * bytes; most of the rest have markup in their value, which the value no
 * longer holds. Mirrored, exactly, in the SQL of migration 12.
 */
export function fieldForm(key: string, value: string, style: string, form: number | null): string | null {
  switch (style) {
    case 'bold':
      if (form === COLON_AFTER) return value === '' ? `**${key}**:` : `**${key}**: ${value}`
      return value === '' ? `**${key}:**` : `**${key}:** ${value}`
    case 'title':
      return `**${key}**`
    case 'bullet':
      return `${key}: ${value}`
    default:
      return null
  }
}

/** A field's raw line rebuilt: its prefix, then its form; `null` for a style without forms. */
export function fieldRaw(key: string, value: string, style: string, prefix: string | null, form: number | null): string | null {
  const body = fieldForm(key, value, style, form)
  return body === null ? null : (prefix ?? '') + body
}

/** How a field's raw line is stored: rebuilt by the first form of its style it ends with, else kept. */
export function storedRaw(field: Pick<FieldRecord, 'key' | 'value' | 'raw' | 'style'>): StoredRaw {
  for (const form of FORMS.get(field.style) ?? []) {
    const body = fieldForm(field.key, field.value, field.style, form)!
    if (field.raw.endsWith(body)) {
      const prefix = field.raw.slice(0, field.raw.length - body.length)
      return { raw: null, prefix: prefix === '' ? null : prefix, form }
    }
  }
  return { raw: field.raw, prefix: null, form: null }
}

/** A field's raw line as read back: the stored one, else the rebuild. */
export function readRaw(stored: { raw: unknown; prefix: unknown; form: unknown }, key: string, value: string, style: string): string {
  if (typeof stored.raw === 'string') return stored.raw
  const prefix = typeof stored.prefix === 'string' ? stored.prefix : null
  const form = stored.form === null || stored.form === undefined ? null : Number(stored.form)
  return fieldRaw(key, value, style, prefix, form) ?? ''
}

/** The SQL that reads a document's fields, as {@link readField} takes them; `?` or `$1`, `$2` by dialect. */
export function fieldsQuery(document: string, limit: string): string {
  return `SELECT section_id AS "sectionId", key, value, raw, raw_prefix AS "rawPrefix", raw_form AS "rawForm", style, line FROM document_fields
     WHERE document_id = ${document} ORDER BY line, id LIMIT ${limit}`
}

/** A field row of {@link fieldsQuery} as the parser gave it, its heading path from its section. */
export function readField(row: Record<string, unknown>, pathOf: (sectionId: unknown) => string[]): Record<string, unknown> {
  return {
    headingPath: pathOf(row.sectionId),
    key: row.key,
    value: row.value,
    raw: readRaw({ raw: row.raw, prefix: row.rawPrefix, form: row.rawForm }, String(row.key), String(row.value), String(row.style)),
    style: row.style,
    line: row.line,
  }
}

/** A table row as stored in `document_table_rows`. */
export interface StoredRow {
  /** The cell texts in column order: the headers', then any cells beyond them. */
  cells: string[]
  /** Per raw cell, `null` where it equals the text in that column; `null` as a whole when every raw cell does and none is missing. */
  rawCells: Array<string | null> | null
  /** The keys of the cells beyond the headers (`column_N`), only for a row longer than its header row. */
  cellKeys: string[] | null
}

/** How a row of a table with these headers is stored. */
export function storedRow(headers: string[], row: TableRowRecord): StoredRow {
  // The parser keys a row's cells by the headers, then by `column_N` for cells beyond them.
  const keys = Object.keys(row.cells)
  const extra = keys.length > headers.length ? keys.filter((key) => !headers.includes(key)) : []
  const cells = [...headers, ...extra].map((key) => row.cells[key] ?? '')
  const sparse = row.raw.map((raw, index) => (raw === cells[index] ? null : raw))
  const same = row.raw.length === cells.length && sparse.every((raw) => raw === null)
  return { cells, rawCells: same ? null : sparse, cellKeys: extra.length > 0 ? extra : null }
}

/**
 * A row's cells object, keyed as the parser keyed it, from its stored array.
 * The keys come in jsonb order, as every JSON object the readers answer
 * (what PostgreSQL gives back, and SQLite's reader imitates).
 */
export function readCells(headers: string[], cells: string[], cellKeys: string[] | null): Record<string, string> {
  const keys = cellKeys === null ? headers : [...headers, ...cellKeys]
  const entries = cells.map((cell, index): [string, string] => [keys[index]!, cell])
  entries.sort(([a], [b]) => compareJsonbKeys(a, b))
  // fromEntries, not assignment: a `__proto__` header stays a key, as JSON.parse keeps it.
  return Object.fromEntries(entries)
}

/** jsonb's order of object keys: by byte length, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  const ba = Buffer.from(a)
  const bb = Buffer.from(b)
  return ba.length - bb.length || Buffer.compare(ba, bb)
}

/** A row's raw cells, from the stored sparse array (or none) and its cell texts. */
export function readRawCells(cells: string[], rawCells: Array<string | null> | null): string[] {
  return rawCells === null ? cells : rawCells.map((raw, index) => raw ?? cells[index] ?? '')
}
