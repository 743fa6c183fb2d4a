/**
 * A fast-check grammar of GFM documents shaped like the reports statebridge
 * reads, for differential tests of the markdown fast path against remark.
 *
 * Grammar (each rule is an exported or local arbitrary, composed bottom-up):
 *
 *   document  := bom? block (separator block)* final-newline?   (LF, CRLF, mixed, CR)
 *   separator := "\n\n" | "\n" (no blank line) | "\n\n\n" | "\n  \n" | "\n\t\n"
 *   block     := table | atx | setext | paragraph | paragraph "\n" table
 *              | contained (list item / blockquote around a table, fields or text)
 *              | fenced | indented | html | footnote-def | link-def | break | fields
 *   table     := header-row delimiter-row body-row*   (cell counts mostly equal,
 *                sometimes ragged; outer pipes optional per row; alignment colons)
 *   cell      := inline without raw pipes, or an escaped / code-span pipe, or empty
 *   inline    := atom (" " atom)* trailing-space?
 *   atom      := word | number | emoji | strong | em | code | link | footnote-ref
 *              | html | entity | escape | stray punctuation
 *
 * Weights favour tables and headings: those are what the scanner reads itself;
 * everything else is there to sit next to them and to be sent to remark.
 */
import fc from 'fast-check'

const { constantFrom, oneof, tuple, array, boolean, integer } = fc

// ---------------------------------------------------------------------------
// Inline content

const WORDS = ['Status', 'Value', 'market', 'risk', 'Target', 'revenue', 'the', 'and', 'EBITDA', 'pending', 'snake_case_name', 'a', 'Q3', 'café', 'Straße', '日本語', 'naïve']
const NUMBERS = ['$40-60M', '2026-Q3', '12.5%', '1,234', '-3', '0', '(12.4)', '2*3*4', '3x', '~5', '2026-02-16', '#5', '#001']
const EMOJI = ['✅', '⚠️', '❌', '⏳', '🚀', '🔴', '👍🏽']
const ENTITIES = ['&amp;', '&#124;', '&#x7C;', '&nbsp;', '&copy;', '&lt;', '&notanentity;', '&#0;']
const ESCAPES = ['\\*', '\\_', '\\|', '\\\\', '\\[', '\\]', '\\#', '\\`', '\\<', '\\&', '\\-']
const STRAYS = ['*', '_', '|', '[', ']', '<', '>', '**', '__', '~', '`', '!', '#', ':', '\\']
const HTML_INLINE = ['<br>', '<br/>', '<br />', '<BR>', '<span>', '</span>', '<span class="x">hi</span>', '<b>bold</b>', '<!-- c -->', '<a href="u">a</a>']
const LINKS = [
  '[text](https://example.com)',
  '[t](u "title")',
  '[with | pipe](u)',
  '[ref link][ref]',
  '[ref]',
  '[missing][nope]',
  '![alt](p.png)',
  '![alt *em*][ref]',
  '<https://x.example/a?b=1>',
  '<mail@example.com>',
  'https://example.com/a_b_c',
  'www.example.com',
  '[^1]',
  '[^note]',
  '[^missing]',
]

/** A word, number, emoji, entity, escape, link or piece of HTML: inline text without emphasis. */
const plainAtom: fc.Arbitrary<string> = oneof(
  { weight: 8, arbitrary: constantFrom(...WORDS) },
  { weight: 3, arbitrary: constantFrom(...NUMBERS) },
  { weight: 2, arbitrary: constantFrom(...EMOJI) },
  { weight: 1, arbitrary: constantFrom(...ENTITIES) },
  { weight: 1, arbitrary: constantFrom(...ESCAPES) },
  { weight: 1, arbitrary: constantFrom(...HTML_INLINE) },
  { weight: 2, arbitrary: constantFrom(...LINKS) },
  { weight: 1, arbitrary: constantFrom('`code`', '`a|b`', '`a\\|b`', '`` a ` b ``', '`unclosed', '`**not strong**`') },
)

/** Inline markup, nested a few levels: `**strong**`, `*em*`, `_em_`, `~~del~~` around inline text. */
const { inline: nestedInline } = fc.letrec<{ inline: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { maxDepth: 3, depthSize: 'small', depthIdentifier: 'inline', withCrossShrink: true },
    { weight: 10, arbitrary: plainAtom },
    { weight: 2, arbitrary: constantFrom(...STRAYS) },
    {
      weight: 3,
      arbitrary: tuple(constantFrom('**', '*', '_', '__', '~~', '***'), tie('inline')).map(([mark, inner]) => `${mark}${inner}${mark}`),
    },
    // Left- and right-flanking edge cases: a space inside the mark, intraword marks.
    { weight: 1, arbitrary: tuple(constantFrom('** ', '* ', 'x*', 'a_', '_ '), tie('inline')).map(([mark, inner]) => `${mark}${inner}${mark.split('').reverse().join('')}`) },
  ),
  inline: array(tie('atom'), { minLength: 1, maxLength: 3, depthIdentifier: 'inline' }).map((atoms) => atoms.join(' ')),
}))

