/**
 * Markdown text the renderers write: escaped inline text, GFM tables and
 * sections. The parser reads cells and headings as the
 * plain text of their markdown (see parsers/markdown.ts `plainText`), so
 * every character that could turn into markup is escaped and comes back as
 * written.
 */

// `*`, `_`, `~` (emphasis, strikethrough), `` ` `` (code), `[`/`]` (links,
// footnote references), `<`/`>` (HTML, autolinks), `&` (entity references),
// `|` (cell delimiter, even inside code) and the backslash itself. A backslash
// before any other character is literal.
const INLINE_SPECIAL = /[\\`*_~[\]<>&|]/g

/**
 * Text as inline markdown whose plain text is `text`: markup escaped, runs of
 * white space made one space (a table row is one line; the parser collapses
 * them anyway), trimmed.
 */
export function inlineText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(INLINE_SPECIAL, (c) => `\\${c}`)
    .replace(AUTOLINK_START, (start) => `${start.slice(0, -1)}\\${start.slice(-1)}`)
}

// GFM turns `http://…`, `www.…` and `a@b.c` into links whose text is the source as written, escapes
// included (`http://a/b\_c` would read back with its backslash): an escaped `:`, `.` or `@` keeps
// them text, and an escaped punctuation character reads as itself.
const AUTOLINK_START = /\b(?:https?|ftp|mailto|xmpp):|\bwww\.|@/gi

/** Heading text as inline markdown: {@link inlineText}, and a trailing `#` run (a closing sequence) escaped. */
export function headingText(text: string): string {
  return inlineText(text).replace(/#+$/, (run) => run.replace(/#/g, '\\#'))
}

/** A GFM table: header labels and rows of cell markdown (already escaped), padded to the header. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  const lines = [line(headers), `|${headers.map((header) => '-'.repeat(Math.max(3, header.length + 2))).join('|')}|`]
  for (const row of rows) {
    // GFM reads `|  |` as an empty cell; a short row is padded so every row has every column.
    lines.push(line(headers.map((_, index) => row[index] ?? '')))
  }
  return lines.join('\n')
}

/** A table whose headers and cells are plain text, escaped here. Null cells are empty. */
export function textTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  return table(
    headers.map(inlineText),
    rows.map((row) => row.map((cell) => (cell === null ? '' : inlineText(cell)))),
  )
}

/** A section: its heading line and its blocks, one blank line apart. */
export function section(depth: number, heading: string, blocks: readonly string[]): string {
  return [`${'#'.repeat(depth)} ${heading}`, ...blocks.filter((block) => block !== '')].join('\n\n')
}

/** A milliseconds span as the duration reader takes it back (`4m 30s`, `1h 5m`, `250ms`). */
export function durationText(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return `${ms}ms`
  if (ms === 0) return '0s'
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const amount = Math.floor(rest / size)
    rest -= amount * size
    if (amount > 0) parts.push(`${amount}${unit}`)
  }
  return parts.join(' ')
}
