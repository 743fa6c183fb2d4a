/**
 * What a file held that no record took, for `statebridge check`: pipe lines
 * recovered as a table, left as prose or swallowed by a fence that does not
 * close, source keys and cells no typed column
 * took, and sections under a known heading that yielded nothing. A new layout
 * then shows up in the report instead of vanishing. Pure.
 */
import { labelMatches } from '../parsers/typed/labels.js'
import type { ParsedDocument } from '../parsers/types.js'

/** A table recovered from pipe lines that were no GFM table. */
export interface RecoveredTable {
  path: string
  /** 1-based line of the delimiter row that GFM rejected. */
  line: number | null
  /** Why it was not GFM, e.g. `delimiter row has 3 cells, header has 5`. */
  reason: string
}

/** A source key or cell that no typed column took, over all files of a kind. */
export interface Untaken {
  /** Rows that carried it. */
  count: number
  /** The first file that did, and the row's line (`null` in JSON documents). */
  path: string
  line: number | null
}

/** A section under a known heading that yielded no typed row, table or session fact. */
export interface EmptySection {
  path: string
  line: number
  headingPath: string[]
  /** Generic tables and key-value fields in the section, which the typed parser did not take. */
  tables: number
  fields: number
}

/** The parts of a kind's report that say what was dropped. */
export interface DroppedReport {
  /** Pipe runs recovered as tables (a `table-recovered` warning each). */
  recoveredTables: RecoveredTable[]
  /** Pipe runs left as prose: no delimiter row to read a header from. */
  pipeRuns: Array<{ path: string; line: number | null }>
  /** Code blocks behind a fence line with text after it that hold table-shaped pipe runs (`reason` says how many). */
  pipeRunsInCode: Array<{ path: string; line: number | null; reason: string }>
  /** By `<typed table>.<source key>`: keys of typed rows' `extra`, i.e. JSON keys and table cells no column took. */
  untaken: Record<string, Untaken>
  /** Sections under a heading of the kind's known list that yielded nothing typed. */
  emptySections: EmptySection[]
}

/** Fresh, empty counters. */
export function emptyDropped(): DroppedReport {
  return { recoveredTables: [], pipeRuns: [], pipeRunsInCode: [], untaken: {}, emptySections: [] }
}

/**
 * Add what one parsed file dropped. `known` is the kind's list of section
 * headings; sections are only judged in files a typed parser understood.
 */
export function addDropped(report: DroppedReport, path: string, parsed: ParsedDocument, known: readonly string[] | undefined): void {
  for (const d of parsed.diagnostics) {
    if (d.code === 'table-recovered') report.recoveredTables.push({ path, line: d.line, reason: d.reason.replace(/^[^:]*: /, '') })
    else if (d.code === 'pipe-run-not-table') report.pipeRuns.push({ path, line: d.line })
    else if (d.code === 'pipe-run-in-code') report.pipeRunsInCode.push({ path, line: d.line, reason: d.reason })
  }
  const typed = parsed.typed
  if (!typed) return
  for (const [table, rows] of Object.entries(typed.rows)) {
    for (const row of rows ?? []) {
      for (const key of Object.keys(row.extra ?? {})) {
        // `also: …` keeps another telling of a merged record: the row took its values, nothing was dropped.
        if (/^also(?:: | \(\d+\)$|$)/.test(key)) continue
        const name = `${table}.${key}`
        const seen = report.untaken[name]
        if (seen) seen.count++
        else report.untaken[name] = { count: 1, path, line: row.line }
      }
    }
  }
  if (known && parsed.markdown) report.emptySections.push(...emptySections(path, parsed, known))
}

// A known section yielded something when a typed row, a typed table or the
// session facts start inside it (between its heading and the next heading of
// the same or a higher level).
function emptySections(path: string, parsed: ParsedDocument, known: readonly string[]): EmptySection[] {
  const markdown = parsed.markdown!
  const typed = parsed.typed!
  const typedOrdinals = new Set(typed.typedTables)
  const yielded: number[] = []
  for (const rows of Object.values(typed.rows)) for (const row of rows ?? []) if (row.line !== null) yielded.push(row.line)
  if (typed.session && typed.session.line !== null) yielded.push(typed.session.line)
  for (const table of markdown.tables) if (typedOrdinals.has(table.ordinal)) yielded.push(table.line)

  const out: EmptySection[] = []
  const { headings } = markdown
  headings.forEach((heading, index) => {
    if (!labelMatches(heading.path[heading.path.length - 1] ?? '', known)) return
    const next = headings.slice(index + 1).find((h) => h.path.length <= heading.path.length)
    const end = next?.line ?? Number.POSITIVE_INFINITY
    const inside = (line: number): boolean => line >= heading.line && line < end
    if (yielded.some(inside)) return
    out.push({
      path,
      line: heading.line,
      headingPath: heading.path,
      tables: markdown.tables.filter((t) => inside(t.line)).length,
      fields: markdown.fields.filter((f) => inside(f.line)).length,
    })
  })
  return out
}

/** The dropped parts of one kind as text lines, at most `detail` of each list. */
export function formatDropped(report: DroppedReport, detail: number): string[] {
  const lines: string[] = []
  const list = <T>(items: T[], what: string, line: (item: T) => string): void => {
    for (const item of items.slice(0, detail)) lines.push(line(item))
    if (items.length > detail) lines.push(`  … ${items.length - detail} more ${what}`)
  }
  list(report.recoveredTables, 'recovered tables', (r) => `  recovered table: ${r.path}:${r.line ?? '-'} ${r.reason}`)
  list(report.pipeRuns, 'pipe runs not captured', (r) => `  pipe lines not a table: ${r.path}:${r.line ?? '-'}`)
  list(report.pipeRunsInCode, 'code blocks holding tables', (r) => `  tables in code: ${r.path}:${r.line ?? '-'} ${r.reason}`)
  const untaken = Object.entries(report.untaken).sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b))
  list(untaken, 'keys not taken', ([name, u]) => `  not taken: ${name} in ${u.count} ${u.count === 1 ? 'row' : 'rows'} (first ${u.path}${u.line === null ? '' : `:${u.line}`})`)
  list(report.emptySections, 'empty sections', (s) => `  empty section: ${s.path}:${s.line} ${s.headingPath.join(' > ')} (${s.tables} tables, ${s.fields} fields)`)
  return lines
}
