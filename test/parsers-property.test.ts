/**
 * Property tests of the document parser: it never throws, always answers with
 * records or a located error, and its tables keep their invariants.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeText, parseDocument, parseJson } from '../src/parsers/document.js'
import { locateJsonError } from '../src/parsers/json-error.js'
import { countWords, uniqueHeaders } from '../src/parsers/markdown.js'
import type { ParsedDocument } from '../src/parsers/types.js'

const RUNS = { numRuns: 200 }
const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const MARKDOWN_FRAGMENTS = [
  '|', ' | ', '||', '---', '|---|---|', '| :-- | --: |', ':-:', '\n', '\n', '\n\n', '\r\n', '#', '## ', '### ',
  '**', '*', '_', '`', '```', '~~', '[^1]', '[^1]: note', '[^x]:', '> ', '- ', '1. ', '  ', '    ', '\t', '\\|', '\\',
  '<br>', '<br/>', '<b>', '&amp;', '[link](u)', '![i](p)', 'text', 'Field', 'Value', '**Status**', '✅', '⏳ PENDING',
  '$40-60M', 'constructor', '__proto__', 'column_2', 'é', '🚀', '\u0000', '\uFEFF', ' ',
]

/** Fragment soup: the near misses of tables, headings and footnotes. */
const fragmentSoup = fc.array(fc.constantFrom(...MARKDOWN_FRAGMENTS), { maxLength: 300 }).map((parts) => parts.join(''))

const CELL_FRAGMENTS = ['', ' ', 'text', '**Field**', 'Value', '`c`', '\\|', '<br>', '✅', '$40-60M', '[^1]', 'constructor', '__proto__', 'column_2', 'Item', 'é', '---', ':--', '*', '[l](u)', '🚀']

const pipeCells = (minLength: number, maxLength: number): fc.Arbitrary<string[]> =>
  fc.array(fc.array(fc.constantFrom(...CELL_FRAGMENTS), { maxLength: 3 }).map((parts) => parts.join('')), { minLength, maxLength })

/** Cells as a pipe row, with or without its outer pipes. */
const asRow = (cells: string[], lead: boolean, trail: boolean): string => `${lead ? '| ' : ''}${cells.join(' | ')}${trail ? ' |' : ''}`

const pipeRow = fc.tuple(pipeCells(1, 6), fc.boolean(), fc.boolean()).map(([cells, lead, trail]) => asRow(cells, lead, trail))

const delimiterRow = (count: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom('---', ':--', '--:', ':-:', '-'), { minLength: count, maxLength: count }).map((cells) => `|${cells.join('|')}|`)

/** A header row and a delimiter row that fits it: the start of a real table. */
const tableStart = pipeCells(1, 6).chain((cells) =>
  fc.tuple(fc.boolean(), delimiterRow(cells.length)).map(([lead, delimiter]) => [asRow(cells, lead, true), delimiter]),
)

const markdownLine = fc.oneof(
  { weight: 3, arbitrary: tableStart },
  { weight: 5, arbitrary: pipeRow.map((row) => [row]) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).chain(delimiterRow).map((row) => [row]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', '', '# H', '## Sub', '#### Deep', 'text line', '[^1]: note', '```', '- item', '> quote').map((line) => [line]),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('> ', '- ', '  ', '    ', '1. ', '> > '), fc.oneof(tableStart, pipeRow.map((row) => [row])))
      .map(([prefix, rows]) => rows.map((row) => prefix + row)),
  },
)

/** Line-structured markdown: tables, stray pipe rows, headings and containers in random order. */
const markdownLines = fc
  .tuple(fc.array(markdownLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, finalEol]) => lines.flat().join(eol) + (finalEol ? eol : ''))

const markdownish = fc.oneof(markdownLines, fragmentSoup)

const JSON_FRAGMENTS = ['{', '}', '[', ']', '"', '"a"', ':', ',', ' ', '\n', '0', '-1.5e3', 'true', 'fals', 'null', '\\', '\\u00e9', '\\u12', 'é', '\t', '01', '.']

/** Valid JSON with a few characters inserted or removed, and JSON-ish fragment soup. */
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc
    .tuple(fc.json({ maxDepth: 4 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ...JSON_FRAGMENTS)), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) =>
      edits.reduce((acc, [at, insert]) => {
        const i = at % (acc.length + 1)
        // An empty insert removes the character instead.
        return insert === '' ? acc.slice(0, i) + acc.slice(i + 1) : acc.slice(0, i) + insert + acc.slice(i)
      }, text),
    ),
  fc.array(fc.constantFrom(...JSON_FRAGMENTS), { maxLength: 60 }).map((parts) => parts.join('')),
)

const anyText = fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 2000 }), markdownish, jsonish)

