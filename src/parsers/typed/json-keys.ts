/**
 * Read JSON state documents by meaning: keys are matched through synonym
 * lists after reducing them to lower snake case, so `lastUpdated`,
 * `Last-Updated` and `last_updated` are one key. Every reader accepts any JSON
 * value and never throws: state files drift between sessions and a wrong shape
 * is data, not an error.
 */
import { withoutMarkers } from '../normalize/index.js'

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>

/** Whether `value` is a JSON object (not an array, not null). */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A key reduced to lower snake case: `lastUpdated`, `Last Updated`, `LAST-UPDATED` → `last_updated`. */
export function normalizeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}

/** Whether a value carries nothing: `null`, `undefined`, or a blank string. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
}

/** A key found by {@link pick}: the key as written in the document, and its value. */
export interface Picked {
  /** The key as the document spells it. */
  key: string
  /** Its value, never blank. */
  value: unknown
}

/**
 * The first non-blank field of `object` whose key means one of `synonyms`,
 * trying the synonyms in order (so the list is also a precedence), or null.
 * Not an object (an array, a string, null) has no fields.
 */
export function pick(object: unknown, synonyms: readonly string[]): Picked | null {
  if (!isRecord(object)) return null
  const byKey = new Map<string, string>()
  for (const key of Object.keys(object)) {
    const normal = normalizeKey(key)
    // The first spelling wins when a document repeats a key in two spellings.
    if (!byKey.has(normal) && !isBlank(object[key])) byKey.set(normal, key)
  }
  for (const synonym of synonyms) {
    const key = byKey.get(normalizeKey(synonym))
    if (key !== undefined) return { key, value: object[key] }
  }
  return null
}

/** The value of {@link pick}, or undefined. */
export function pickValue(object: unknown, synonyms: readonly string[]): unknown {
  return pick(object, synonyms)?.value
}

/**
 * A value as text for a text column: strings trimmed and without markdown
 * markers (`**`, `__`, backticks), numbers and booleans in their JSON
 * spelling, arrays and objects as JSON (their strings without markers too);
 * null for blank values.
 */
export function textOf(value: unknown): string | null {
  if (isBlank(value)) return null
  if (typeof value === 'string') return orNull(withoutMarkers(value))
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value, (_, item: unknown) => (typeof item === 'string' ? withoutMarkers(item) : item)) ?? null
}

/**
 * A value as a short label, for a name or an identifier: strings (trimmed,
 * without markdown markers) and numbers only; an array or an object is not a label.
 */
export function labelOf(value: unknown): string | null {
  if (typeof value === 'string') return orNull(withoutMarkers(value))
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

const orNull = (text: string): string | null => (text === '' ? null : text)

/** A value for a JSON column: arrays and objects as they are, null otherwise. */
export function jsonOf(value: unknown): unknown[] | JsonObject | null {
  return Array.isArray(value) || isRecord(value) ? value : null
}

/**
 * The fields of `object` whose keys (as the document spells them) are not in
 * `taken`, for a row's `extra`: strings as written, numbers and booleans in
 * their JSON spelling, arrays and objects as compact JSON. Blank fields
 * (`null`, `""`) carry nothing and are left out, as risk items leave them
 * out of theirs. Null when nothing is left.
 */
export function untakenFields(object: JsonObject, taken: ReadonlySet<string>): Record<string, string> | null {
  const entries = Object.entries(object)
    .filter(([key, value]) => !taken.has(key) && !isBlank(value))
    .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)] as const)
  // fromEntries defines every key as an own field, `__proto__` included.
  return entries.length > 0 ? Object.fromEntries(entries) : null
}
