/**
 * One record told twice, once in a summary table and once under its own
 * heading, becomes one row: the same id, or the same name, fills the gaps of
 * the first telling instead of adding a second row. The row counts its
 * tellings in `occurrences`. A fact told twice in one file with the same
 * value is one row too ({@link mergeRestated}); with another value it is two
 * (that is a conflict, not a repeat). The keys that link one fact or one
 * conflict across files (`fact_key`, `conflict_key`) are made here as well.
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

/** How many tellings a row stands for: its `occurrences`, 1 when not yet counted. */
const tellings = (row: TypedRow): number => (typeof row.values.occurrences === 'number' ? row.values.occurrences : 1)

/** Set `occurrences` to 1 on rows not merged with another telling, and return the rows. */
export function countOnce(rows: TypedRow[]): TypedRow[] {
  for (const row of rows) row.values.occurrences = tellings(row)
  return rows
}

/**
 * Rows `keyOf` finds equal become the first of them, counting its tellings in
 * `occurrences`, the others' sources kept in its `extra`; rows without a key
 * (null) stay as they are. Every row returned has `occurrences` set.
 */
export function mergeSame(rows: readonly TypedRow[], keyOf: (row: TypedRow) => string | null): TypedRow[] {
  const kept: TypedRow[] = []
  const first = new Map<string, TypedRow>()
  for (const row of rows) {
    const key = keyOf(row)
    const same = key === null ? undefined : first.get(key)
    if (same !== undefined) {
      fillFrom(same, row)
      continue
    }
    if (key !== null) first.set(key, row)
    kept.push(row)
  }
  return countOnce(kept)
}

/** Which columns hold a fact's name and value, and the column its key goes to. */
export interface FactColumnsOf {
  name: string
  value: string
  key: string
}

/**
 * One row per fact a file states more than once with the same value (same
 * {@link factKey}, same {@link valueKey}): the first telling, in line order,
 * filled from the others and counting them in `occurrences`; the others'
 * sources go to `extra` (`also: ...`). The same name with another value
 * stays a row of its own. Every row gets its `fact_key`.
 */
export function mergeRestated(rows: readonly TypedRow[], columns: FactColumnsOf): TypedRow[] {
  const kept: TypedRow[] = []
  const first = new Map<string, TypedRow>()
  for (const row of rows) {
    const key = factKey(text(row.values[columns.name]))
    row.values[columns.key] = key
    const value = valueKey(text(row.values[columns.value]))
    const same = key === null || value === null ? undefined : first.get(`${key}\u0000${value}`)
    if (same === undefined) {
      if (key !== null && value !== null) first.set(`${key}\u0000${value}`, row)
      kept.push(row)
    } else fillFrom(same, row)
  }
  return countOnce(kept)
}

/**
 * The key of a fact's name: lower case, markdown markers and punctuation
 * gone, words kept in order (`**Purchase Price:**` and `purchase price` are
 * one fact). Words in brackets stay: `Credit Rating (S&P)` and `Credit
 * Rating (Moody's)` are two facts. Null for no name.
 */
export function factKey(name: string | null): string | null {
  if (name === null) return null
  const key = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
  return key === '' ? null : key
}

/**
 * The key of a stated value: two tellings of one value agree on it. Case,
 * markdown markers, spacing and a trailing remark in brackets do not count
 * (`$870M` and `$870M (for 50/50 financing)`); digits, signs and units do.
 */
export function valueKey(value: string | null): string | null {
  if (value === null) return null
  let key = value.normalize('NFKC').toLowerCase().replace(/[*_`]+/g, '').replace(/[\u2012-\u2015\u2212]/g, '-')
  // Remarks in brackets at the end, one after another: `6.2% ($118M NI ÷ $1.9B equity)`.
  for (let before = ''; before !== key; ) {
    before = key
    key = key.replace(/\s*(?:\([^()]*\)|\[[^[\]]*\])\s*$/, '')
  }
  key = key.replace(/\s+/g, ' ').replace(/[\s.,;:]+$/, '').trim()
  return key === '' ? null : key
}

// Words that say what kind of trouble a conflict is, not which fact it is about.
const CONFLICT_WORDS = new Set([
  'conflict', 'conflicts', 'discrepancy', 'discrepancies', 'variance', 'variances', 'inconsistency', 'inconsistencies',
  'mismatch', 'range', 'ranges', 'estimate', 'estimates', 'classification', 'difference', 'differences', 'vs', 'versus',
])

/**
 * The key that links one conflict told in several files (conflict report,
 * fact registry, coverage gaps): the content words of the fact's name, with
 * asides in brackets, stop words and words such as `discrepancy` or `range`
 * left out, sorted (`Reactor Type Classification (BWR vs. PWR)` and `Reactor
 * Type` are `reactor type`; `Phoenix Franchise Renewal Probability Range`
 * and `Phoenix Franchise Renewal Probability` agree). Numbers stay: `Unit 1`
 * and `Unit 2` are two conflicts. Null for no name.
 */
export function conflictKey(name: string | null): string | null {
  if (name === null) return null
  const all = normalizeLabel(name).split(' ').filter((w) => w !== '' && !STOP.has(w))
  const content = all.filter((w) => !CONFLICT_WORDS.has(w))
  const key = [...new Set(content.length > 0 ? content : all)].sort().join(' ')
  return key === '' ? null : key
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
  target.values.occurrences = tellings(target) + tellings(other)
  for (const [column, value] of Object.entries(other.values)) if (target.values[column] === null && value !== null) target.values[column] = value
  const told =
    typeof other.raw === 'string'
      ? [['also', other.raw] as [string, string]]
      : Object.entries(other.raw ?? {}).filter(([, v]) => v !== '').map(([k, v]) => [`also: ${k}`, v] as [string, string])
  const extra = [...Object.entries(target.extra ?? {}), ...told]
  target.extra = extra.length > 0 ? uniqueEntries(extra) : null
}
