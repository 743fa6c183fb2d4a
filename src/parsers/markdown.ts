/**
 * Markdown helpers shared by every markdown file kind: the mdast tree,
 * GFM tables as header→cell maps with source lines, word and footnote counts.
 */
import type { PricingTable } from './agent/types.js'
import { unified } from 'unified'
import remarkParse from 'remark-parse'
import { gfmRecords } from './gfm-records.js'
import type { Code, Nodes, Paragraph, Parent, Root, Table, TableRow } from 'mdast'
import { scanBlock, type BlockRecords } from './block-scan.js'
import { linkDefinitions, mayHoldRecords, splitBlocks } from './markdown-blocks.js'
import { scanFields, type HeadingMark } from './fields.js'
import { brokenDelimiter, findPipeRuns, mayHavePipeRun, swallowedTables } from './pipe-runs.js'
import { tableRecord, type BlockTable, type CellSource, type RowSource } from './table-record.js'
import type { Diagnostic, MarkdownRecords, TableRecord } from './types.js'
import { detached } from './detached.js'

export { uniqueHeaders } from './table-record.js'

// Frozen once: building a unified processor per file costs more than parsing small files.
const processor = unified().use(remarkParse).use(gfmRecords).freeze()

/** Parse markdown (CommonMark + GFM) into an mdast tree with positions. */
export function parseMarkdownTree(text: string): Root {
  return processor.parse(text)
}

/**
 * Which reader turns candidate blocks into records: `fast`, the line scanner
 * for the shapes it is certain of with remark for the rest (the default); or
 * `remark`, remark for every block (the authority, for comparison and as an
 * escape hatch).
 */
export type MarkdownParser = 'fast' | 'remark'

/** How {@link parseMarkdown} reads. */
export interface MarkdownOptions {
  /** Default `fast`. */
  parser?: MarkdownParser
  /** Prices for SDK transcripts' usage (JSON Lines files); default none: only costs the lines state are kept. */
  pricing?: PricingTable | null
}

/** Parse a markdown document into its generic records plus diagnostics. */
export function parseMarkdown(text: string, options: MarkdownOptions = {}): { records: MarkdownRecords; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const tables: TableRecord[] = []
  const headings: HeadingMark[] = []
  const headingStack: Array<{ depth: number; text: string }> = []
  let footnoteCount = 0
  const definitions = linkDefinitions(text)

  for (const block of splitBlocks(text)) {
    const source = text.slice(block.start, block.end)
    if (!mayHoldRecords(source)) continue
    const records = blockRecords(source, definitions, block.end === text.length, options.parser ?? 'fast')
    const offset = block.line - 1
    footnoteCount += records.footnotes
    for (const item of records.items) {
      if (item.kind === 'heading') {
        while (headingStack.length > 0 && headingStack[headingStack.length - 1]!.depth >= item.depth) headingStack.pop()
        headingStack.push({ depth: item.depth, text: item.text })
        headings.push({ line: item.line + offset, path: headingStack.map((h) => h.text) })
      } else if (item.kind === 'table') {
        const t = item.table
        tables.push({
          ordinal: tables.length,
          headingPath: headingStack.map((h) => h.text),
          headers: t.headers,
          rawHeaders: t.rawHeaders,
          line: t.line + offset,
          endLine: t.endLine + offset,
          rows: t.rows.map((row) => ({ ...row, line: row.line + offset })),
          ...(t.recovered ? { recovered: true as const } : {}),
        })
      } else {
        const d = item.diagnostic
        diagnostics.push({ ...d, line: d.line === null ? null : d.line + offset })
      }
    }
  }

  return { records: { wordCount: countWords(text), footnoteCount, tables, fields: scanFields(text, headings), headings }, diagnostics }
}

// Block results by block text. An agent editing a state file changes one block
// (usually appends a row): the unchanged blocks come from here and only the
// edited one is parsed again. Bounded by the characters of the cached blocks:
// enough for the few files being edited at a time; a larger cache cost ~50 MB
// of RSS per million characters on the corpus for little gain.
const blockCache = new Map<string, BlockRecords>()
const BLOCK_CACHE_CHARS = 256_000
let blockCacheChars = 0

function blockRecords(source: string, definitions: string, atFileEnd: boolean, parser: MarkdownParser): BlockRecords {
  // The scanner answers only where it is certain; link definitions cannot
  // change what it reads (it leaves every `[` but a footnote reference to remark).
  if (parser === 'fast') {
    const scanned = scanBlock(source, atFileEnd, definitions !== '')
    if (scanned !== null) return scanned
  }
  // Only remark's results are cached, so both parsers may share the cache.
  // Link definitions change how a block parses; they are rare, so such blocks are not cached.
  const key = definitions === '' ? `${atFileEnd ? '$' : '-'}${source}` : null
  if (key !== null) {
    const hit = blockCache.get(key)
    if (hit) {
      blockCache.delete(key)
      blockCache.set(key, hit)
      return hit
    }
  }
  const records = parseBlock(source, definitions, atFileEnd)
  if (key !== null && key.length < BLOCK_CACHE_CHARS / 4) {
    // Copies: the key and the records' texts are cut from the file's text.
    blockCache.set(detached(key), detachedRecords(records))
    blockCacheChars += key.length
    for (const [oldest] of blockCache) {
      if (blockCacheChars <= BLOCK_CACHE_CHARS) break
      blockCache.delete(oldest)
      blockCacheChars -= oldest.length
    }
  }
  return records
}

