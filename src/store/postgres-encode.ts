/**
 * A file's records as PostgreSQL statement parameters: JSON record sets for
 * the batched inserts, built before a connection is taken. PostgreSQL text
 * and jsonb cannot hold U+0000, so it becomes U+FFFD here.
 */
import { SESSION_COLUMN_NAMES, TYPED_TABLE_NAMES, TYPED_TABLES } from '../parsers/typed/tables.js'
import type { TypedRecords } from '../parsers/typed/types.js'
import type { MarkdownRecords } from '../parsers/types.js'
import { columnValue } from './column-value.js'
import { documentSections, sectionAt, storedRaw, storedRow } from './document-records.js'
import { storedAppendState } from './append-state.js'
import type { FileAppend, FileIdentity, FileSnapshot } from './types.js'

/** A snapshot turned into statement parameters, done before a connection is taken. */
export interface EncodedSnapshot {
  document: unknown[]
  /** Sections, tables and rows of `insertMarkdown` (JSON record sets); `null` when the file has none. */
  markdown: [sections: string, tables: string, rows: string] | null
  records: unknown[]
  /** `append_offset`, `append_hash` and `append_state` of a JSON Lines file; nulls for the rest. */
  append: [offset: number | null, hash: string | null, state: string | null]
}

/** Everything a snapshot needs in the database, serialised before a connection is taken. */
export function encodeSnapshot(snapshot: FileSnapshot): EncodedSnapshot {
  const markdown = snapshot.parsed.markdown
  const headings = markdown?.headings ?? []
  // Records name their section by ordinal; the statements turn it into the section's id.
  const fields = (markdown?.fields ?? []).map((f) => {
    const raw = storedRaw(f)
    return {
      section: sectionAt(headings, f.line),
      key: f.key,
      value: f.value,
      raw: raw.raw,
      raw_prefix: raw.prefix,
      raw_form: raw.form,
      style: f.style,
      line: f.line,
    }
  })
  return {
    document: [
      ...identityParams(snapshot),
      snapshot.contentHash,
      markdown?.wordCount ?? null,
      markdown?.footnoteCount ?? null,
      markdown ? markdown.tables.length : null,
      snapshot.jsonText === null ? null : pgJsonText(snapshot.jsonText),
      pgJson(snapshot.parsed.diagnostics),
      snapshot.instance,
    ],
    markdown: markdown && (headings.length > 0 || markdown.tables.length > 0) ? encodeMarkdown(markdown) : null,
    records: [snapshot.root, snapshot.sessionId, pgJson(fields), ...typedParams(snapshot, snapshot.parsed.typed ?? null)],
    append: snapshot.parsed.append
      ? [snapshot.parsed.append.offset, snapshot.appendHash ?? null, storedAppendState(snapshot.parsed.append)]
      : [null, null, null],
  }
}

/** A grown JSON Lines file's new rows as `insertRecords` parameters (after the document id), and its document update. */
export function encodeAppend(append: FileAppend): { records: unknown[]; diagnostics: string; state: string } {
  return {
    records: [append.root, append.sessionId, '[]', ...typedParams(append, append.parsed.typed)],
    diagnostics: pgJson(append.parsed.diagnostics),
    state: storedAppendState(append.parsed.append),
  }
}

function encodeMarkdown(markdown: MarkdownRecords): [string, string, string] {
  const sections = documentSections(markdown.headings)
  const tables = markdown.tables.map((t) => ({
    ordinal: t.ordinal,
    section: sectionAt(markdown.headings, t.line),
    headers: t.headers,
    raw_headers: t.rawHeaders,
    line: t.line,
    end_line: t.endLine,
    row_count: t.rows.length,
  }))
  const rows = markdown.tables.flatMap((t) =>
    t.rows.map((r) => {
      const stored = storedRow(t.headers, r)
      return { ordinal: t.ordinal, row_index: r.index, cells: stored.cells, raw_cells: stored.rawCells, cell_keys: stored.cellKeys, line: r.line }
    }),
  )
  return [pgJson(sections), pgJson(tables), pgJson(rows)]
}

function typedParams(file: FileIdentity, typed: TypedRecords | null): unknown[] {
  const params: unknown[] = []
  for (const table of TYPED_TABLE_NAMES) {
    const rows = typed?.rows[table] ?? []
    const columns = Object.entries(TYPED_TABLES[table])
    params.push(
      pgJson(
        rows.map((row) => {
          const record: Record<string, unknown> = {
            line: row.line,
            extra: row.extra,
            raw: row.raw === null ? null : typeof row.raw === 'string' ? row.raw : JSON.stringify(row.raw),
          }
          for (const [column, type] of columns) {
            const value = row.values[column]
            record[column] = type === 'json' ? (value ?? null) : columnValue(value)
          }
          return record
        }),
      ),
    )
  }
  const facts = typed?.session && file.sessionId !== null ? typed.session : null
  params.push(
    pgJson(
      facts
        ? [
            {
              precedence: facts.precedence,
              line: facts.line,
              ...Object.fromEntries(SESSION_COLUMN_NAMES.map((c) => [c, columnValue(facts.values[c])])),
              metadata: facts.metadata,
            },
          ]
        : [],
    ),
  )
  params.push(typed?.kind ?? null)
  return params
}

export function identityParams(file: FileIdentity): unknown[] {
  return [file.root, file.path, file.sessionId, file.documentType, file.format, file.sizeBytes, file.mtimeMs]
}

/** PostgreSQL text cannot hold U+0000; such characters become U+FFFD. */
export function pgText(value: string): string {
  return value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value
}

export function pgScalar(value: unknown): string | number | null {
  const scalar = columnValue(value as Parameters<typeof columnValue>[0])
  return typeof scalar === 'string' ? pgText(scalar) : scalar
}

/** JSON for a json/jsonb parameter; `\u0000`, which jsonb rejects, becomes U+FFFD. */
export function pgJson(value: unknown): string {
  const text = JSON.stringify(value)
  if (!text.includes('\\u0000')) return text
  return JSON.stringify(withoutNul(value))
}

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return pgText(value)
  if (Array.isArray(value)) return value.map(withoutNul)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), withoutNul(v)]))
  }
  return value
}

function pgJsonText(text: string): string {
  return text.includes('\\u0000') ? pgJson(JSON.parse(text)) : text
}
