/**
 * The typed tables and their columns, shared by the parsers (what they fill)
 * and the stores (what they insert), gathered from the kinds that own them
 * (src/kinds/). Every typed table also has the columns `id`, `root`,
 * `session_id`, `document_id`, `line`, `extra` and `raw`.
 *
 * Migration 2 creates these tables from this list. Changing a column later
 * needs a new migration step, not an edit here alone.
 */

import { kindTables } from '../../kinds/registry.js'

import type { ColumnType } from '../../kinds/types.js'

export type { ColumnType } from '../../kinds/types.js'

/** Every kind's tables, in registry order (src/kinds/registry.ts). */
export const TYPED_TABLES = kindTables()

/** Name of a typed table. */
export type TypedTableName = keyof typeof TYPED_TABLES

/** Every typed table name, in a stable order. */
export const TYPED_TABLE_NAMES = Object.keys(TYPED_TABLES) as TypedTableName[]

/** Columns of the `sessions` table that typed parsers fill (through `SessionFacts`). */
export const SESSION_COLUMNS = {
  matter_name: 'text',
  deal_value: 'real',
  deal_value_low: 'real',
  deal_value_high: 'real',
  deal_value_raw: 'text',
  closing_date: 'text',
  closing_date_precision: 'text',
  closing_date_raw: 'text',
  acquirer: 'text',
  target: 'text',
  transaction_type: 'text',
  complexity: 'text',
} as const satisfies Record<string, ColumnType>

/** The session columns in catalogue order. */
export const SESSION_COLUMN_NAMES: readonly string[] = Object.keys(SESSION_COLUMNS)
