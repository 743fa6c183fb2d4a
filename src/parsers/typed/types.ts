/**
 * Typed records: what the per-kind parsers make of a state file, beyond the
 * generic tables and fields every markdown file yields.
 */
import type { TypedTableName } from './tables.js'

/** A column value as stored. JSON columns take arrays and objects. */
export type ColumnValue = string | number | boolean | null | unknown[] | Record<string, unknown>

/** One typed row, traceable to its source. */
export interface TypedRow {
  /** 1-based source line (markdown), `null` for JSON documents. */
  line: number | null
  /** The typed columns of its table (see tables.ts); absent columns are null. */
  values: Record<string, ColumnValue>
  /** Source cells or fields that no column took, never dropped. */
  extra: Record<string, string> | null
  /** The raw source: the row's cells by header, or the field line. */
  raw: Record<string, string> | string | null
}

/** Deal and session metadata one document contributes to its session row. */
export interface SessionFacts {
  /** Lower wins when several documents of a session say different things. */
  precedence: number
  line: number | null
  values: Record<string, ColumnValue>
  /** Every other header or metadata field, by its label. */
  metadata: Record<string, string>
}

/** A value that did not normalise, reported by `statebridge check`. */
export interface NormaliseMiss {
  table: TypedTableName | 'sessions'
  column: string
  raw: string
  line: number | null
}

/** What a typed parser returns. */
export interface TypedRecords {
  /** The parser that understood the file, e.g. `orchestrator_state`. */
  kind: string
  session: SessionFacts | null
  rows: Partial<Record<TypedTableName, TypedRow[]>>
  /** Ordinals of the document's generic tables that a typed table took. */
  typedTables: number[]
  misses: NormaliseMiss[]
}

/** An empty result for `kind`, to fill in. */
export function emptyTyped(kind: string): TypedRecords {
  return { kind, session: null, rows: {}, typedTables: [], misses: [] }
}

/** Append rows to one table of a result. */
export function pushRows(records: TypedRecords, table: TypedTableName, rows: TypedRow[]): void {
  if (rows.length === 0) return
  const list = records.rows[table] ?? []
  list.push(...rows)
  records.rows[table] = list
}
