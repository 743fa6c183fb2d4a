/**
 * A fast-check grammar of GFM documents shaped like the reports statebridge
 * reads, for differential tests of the markdown fast path against remark.
 *
 *   document  := bom? block (separator block)* final-newline?   (LF; wild: CRLF, mixed, CR)
 *   separator := "\n\n" | "\n" (no blank line) | "\n\n\n" | "\n  \n" (wild: "\n\t\n")
 *   block     := table | atx | setext | paragraph | paragraph "\n" table | fields
 *              | footnote-def | thematic-break | pipe-run
 *              | wild only: contained (list item / blockquote around a table, fields, text)
 *                | fenced | indented | html | link-def
 *   table     := header-row delimiter-row body-row*   (cell counts mostly equal,
 *                sometimes ragged; outer pipes optional per row; alignment colons)
 *   cell      := inline without raw pipes | empty | an escaped or code-span pipe
 *   inline    := atom (gap atom)* trailing?
 *   atom      := word | number | emoji | emphasis soup | strong | em | code | footnote-ref
 *              | <br> | stray punctuation
 *              | wild only: link | image | autolink | html | entity | escape | tab
 *
 * The grammar comes in two profiles built by one function. `plain` keeps to
 * the shapes a line scanner can be certain of (column-1 blocks, no tabs, CRs,
 * escapes, entities, links or HTML) so most of its blocks reach the scanner
 * rather than its remark fallback; its emphasis soup puts `*` and `_` runs
 * next to letters, digits, Unicode punctuation and astral emoji, where
 * flanking rules go wrong. `wild` adds everything else, so the scanner's
 * decision to hand a block to remark is tested too. Weights favour tables and
 * headings: those are what the scanner reads itself.
 */
import fc from 'fast-check'

const { constantFrom, oneof, tuple, array, integer } = fc

/** What a profile may put into a document. */
interface Profile {
  /** Inline atoms without emphasis. */
  atoms: fc.Arbitrary<string>
  /** Between two atoms. */
  gaps: string[]
  /** At the end of a line of inline text. */
  trailing: string[]
  /** Unusual cell contents besides inline text. */
  cells: string[]
  /** Around the pipes of a row. */
  pads: string[]
  /** Before the lines of a table. */
  indents: string[]
  /** Separators between blocks (weighted). */
  separators: Array<{ weight: number; arbitrary: fc.Arbitrary<string> }>
  /** Line endings (weighted): `lf`, `crlf`, `mixed` or `cr`. */
  eols: Array<{ weight: number; arbitrary: fc.Arbitrary<string> }>
  /** Whether containers, code, HTML blocks and link definitions appear. */
  wild: boolean
}

const WORDS = ['Status', 'Value', 'market', 'risk', 'Target', 'revenue', 'the', 'and', 'EBITDA', 'pending', 'snake_case_name', 'a', 'Q3', 'café', 'Straße', '日本語', 'naïve', 'x']
const NUMBERS = ['$40-60M', '2026-Q3', '12.5%', '1,234', '-3', '0', '(12.4)', '2*3*4', '3x', '~5', '2026-02-16', '#5', '#001', '€1.2B', '10^3']
const EMOJI = ['✅', '⚠️', '❌', '⏳', '🚀', '🔴', '👍🏽']
const CODE = ['`code`', '`a|b`', '`` a ` b ``', '`unclosed', '`**not strong**`', '` `', '`  x  `', '``']
const SAFE_STRAYS = ['*', '_', '**', '__', '~', '&', '<', '>', ']', ':', '!', '#', '=', '-', '+', '—', '“', '”', '¿', '…']
const WILD_STRAYS = ['|', '[', '\\', '`', '~~']

// Emphasis soup: delimiter runs glued to letters, digits, punctuation and emoji
// with no spaces, so every left/right-flanking case and the rule of three come up.
const SOUP_PIECES = ['*', '**', '***', '_', '__', '___', 'a', 'B2', '日本', '9', '.', ',', '(', ')', '"', '—', '“', '$', '€', '🚀', '✅', ' ', '~', '`']
const emphasisSoup: fc.Arbitrary<string> = array(constantFrom(...SOUP_PIECES), { minLength: 2, maxLength: 8 }).map((parts) => parts.join(''))