/** `records` with every text copied off the file's text; cells keep their null prototype. */
function detachedRecords(records: BlockRecords): BlockRecords {
  const items = records.items.map((item): BlockRecords['items'][number] => {
    if (item.kind === 'heading') return { ...item, text: detached(item.text) }
    if (item.kind === 'diagnostic') return { ...item, diagnostic: { ...item.diagnostic, reason: detached(item.diagnostic.reason) } }
    const table = item.table
    const rows = table.rows.map((row) => {
      const cells: Record<string, string> = Object.create(null) as Record<string, string>
      for (const [name, text] of Object.entries(row.cells)) cells[detached(name)] = detached(text)
      return { ...row, cells, raw: row.raw.map(detached) }
    })
    return { kind: 'table', table: { ...table, headers: table.headers.map(detached), rawHeaders: table.rawHeaders.map(detached), rows } }
  })
  return { items, footnotes: records.footnotes }
}

function parseBlock(source: string, definitions: string, atFileEnd: boolean): BlockRecords {
  const at: BlockPlace = { source, lineOffset: 0, atFileEnd }
  const records: BlockRecords = { items: [], footnotes: 0 }
  const diagnostics: Diagnostic[] = []
  const flush = (): void => {
    for (const diagnostic of diagnostics.splice(0)) records.items.push({ kind: 'diagnostic', diagnostic })
  }
  const visit = (node: Nodes): void => {
    switch (node.type) {
      case 'heading':
        records.items.push({ kind: 'heading', depth: node.depth, text: plainText(node), line: lineOf(node, at) })
        return
      case 'table': {
        records.items.push({ kind: 'table', table: captureTable(node, at, diagnostics) })
        flush()
        return
      }
      case 'footnoteDefinition':
        records.footnotes++
        break
      case 'code':
        noteTablesInCode(node, at, diagnostics)
        flush()
        return
      case 'paragraph':
        for (const table of pipeRunTables(node, at, definitions, diagnostics)) records.items.push({ kind: 'table', table })
        flush()
        return
      default:
        break
    }
    if ('children' in node) {
      for (const child of (node as Parent).children) visit(child as Nodes)
    }
  }
  // Appended after the block, so node offsets and lines inside the block are
  // unchanged; what the definitions themselves parse to is not the block's.
  const tree = parseMarkdownTree(definitions === '' ? source : `${source}${definitions}`)
  for (const child of tree.children) if ((child.position?.start.offset ?? 0) < source.length) visit(child)
  return records
}

/** Where a parsed block sits in its file. */
interface BlockPlace {
  /** The block's text: node offsets index into it. */
  source: string
  /** Lines before the block. */
  lineOffset: number
  /** The block ends where the file ends. */
  atFileEnd: boolean
}

function lineOf(node: Nodes, at: BlockPlace, edge: 'start' | 'end' = 'start'): number {
  const line = node.position?.[edge].line
  return line === undefined ? 0 : line + at.lineOffset
}

function captureTable(table: Table, at: BlockPlace, diagnostics: Diagnostic[]): BlockTable {
  const [headerRow, ...bodyRows] = table.children
  const cellsOf = (row: TableRow): CellSource[] => row.children.map((cell) => ({ text: plainText(cell), raw: rawCell(cell, at.source) }))
  const rows: RowSource[] = bodyRows.map((row) => ({ line: lineOf(row, at), cells: cellsOf(row), end: row.position?.end.offset ?? 0 }))
  return tableRecord(headerRow ? cellsOf(headerRow) : [], rows, { line: lineOf(table, at), endLine: lineOf(table, at, 'end') }, at, diagnostics)
}

// Pipe lines that GFM did not accept as a table (see pipe-runs.ts for the
// rule): a run under a delimiter-like row is recovered as a table with a
// warning; any other run stays prose with a warning, so neither vanishes.
function pipeRunTables(
  node: Paragraph,
  at: BlockPlace,
  definitions: string,
  diagnostics: Diagnostic[],
): Array<BlockTable> {
  const start = node.position?.start.offset
  const end = node.position?.end.offset
  if (start === undefined || end === undefined) return []
  const text = at.source.slice(start, end)
  if (!mayHavePipeRun(text)) return []
  const lines = text.split('\n')
  const tables: Array<BlockTable> = []
  for (const run of findPipeRuns(lines)) {
    const line = lineOf(node, at) + run.first
    const broken = brokenDelimiter(run)
    const rowDiagnostics: Diagnostic[] = []
    const after = run.first + run.lines.length === lines.length ? at.source.slice(end) : '\n'
    const table = broken === null ? null : recoverTable(run.lines, broken.repaired, after, { line, atFileEnd: at.atFileEnd }, definitions, rowDiagnostics)
    if (broken !== null && table !== null) {
      diagnostics.push({ line: line + 1, column: 1, reason: `pipe lines recovered as a table, though not GFM: ${broken.reason}`, severity: 'warning', code: 'table-recovered' })
      diagnostics.push(...rowDiagnostics)
      tables.push({ ...table, recovered: true })
    } else {
      diagnostics.push({
        line,
        column: 1,
        reason: 'pipe-delimited lines are not a GFM table (the second line must be a delimiter row such as |---|---|)',
        severity: 'warning',
        code: 'pipe-run-not-table',
      })
    }
  }
  return tables
}