/** One line of inline content, sometimes with a glued atom or trailing spaces. */
export const inlineText: fc.Arbitrary<string> = tuple(
  array(tuple(nestedInline, constantFrom(' ', ' ', ' ', '', '  ', '\t')), { minLength: 1, maxLength: 3 }),
  constantFrom('', '', '', ' ', '  ', '\t'),
).map(([parts, trailing]) => parts.map(([text, gap], i) => (i === 0 ? text : gap + text)).join('') + trailing)

/** Short inline content that holds no raw `|` (a cell's own text). */
const cellInline: fc.Arbitrary<string> = nestedInline.map((text) => text.replace(/(?<!\\)\|/g, '/'))

// ---------------------------------------------------------------------------
// Tables

/** A cell's source: inline text, empty, an escaped pipe, a pipe in a code span, or a stray raw pipe. */
export const tableCell: fc.Arbitrary<string> = oneof(
  { weight: 10, arbitrary: cellInline.map((text) => text.trim()) },
  { weight: 2, arbitrary: constantFrom('', ' ', '  ') },
  { weight: 2, arbitrary: constantFrom('a \\| b', '`x \\| y`', '`x | y`', '\\|', '**A \\| B**', '[l \\| m](u)', '&#124;', 'a\\\\|b') },
  { weight: 1, arbitrary: constantFrom('---', ':--', '-', '#', '# not heading', '> q', '- item', '1.', '<br>', '<div>') },
)

const ALIGNMENTS = ['---', '---', '---', ':---', '---:', ':---:', '-', ':-', '-:', '--------', ':-:']

interface RowStyle {
  lead: boolean
  trail: boolean
  pad: string
}

const rowStyle: fc.Arbitrary<RowStyle> = tuple(
  oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  constantFrom(' ', ' ', '', '  ', '\t'),
).map(([lead, trail, pad]) => ({ lead, trail, pad }))

function asRow(cells: string[], style: RowStyle): string {
  const inner = cells.join(`${style.pad}|${style.pad}`)
  // A single cell without outer pipes is no row; keep at least the leading pipe then.
  const lead = style.lead || cells.length === 1
  return `${lead ? `|${style.pad}` : ''}${inner}${style.trail ? `${style.pad}|` : ''}`
}

/** How many cells a row has, given the header's: mostly equal, sometimes one or two off. */
const raggedCount = (columns: number): fc.Arbitrary<number> =>
  oneof(
    { weight: 8, arbitrary: fc.constant(columns) },
    { weight: 2, arbitrary: integer({ min: Math.max(1, columns - 2), max: columns + 2 }) },
  )

/**
 * A pipe table: header, delimiter (mostly matching the header), body rows.
 * Outer pipes, padding and alignment vary per row; rows may be ragged.
 */
export const pipeTable: fc.Arbitrary<string> = integer({ min: 1, max: 5 }).chain((columns) =>
  tuple(
    array(tableCell, { minLength: columns, maxLength: columns }),
    rowStyle,
    // The delimiter row's cell count: a mismatch makes the lines no table.
    oneof({ weight: 12, arbitrary: fc.constant(columns) }, { weight: 1, arbitrary: integer({ min: 1, max: columns + 1 }) }),
    rowStyle,
    array(raggedCount(columns).chain((count) => tuple(array(tableCell, { minLength: count, maxLength: count }), rowStyle)), { maxLength: 6 }),
    constantFrom('', '', '', ' ', '  ', '   '),
  ).chain(([header, headerStyle, delimiterCount, delimiterStyle, rows, indent]) =>
    array(constantFrom(...ALIGNMENTS), { minLength: delimiterCount, maxLength: delimiterCount }).map((delimiter) =>
      [asRow(header, headerStyle), asRow(delimiter, { ...delimiterStyle, pad: delimiterStyle.pad === '\t' ? ' ' : delimiterStyle.pad }), ...rows.map(([cells, style]) => asRow(cells, style))]
        .map((line) => indent + line)
        .join('\n'),
    ),
  ),
)

/** Pipe lines without a delimiter row, or with a broken one: prose to GFM, recovered or reported by statebridge. */
const pipeRun: fc.Arbitrary<string> = tuple(array(tuple(array(tableCell, { minLength: 1, maxLength: 4 }), rowStyle), { minLength: 1, maxLength: 4 }), constantFrom('', '|--|', '|---|---', '| --- | -- - |', '|:--|--:|:|', '| - | - |')).map(
  ([rows, broken]) => {
    const lines = rows.map(([cells, style]) => asRow(cells, style))
    if (broken !== '') lines.splice(1, 0, broken)
    return lines.join('\n')
  },
)