const PLAIN_ATOMS: fc.Arbitrary<string> = oneof(
  { weight: 10, arbitrary: constantFrom(...WORDS) },
  { weight: 3, arbitrary: constantFrom(...NUMBERS) },
  { weight: 2, arbitrary: constantFrom(...EMOJI) },
  { weight: 2, arbitrary: constantFrom(...CODE) },
  { weight: 1, arbitrary: constantFrom('[^1]', '[^note]', '[^a-b]', '[^1][^2]', '<br>', '<br/>', '<BR />', 'a<br>b') },
  { weight: 2, arbitrary: constantFrom(...SAFE_STRAYS) },
  { weight: 3, arbitrary: emphasisSoup },
)

const WILD_ATOMS: fc.Arbitrary<string> = oneof(
  { weight: 6, arbitrary: PLAIN_ATOMS },
  { weight: 1, arbitrary: constantFrom('&amp;', '&#124;', '&#x7C;', '&nbsp;', '&copy;', '&lt;', '&notanentity;', '&#0;') },
  { weight: 1, arbitrary: constantFrom('\\*', '\\_', '\\|', '\\\\', '\\[', '\\]', '\\#', '\\`', '\\<', '\\&', '\\-', 'a\\') },
  { weight: 1, arbitrary: constantFrom('<span>', '</span>', '<span class="x">hi</span>', '<b>bold</b>', '<!-- c -->', '<a href="u">a</a>') },
  {
    weight: 2,
    arbitrary: constantFrom(
      '[text](https://example.com)', '[t](u "title")', '[with | pipe](u)', '[ref link][ref]', '[ref]', '[missing][nope]', '![alt](p.png)',
      '![alt *em*][ref]', '<https://x.example/a?b=1>', '<mail@example.com>', 'https://example.com/a_b_c', 'www.example.com', '[^missing]', '![^1]', '[^1]:',
    ),
  },
  { weight: 1, arbitrary: constantFrom('`a\\|b`', '~~del~~', '~one~', '~~~three~~~') },
  { weight: 1, arbitrary: constantFrom(...WILD_STRAYS) },
)

/** Every rule of the grammar, for one profile. */
export interface GfmGrammar {
  /** One line of inline text. */
  inline: fc.Arbitrary<string>
  /** A table cell's source (no outer pipes). */
  cell: fc.Arbitrary<string>
  /** A pipe table with header, delimiter row and body rows. */
  table: fc.Arbitrary<string>
  /** An ATX heading or a near miss. */
  atxHeading: fc.Arbitrary<string>
  /** A setext heading. */
  setextHeading: fc.Arbitrary<string>
  /** A paragraph of one to three lines. */
  paragraph: fc.Arbitrary<string>
  /** Key-value lines (`**Key:** value`). */
  fields: fc.Arbitrary<string>
  /** A footnote definition. */
  footnote: fc.Arbitrary<string>
  /** Any one block. */
  block: fc.Arbitrary<string>
  /** A whole document. */
  document: fc.Arbitrary<string>
}