function noteTablesInCode(node: Code, at: BlockPlace, diagnostics: Diagnostic[]): void {
  const diagnostic = swallowedTables(node.value, node.lang ?? null, lineOf(node, at), lineOf(node, at, 'end'))
  if (diagnostic !== null) diagnostics.push(diagnostic)
}

// The run with its delimiter row repaired, parsed as a table of its own so its
// cells are read exactly as a GFM table's are. `after` is what follows the run
// when the run ends the paragraph: a truncated last row is still noticed.
function recoverTable(
  runLines: string[],
  repaired: string,
  after: string,
  where: { line: number; atFileEnd: boolean },
  definitions: string,
  diagnostics: Diagnostic[],
): BlockTable | null {
  const lines = [...runLines]
  lines[1] = repaired
  const source = `${lines.join('\n')}${after.trim() === '' ? after : '\n'}`
  const tree = parseMarkdownTree(definitions === '' ? source : `${source}${definitions}`)
  const [first] = tree.children
  // Every line must be the table's: header, delimiter, then one row per line.
  if (first?.type !== 'table' || first.children.length !== lines.length - 1) return null
  const place: BlockPlace = { source, lineOffset: where.line - 1, atFileEnd: where.atFileEnd }
  return captureTable(first, place, diagnostics)
}

/** The markdown source of a node, trimmed. */
export function rawText(node: Nodes, source: string): string {
  const start = node.position?.start.offset
  const end = node.position?.end.offset
  if (start === undefined || end === undefined) return ''
  return source.slice(start, end).trim()
}

// A cell's position includes its delimiting pipes; an escaped `\|` is content.
function rawCell(cell: Nodes, source: string): string {
  return rawText(cell, source).replace(/^\|/, '').replace(/(?<!\\)\|$/, '').trim()
}

/**
 * Plain text of a node: emphasis, code and links become their text,
 * `<br>` becomes a space, runs of white space collapse.
 */
export function plainText(node: Nodes): string {
  return collectText(node).replace(/\s+/g, ' ').trim()
}

function collectText(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
      return node.value
    case 'html':
      return /^<br\s*\/?>$/i.test(node.value) ? ' ' : node.value
    case 'break':
      return ' '
    // Kept as written: a footnote marker in a cell is part of what the agent wrote.
    case 'footnoteReference':
      return `[^${node.label ?? node.identifier}]`
    case 'image':
      return node.alt ?? ''
    default:
      break
  }
  if ('children' in node) {
    let out = ''
    for (const child of (node as Parent).children) out += collectText(child as Nodes)
    return out
  }
  return 'value' in node && typeof node.value === 'string' ? node.value : ''
}

// Classes of code points for counting words: a word is a run of letters and
// digits, joined by single inner apostrophes, dots, commas or hyphens.
const OTHER = 0
const WORD_CHAR = 1
const JOINER = 2
const ASCII_CLASS = new Uint8Array(128).map((_, code) =>
  /[A-Za-z0-9]/.test(String.fromCharCode(code)) ? WORD_CHAR : /['.,-]/.test(String.fromCharCode(code)) ? JOINER : OTHER,
)
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u
const nonAsciiClass = new Map<number, number>()

function classOf(codePoint: number): number {
  if (codePoint < 128) return ASCII_CLASS[codePoint]!
  let known = nonAsciiClass.get(codePoint)
  if (known === undefined) {
    known = codePoint === 0x2019 ? JOINER : LETTER_OR_NUMBER.test(String.fromCodePoint(codePoint)) ? WORD_CHAR : OTHER
    if (nonAsciiClass.size < 65_536) nonAsciiClass.set(codePoint, known)
  }
  return known
}

/**
 * Words in the text: runs of letters and digits, joined by inner apostrophes,
 * dots, commas or hyphens (what `/[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*\/gu`
 * matches, counted in one pass without a regex: a memorandum is megabytes).
 * A run starts a word unless a joiner right after a letter or digit leads to it.
 */
export function countWords(text: string): number {
  let count = 0
  let previous = OTHER
  let beforePrevious = OTHER
  for (let index = 0; index < text.length; index++) {
    let codePoint = text.charCodeAt(index)
    if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
      codePoint = text.codePointAt(index)!
      if (codePoint > 0xffff) index++
    }
    const kind = classOf(codePoint)
    if (kind === WORD_CHAR && previous !== WORD_CHAR && !(previous === JOINER && beforePrevious === WORD_CHAR)) count++
    beforePrevious = previous
    previous = kind
  }
  return count
}
