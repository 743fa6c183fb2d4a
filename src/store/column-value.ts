/**
 * How a typed column value is bound, the same way in both dialects so they
 * store equal rows: objects as JSON text, booleans as 0/1, non-finite numbers as null.
 */
import type { ColumnValue } from '../parsers/typed/types.js'

/** A scalar column's value: text, number or null. */
export function columnValue(value: ColumnValue | undefined): string | number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'object') return JSON.stringify(value)
  if (typeof value === 'number' && !Number.isFinite(value)) return null
  return value
}