function grammar(profile: Profile): GfmGrammar {
  // Emphasis nested a few levels around inline text.
  const { inner: nested } = fc.letrec<{ inner: string; atom: string }>((tie) => ({
    atom: oneof(
      { maxDepth: 3, depthSize: 'small', depthIdentifier: 'inline', withCrossShrink: true },
      { weight: 10, arbitrary: profile.atoms },
      {
        weight: 3,
        arbitrary: tuple(constantFrom('**', '*', '_', '__', '***', '~~'), tie('inner')).map(([mark, inner]) => `${mark}${inner}${mark}`),
      },
      // A space inside the marks, or a mark glued to a word: neither flanks.
      {
        weight: 1,
        arbitrary: tuple(constantFrom('** ', '* ', 'x*', 'a_', '_ ', '**x'), tie('inner')).map(([mark, inner]) => `${mark}${inner}${[...mark].reverse().join('')}`),
      },
    ),
    inner: array(tie('atom'), { minLength: 1, maxLength: 3, depthIdentifier: 'inline' }).map((atoms) => atoms.join(' ')),
  }))

  const inline: fc.Arbitrary<string> = tuple(
    array(tuple(nested, constantFrom(...profile.gaps)), { minLength: 1, maxLength: 3 }),
    constantFrom(...profile.trailing),
  ).map(([parts, trailing]) => parts.map(([text, gap], i) => (i === 0 ? text : gap + text)).join('') + trailing)

  const cell: fc.Arbitrary<string> = oneof(
    // Raw pipes would split the cell; a `/` keeps the cell count the row chose.
    { weight: 10, arbitrary: nested.map((text) => text.replace(/(?<!\\)\|/g, '/').trim()) },
    { weight: 2, arbitrary: constantFrom('', ' ', '  ') },
    { weight: 2, arbitrary: constantFrom(...profile.cells) },
  )

  const rowStyle = tuple(
    oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    constantFrom(...profile.pads),
  ).map(([lead, trail, pad]) => ({ lead, trail, pad }))

  const asRow = (cells: string[], style: { lead: boolean; trail: boolean; pad: string }): string => {
    // A single cell without outer pipes is no row; keep the leading pipe then.
    const lead = style.lead || cells.length === 1
    return `${lead ? `|${style.pad}` : ''}${cells.join(`${style.pad}|${style.pad}`)}${style.trail ? `${style.pad}|` : ''}`
  }

  const ragged = (columns: number): fc.Arbitrary<number> =>
    oneof({ weight: 8, arbitrary: fc.constant(columns) }, { weight: 2, arbitrary: integer({ min: Math.max(1, columns - 2), max: columns + 2 }) })

  const table: fc.Arbitrary<string> = integer({ min: 1, max: 5 }).chain((columns) =>
    tuple(
      array(cell, { minLength: columns, maxLength: columns }),
      rowStyle,
      // The delimiter row's cell count: a mismatch makes the lines no table.
      oneof({ weight: 12, arbitrary: fc.constant(columns) }, { weight: 1, arbitrary: integer({ min: 1, max: columns + 1 }) }),
      rowStyle,
      array(ragged(columns).chain((count) => tuple(array(cell, { minLength: count, maxLength: count }), rowStyle)), { maxLength: 6 }),
      constantFrom(...profile.indents),
    ).chain(([header, headerStyle, delimiterCount, delimiterStyle, rows, indent]) =>
      array(constantFrom('---', '---', '---', ':---', '---:', ':---:', '-', ':-', '-:', '--------', ':-:'), { minLength: delimiterCount, maxLength: delimiterCount }).map(
        (delimiter) =>
          [asRow(header, headerStyle), asRow(delimiter, { ...delimiterStyle, pad: delimiterStyle.pad.replace(/\t/g, ' ') }), ...rows.map(([cells, style]) => asRow(cells, style))]
            .map((line) => indent + line)
            .join('\n'),
      ),
    ),
  )

  // Pipe lines without a delimiter row, or with a broken one: prose to GFM, recovered or reported by statebridge.
  const pipeRun: fc.Arbitrary<string> = tuple(
    array(tuple(array(cell, { minLength: 1, maxLength: 4 }), rowStyle), { minLength: 1, maxLength: 4 }),
    constantFrom('', '|--|', '|---|---', '| --- | -- - |', '|:--|--:|:|', '| - | - |'),
  ).map(([rows, broken]) => {
    const lines = rows.map(([cells, style]) => asRow(cells, style))
    if (broken !== '') lines.splice(1, 0, broken)
    return lines.join('\n')
  })

  const atxHeading: fc.Arbitrary<string> = oneof(
    {
      weight: 10,
      arbitrary: tuple(
        integer({ min: 1, max: 6 }),
        constantFrom('', '', '', ...profile.indents.filter((indent) => indent !== '')),
        constantFrom(' ', ' ', ' ', '  ', ...profile.gaps.filter((gap) => gap === '\t')),
        inline,
        constantFrom('', '', '', ' #', ' ##', ' ###  ', '#', ' # x', ' #x'),
      ).map(([depth, indent, gap, text, closing]) => `${indent}${'#'.repeat(depth)}${gap}${text}${closing}`),
    },
    { weight: 2, arbitrary: constantFrom('#', '##', '# ', '#5 not a heading', '####### seven', '## #', '#hashtag', '# #', '###   ###', '# **', '# `x`') },
  )

  const setextHeading: fc.Arbitrary<string> = tuple(
    array(inline, { minLength: 1, maxLength: 2 }),
    constantFrom('===', '=', '---', '-', '========', '---   ', '-- -', '= =', '--', '=-'),
  ).map(([lines, underline]) => `${lines.join('\n')}\n${underline}`)

  const paragraph: fc.Arbitrary<string> = array(tuple(inline, constantFrom('', '', '', '  ', ...(profile.wild ? ['\\'] : []))), { minLength: 1, maxLength: 3 }).map((lines) =>
    lines.map(([text, end], i) => (i === lines.length - 1 ? text : text.trimEnd() + end)).join('\n'),
  )

  const fields: fc.Arbitrary<string> = array(
    tuple(
      constantFrom('', '', '- ', '* ', '1. '),
      constantFrom('Status', 'Owner', 'Target', 'Revenue ($M)', 'EXPECTED_SECTION_IDS', 'Next step', 'Phase'),
      constantFrom('colon-inside', 'colon-after', 'plain', 'title'),
      cell,
    ).map(([bullet, key, style, value]) => {
      if (style === 'colon-inside') return `${bullet}**${key}:** ${value}`
      if (style === 'colon-after') return `${bullet}**${key}**: ${value}`
      if (style === 'title') return `${bullet}**${key}**`
      return `${bullet === '' ? '- ' : bullet}${key.toLowerCase()}: ${value}`
    }),
    { minLength: 1, maxLength: 4 },
  ).map((lines) => lines.join('\n'))

  const footnote: fc.Arbitrary<string> = tuple(
    constantFrom('1', '2', 'note', 'a-b', ...(profile.wild ? ['a b', '^', 'x|y', ''] : [])),
    inline,
    constantFrom('', '', '\nlazy continuation', ...(profile.wild ? ['\n    continued', '\n\n    | a | b |\n    |---|---|\n    | 1 | 2 |'] : [])),
  ).map(([id, text, more]) => `[^${id}]: ${text}${more}`)

  const thematicBreak = constantFrom('---', '***', '___', '-----', '- - -', '* * *', '___   ')

  const common: Array<{ weight: number; arbitrary: fc.Arbitrary<string> }> = [
    { weight: 12, arbitrary: table },
    { weight: 8, arbitrary: atxHeading },
    { weight: 3, arbitrary: setextHeading },
    { weight: 5, arbitrary: paragraph },
    // A table right under a paragraph line, no blank line between.
    { weight: 3, arbitrary: tuple(inline, table).map(([text, rows]) => `${text}\n${rows}`) },
    { weight: 2, arbitrary: pipeRun },
    { weight: 3, arbitrary: fields },
    { weight: 2, arbitrary: footnote },
    { weight: 2, arbitrary: thematicBreak },
  ]
  const block = profile.wild ? oneof(...common, ...wildBlocks({ table, atxHeading, paragraph, fields, inline })) : oneof(...common)

  const document: fc.Arbitrary<string> = tuple(
    array(tuple(oneof(...profile.separators), block), { minLength: 1, maxLength: 10 }),
    oneof(...profile.eols),
    constantFrom('\n', '\n', '', '\n\n'),
    oneof({ weight: 30, arbitrary: fc.constant('') }, { weight: profile.wild ? 1 : 0, arbitrary: fc.constant('\uFEFF') }),
  ).map(([blocks, eol, end, bom]) => {
    const text = bom + blocks.map(([separator, source], i) => (i === 0 ? source : separator + source)).join('') + end
    if (eol === 'crlf') return text.replace(/\n/g, '\r\n')
    if (eol === 'cr') return text.replace(/\n/g, '\r')
    if (eol === 'mixed') {
      let n = 0
      return text.replace(/\n/g, () => (n++ % 2 === 0 ? '\r\n' : '\n'))
    }
    return text
  })

  return { inline, cell, table, atxHeading, setextHeading, paragraph, fields, footnote, block, document }
}