// ---------------------------------------------------------------------------
// Headings

/** An ATX heading: 1–6 `#`, optional indent and closing `#`s; sometimes a near miss (`#5`, seven `#`). */
export const atxHeading: fc.Arbitrary<string> = oneof(
  {
    weight: 10,
    arbitrary: tuple(
      integer({ min: 1, max: 6 }),
      constantFrom('', '', '', ' ', '   '),
      constantFrom(' ', ' ', ' ', '  ', '\t'),
      inlineText,
      constantFrom('', '', '', ' #', ' ##', ' ###  ', '#', ' \\#', ' # x'),
    ).map(([depth, indent, gap, text, closing]) => `${indent}${'#'.repeat(depth)}${gap}${text}${closing}`),
  },
  { weight: 2, arbitrary: constantFrom('#', '##', '# ', '#5 not a heading', '####### seven', '    # indented code', '#\tTab', '## #', '#hashtag', '\\# escaped') },
)

/** A setext heading: one or two text lines underlined with `=` or `-`. */
export const setextHeading: fc.Arbitrary<string> = tuple(
  array(inlineText, { minLength: 1, maxLength: 2 }),
  constantFrom('===', '=', '---', '-', '========', '---   ', '   ===', '-- -', '= ='),
).map(([lines, underline]) => `${lines.join('\n')}\n${underline}`)

// ---------------------------------------------------------------------------
// Other blocks

/** A paragraph of 1–3 lines, sometimes with hard breaks (two spaces or a backslash at line end). */
export const paragraph: fc.Arbitrary<string> = array(tuple(inlineText, constantFrom('', '', '', '  ', '\\')), { minLength: 1, maxLength: 3 }).map((lines) =>
  lines.map(([text, end], i) => (i === lines.length - 1 ? text : text.trimEnd() + end)).join('\n'),
)

const KEYS = ['Status', 'Owner', 'Target', 'Revenue ($M)', 'EXPECTED_SECTION_IDS', 'Next step', 'Phase']

/** Key-value lines as agents write them: `**Key:** value`, `- **Key**: value`, `- key: value`, `**Title**`. */
export const fieldLines: fc.Arbitrary<string> = array(
  tuple(constantFrom('', '- ', '* ', '1. ', ''), constantFrom(...KEYS), constantFrom('colon-inside', 'colon-after', 'plain', 'title'), cellInline).map(([bullet, key, style, value]) => {
    if (style === 'colon-inside') return `${bullet}**${key}:** ${value}`
    if (style === 'colon-after') return `${bullet}**${key}**: ${value}`
    if (style === 'title') return `${bullet}**${key}**`
    return `${bullet === '' ? '- ' : bullet}${key.toLowerCase()}: ${value}`
  }),
  { minLength: 1, maxLength: 4 },
).map((lines) => lines.join('\n'))

/** A fenced code block, often holding table and heading lines; rarely unclosed or closed by a fence with text after it. */
export const fencedCode: fc.Arbitrary<string> = tuple(
  constantFrom('```', '```', '~~~', '````'),
  constantFrom('', 'markdown', 'json', 'md title'),
  array(oneof(pipeTable, atxHeading, inlineText, constantFrom('```', '[^1]: in code')), { maxLength: 3 }),
  constantFrom('same', 'same', 'same', 'same', 'none', 'with-text'),
).map(([fence, info, body, close]) => {
  const closing = close === 'same' ? `\n${fence}` : close === 'with-text' ? `\n${fence}⁶⁹` : ''
  // A closing ``` inside a ```` fence closes nothing; inside a ``` fence it ends the block early.
  return `${fence}${info}\n${body.join('\n')}${closing}`
})

/** An indented code block (four spaces or a tab) holding heading or table lines. */
const indentedCode: fc.Arbitrary<string> = tuple(constantFrom('    ', '\t', '     '), array(oneof(atxHeading, pipeTable), { minLength: 1, maxLength: 2 })).map(([indent, lines]) =>
  lines
    .join('\n')
    .split('\n')
    .map((line) => indent + line)
    .join('\n'),
)

