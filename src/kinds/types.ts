/**
 * What a kind of state file is, declared once: which files it takes, whether
 * it is a state file, the sections it understands, the typed tables it owns
 * and how its records are read. Everything that routes, stores, checks or
 * tests by kind derives from these specs (see registry.ts).
 */
import type { AppendCheckpoint, LinesOptions, LinesRead } from '../parsers/agent/types.js'
import type { DocumentType } from '../parsers/document-type.js'
import type { MarkdownRecords } from '../parsers/types.js'
import type { SectionSpec } from '../parsers/typed/research-typed-rows.js'
import type { TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue, TypedRecords } from '../parsers/typed/types.js'

/** Storage type of a typed column. */
export type ColumnType = 'text' | 'integer' | 'real' | 'json'

/** The typed tables a kind owns: table → column → storage type. */
export type TableCatalogue = Record<string, Record<string, ColumnType>>

/** What a kind's parser is given: the file's name and its parsed content. */
export interface KindInput {
  /** The bare file name, lower-cased (`section-writer-state-iv-a.json`). */
  name: string
  /** Path relative to the session directory or the root. */
  relPath: string
  /** Set for markdown files. */
  markdown: MarkdownRecords | null
  /** The parsed value of a JSON file whose top level is an object or array. */
  json: object | null
}

/**
 * How a cell or field value becomes a column value:
 * `text` trimmed (placeholders such as `—` are null); `status` a lifecycle
 * status (`complete`, `pending`, ...); `severity` a level, null when it says
 * none; `date` an ISO date or instant, else the text; `number` the first
 * amount, money or percentage as a plain number; `percent` a fraction of 1;
 * `integer` a whole number; `list` a JSON array of the items a cell names.
 */
export type Reader = 'text' | 'status' | 'severity' | 'date' | 'number' | 'percent' | 'integer' | 'list'

/** A column: the labels (headers or field keys) that mean it, most specific first, and its reader. */
export interface ColumnRule {
  labels: readonly string[]
  read?: Reader
}

/** Records written as the rows of a table under a known section (or anywhere, when `sections` is absent). */
export interface TableShape {
  shape: 'table'
  table: TypedTableName
  sections?: SectionSpec
  columns: Record<string, ColumnRule>
  /** Groups of columns; each group needs one mapped header, or the table stays generic. */
  requires: ReadonlyArray<readonly string[]>
  /** Columns a row must have a value in to be a record (a row without its name is no record). */
  needs?: readonly string[]
  /** Fill what no label gives (a wave from the heading, a total), or return null to leave the row out. */
  complete?: (values: Record<string, ColumnValue>, context: RowContext) => Record<string, ColumnValue> | null
}

/** Records written as one heading each (`### Task W2-003: Fix citations`) with `**Field:** value` lines below it. */
export interface HeadingShape {
  shape: 'heading'
  table: TypedTableName
  /** The section the record headings sit in. */
  sections: SectionSpec
  /** A record heading: its text must match, and the id and title columns take its parts. */
  heading: { pattern: RegExp; id: string; title: string }
  columns: Record<string, ColumnRule>
  complete?: (values: Record<string, ColumnValue>, context: RowContext) => Record<string, ColumnValue> | null
}

/** One record shape of a kind. */
export type RecordShape = TableShape | HeadingShape

/** Where a row sits, for `complete` hooks. */
export interface RowContext {
  headingPath: readonly string[]
  line: number
  input: KindInput
  /** The source text a column's labels found, before its reader (a status mark kept beside its reading). */
  text: (column: string) => string | null
}

/** One kind of file. */
export interface KindSpec {
  /** The kind's name, stored as the document's `typed_kind`. */
  kind: string
  /** The document type of files of this kind. */
  documentType: DocumentType
  /** Bare file names (lower-cased) that make a file this document type wherever it lives. */
  fileNames?: readonly RegExp[]
  /** Among files of `documentType`, which this kind takes (all when absent); kinds are tried in registry order. */
  accepts?: (name: string, relPath: string) => boolean
  /**
   * Files another kind takes that this kind reads too (a QA diagnostic state
   * is an agent state and an assessment): its rows join that kind's records,
   * which keep their kind. Only files of this kind's `format` are offered.
   */
  also?: (name: string, relPath: string) => boolean
  format: 'markdown' | 'json' | 'jsonl'
  /**
   * JSON Lines kinds only (format `jsonl`): read the file's bytes from a
   * checkpoint (null: from the start). Such a kind has no `shapes` or `parse`.
   */
  lines?: { read: (relPath: string, bytes: Uint8Array, from: AppendCheckpoint | null, options: LinesOptions) => LinesRead }
  /** A state file: a session's status weighs its failure, and resumes read it. */
  state: boolean
  /** Headings this kind understands: a table left generic under one is drift in `check`. */
  sections: readonly string[]
  /** The typed tables this kind owns (other kinds may fill them too). */
  tables: TableCatalogue
  /** Declarative record shapes, read by the engine (engine.ts). */
  shapes?: readonly RecordShape[]
  /**
   * What the shapes cannot say: given the records the shapes made (empty when
   * there are none), returns the kind's records. A kind too irregular for
   * shapes (a research plan, an agent's JSON state) is all hook.
   */
  parse?: (input: KindInput, records: TypedRecords) => TypedRecords
  /** The fixture folder of this kind and the path its cases are parsed as (`*` is the case's file name). */
  fixture: { dir: string; path: string }
}