/** Blocks only the wild profile writes: containers, code, HTML, link definitions. */
function wildBlocks(rules: {
  table: fc.Arbitrary<string>
  atxHeading: fc.Arbitrary<string>
  paragraph: fc.Arbitrary<string>
  fields: fc.Arbitrary<string>
  inline: fc.Arbitrary<string>
}): Array<{ weight: number; arbitrary: fc.Arbitrary<string> }> {
  const { table, atxHeading, paragraph, fields, inline } = rules
  // A list item with indented continuation, or a blockquote whose last line may be lazy.
  const contained = tuple(constantFrom('- ', '* ', '1. ', '10) ', '> ', '> ', '>', '> > ', '- > '), oneof(table, fields, paragraph, atxHeading), fc.boolean()).map(
    ([marker, body, lazy]) => {
      const lines = body.split('\n')
      return lines
        .map((line, i) => {
          if (i === 0) return marker + line
          if (marker.includes('>')) return lazy && i === lines.length - 1 ? line : marker.replace(/^[-*] /, '  ') + line
          return ' '.repeat(marker.length) + line
        })
        .join('\n')
    },
  )
  // Often holding table and heading lines; rarely unclosed, or "closed" by a fence with text after it.
  const fenced = tuple(
    constantFrom('```', '```', '~~~', '````'),
    constantFrom('', 'markdown', 'json', 'md title'),
    array(oneof(table, atxHeading, inline, constantFrom('```', '[^1]: in code')), { maxLength: 3 }),
    constantFrom('same', 'same', 'same', 'same', 'none', 'with-text'),
  ).map(([fence, info, body, close]) => `${fence}${info}\n${body.join('\n')}${close === 'same' ? `\n${fence}` : close === 'with-text' ? `\n${fence}⁶⁹` : ''}`)
  const indented = tuple(constantFrom('    ', '\t', '     '), array(oneof(atxHeading, table), { minLength: 1, maxLength: 2 })).map(([indent, blocks]) =>
    blocks
      .join('\n')
      .split('\n')
      .map((line) => indent + line)
      .join('\n'),
  )
  const html = oneof(
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
    tuple(table, constantFrom('div', 'section', 'p')).map(([rows, tag]) => `<${tag}>\n${rows}\n</${tag}>`),
  )
  const linkDefinition = constantFrom('[ref]: https://example.com', '[ref]: <https://x.example/a b> "Title"', '[nope]:', "[Ref]: /path 't'", '   [ref]: u')
  return [
    { weight: 4, arbitrary: contained },
    { weight: 2, arbitrary: fenced },
    { weight: 1, arbitrary: indented },
    { weight: 2, arbitrary: html },
    { weight: 1, arbitrary: linkDefinition },
  ]
}

