/**
 * Public record types produced by the pure parsers.
 * Everything here is plain data: it crosses a worker-thread boundary
 * (structured clone) and is written to the store as is.
 */

import type { AppendCheckpoint } from './agent/types.js'
import type { TypedTableName } from './typed/tables.js'
import type { TypedRecords } from './typed/types.js'

/** A located problem found while parsing one file. */
export interface Diagnostic {
  /** 1-based line in the source file, `null` when the problem has no line. */
  line: number | null
  /** 1-based column, `null` when unknown. */
  column: number | null
  /** What is wrong, in one sentence. */
  reason: string
  /** `error` makes the whole file fail; `warning` is recorded next to good rows. */
  severity: 'error' | 'warning'
  /** A stable identity for diagnostics that reports count (see {@link DiagnosticCode}); absent for the rest. */
  code?: DiagnosticCode
}

/**
 * Codes of diagnostics that `statebridge check` counts:
 * `table-recovered`, pipe lines recovered as a table though GFM rejected them;
 * `pipe-run-not-table`, pipe lines left as prose (no delimiter row to trust);
 * `pipe-run-in-code`, a code block holding table-shaped pipe lines behind a fence line with text after it (a fence left open swallows tables).
 */
export type DiagnosticCode = 'table-recovered' | 'pipe-run-not-table' | 'pipe-run-in-code'

/** How a file is parsed. `jsonl`: JSON Lines, read line by line and appended to as the file grows. */
export type DocumentFormat = 'markdown' | 'json' | 'jsonl' | 'other'

/** One row of a GFM table. */
export interface TableRowRecord {
  /** 0-based index among the body rows (the header row is not a row here). */
  index: number
  /** 1-based source line of the row. */
  line: number
  /** Plain text of each cell keyed by its (deduplicated) header. */
  cells: Record<string, string>
  /** Raw markdown source of each cell, in column order. */
  raw: string[]
}

/** One GFM table, captured losslessly. */
export interface TableRecord {
  /** 0-based position of the table in its document. */
  ordinal: number
  /** Texts of the enclosing headings, outermost first. */
  headingPath: string[]
  /** Header cells as plain text, deduplicated so they can key `cells`. */
  headers: string[]
  /** Raw markdown source of each header cell. */
  rawHeaders: string[]
  /** 1-based line of the header row. */
  line: number
  /** 1-based last line of the table. */
  endLine: number
  rows: TableRowRecord[]
  /**
   * Set when the lines were no GFM table (their delimiter row did not match the
   * header) and were recovered as one, with a `table-recovered` warning; absent
   * for GFM tables. The stores do not read it.
   */
  recovered?: true
}

/** One key-value line: `**Key:** value`, `- **Key**: value`, or a plain `- key: value` bullet. */
export interface FieldRecord {
  /** Texts of the enclosing headings, outermost first. */
  headingPath: string[]
  /** The key as plain text, without its colon. */
  key: string
  /** The value as plain text (may be empty when a list follows). */
  value: string
  /** The whole source line. */
  raw: string
  /** 1-based source line. */
  line: number
  /** `bold`: the key is bold; `bullet`: a plain list item with a short key; `title`: a line that is only bold text (empty value). */
  style: 'bold' | 'bullet' | 'title'
}

/** What a markdown file yields. */
export interface MarkdownRecords {
  wordCount: number
  footnoteCount: number
  tables: TableRecord[]
  /** Key-value lines, in document order. */
  fields: FieldRecord[]
  /** Every heading with its line and the heading path it opens, in document order. */
  headings: Array<{ line: number; path: string[] }>
}

/** The parse result of one file, independent of where it is stored. */
export interface ParsedDocument {
  format: DocumentFormat
  /** Set for markdown files that parsed. */
  markdown: MarkdownRecords | null
  /** The parsed value of a valid JSON file. */
  json: unknown
  /** Errors make the file fail (its last good records stay); warnings do not. */
  diagnostics: Diagnostic[]
  /** Records of the file's kind (orchestrator state, fact registry, ...), when a typed parser knows it. */
  typed?: TypedRecords
  /** JSON Lines only: where this read stopped, what a read of the grown file continues from. */
  append?: AppendCheckpoint
}

/** What reading the lines a JSON Lines file gained gives (see `parseAppend`). */
export interface ParsedAppend {
  /** Rows of the new lines (appended to the file's rows) plus the summary rows (replacing the file's). */
  typed: TypedRecords
  /** Tables whose rows the summary rebuilt: the file's earlier rows there are replaced, not added to (`agent_sessions`). */
  summaryTables: TypedTableName[]
  /** Warnings of the new lines only. */
  diagnostics: Diagnostic[]
  /** Where this read stopped. */
  append: AppendCheckpoint
}
