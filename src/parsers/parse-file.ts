/**
 * The whole parse of one file: generic records (tables, fields, JSON) plus the
 * typed records of its kind. Pure; runs inside a parse worker.
 *
 * Values one dialect would refuse and the other keep are made alike here, so
 * a file gives the same rows in SQLite and PostgreSQL (and one odd value does
 * not refuse a whole file on PostgreSQL only): numbers an integer column
 * cannot hold exactly become null, and lone UTF-16 surrogates in JSON strings
 * (`"\ud800"`, which jsonb refuses) become U+FFFD, each with a warning.
 */
import { kindOf } from '../kinds/registry.js'
import type { KindSpec } from '../kinds/types.js'
import type { AppendCheckpoint, LinesRead } from './agent/types.js'
import { parseDocument } from './document.js'
import type { MarkdownOptions } from './markdown.js'
import { documentFormat, documentType } from './document-type.js'
import { integerProblem } from './normalize/integer.js'
import { TYPED_TABLE_NAMES, TYPED_TABLES, type TypedTableName } from './typed/tables.js'
import { parseTyped } from './typed/index.js'
import type { TypedRecords, TypedRow } from './typed/types.js'
import type { Diagnostic, ParsedAppend, ParsedDocument } from './types.js'

/** Parse `content` as the file at `relPath` (root- or session-relative) says it is. */
export function parseFile(relPath: string, content: Uint8Array, options: MarkdownOptions = {}): ParsedDocument {
  if (documentFormat(relPath) === 'jsonl') return parseLines(relPath, content, options)
  let parsed = parseDocument(relPath, content, options)
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return parsed
  if (parsed.format === 'json') parsed = withWellFormedJson(parsed, content)
  const typed = parseTyped(documentType(relPath), relPath, parsed)
  if (!typed) return parsed
  const problems = clearUnstorableIntegers(typed)
  return { ...parsed, typed, diagnostics: problems.length > 0 ? [...parsed.diagnostics, ...problems] : parsed.diagnostics }
}

/**
 * Read the lines a JSON Lines file gained since `from` (the checkpoint its
 * last read stored): the new lines' rows plus the refreshed summary rows,
 * which replace the file's earlier ones in `summaryTables`. `content` is the
 * whole file; only the bytes from `from.offset` are read. Throws an
 * `AppendOffsetError` when the file is shorter than `from.offset` (it shrank:
 * parse it whole with `parseFile`), and a TypeError for a path of no JSON Lines kind.
 */
export function parseAppend(relPath: string, content: Uint8Array, from: AppendCheckpoint, options: MarkdownOptions = {}): ParsedAppend {
  const kind = linesKind(relPath)
  if (kind === null) throw new TypeError(`${relPath} is no JSON Lines file of a known kind; it cannot be read as an append`)
  const read = kind.lines!.read(relPath, content, from, { pricing: options.pricing ?? null })
  const typed = typedOf(kind, read)
  const problems = clearUnstorableIntegers(typed)
  return {
    typed,
    summaryTables: Object.keys(read.summary) as TypedTableName[],
    diagnostics: [...read.diagnostics, ...problems],
    append: read.checkpoint,
  }
}

/** A whole JSON Lines file: never a failure for a bad line (each is a located warning). */
function parseLines(relPath: string, content: Uint8Array, options: MarkdownOptions): ParsedDocument {
  const kind = linesKind(relPath)
  if (kind === null) return { format: 'jsonl', markdown: null, json: null, diagnostics: [] }
  const read = kind.lines!.read(relPath, content, null, { pricing: options.pricing ?? null })
  const typed = typedOf(kind, read)
  const problems = clearUnstorableIntegers(typed)
  return { format: 'jsonl', markdown: null, json: null, diagnostics: [...read.diagnostics, ...problems], typed, append: read.checkpoint }
}

/** The JSON Lines kind that reads `relPath`, or null. */
function linesKind(relPath: string): KindSpec | null {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase()
  const kind = kindOf(documentType(relPath), 'jsonl', name, relPath)
  return kind?.lines === undefined ? null : kind
}

/** The rows of the lines read and the summary rows, as one kind's typed records. */
function typedOf(kind: KindSpec, read: LinesRead): TypedRecords {
  const rows: Partial<Record<TypedTableName, TypedRow[]>> = {}
  for (const part of [read.rows, read.summary]) {
    for (const [table, list] of Object.entries(part) as Array<[TypedTableName, TypedRow[]]>) {
      if (list.length > 0) rows[table] = [...(rows[table] ?? []), ...list]
    }
  }
  return { kind: kind.kind, session: null, rows, typedTables: [], misses: [] }
}

// Integer columns of each typed table, derived from the one declaration of the tables.
const INTEGER_COLUMNS = TYPED_TABLE_NAMES.map(
  (table) => [table, Object.entries(TYPED_TABLES[table]).filter(([, type]) => type === 'integer').map(([column]) => column)] as const,
).filter(([, columns]) => columns.length > 0)

/** Set to null every number an integer column cannot hold exactly; one warning each. */
function clearUnstorableIntegers(typed: TypedRecords): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  for (const [table, columns] of INTEGER_COLUMNS) {
    for (const row of typed.rows[table] ?? []) {
      for (const column of columns) {
        const value = row.values[column]
        if (typeof value !== 'number') continue
        const problem = integerProblem(value)
        if (problem === null) continue
        row.values[column] = null
        diagnostics.push({ line: row.line, column: null, reason: `${table}.${column}: ${problem}; stored as null`, severity: 'warning' })
      }
    }
  }
  return diagnostics
}

// A surrogate half without its other half: not a character, and PostgreSQL's jsonb refuses its escape.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')
// The same in the JSON source, as the escapes it must be written with (raw ones are not valid UTF-8).
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/

/** The document with every lone surrogate in its JSON strings and keys replaced by U+FFFD, and a warning saying where. */
function withWellFormedJson(parsed: ParsedDocument, content: Uint8Array): ParsedDocument {
  let replaced = 0
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!LONE_SURROGATE.test(value)) return value
      replaced++
      // What String.prototype.toWellFormed does (Node 20 has it; this TypeScript lib does not declare it).
      return value.replace(LONE_SURROGATES, '\uFFFD')
    }
    if (Array.isArray(value)) return value.map(clean)
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [clean(key), clean(v)]))
    }
    return value
  }
  // Most files have none: answer without copying the value.
  if (!containsLoneSurrogate(parsed.json)) return parsed
  const json = clean(parsed.json)
  const text = new TextDecoder().decode(content)
  const at = LONE_SURROGATE_ESCAPE.exec(text)
  const before = at ? text.slice(0, at.index) : null
  const warning: Diagnostic = {
    line: before === null ? null : before.split('\n').length,
    column: before === null ? null : at!.index - before.lastIndexOf('\n'),
    reason: `${replaced} JSON ${replaced === 1 ? 'string holds' : 'strings hold'} a lone UTF-16 surrogate escape (${at?.[0] ?? '\\ud800'}), which is no character; stored as U+FFFD`,
    severity: 'warning',
  }
  return { ...parsed, json, diagnostics: [...parsed.diagnostics, warning] }
}

function containsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value)
  if (Array.isArray(value)) return value.some(containsLoneSurrogate)
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, v]) => LONE_SURROGATE.test(key) || containsLoneSurrogate(v))
  }
  return false
}