/** The plain profile: column-1 blocks of scanner-certain inline markup, LF only. */
export const plainGfm: GfmGrammar = grammar({
  atoms: PLAIN_ATOMS,
  gaps: [' ', ' ', ' ', '', '  '],
  trailing: ['', '', '', ' ', '  '],
  cells: ['`x | y`', '**A**', '*', '_', '<br>', '[^1]', '---', ':--', '-', '#', '# not heading', '> q', '- item', '1.', '+', '=', '~'],
  pads: [' ', ' ', '', '  '],
  indents: [''],
  separators: [
    { weight: 8, arbitrary: fc.constant('\n\n') },
    { weight: 4, arbitrary: fc.constant('\n') },
    { weight: 1, arbitrary: constantFrom('\n\n\n', '\n  \n') },
  ],
  eols: [{ weight: 1, arbitrary: fc.constant('lf') }],
  wild: false,
})

/** The wild profile: everything, including containers, code, HTML, escapes, entities, links, tabs and CRs. */
export const wildGfm: GfmGrammar = grammar({
  atoms: WILD_ATOMS,
  gaps: [' ', ' ', ' ', '', '  ', '\t'],
  trailing: ['', '', '', ' ', '  ', '\t'],
  cells: ['a \\| b', '`x \\| y`', '`x | y`', '\\|', '**A \\| B**', '[l \\| m](u)', '&#124;', 'a\\\\|b', '---', ':--', '#', '> q', '- item', '<br>', '<div>'],
  pads: [' ', ' ', '', '  ', '\t'],
  indents: ['', '', '', ' ', '  ', '   '],
  separators: [
    { weight: 8, arbitrary: fc.constant('\n\n') },
    { weight: 4, arbitrary: fc.constant('\n') },
    { weight: 1, arbitrary: constantFrom('\n\n\n', '\n  \n', '\n\t\n', '\n \n\n') },
  ],
  eols: [
    { weight: 12, arbitrary: fc.constant('lf') },
    { weight: 4, arbitrary: fc.constant('crlf') },
    { weight: 2, arbitrary: fc.constant('mixed') },
    { weight: 1, arbitrary: fc.constant('cr') },
  ],
  wild: true,
})

/**
 * A GFM document: mostly plain (what the scanner reads itself), sometimes
 * plain with a wild block among its blocks, sometimes wild throughout.
 */
export const gfmDocument: fc.Arbitrary<string> = oneof(
  { weight: 5, arbitrary: plainGfm.document },
  {
    weight: 3,
    arbitrary: tuple(plainGfm.document, wildGfm.block, fc.nat()).map(([text, block, at]) => {
      // The wild block goes in at a blank line, so the plain blocks around it stay whole.
      const cuts = [...text.matchAll(/\n\n/g)].map((m) => m.index + 2)
      const cut = cuts.length === 0 ? text.length : cuts[at % cuts.length]!
      return `${text.slice(0, cut)}${cut === text.length && !text.endsWith('\n\n') ? '\n\n' : ''}${block}\n\n${text.slice(cut)}`
    }),
  },
  { weight: 2, arbitrary: wildGfm.document },
)
