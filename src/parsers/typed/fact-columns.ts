/**
 * Column plumbing shared by the fact-registry, conflict-report and
 * coverage-gaps parsers: blank rows with every column, header mapping by
 * label priority, clean heading texts, ids split off titles, and the
 * document title that categories leave out.
 */
import type { MarkdownRecords } from '../types.js'
import { normalizeLabel } from './labels.js'

import { clean, PICTOGRAPHS } from './heading-text.js'

export { categoryOf, clean, cleanHeading } from './heading-text.js'
export { columnOfKey, mapHeaders, type HeaderMap, type LabelPriority } from './labels.js'
import { columnsOf } from './columns.js'
import type { TypedTableName } from './tables.js'
import type { ColumnValue } from './types.js'
import { detached } from '../detached.js'

/** Every column of `table`, set to null. */
export function blankValues(table: TypedTableName): Record<string, ColumnValue> {
  return Object.fromEntries(columnsOf(table).map((column) => [column, null]))
}

/** A cell's text, or null when the header is absent, missing or the cell is empty. */
export function cellText(cells: Record<string, string>, header: string | undefined): string | null {
  if (header === undefined || !Object.hasOwn(cells, header)) return null
  const text = clean(cells[header] ?? '')
  return text === '' ? null : text
}

/** Cells no column took, or null when all of them are empty. */
export function leftoverCells(cells: Record<string, string>, unmapped: readonly string[]): Record<string, string> | null {
  const entries = unmapped.filter((h) => Object.hasOwn(cells, h) && (cells[h] ?? '').trim() !== '').map((h) => [h, cells[h]!] as const)
  return entries.length > 0 ? Object.fromEntries(entries) : null
}

/** An id and a title split from `#001 - Name`, `F-12: Name`, `1.1 Name`, `Conflict #2: Name`, `GAP m1: Name`. */
export interface SplitTitle {
  id: string | null
  title: string
}

const ID_PREFIX = /^#?\s*((?:[A-Z]{1,5}[-_]?)?\d{1,4}(?:\.\d{1,3})*[a-z]?)(?:\s*[.):]\s*|\s*[-–—]\s+|\s+(?=\S))/u
const WORD_ID_PREFIX = (words: string): RegExp =>
  new RegExp(String.raw`^(?:${words})\s*(?:#|no\.?|number)?\s*([A-Za-z]{0,3}-?\d{1,4}[a-z]?)\b\s*(?:[.):]|[-–—]|\s)?\s*`, 'iu')

/**
 * Split a leading id off a title. `words` names record words that may come
 * first (`conflict|gap`): `Conflict #2: Name` → `2`, `Name`.
 */
export function splitId(text: string, words?: string): SplitTitle {
  const title = clean(text).replace(PICTOGRAPHS, ' ').replace(/\s+/g, ' ').trim()
  if (words !== undefined) {
    const match = WORD_ID_PREFIX(words).exec(title)
    if (match) return { id: match[1]!, title: title.slice(match[0].length).replace(/^[\s:.\-–—]+/u, '').trim() }
  }
  const match = ID_PREFIX.exec(title)
  if (match) {
    const id = match[1]!
    const separator = match[0].slice(match[0].indexOf(id) + id.length)
    // `#3 Name`, `1.1 Name` and `F-12: Name` carry ids; `FY2026 Revenue` and `12 employees` do not.
    const marked = title.startsWith('#') || /[.)\-–—:]/u.test(separator) || /^\d+(?:\.\d+)+$/.test(id)
    const rest = title.slice(match[0].length).trim()
    if (marked && rest !== '') return { id, title: rest }
  }
  return { id: null, title }
}

/** Words a document title uses (`# CANONICAL FACT REGISTRY - Project X`, `# Conflict Report`). */
const TITLE_WORDS = /\b(?:registry|report|analysis|conflicts?|gaps?|coverage|validation|canonical|facts)\b/i

/**
 * The document's title heading: the first entry shared by every heading path
 * in the document (the `#` heading everything sits under) when it reads as a
 * title, or null. A lone `## Deal Terms` section is content, not a title.
 */
export function documentTitle(markdown: MarkdownRecords): string | null {
  let title: string | null = null
  const paths = [...markdown.tables.map((t) => t.headingPath), ...markdown.fields.map((f) => f.headingPath)]
  if (paths.length === 0) return null
  for (const path of paths) {
    const first = path[0]
    if (first === undefined) return null
    if (title === null) title = first
    else if (title !== first) return null
  }
  // A document of one section has no title above it: that section is content.
  return title !== null && TITLE_WORDS.test(title) && paths.some((path) => path.length > 1) ? title : null
}

/** The heading path below the document title. */
export function bodyPath(path: readonly string[], title: string | null): string[] {
  return title !== null && path[0] === title ? path.slice(1) : [...path]
}

const wordLists = new WeakMap<readonly string[], string[]>()

/** Whether a normalised label contains one of `words` as whole words. */
export function mentions(label: string, words: readonly string[]): boolean {
  let wanted = wordLists.get(words)
  if (wanted === undefined) {
    wanted = words.map((w) => ` ${normalizeLabel(w)} `)
    wordLists.set(words, wanted)
  }
  const normal = ` ${normalOf(label)} `
  return wanted.some((w) => normal.includes(w))
}

// Headings are tested against many word lists; their normal forms are kept for a while.
const normalMemo = new Map<string, string>()
const MEMO_LIMIT = 4096

function normalOf(label: string): string {
  let normal = normalMemo.get(label)
  if (normal === undefined) {
    if (normalMemo.size >= MEMO_LIMIT) normalMemo.clear()
    normal = normalizeLabel(label)
    normalMemo.set(detached(label), normal)
  }
  return normal
}

/** Unique keys for a list of key/value pairs: repeats get ` (2)`, ` (3)`. */
export function uniqueEntries(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const seen = new Map<string, number>()
  const entries: Array<[string, string]> = []
  for (const [key, value] of pairs) {
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    entries.push([n === 1 ? key : `${key} (${n})`, value])
  }
  return Object.fromEntries(entries)
}
