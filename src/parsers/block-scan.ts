/**
 * The fast path: a line scanner for the block shapes agents write most,
 * giving exactly the records remark gives for them, and `null` for any block
 * it is not certain of, which then goes to remark (src/parsers/markdown.ts).
 *
 * Read here, when every line starts in column 1:
 * - ATX headings (`## Title`, closing `#`s) and setext headings (`===`, `---` under a paragraph);
 * - pipe tables at the top level (header, delimiter row, body rows), also right under a paragraph line;
 * - footnote definitions (`[^12]: text`) with their lazy continuation lines;
 * - fenced code, which yields nothing but the swallowed-tables diagnostic;
 * - paragraphs and thematic breaks (`---`), which yield nothing;
 * - the inline markup of headings and cells that `inlineText` is certain of.
 *
 * Left to remark: any indented line (list continuations, indented code, nested
 * tables); lists, blockquotes, HTML blocks and link reference definitions;
 * paragraph lines that start with a pipe (recovered tables and pipe-run
 * diagnostics are remark's); a table row that could start another block;
 * tabs and carriage returns; and any cell or heading `inlineText` refuses
 * (escapes, entities, HTML, links, images, pairing strikethrough).
 */
import { inlineText } from './inline-text.js'
import { swallowedTables } from './pipe-runs.js'
import { tableRecord, type BlockTable, type CellSource, type RowSource } from './table-record.js'
import type { Diagnostic } from './types.js'

/** What one block yields, in order, with lines relative to the block. */
export interface BlockRecords {
  items: Array<
    | { kind: 'heading'; depth: number; text: string; line: number }
    | { kind: 'table'; table: BlockTable }
    | { kind: 'diagnostic'; diagnostic: Diagnostic }
  >
  footnotes: number
}

const ATX = /^(#{1,6})(?: (.*))?$/
const ATX_CLOSING = /(?:^| +)#+ *$/
const SETEXT = /^(=+|-+) *$/
const THEMATIC_DASHES = /^-{3,} *$/
const DELIMITER_ROW = /^\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/
// `-  | --- |` is a list item before it is a delimiter row.
const LIST_DASH = /^- /
const FOOTNOTE_DEFINITION = /^\[\^[A-Za-z\d_.-]+\]:/
const ORDERED_ITEM = /^\d{1,9}[.)](?: |$)/
// How a paragraph line or a table row may start and still be nothing else:
// not a list item, blockquote, fence, HTML block, thematic break or definition.
const SAFE_START = /^(?:[^\s>\-+*_=#`~<[|\d]|[-+][^\s\-+]|(?:\*\*|__)[^\s*_]|[*_][^\s*_]|~[^~]|`(?!``)|\d)/

/**
 * Whether the line under a paragraph line makes that line a table header (if
 * their cell counts agree): dashes with optional colons per cell, and a pipe
 * or a colon somewhere, else `---` is a setext underline. `-  | --- |` is a
 * list item first.
 */
function isDelimiterRow(line: string): boolean {
  return line[0] !== ' ' && (line.includes('|') || line.includes(':')) && DELIMITER_ROW.test(line) && !LIST_DASH.test(line)
}

/** Whether a table line (header or row) starts as nothing but a row. */
function rowStart(line: string): boolean {
  return line[0] === '|' || (SAFE_START.test(line) && !ORDERED_ITEM.test(line))
}

const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,}) *$/

/**
 * The records of `source` (one block of splitBlocks), or `null` when remark
 * must read it. `references`: the file has link reference definitions.
 */
