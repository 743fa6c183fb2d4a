/**
 * Public types of the render direction (typed rows → markdown): what a
 * renderer takes. Plain data, so the same input can be made from a parse
 * (tests, `statebridge check`) or from rows read back from the store.
 */
import type { TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue } from '../parsers/typed/types.js'

/** The state files a renderer can write. */
export type RenderKind = 'orchestrator-state' | 'research-plan'

/** One typed row as stored. */
export interface RenderRow {
  /** The typed columns of its table (see tables.ts); a missing column is null. */
  values: Record<string, ColumnValue>
  /** Source cells or fields no column took (default none). */
  extra?: Record<string, string> | null
  /**
   * The row's source as the parser kept it (default none): the cells by header
   * for a table row, the line for a field, the field lines by key for a
   * section. When present the renderer writes the row from it, so a file
   * rewritten from its own rows keeps the agent's wording.
   */
  raw?: Record<string, string> | string | null
}

/** The deal facts a document contributes to its session row. */
export interface RenderSession {
  /** Session columns (matter_name, deal_value, ...); a missing column is null. */
  values: Record<string, ColumnValue>
  /** Every other label the document states about the deal or itself, by label. */
  metadata: Record<string, string>
}

/** Everything one rendered document says: its deal facts and its typed rows. */
export interface RenderInput {
  /** Null when the document says nothing about the deal. */
  session: RenderSession | null
  /** Rows per typed table, in document order; tables the kind does not write are ignored. */
  rows: Partial<Record<TypedTableName, RenderRow[]>>
}
