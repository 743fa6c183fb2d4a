/**
 * Key-value lines agents write instead of tables: `**Key:** value`,
 * `**Key**: value`, and the same inside list items (`- **Key**: value`).
 */
import type { FieldRecord } from './types.js'

// Colon inside the bold (`**Key:** value`) or right after it (`**Key**: value`).
// A `**` key may hold underscores (`**EXPECTED_SECTION_IDS:**`), a `__` key asterisks.
const COLON_INSIDE = /^(?:[-*+]\s+|\d+[.)]\s+)?(\*\*|__)((?:(?!\1)[^\n]){1,120}?)\s*[:：]\s*\1\s*(.*)$/
const COLON_AFTER = /^(?:[-*+]\s+|\d+[.)]\s+)?(\*\*|__)((?:(?!\1)[^\n]){1,120}?)\1\s*[:：]\s*(.*)$/
// A line that is nothing but bold text (`**#001 - Target Legal Name**`): a record
// title, kept as a field with an empty value so record parsers can name what follows.
const BOLD_TITLE = /^(?:[-*+]\s+|\d+[.)]\s+)?(\*\*|__)((?:(?!\1)[^\n]){1,160}?)\1$/
// A plain bullet with a short key (`- research-review-gate iterations: 0/2`): at most
// six words before the colon, so list items that are sentences stay out.
const PLAIN_BULLET = /^[-*+]\s+()((?:[^\s:*|`][^\s:|`]*)(?:\s+[^\s:|`]+){0,5})\s*:\s+(\S.*)$/

/** A heading and the heading path it opens, by source line. */
export interface HeadingMark {
  line: number
  path: string[]
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const FIELD_START = /^(?:[-*+]\s|\d+[.)]\s|\*\*|__)/

/**
 * Every key-value line of a markdown text outside fenced code, with the heading
 * path in force at its line. A line scan, not a tree walk: memoranda hold
 * thousands of such lines in prose that is otherwise never parsed.
 */
export function scanFields(text: string, headings: HeadingMark[]): FieldRecord[] {
  const fields: FieldRecord[] = []
  let fence: string | null = null
  let next = 0
  let path: string[] = []
  const lines = text.split('\n')
  lines.forEach((source, index) => {
    const line = index + 1
    while (next < headings.length && headings[next]!.line <= line) path = headings[next++]!.path
    const opener = FENCE.exec(source)
    if (fence !== null) {
      if (opener && opener[1]![0] === fence[0] && opener[1]!.length >= fence.length && source.trim() === opener[1]) fence = null
      return
    }
    if (opener) {
      fence = opener[1]!
      return
    }
    // Lines inside a blockquote keep their `>` markers.
    const content = (source[0] === ' ' || source[0] === '>' || source[0] === '\t' ? source.replace(/^\s*(>\s?)*/, '') : source).trim()
    // Every shape starts with bold markers or a list marker: most prose lines stop here.
    if (!FIELD_START.test(content)) return
    const bold = COLON_INSIDE.exec(content) ?? COLON_AFTER.exec(content)
    const title = bold ? null : BOLD_TITLE.exec(content)
    const match = bold ?? title ?? PLAIN_BULLET.exec(content)
    if (!match) return
    const key = stripInline(match[2]!).replace(/[:：]$/, '')
    if (key === '' || /^https?$/i.test(key)) return
    const style = bold ? 'bold' : title ? 'title' : 'bullet'
    fields.push({ headingPath: path, key, value: title ? '' : stripInline(match[3]!), raw: content, line, style })
  })
  return fields
}

/** Markdown emphasis, code and links reduced to their text, white space collapsed. */
export function stripInline(text: string): string {
  // Each step needs its marker; most values have none, and the patterns are costly on long lines.
  let out = text
  if (out.includes('](')) out = out.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
  if (out.includes('**') || out.includes('__')) out = out.replace(/(\*\*|__)(.+?)\1/g, '$2')
  if (out.includes('*') || out.includes('_')) out = out.replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, '$1$2')
  if (out.includes('`')) out = out.replace(/`([^`]*)`/g, '$1')
  return (MORE_THAN_A_SPACE.test(out) ? out.replace(/\s+/g, ' ') : out).trim()
}

// White space other than single spaces: what collapsing would change.
const MORE_THAN_A_SPACE = /[^\S ]| {2}/
