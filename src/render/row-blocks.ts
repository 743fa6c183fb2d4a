/**
 * The ways one typed table's rows can be written, and the choice between
 * them. A row is written from its `raw` source when it has one (the agent's
 * cells under the agent's headers, the agent's field lines), otherwise from
 * its typed values under canonical headers. Which way gives the rows back is
 * decided by the parser itself: each candidate is parsed on its own and the
 * first whose rows come back unchanged is taken. The parser's heuristics
 * (column synonyms, section aliases, headings that name a row) stay the one
 * definition of what a file means; nothing here copies them.
 */
import { scanFields } from '../parsers/fields.js'
import type { TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue } from '../parsers/typed/types.js'
import { compareRows } from './compare.js'
import { inlineText, table, textTable } from './markdown-text.js'
import { KIND_TABLES, parseRenderInput } from './typed-input.js'
import type { RenderKind, RenderRow } from './types.js'

/** Markdown for one table's rows: blocks inside the document's shared section, and sections of their own. */
export interface Block {
  /** Key-value lines for the shared section (orchestrator: `## Orchestrator Execution State`). */
  lines: string[]
  /** Tables and paragraphs for the shared section, after the lines. */
  blocks: string[]
  /** Whole sections (`## ...` and what follows). */
  sections: string[]
}

/** A block with only sections. */
export function sectionsBlock(...sections: string[]): Block {
  return { lines: [], blocks: [], sections }
}

/** One way to write a table's rows, or null when it does not apply to these rows. */
export type Candidate = () => Block | null

/** How a kind's documents are framed around a block so that it parses as it will in the whole file. */
export type Frame = (block: Block) => string

/**
 * The first candidate whose rows parse back unchanged (and that adds rows to
 * no other table of the kind). When none does, the one with the fewest
 * differences, earlier first: the caller's check reports what is lost.
 */
export function chooseBlock(kind: RenderKind, tableName: TypedTableName, rows: readonly RenderRow[], frame: Frame, candidates: readonly Candidate[]): Block {
  let best: { block: Block; problems: number } | null = null
  for (const candidate of candidates) {
    const block = candidate()
    if (block === null) continue
    const problems = probe(kind, tableName, rows, frame(block))
    if (problems === 0) return block
    if (best === null || problems < best.problems) best = { block, problems }
  }
  return best?.block ?? sectionsBlock()
}

/** Differences between `rows` and what `text` parses to for `tableName`, plus a count of rows it gives other tables. */
function probe(kind: RenderKind, tableName: TypedTableName, rows: readonly RenderRow[], text: string): number {
  const parsed = parseRenderInput(kind, text)
  if (parsed === null) return Number.MAX_SAFE_INTEGER
  let problems = compareRows(tableName, rows, parsed.rows[tableName] ?? []).length
  for (const other of KIND_TABLES[kind]) if (other !== tableName) problems += parsed.rows[other]?.length ?? 0
  return problems
}

/** A column of a canonical table: its header and its cell text from a row's values (null: empty). */
export interface ColumnSpec {
  header: string
  cell: (values: Record<string, ColumnValue>) => string | null
  /** Written even when every row leaves it empty (columns the parser requires). Default false. */
  always?: boolean
}

/**
 * Rows as one canonical table: the columns some row fills (and those marked
 * `always`), then one column per `extra` label, in order of first use,
 * each row's labels taken in the order jsonb keeps them (shorter first, then
 * bytewise): a row read back from either store then renders as one just parsed.
 */
export function valueTable(rows: readonly RenderRow[], columns: readonly ColumnSpec[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row.values)))
  const used = columns.map((column, index) => column.always === true || cells.some((row) => row[index] !== null))
  const extraLabels: string[] = []
  for (const row of rows) for (const label of Object.keys(row.extra ?? {}).sort(jsonbKeyOrder)) if (!extraLabels.includes(label)) extraLabels.push(label)
  const headers = [...columns.filter((_, index) => used[index]).map((column) => column.header), ...extraLabels]
  const typedCount = used.filter(Boolean).length
  const body = rows.map((row, r) =>
    keepOffSubHeader(
      [...cells[r]!.filter((_, index) => used[index]), ...extraLabels.map((label) => row.extra?.[label] ?? null)],
      typedCount,
    ),
  )
  return textTable(headers, body)
}

