/**
 * Key-value lines grouped into records. Agents write one record as
 *
 * - a heading with attribute lines under it (`### 1.1 Price` + `**Canonical Value:** $425M`),
 * - a bold title line followed by attribute bullets (`**Title:**` + `- **Source**: T1`),
 * - a run of attribute bullets between blank lines, several under one heading,
 * - or a single bullet whose key is the name and whose value is the value.
 *
 * This module only finds the groups; what a group means is the parser's call.
 */
import type { FieldRecord } from '../types.js'

/** Fields under one heading path, in document order, with no other heading in between. */
export interface FieldGroup {
  headingPath: string[]
  fields: FieldRecord[]
}

/** One record found in a group. */
export interface FieldBlock {
  /**
   * `titled`: a bold title line and the bullets under it; `run`: attribute
   * lines with no title; `loose`: a single line that belongs to no record.
   */
  kind: 'titled' | 'run' | 'loose'
  /** The title line of a `titled` block. */
  title: FieldRecord | null
  /** The attribute lines (for `loose`, the one line). */
  fields: FieldRecord[]
  /** Columns the attribute lines named, by the caller's `keyColumn`. */
  columns: Set<string>
}

/** Consecutive fields under the same heading path. */
export function groupFields(fields: readonly FieldRecord[]): FieldGroup[] {
  const groups: FieldGroup[] = []
  let current: FieldGroup | null = null
  let key = ''
  for (const field of fields) {
    const k = field.headingPath.join('\u0000')
    if (current === null || k !== key) {
      current = { headingPath: field.headingPath, fields: [] }
      groups.push(current)
      key = k
    }
    current.fields.push(field)
  }
  return groups
}

/** Whether a field line is a list item (`- **Key**: v`, `1. **Key**: v`). */
export function isBullet(field: FieldRecord): boolean {
  return /^(?:[-*+]|\d+[.)])\s/.test(field.raw)
}

/** How a caller reads field keys. */
export interface BlockRules {
  /** The column a key names, or null for a key that is no record attribute. */
  keyColumn: (key: string) => string | null
  /** Columns that usually close a record (source, confidence, ...): after one, a gap starts the next record. */
  closing: ReadonlySet<string>
}

// A record's lines are adjacent; a blank line plus a title line in between marks the next record.
const RECORD_GAP = 2

/** Split one group into blocks (see {@link FieldBlock}). */
export function splitBlocks(fields: readonly FieldRecord[], rules: BlockRules): FieldBlock[] {
  const blocks: FieldBlock[] = []
  let current: FieldBlock | null = null
  let lastLine = -Infinity
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    const next = fields[i + 1]
    const bullet = isBullet(field)
    if (field.value === '' && !bullet && next !== undefined && isBullet(next) && next.line > field.line) {
      current = { kind: 'titled', title: field, fields: [], columns: new Set() }
      blocks.push(current)
      lastLine = field.line
      continue
    }
    const column = rules.keyColumn(field.key)
    const repeated = current !== null && column !== null && current.columns.has(column)
    if (current?.kind === 'titled' && !(bullet && !repeated)) current = null
    if (current?.kind === 'run') {
      const closed = [...current.columns].some((c) => rules.closing.has(c)) && field.line - lastLine > RECORD_GAP
      // A plain line after a run of bullets (`**Total Minor Gaps:** 2`) is no part of the last bullet record.
      const leftList = !bullet && current.fields.every(isBullet)
      if (repeated || closed || leftList) current = null
    }
    if (current === null) {
      current = { kind: 'run', title: null, fields: [], columns: new Set() }
      blocks.push(current)
    }
    current.fields.push(field)
    if (column !== null) current.columns.add(column)
    lastLine = field.line
  }
  // A run that named no attribute is a set of loose lines, each its own block.
  return blocks.flatMap((block) =>
    block.kind === 'run' && block.columns.size === 0
      ? block.fields.map((field): FieldBlock => ({ kind: 'loose', title: null, fields: [field], columns: new Set() }))
      : [block],
  )
}

/** Whether `path` starts with `prefix`. */
export function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((h, i) => path[i] === h)
}