// Valid and invalid UTF-8 sequences, including the ones a naive scanner accepts:
// overlong forms, surrogates (CESU-8), code points above U+10FFFF, cut-off sequences.
const BYTE_FRAGMENTS = [
  [0x61], [0x0a], [0x7c], [0xc3, 0xa9], [0xe2, 0x9c, 0x85], [0xf0, 0x9f, 0x9a, 0x80], [0xef, 0xbb, 0xbf],
  [0xed, 0x9f, 0xbf], [0xe0, 0xa0, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80],
  [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x9c], [0xf0, 0x9f, 0x9a], [0x80], [0xff], [0x00],
]

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.array(fc.constantFrom(...BYTE_FRAGMENTS), { maxLength: 40 }).map((parts) => new Uint8Array(parts.flat())),
  // Mostly text with a few stray bytes: where decoders go wrong.
  fc
    .tuple(markdownish, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 3 }))
    .map(([text, strays]) => {
      const out = Array.from(encoder.encode(text))
      for (const [at, byte] of strays) out.splice(at % (out.length + 1), 0, byte)
      return new Uint8Array(out)
    }),
)

const NAMES = ['notes.md', 'orchestrator-state.md', 'state.json', 'review-outputs/risk-summary.json']

/** The invariants every parse result keeps; returns nothing, fails the test on a breach. */
function checkResult(name: string, content: Uint8Array, result: ParsedDocument): void {
  const format = name.endsWith('.json') ? 'json' : 'markdown'
  expect(result.format).toBe(format)
  // CommonMark ends lines at CR, LF or CRLF; the JSON and UTF-8 locators count LF only, which is never more.
  const lineCount = (new TextDecoder().decode(content).match(/\r\n|\r|\n/g) ?? []).length + 1

  for (const d of result.diagnostics) {
    expect(['error', 'warning']).toContain(d.severity)
    expect(d.reason.length).toBeGreaterThan(0)
    // Every diagnostic the parsers produce is located, including the empty-file one.
    expect(Number.isInteger(d.line)).toBe(true)
    expect(d.line).toBeGreaterThanOrEqual(1)
    expect(d.line).toBeLessThanOrEqual(lineCount)
    expect(Number.isInteger(d.column)).toBe(true)
    expect(d.column).toBeGreaterThanOrEqual(1)
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error')

  const decoded = decodeText(content)
  if (typeof decoded !== 'string') {
    // Undecodable: exactly the decoder's error, nothing else.
    expect(result).toEqual({ format, markdown: null, json: null, diagnostics: [decoded] })
    return
  }
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded

  if (format === 'json') {
    expect(result.markdown).toBeNull()
    let parsed: { value: unknown } | null = null
    try {
      parsed = { value: JSON.parse(text) }
    } catch {
      parsed = null
    }
    if (parsed) expect(result).toEqual({ format, markdown: null, json: parsed.value, diagnostics: [] })
    else {
      expect(result.json).toBeNull()
      expect(errors).toHaveLength(1)
      expect(result.diagnostics).toHaveLength(1)
    }
    return
  }

  // Markdown that decodes always yields records; warnings and truncation errors sit beside them.
  expect(result.json).toBeNull()
  const md = result.markdown
  expect(md).not.toBeNull()
  if (!md) return
  expect(md.wordCount).toBe(countWords(text))
  expect(md.footnoteCount).toBeGreaterThanOrEqual(0)
  for (const e of errors) expect(e.reason).toMatch(/^table truncated:/)
  expect(errors.length).toBeLessThanOrEqual(1)

  md.tables.forEach((table, ordinal) => {
    expect(table.ordinal).toBe(ordinal)
    expect(table.line).toBeGreaterThanOrEqual(1)
    expect(table.line).toBeLessThanOrEqual(table.endLine)
    expect(table.endLine).toBeLessThanOrEqual(lineCount)
    expect(table.rawHeaders).toHaveLength(table.headers.length)
    expect(new Set(table.headers).size).toBe(table.headers.length)
    table.rows.forEach((row, index) => {
      expect(row.index).toBe(index)
      // After the header row and the delimiter row, inside the table.
      expect(row.line).toBeGreaterThanOrEqual(table.line + 1)
      expect(row.line).toBeLessThanOrEqual(table.endLine)
      if (index > 0) expect(row.line).toBeGreaterThan(table.rows[index - 1]!.line)
      for (const header of table.headers) expect(Object.hasOwn(row.cells, header)).toBe(true)
      // One key per header or per cell, whichever is more: nothing overwritten.
      expect(Object.keys(row.cells)).toHaveLength(Math.max(table.headers.length, row.raw.length))
    })
  })
}

describe('parseDocument properties', () => {
  it('never throws on arbitrary text and keeps its invariants', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), anyText, (name, text) => {
        const content = encoder.encode(text)
        checkResult(name, content, parseDocument(name, content))
      }),
      RUNS,
    )
  })

  it('never throws on arbitrary bytes and keeps its invariants', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), anyBytes, (name, content) => {
        checkResult(name, content, parseDocument(name, content))
      }),
      RUNS,
    )
  })

  it('never parses other formats', () => {
    fc.assert(
      fc.property(fc.constantFrom('run.sh', 'a.md.bak', 'server.log', 'x'), fc.uint8Array({ maxLength: 200 }), (name, content) => {
        expect(parseDocument(name, content)).toEqual({ format: 'other', markdown: null, json: null, diagnostics: [] })
      }),
      RUNS,
    )
  })
})

