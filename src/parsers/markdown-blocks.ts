/**
 * Split markdown into top-level blocks that parse independently, and tell
 * which blocks can hold records at all.
 *
 * Why: remark builds a full syntax tree with positions, about 200 bytes of
 * heap per byte of input, so a 1.5 MB memorandum costs ~300 MB and seconds of
 * CPU. Most of such a file is prose that yields no table, heading or footnote
 * definition. Parsing block by block bounds memory by the largest block, and
 * blocks that cannot hold a record are not parsed at all.
 *
 * A split point is a blank line followed by a line that starts in column 1,
 * outside a fenced code block and outside a multi-line HTML block: CommonMark
 * cannot continue a construct across such a point except a list or a
 * blockquote, and splitting those only splits the container, not the tables,
 * headings and footnote definitions inside it.
 *
 * An ATX heading that opens a block is a block of its own: it is one line,
 * and the line after it starts afresh at the top level, as after a blank
 * line. Agents write a heading straight over its list (`### Risks` then
 * `- **Exposure:** …`); split so, the heading takes the fast path and the
 * list, which holds no record, is not parsed at all (it sent 1,690 blocks of
 * the dev corpus to remark, 2 s of CPU).
 */

/** A run of source lines that parses on its own. */
export interface Block {
  /** Offset of the block's first character in the whole text. */
  start: number
  /** Offset just past the block's last character. */
  end: number
  /** 1-based line of the block's first line. */
  line: number
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/
// In column 1 only: indented, it may belong to a list item the block continues.
const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/
// HTML blocks of CommonMark kinds 1-5 run until their end marker, across blank lines.
const HTML_OPEN: Array<[RegExp, RegExp]> = [
  [/^ {0,3}<(pre|script|style|textarea)[\s>]/i, /<\/(pre|script|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
]

/** Split `text` into independently parseable blocks, in order, covering all of it. */
export function splitBlocks(text: string): Block[] {
  const blocks: Block[] = []
  let blockStart = 0
  let blockLine = 1
  let line = 1
  let fence: { char: string; length: number } | null = null
  let htmlEnd: RegExp | null = null
  let previousBlank = false
  // The line before opened its block and was an ATX heading.
  let afterOpeningHeading = false
  let offset = 0

  while (offset < text.length) {
    const newline = text.indexOf('\n', offset)
    const lineEnd = newline === -1 ? text.length : newline
    const content = text.slice(offset, lineEnd)
    const blank = content.trim() === ''

    if (fence) {
      const close = FENCE.exec(content)
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && content.trim() === close[1]) fence = null
    } else if (htmlEnd) {
      if (htmlEnd.test(content)) htmlEnd = null
    } else {
      // Never before a byte-order mark: remark drops one that opens the text it parses.
      if (((afterOpeningHeading && content[0] !== '\ufeff') || (previousBlank && !blank && !/^\s/.test(content))) && offset > blockStart) {
        blocks.push({ start: blockStart, end: offset, line: blockLine })
        blockStart = offset
        blockLine = line
      }
      const open = FENCE.exec(content)
      if (open) {
        // A backtick fence whose info string holds a backtick is not a fence.
        if (!(open[1]![0] === '`' && content.slice(open[0].length).includes('`'))) {
          fence = { char: open[1]![0]!, length: open[1]!.length }
        }
      } else {
        for (const [opener, closer] of HTML_OPEN) {
          if (opener.test(content)) {
            if (!closer.test(content.replace(opener, ''))) htmlEnd = closer
            break
          }
        }
      }
    }

    previousBlank = blank && !fence && !htmlEnd
    // A carriage return ends a line for CommonMark: one inside `content` hides more lines after the heading.
    afterOpeningHeading = offset === blockStart && !fence && !htmlEnd && ATX_HEADING.test(content) && !/\r[^]/.test(content)
    offset = newline === -1 ? text.length : newline + 1
    line++
  }
  if (blockStart < text.length || blocks.length === 0) blocks.push({ start: blockStart, end: text.length, line: blockLine })
  return blocks
}

// Where a line's content starts: after a byte order mark (remark drops one
// where a block starts), indentation, `>` and list item markers.
const LINE_START = String.raw`^\uFEFF?[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*`
// Headings need a `#` or a setext underline; footnote definitions `[^id]:`,
// wherever the line's content starts (`- # Title`, `> ===`). (Key-value fields
// are found by a line scan, see fields.ts, and need no tree.)
const MAY_HOLD_HEADING = new RegExp(String.raw`${LINE_START}(?:#|(?:=+|-+)[ \t]*$|\[\^)`, 'm')
// A table, a recovered one or one swallowed by a code block needs a delimiter
// row: a line of nothing but pipes, colons, dashes and white space, with a dash.
// A pipe run reported as prose needs two lines in a row that start with a pipe
// after `>` and indentation (pipe-runs.ts). A pipe in a line of prose or a list
// item alone (`- Validated: 5 | Invalidated: 0`) makes no record.
const MAY_HOLD_TABLE = new RegExp(String.raw`${LINE_START}[|: \t-]*-[|: \t-]*$|^\uFEFF?[ \t>]*\|[^\n\r]*(?:\r\n?|\n)[ \t>]*\|`, 'm')

/** Whether a block can produce a table, heading, footnote definition or table diagnostic. */
export function mayHoldRecords(blockText: string): boolean {
  return MAY_HOLD_HEADING.test(blockText) || (blockText.includes('|') && MAY_HOLD_TABLE.test(blockText))
}

// `[label]: destination` at the start of a line (not `[^id]:`, a footnote). The
// label stays on its line: a `[` alone on a line must not pull the lines after
// it (tables, say) into the block appended to every other block.
const LINK_DEFINITION = /^ {0,3}\[(?!\^)(?:[^\]\\\n]|\\.)+\]:[ \t]*\S.*$/gm

/**
 * The link reference definitions of the whole text, as one block to append to
 * each parsed block: `[text][ref]` resolves wherever its definition stands.
 */
export function linkDefinitions(text: string): string {
  // Every definition holds `]:`; most files have none, and the pattern is costly on megabytes.
  if (!text.includes(']:')) return ''
  const found = text.match(LINK_DEFINITION)
  return found ? `\n\n${found.map((line) => line.trim()).join('\n')}\n` : ''
}
