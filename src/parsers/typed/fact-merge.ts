/**
 * One record told twice, once in a summary table and once under its own
 * heading, becomes one row: the same id, or the same name, fills the gaps of
 * the first telling instead of adding a second row.
 */
import { uniqueEntries } from './fact-columns.js'
import { normalizeLabel } from './labels.js'
import type { TypedRow } from './types.js'

/** Which columns hold a record's id and name. */
export interface MergeKeys {
  id: string
  name: string
}

/**
 * Add `row` to `rows`, or merge it into the row that tells the same record.
 * Ids must agree and, when both have names, so must the names; a row with an
 * id but no name merges only when exactly one row has that id.
 */
export function addOrMerge(rows: TypedRow[], row: TypedRow, keys: MergeKeys, options: { byId?: boolean } = {}): void {
  const match = findSame(rows, row, keys, options.byId ?? true)
  if (match) fillFrom(match, row)
  else rows.push(row)
}

function findSame(rows: readonly TypedRow[], row: TypedRow, keys: MergeKeys, byId: boolean): TypedRow | null {
  // A row number (`#`) of some table is no record id: such rows join others by name only.
  const id = byId ? text(row.values[keys.id]) : null
  const name = text(row.values[keys.name])
  if (id !== null) {
    const sameId = rows.filter((r) => text(r.values[keys.id]) !== null && idKey(text(r.values[keys.id])!) === idKey(id))
    const named = name === null ? [] : sameId.filter((r) => text(r.values[keys.name]) === null || similarNames(text(r.values[keys.name])!, name))
    if (named.length > 0) return named[0]!
    if (name === null && sameId.length === 1) return sameId[0]!
    return null
  }
  if (name === null) return null
  return rows.find((r) => text(r.values[keys.name]) !== null && similarNames(text(r.values[keys.name])!, name)) ?? null
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)

/** `#01`, `GAP 1`, `Conflict 1` and `1` are one id. */
export function idKey(id: string): string {
  return id
    .replace(/^(?:#|gap|conflict|issue|item)\s*#?\s*/i, '')
    .replace(/^0+(?=\d)/, '')
    .toLowerCase()
}

const STOP = new Set(['the', 'of', 'and', 'a', 'an', 'in', 'vs', 'to', 'for', 'on', 'by', 'with'])
const words = (value: string): string[] => normalizeLabel(value).split(' ').filter((w) => w.length > 1 && !STOP.has(w) && !/^\d/.test(w))

/** Two names of one record: three quarters of the shorter name's words (at least two) appear in the longer. */
export function similarNames(a: string, b: string): boolean {
  const [short, long] = [words(a), words(b)].sort((x, y) => x.length - y.length) as [string[], string[]]
  if (short.length < 2) return normalizeLabel(a) === normalizeLabel(b) && short.length > 0
  const shared = short.filter((w) => long.includes(w)).length
  return shared >= 2 && shared / short.length >= 3 / 4
}

/** Fill a row's empty columns from another telling; that telling's source goes to `extra` so none is lost. */
function fillFrom(target: TypedRow, other: TypedRow): void {
  for (const [column, value] of Object.entries(other.values)) if (target.values[column] === null && value !== null) target.values[column] = value
  const told =
    typeof other.raw === 'string'
      ? [['also', other.raw] as [string, string]]
      : Object.entries(other.raw ?? {}).filter(([, v]) => v !== '').map(([k, v]) => [`also: ${k}`, v] as [string, string])
  const extra = [...Object.entries(target.extra ?? {}), ...told]
  target.extra = extra.length > 0 ? uniqueEntries(extra) : null
}