/** A cell's text: letters, digits and a few symbols, maybe two words, maybe empty. */
const cellText = fc.stringMatching(/^([A-Za-z0-9$%]{1,6}( [A-Za-z0-9$%]{1,6})?)?$/)

/** A well-formed pipe table with ragged body rows, and whether the file ends with a newline. */
const pipeTable = fc.record({
  headers: fc.array(fc.oneof(cellText, fc.constantFrom('Item', 'Item', 'column_2', '')), { minLength: 1, maxLength: 5 }),
  rows: fc.array(fc.array(cellText, { minLength: 1, maxLength: 7 }), { maxLength: 6 }),
  finalNewline: fc.boolean(),
})

describe('pipe table round trip', () => {
  it('finds every row and cell with the right keys and diagnostics', () => {
    fc.assert(
      fc.property(pipeTable, ({ headers, rows, finalNewline }) => {
        const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
        const lines = ['# T', '', line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)]
        const source = lines.join('\n') + (finalNewline ? '\n' : '')
        const result = parseDocument('t.md', encoder.encode(source))

        const tables = result.markdown?.tables ?? []
        expect(tables).toHaveLength(1)
        const table = tables[0]!
        const keys = uniqueHeaders(headers)
        expect(table).toMatchObject({ ordinal: 0, headingPath: ['T'], headers: keys, rawHeaders: headers, line: 3 })
        expect(table.endLine).toBe(rows.length === 0 ? 4 : 4 + rows.length)
        expect(table.rows).toHaveLength(rows.length)

        const expectedDiagnostics: unknown[] = []
        rows.forEach((cells, index) => {
          const row = table.rows[index]!
          expect(row.line).toBe(5 + index)
          expect(row.raw).toEqual(cells)
          const expectedCells: Record<string, string> = {}
          for (const key of keys) expectedCells[key] = ''
          const rowKeys = uniqueHeaders([...headers, ...cells.slice(headers.length).map(() => '')])
          cells.forEach((cell, column) => {
            expectedCells[rowKeys[column]!] = cell
          })
          expect(row.cells).toEqual(expectedCells)
          if (cells.length < headers.length) {
            const truncated = index === rows.length - 1 && !finalNewline
            expectedDiagnostics.push({
              line: 5 + index,
              column: 1,
              reason: truncated
                ? `table truncated: the last row has ${cells.length} of ${headers.length} cells and the file ends without a newline`
                : `table row has ${cells.length} of ${headers.length} cells`,
              severity: truncated ? 'error' : 'warning',
            })
          }
        })
        expect(result.diagnostics).toEqual(expectedDiagnostics)
      }),
      RUNS,
    )
  })
})

describe('decodeText properties', () => {
  /** Whether a complete, valid UTF-8 sequence of some length starts at `offset`. */
  const validSequenceAt = (bytes: Uint8Array, offset: number): boolean => {
    for (let length = 1; length <= 4 && offset + length <= bytes.length; length++) {
      try {
        strictUtf8.decode(bytes.subarray(offset, offset + length))
        return true
      } catch {
        // Not this length; try a longer one.
      }
    }
    return false
  }

  it('reports the first byte where valid UTF-8 stops', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const result = decodeText(bytes)
        if (typeof result === 'string') {
          expect(bytes.includes(0)).toBe(false)
          return
        }
        const match = /at (?:byte )?offset (\d+)/.exec(result.reason)
        expect(match).not.toBeNull()
        const offset = Number(match![1])
        expect(offset).toBeLessThan(bytes.length)
        const before = bytes.subarray(0, offset)
        expect(result.line).toBe(before.filter((b) => b === 0x0a).length + 1)
        expect(result.column).toBe(offset - (before.lastIndexOf(0x0a) + 1) + 1)
        if (bytes.includes(0)) {
          expect(offset).toBe(bytes.indexOf(0))
          return
        }
        // Everything before the offset decodes; no character starts at it.
        expect(() => strictUtf8.decode(before)).not.toThrow()
        expect(validSequenceAt(bytes, offset)).toBe(false)
      }),
      RUNS,
    )
  })
})

describe('JSON error location properties', () => {
  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.string({ maxLength: 200 })), (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const located = locateJsonError(text)
        if (valid) {
          expect(located).toBeNull()
          return
        }
        expect(located).not.toBeNull()
        expect(located!.offset).toBeGreaterThanOrEqual(0)
        expect(located!.offset).toBeLessThanOrEqual(text.length)
        expect(() => parseJson(text)).not.toThrow()
      }),
      RUNS,
    )
  })

  it('points at an inserted control character, or at the token it breaks', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), (valid, at) => {
        const p = at % (valid.length + 1)
        // U+0001 is invalid everywhere in JSON: inside strings and between tokens.
        const text = `${valid.slice(0, p)}\u0001${valid.slice(p)}`
        const located = locateJsonError(text)
        expect(located).not.toBeNull()
        // A literal (`fals|e`), a \u escape or a number (`1.|5`) is reported where it starts, at most 4 back.
        expect(located!.offset).toBeLessThanOrEqual(p)
        expect(located!.offset).toBeGreaterThanOrEqual(p - 4)
      }),
      RUNS,
    )
  })
})
