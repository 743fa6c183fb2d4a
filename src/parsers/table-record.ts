/**
 * A GFM table's cells, however they were read (remark's tree or the line
 * scanner), made into the one table record shape: header→cell maps with
 * source lines, every row padded to every header, short rows noted.
 */
import type { Diagnostic, TableRecord, TableRowRecord } from './types.js'

/** One cell: its plain text and its markdown source, trimmed, without its pipes. */
export interface CellSource {
  text: string
  raw: string
}

/** One body row as read. */
export interface RowSource {
  /** 1-based line in the block. */
  line: number
  cells: CellSource[]
  /** Offset in the block just past the row's last character. */
  end: number
}

/** Where a table's block sits, for short-row diagnostics. */
export interface TablePlace {
  /** The block's text: row ends index into it. */
  source: string
  /** The block ends where the file ends. */
  atFileEnd: boolean
}

/** A table in block lines; `ordinal` and `headingPath` are the document's to set. */
export type BlockTable = Omit<TableRecord, 'ordinal' | 'headingPath'>

/** The table record of `header` and `rows`, with a diagnostic per short row. */
export function tableRecord(
  header: CellSource[],
  rows: RowSource[],
  lines: { line: number; endLine: number },
  place: TablePlace,
  diagnostics: Diagnostic[],
): BlockTable {
  const headerTexts = header.map((cell) => cell.text)
  const headers = uniqueHeaders(headerTexts)
  const records: TableRowRecord[] = rows.map((row, index) => {
    // No prototype: a header such as `constructor` or `__proto__` is a key like any other.
    const cells: Record<string, string> = Object.create(null) as Record<string, string>
    // Cells beyond the header get `column_N` keys that must not overwrite a real header.
    const keys = row.cells.length > headers.length ? uniqueHeaders([...headerTexts, ...row.cells.slice(headers.length).map(() => '')]) : headers
    row.cells.forEach((cell, column) => {
      cells[keys[column]!] = cell.text
    })
    // GFM pads short rows silently; pad the map too so every row has every header.
    for (const name of headers) if (!(name in cells)) cells[name] = ''
    if (row.cells.length < headers.length) diagnostics.push(shortRow(row, place, headers.length))
    return { index, line: row.line, cells, raw: row.cells.map((cell) => cell.raw) }
  })
  return { headers, rawHeaders: header.map((cell) => cell.raw), line: lines.line, endLine: lines.endLine, rows: records }
}

// A row with fewer cells than the header is legal GFM, but when it is the very
// last bytes of the file it is the signature of a file caught mid-write.
function shortRow(row: RowSource, place: TablePlace, expected: number): Diagnostic {
  const rest = place.source.slice(row.end)
  // Any line ending after the row means the row itself was written out in full.
  const atEndOfFile = place.atFileEnd && rest.trim() === '' && !/[\r\n]/.test(rest)
  return {
    line: row.line,
    column: 1,
    reason: atEndOfFile
      ? `table truncated: the last row has ${row.cells.length} of ${expected} cells and the file ends without a newline`
      : `table row has ${row.cells.length} of ${expected} cells`,
    severity: atEndOfFile ? 'error' : 'warning',
  }
}

/** Make header texts usable as object keys: empty ones get `column_N`, repeats get ` (2)`. */
export function uniqueHeaders(texts: string[]): string[] {
  const next = new Map<string, number>()
  const used = new Set<string>()
  return texts.map((text, index) => {
    const base = text === '' ? `column_${index + 1}` : text
    let count = next.get(base) ?? 1
    let name = count === 1 ? base : `${base} (${count})`
    // A generated name can equal a literal header (`a`, `a`, `a (2)`): skip to a free one.
    while (used.has(name)) name = `${base} (${++count})`
    next.set(base, count + 1)
    used.add(name)
    return name
  })
}