export function scanBlock(source: string, atFileEnd: boolean, references: boolean): BlockRecords | null {
  if (source.includes('\r') || source.includes('\t')) return null
  const lines = source.split('\n')
  const records: BlockRecords = { items: [], footnotes: 0 }
  let mode: 'fresh' | 'paragraph' | 'table' | 'footnote' = 'fresh'
  let paragraph: { line: number; texts: string[] } | null = null
  let table: { header: CellSource[]; line: number; delimiterLine: number; rows: RowSource[] } | null = null
  let offset = 0

  const endTable = (): void => {
    if (table === null) return
    const diagnostics: Diagnostic[] = []
    const endLine = table.rows.at(-1)?.line ?? table.delimiterLine
    records.items.push({ kind: 'table', table: tableRecord(table.header, table.rows, { line: table.line, endLine }, { source, atFileEnd }, diagnostics) })
    for (const diagnostic of diagnostics) records.items.push({ kind: 'diagnostic', diagnostic })
    table = null
  }

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    const number = index + 1
    const lineEnd = offset + line.length
    offset = lineEnd + 1

    if (line.trim() === '') {
      endTable()
      mode = 'fresh'
      continue
    }
    // Indented lines continue lists or make code: remark's.
    if (line[0] === ' ') return null

    const atx = ATX.exec(line)
    if (atx) {
      endTable()
      const text = inlineText((atx[2] ?? '').replace(ATX_CLOSING, '').trim(), references)
      if (text === null) return null
      records.items.push({ kind: 'heading', depth: atx[1]!.length, text, line: number })
      mode = 'fresh'
      continue
    }

    if (mode === 'table') {
      const row = rowStart(line) ? readRow(line, number, lineEnd, references) : null
      if (row === null) return null
      table!.rows.push(row)
      continue
    }

    if (mode === 'paragraph' && SETEXT.test(line)) {
      const text = inlineText(paragraph!.texts.join('\n'), references)
      if (text === null) return null
      records.items.push({ kind: 'heading', depth: line[0] === '=' ? 1 : 2, text, line: paragraph!.line })
      mode = 'fresh'
      continue
    }

    const next = lines[index + 1]
    if (mode !== 'footnote' && next !== undefined && isDelimiterRow(next)) {
      if (!rowStart(line)) return null
      const header = readRow(line, number, lineEnd, references)
      const delimiter = splitCells(next)
      if (header === null || delimiter === null || delimiter.length !== header.cells.length) return null
      table = { header: header.cells, line: number, delimiterLine: number + 1, rows: [] }
      offset += next.length + 1
      index++
      mode = 'table'
      continue
    }
    // Pipe lines are remark's: it recovers them or says why they are no table.
    // A lazy line of a footnote is no table even under a delimiter row.
    if (line[0] === '|' || (mode === 'footnote' && line.includes('|'))) return null

    const fence = FENCE_OPEN.exec(line)
    if (fence) {
      const code = fencedCode(lines, index, fence[1]!, fence[2]!)
      if (code === null) return null
      if (code.diagnostic !== null) records.items.push({ kind: 'diagnostic', diagnostic: code.diagnostic })
      for (let skipped = index + 1; skipped <= code.lastLine; skipped++) offset += lines[skipped]!.length + 1
      index = code.lastLine
      mode = 'fresh'
      continue
    }

    const definition = FOOTNOTE_DEFINITION.exec(line)
    if (definition) {
      // Its content is a container's: a heading, list or nested definition there is remark's.
      const content = line.slice(definition[0].length).trimStart()
      if (!SAFE_START.test(content) || ORDERED_ITEM.test(content) || FOOTNOTE_DEFINITION.test(content)) return null
      records.footnotes++
      mode = 'footnote'
      continue
    }
    if (mode === 'fresh' && THEMATIC_DASHES.test(line)) continue
    if (!SAFE_START.test(line) || ORDERED_ITEM.test(line) || (mode !== 'paragraph' && /^-+ *$/.test(line))) return null
    if (mode === 'footnote') continue
    if (mode === 'fresh') paragraph = { line: number, texts: [] }
    paragraph!.texts.push(line)
    mode = 'paragraph'
  }
  endTable()
  return records
}

/**
 * The fenced code block opened at `lines[open]`: its last line, and the
 * diagnostic remark's path gives when it swallowed tables behind a suspect
 * fence; `null` when it is no certain fence (a backtick in a backtick fence's
 * info string, escapes or entities in the info string, no closing fence).
 */
function fencedCode(lines: string[], open: number, marker: string, info: string): { lastLine: number; diagnostic: Diagnostic | null } | null {
  if ((marker[0] === '`' && info.includes('`')) || /[\\&]/.test(info)) return null
  for (let index = open + 1; index < lines.length; index++) {
    const close = FENCE_CLOSE.exec(lines[index]!)
    if (!close || close[1]![0] !== marker[0] || close[1]!.length < marker.length) continue
    const value = lines.slice(open + 1, index).join('\n')
    return { lastLine: index, diagnostic: swallowedTables(value, info.trim().split(/\s+/)[0] || null, open + 1, index + 1) }
  }
  return null
}

/** A row's cells: split at each pipe, the outer pipes optional; `null` for a row that is only pipes. */
function splitCells(line: string): string[] | null {
  let content = line.trimEnd()
  if (content.startsWith('|')) content = content.slice(1)
  if (content.endsWith('|')) content = content.slice(0, -1)
  if (content.trim() === '') return null
  return content.split('|').map((cell) => cell.trim())
}

function readRow(line: string, number: number, lineEnd: number, references: boolean): RowSource | null {
  const raws = splitCells(line)
  if (raws === null) return null
  const cells: CellSource[] = []
  for (const raw of raws) {
    const text = inlineText(raw, references)
    if (text === null) return null
    cells.push({ text, raw })
  }
  return { line: number, cells, end: lineEnd }
}