/** An HTML block, often holding pipes or markdown-looking lines. */
export const htmlBlock: fc.Arbitrary<string> = oneof(
  constantFrom(
    '<div>\n| a | b |\n|---|---|\n| 1 | 2 |\n</div>',
    '<div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n</div>',
    '<details><summary>More | less</summary>\n\n# Inside\n\n</details>',
    '<!-- comment | with\n| a | b |\n|---|---|\n-->',
    '<table><tr><td>a|b</td></tr></table>',
    '<pre>\n# not heading\n\n| x | y |\n|---|---|\n</pre>',
    '<span>inline start</span> | a | b |',
    '<br>',
    '<?php echo "|"; ?>',
    '<!DOCTYPE html>',
  ),
  tuple(pipeTable, constantFrom('div', 'section', 'p')).map(([table, tag]) => `<${tag}>\n${table}\n</${tag}>`),
)

/** A footnote definition, sometimes with an indented continuation or a table inside. */
export const footnoteDefinition: fc.Arbitrary<string> = tuple(
  constantFrom('1', '2', 'note', 'a b', '^', 'x|y'),
  inlineText,
  constantFrom('', '', '\n    continued', '\n\n    | a | b |\n    |---|---|\n    | 1 | 2 |', '\nlazy line'),
).map(([id, text, more]) => `[^${id}]: ${text}${more}`)

/** A link reference definition, used by `[ref]` atoms anywhere in the document. */
const linkDefinition: fc.Arbitrary<string> = constantFrom('[ref]: https://example.com', '[ref]: <https://x.example/a b> "Title"', '[nope]:', '[Ref]: /path \'t\'', '   [ref]: u')

const thematicBreak: fc.Arbitrary<string> = constantFrom('---', '***', '___', '- - -', '* * *', '-----', ' ---', '___   ')

/** A container prefix for each line: list item with indented continuation, or blockquote (lazy or not). */
const contained = (content: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  tuple(constantFrom('- ', '* ', '1. ', '10) ', '> ', '> ', '>', '> > ', '- > '), content, boolean()).map(([marker, body, lazy]) =>
    body
      .split('\n')
      .map((line, i) => {
        if (i === 0) return marker + line
        if (marker.includes('>')) return lazy && i === body.split('\n').length - 1 ? line : marker.replace(/^[-*] /, '  ') + line
        return ' '.repeat(marker.length) + line
      })
      .join('\n'),
  )

/** One block of a document. Tables and headings dominate. */
export const gfmBlock: fc.Arbitrary<string> = oneof(
  { weight: 12, arbitrary: pipeTable },
  { weight: 8, arbitrary: atxHeading },
  { weight: 3, arbitrary: setextHeading },
  { weight: 5, arbitrary: paragraph },
  // A table right under a paragraph line, no blank line between.
  { weight: 3, arbitrary: tuple(inlineText, pipeTable).map(([text, table]) => `${text}\n${table}`) },
  { weight: 2, arbitrary: pipeRun },
  { weight: 3, arbitrary: contained(oneof(pipeTable, fieldLines, paragraph, atxHeading)) },
  { weight: 3, arbitrary: fieldLines },
  { weight: 2, arbitrary: fencedCode },
  { weight: 1, arbitrary: indentedCode },
  { weight: 2, arbitrary: htmlBlock },
  { weight: 2, arbitrary: footnoteDefinition },
  { weight: 1, arbitrary: linkDefinition },
  { weight: 2, arbitrary: thematicBreak },
)

/** What stands between two blocks: mostly a blank line, sometimes none (lazy continuation, tables under text). */
const separator: fc.Arbitrary<string> = oneof(
  { weight: 8, arbitrary: fc.constant('\n\n') },
  { weight: 4, arbitrary: fc.constant('\n') },
  { weight: 1, arbitrary: constantFrom('\n\n\n', '\n  \n', '\n\t\n', '\n \n\n') },
)

/**
 * A whole GFM document: blocks joined by separators, LF or CRLF line endings
 * (rarely mixed, or old-Mac lone CRs), a final newline or not (a table may end
 * the file mid-row), rarely a leading BOM.
 */
export const gfmDocument: fc.Arbitrary<string> = tuple(
  array(tuple(separator, gfmBlock), { minLength: 1, maxLength: 10 }),
  oneof(
    { weight: 12, arbitrary: fc.constant('lf') },
    { weight: 4, arbitrary: fc.constant('crlf') },
    { weight: 2, arbitrary: fc.constant('mixed') },
    { weight: 1, arbitrary: fc.constant('cr') },
  ),
  constantFrom('\n', '\n', '', '\n\n'),
  oneof({ weight: 20, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('\uFEFF') }),
).map(([blocks, eol, end, bom]) => {
  const text = bom + blocks.map(([sep, block], i) => (i === 0 ? block : sep + block)).join('') + end
  if (eol === 'lf') return text
  if (eol === 'crlf') return text.replace(/\n/g, '\r\n')
  if (eol === 'cr') return text.replace(/\n/g, '\r')
  let n = 0
  return text.replace(/\n/g, () => (n++ % 2 === 0 ? '\r\n' : '\n'))
})
