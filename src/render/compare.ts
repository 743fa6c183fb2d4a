/**
 * Whether two sets of typed rows say the same thing: the check behind a
 * render (parse the rendered text, compare with the rows it came from).
 * Compares typed values and `extra`; never `line` (a rewritten file moves
 * rows) nor `raw` (a row written from its values gets new source text).
 */
import { SESSION_COLUMN_NAMES, TYPED_TABLES, type TypedTableName } from '../parsers/typed/tables.js'
import type { RenderInput, RenderRow, RenderSession } from './types.js'

/** What to compare. */
export interface CompareOptions {
  /** Typed tables to compare. */
  tables: readonly TypedTableName[]
  /** Session columns to leave out (default none). */
  skipSessionColumns?: readonly string[]
}

/**
 * The differences between `expected` and `actual`, one sentence each, empty
 * when they hold the same rows in the same order and the same deal facts.
 */
export function compareRenderInputs(expected: RenderInput, actual: RenderInput, options: CompareOptions): string[] {
  const problems = compareSessions(expected.session, actual.session, options.skipSessionColumns ?? [])
  for (const table of options.tables) problems.push(...compareRows(table, expected.rows[table] ?? [], actual.rows[table] ?? []))
  return problems
}

/** The differences between two row lists of one typed table. */
export function compareRows(table: TypedTableName, expected: readonly RenderRow[], actual: readonly RenderRow[]): string[] {
  const problems: string[] = []
  // A render writes each record once: a record its file restated comes back told once (see README, render).
  const columns = Object.keys(TYPED_TABLES[table]).filter((column) => column !== 'occurrences')
  const count = Math.max(expected.length, actual.length)
  for (let index = 0; index < count; index++) {
    const want = expected[index]
    const got = actual[index]
    if (want === undefined || got === undefined) {
      problems.push(`${table}: ${expected.length} rows expected, ${actual.length} read back`)
      break
    }
    for (const column of columns) {
      const a = want.values[column] ?? null
      const b = got.values[column] ?? null
      if (!sameValue(a, b)) problems.push(`${table} row ${index + 1}: ${column} is ${show(b)}, expected ${show(a)}`)
    }
    if (!sameValue(emptyAsNull(want.extra), emptyAsNull(got.extra))) {
      problems.push(`${table} row ${index + 1}: extra is ${show(got.extra ?? null)}, expected ${show(want.extra ?? null)}`)
    }
  }
  return problems
}

function compareSessions(expected: RenderSession | null, actual: RenderSession | null, skip: readonly string[]): string[] {
  const problems: string[] = []
  for (const column of SESSION_COLUMN_NAMES) {
    if (skip.includes(column)) continue
    const a = expected?.values[column] ?? null
    const b = actual?.values[column] ?? null
    if (!sameValue(a, b)) problems.push(`session: ${column} is ${show(b)}, expected ${show(a)}`)
  }
  const want = expected?.metadata ?? {}
  const got = actual?.metadata ?? {}
  for (const label of new Set([...Object.keys(want), ...Object.keys(got)])) {
    if (want[label] !== got[label]) problems.push(`session: metadata "${label}" is ${show(got[label] ?? null)}, expected ${show(want[label] ?? null)}`)
  }
  return problems
}

function emptyAsNull(extra: Record<string, string> | null | undefined): Record<string, string> | null {
  return extra === null || extra === undefined || Object.keys(extra).length === 0 ? null : extra
}

/** Deep equality of stored values; object keys in any order (PostgreSQL's jsonb reorders them). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]))
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = Object.keys(left)
  return keys.length === Object.keys(right).length && keys.every((key) => key in right && sameValue(left[key], right[key]))
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
