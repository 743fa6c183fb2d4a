/**
 * What both JSON Lines folds share: reading a line's keys into columns while
 * keeping track of the keys no column took, the fold state's restoration
 * from stored JSON, instants compared as times, and link rows.
 */
import type { TypedTableName } from '../typed/tables.js'
import { newRow } from '../typed/research-typed-rows.js'
import type { TypedRow } from '../typed/types.js'
import type { PricingTable } from './types.js'

/** What a fold is told besides its lines. */
export interface FoldContext {
  /** The file's path, relative to the root (fallback session and agent ids come from it). */
  relPath: string
  pricing: PricingTable | null
  /** Lines read once this batch is folded in (blank and malformed ones included): the summary's `lines`. */
  linesRead: number
}

/** Rows a fold gives for a batch of lines, per table. */
export type FoldRows = Partial<Record<TypedTableName, TypedRow[]>>

/** A line's keys, read one by one; the keys left over go to `extra`. */
export class LineReader {
  private readonly taken = new Set<string>()
  constructor(readonly value: Record<string, unknown>) {}

  /** The string at `key`, or null; a value of another type is not taken and stays for `extra`. */
  text(key: string): string | null {
    return this.read(key, (v) => (typeof v === 'string' ? v : undefined))
  }

  /** The finite number at `key`, or null. */
  number(key: string): number | null {
    return this.read(key, (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined))
  }

  /** The boolean at `key` as 1/0, or null. */
  flag(key: string): number | null {
    return this.read(key, (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : undefined))
  }

  // A JSON null is the column's null: taken, so `extra` does not repeat it.
  private read<T>(key: string, convert: (value: unknown) => T | undefined): T | null {
    const v = this.value[key]
    if (v === null) this.taken.add(key)
    if (v === null || v === undefined) return null
    const converted = convert(v)
    if (converted === undefined) return null
    this.taken.add(key)
    return converted
  }

  /** Mark keys as read elsewhere (a nested object the fold reads itself). */
  take(...keys: string[]): void {
    for (const key of keys) this.taken.add(key)
  }

  /**
   * Keys no column took, as strings (other values in their JSON form); keys
   * whose values `keep` refuses are dropped (message content, long texts).
   */
  extra(keep: (key: string, value: unknown) => boolean = () => true): Record<string, string> | null {
    let extra: Record<string, string> | null = null
    for (const [key, value] of Object.entries(this.value)) {
      if (this.taken.has(key) || !keep(key, value)) continue
      extra ??= {}
      extra[key] = typeof value === 'string' ? value : JSON.stringify(value)
    }
    return extra
  }
}

/** A fold state's field defaults: the state is restored field by field, so stored JSON of any key order, or an older shape, reads back. */
export type StateShape = Record<string, string | number | boolean | null | string[]>

/**
 * `stored` read as a state of `defaults`' shape: each field taken when its
 * type fits (a null default takes a string or a number), else its default.
 */
export function restoreState<T extends StateShape>(stored: unknown, defaults: T): T {
  // Arrays are copied: a fold pushes to its state's, and the defaults are shared.
  const state: Record<string, unknown> = Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]))
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return state as T
  const source = stored as Record<string, unknown>
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = source[key]
    if (value === undefined) continue
    if (Array.isArray(fallback)) {
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) state[key] = [...value]
    } else if (fallback === null) {
      if (typeof value === 'string' || typeof value === 'number' || value === null) state[key] = value
    } else if (typeof value === typeof fallback) {
      state[key] = value
    }
  }
  return state as T
}

/** Widen `[first, last]` to take in the instant `at` (kept as written, compared as a time). */
export function widenSpan(state: { started_at: string | number | null; ended_at: string | number | null }, at: string | null): void {
  if (at === null) return
  const time = Date.parse(at)
  if (Number.isNaN(time)) return
  if (state.started_at === null || time < timeOf(state.started_at)) state.started_at = at
  if (state.ended_at === null || time > timeOf(state.ended_at)) state.ended_at = at
}

function timeOf(value: string | number): number {
  const time = typeof value === 'string' ? Date.parse(value) : value
  return Number.isNaN(time) ? Number.NaN : time
}

/** A row of `agent_session_links`. */
export function linkRow(
  line: number,
  sdkSessionId: string | null,
  reportSessionId: string,
  evidence: 'report_saved' | 'tool_write' | 'prompt' | 'cwd',
  detail: string,
  at: string | null,
): TypedRow {
  return newRow('agent_session_links', line, { sdk_session_id: sdkSessionId, report_session_id: reportSessionId, evidence, detail, at }, null, null)
}

/** Append `row` to `table` of `rows`. */
export function pushRow(rows: FoldRows, table: TypedTableName, row: TypedRow): void {
  const list = rows[table]
  if (list) list.push(row)
  else rows[table] = [row]
}

/** The folder names of `relPath`, innermost last, and its bare file name. */
export function pathParts(relPath: string): { folders: string[]; name: string } {
  const parts = relPath.split('/')
  return { folders: parts.slice(0, -1), name: parts[parts.length - 1] ?? '' }
}

/** At most `max` UTF-16 units of `text`, never half a surrogate pair. */
export function preview(text: string, max = 200): string {
  if (text.length <= max) return text
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max
  return text.slice(0, cut)
}