/**
 * A row of three or more cells with only its first one filled reads as a
 * group label (a sub-header row), not a record: its second cell gets the null
 * mark `—`, which typed columns read as empty, so the row stays a row. Only a
 * typed cell (the first `typedCount`) takes it: `extra` keeps cell text as written.
 */
function keepOffSubHeader(cells: Array<string | null>, typedCount: number): Array<string | null> {
  if (cells.length < 3 || typedCount < 2 || cells[0] === null || cells.slice(1).some((cell) => cell !== null)) return cells
  return cells.map((cell, index) => (index === 1 ? '—' : cell))
}

/** Whether every row has table cells as its source (`raw` by header, not field lines). */
export function allTableRaw(rows: readonly RenderRow[]): boolean {
  return rows.length > 0 && rows.every((row) => rawKind(row) === 'cells')
}

/** What a row's source is: cells by header, field lines by key, one field line, or none. */
export function rawKind(row: RenderRow): 'cells' | 'fields' | 'line' | 'none' {
  const raw = row.raw
  if (raw === null || raw === undefined) return 'none'
  if (typeof raw === 'string') return 'line'
  const entries = Object.entries(raw)
  if (entries.length === 0) return 'none'
  // A section's rows keep each field's whole line under its key (`Status` → `**Status:** Open`).
  const fields = entries.every(([key, line]) => {
    const found = scanFields(line, [])
    return found.length === 1 && found[0]!.key === key
  })
  return fields ? 'fields' : 'cells'
}

/**
 * Rows as the agent's tables: consecutive rows under the same headers share a
 * table (a row with fewer cells, which GFM pads, joins the table before it),
 * cells as they were written.
 */
export function rawTables(rows: readonly RenderRow[]): string[] {
  const groups: Array<{ headers: string[]; rows: string[][] }> = []
  for (const row of rows) {
    const raw = row.raw as Record<string, string>
    const keys = Object.keys(raw)
    const last = groups[groups.length - 1]
    const cells = keys.map((key) => raw[key]!)
    if (last !== undefined && keys.every((key, index) => last.headers[index] === key)) last.rows.push(cells)
    else groups.push({ headers: keys, rows: [cells] })
  }
  // An empty header is kept as `column_<n>` (its 1-based position): it is written empty again, as the
  // agent wrote it, and reads back under the same stand-in name.
  return groups.map((group) => table(group.headers.map((key, index) => (key === `column_${index + 1}` ? '' : inlineText(key))), group.rows))
}

/** Consecutive runs of items with the same key, in order. */
export function runs<T>(items: readonly T[], keyOf: (item: T) => string): Array<{ key: string; items: T[] }> {
  const out: Array<{ key: string; items: T[] }> = []
  for (const item of items) {
    const key = keyOf(item)
    const last = out[out.length - 1]
    if (last !== undefined && last.key === key) last.items.push(item)
    else out.push({ key, items: [item] })
  }
  return out
}

/** A row's text column as a string, or null. */
export function text(values: Record<string, ColumnValue>, column: string): string | null {
  const value = values[column]
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/**
 * Field lines of a section-style row: each kept line, then, for a label the
 * row's `extra` holds more values of (the parser joins repeated labels with a
 * newline but keeps only the first line as source), one line per further value.
 */
export function fieldLines(row: RenderRow): string[] {
  const raw = (row.raw ?? {}) as Record<string, string>
  const lines: string[] = []
  for (const [key, line] of Object.entries(raw)) {
    lines.push(line)
    const more = row.extra?.[key]
    if (more === undefined) continue
    const parts = more.split('\n')
    const first = scanFields(line, [])[0]?.value
    // The kept line is the first value in `extra` unless a typed column took it.
    for (const part of first === parts[0] ? parts.slice(1) : parts) lines.push(`- **${key}:** ${part}`)
  }
  for (const [key, value] of Object.entries(row.extra ?? {})) {
    if (key in raw) continue
    for (const part of value.split('\n')) lines.push(`- **${key}:** ${part}`)
  }
  return lines
}

function jsonbKeyOrder(a: string, b: string): number {
  const [x, y] = [Buffer.from(a), Buffer.from(b)]
  return x.length - y.length || Buffer.compare(x, y)
}
