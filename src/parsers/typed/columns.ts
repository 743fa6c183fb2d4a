/**
 * The columns of a typed table, for parsers that build whole rows. Looked up
 * on first use, not at load: the catalogue comes from the kinds, and the
 * kinds import these parsers, so reading it while modules load would find it
 * not yet there.
 */
import { kindTables } from '../../kinds/registry.js'
import type { TypedTableName } from './tables.js'

let catalogue: Map<string, readonly string[]> | null = null

/** Column names of `table`, in catalogue order. */
export function columnsOf(table: TypedTableName): readonly string[] {
  catalogue ??= new Map(Object.entries(kindTables()).map(([name, columns]) => [name, Object.keys(columns)]))
  return catalogue.get(table) ?? []
}
