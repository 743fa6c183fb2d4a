/**
 * Unit tests of the pure parser helpers: JSON error location, strict UTF-8
 * decoding, header keys, cell plain text, word counts, document types and formats.
 */
import { describe, expect, it } from 'vitest'
import { decodeText, parseDocument, parseJson } from '../src/parsers/document.js'
import { documentFormat, documentType } from '../src/parsers/document-type.js'
import { locateJsonError } from '../src/parsers/json-error.js'
import { countWords, parseMarkdown, uniqueHeaders } from '../src/parsers/markdown.js'
import type { Diagnostic } from '../src/parsers/types.js'

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('locateJsonError', () => {
  it.each(['{}', '[]', '"s"', '0', '-0.5e+10', '1E5', 'true', 'false', ' null ', '{"a":[1,{"b":null}],"c":"\\u00e9\\n\\/"}', '\t\r\n[\n]\n'])(
    'returns null for valid JSON %j',
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow()
      expect(locateJsonError(text)).toBeNull()
    },
  )

  it.each([
    ['', 0, 'expected a value, found end of input'],
    ['   ', 3, 'expected a value, found end of input'],
    ['{', 1, 'expected a property name in double quotes, found end of input'],
    ['{"a" 1}', 5, "expected ':', found \"1\""],
    ['{"a":1,}', 7, 'expected a property name in double quotes, found "}"'],
    ['{"a":1 "b":2}', 7, "expected ',' or '}', found \"\\\"\""],
    ['{a:1}', 1, 'expected a property name in double quotes, found "a"'],
    ['[1 2]', 3, "expected ',' or ']', found \"2\""],
    ['[1,]', 3, 'expected a value, found "]"'],
    ['[1,2', 4, "expected ',' or ']', found end of input"],
    ['01', 1, 'expected end of input, found "1"'],
    ['1.', 1, 'expected end of input, found "."'],
    ['-', 0, 'expected a value, found "-"'],
    ['+1', 0, 'expected a value, found "+"'],
    ['.5', 0, 'expected a value, found "."'],
    ['tru', 0, 'expected a value, found "t"'],
    ['nul', 0, 'expected a value, found "n"'],
    ['True', 0, 'expected a value, found "T"'],
    ["'single'", 0, 'expected a value, found "\'"'],
    ['"abc', 4, 'expected a closing quote, found end of input'],
    ['"a\nb"', 2, 'expected a closing quote (control character in string), found "\\n"'],
    ['"a\tb"', 2, 'expected a closing quote (control character in string), found "\\t"'],
    ['"\\x"', 2, 'expected a valid escape, found "x"'],
    ['"\\u12G4"', 2, 'expected four hex digits after \\u, found "u"'],
    ['"\\', 2, 'expected a valid escape, found end of input'],
    ['{"a":1}}', 7, 'expected end of input, found "}"'],
    ['{} {}', 3, 'expected end of input, found "{"'],
    ['\uFEFF{}', 0, 'expected a value, found "\uFEFF"'],
    ['NaN', 0, 'expected a value, found "N"'],
  ])('locates the error in %j at offset %i', (text, offset, reason) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
    expect(locateJsonError(text)).toEqual({ offset, reason })
  })

  it('matches a number of any length in place (no 400-character window)', () => {
    const digits = '1'.repeat(500)
    expect(locateJsonError(`[${digits}]`)).toBeNull()
    expect(locateJsonError(`[${digits}x]`)).toEqual({ offset: 501, reason: "expected ',' or ']', found \"x\"" })
  })

  it('does not throw on nesting deeper than its stack', () => {
    const located = locateJsonError('['.repeat(200_000))
    expect(located).not.toBeNull()
    expect(located!.offset).toBeGreaterThan(0)
    expect(located!.offset).toBeLessThanOrEqual(200_000)
  })
})

describe('parseJson', () => {
  const only = (diagnostics: Diagnostic[]): Diagnostic => {
    expect(diagnostics).toHaveLength(1)
    return diagnostics[0]!
  }

  it('returns the value of valid JSON with no diagnostics', () => {
    expect(parseJson('{"phase": "review", "n": [1, 2.5, null]}')).toEqual({
      value: { phase: 'review', n: [1, 2.5, null] },
      diagnostics: [],
    })
    // A valid `null` document is a value, not a failure.
    expect(parseJson('null')).toEqual({ value: null, diagnostics: [] })
  })

  it.each([
    ['{"a": 1,}', 1, 9, 'expected a property name in double quotes, found "}"'],
    ['{\n  "a": 1,\n  "b": tru\n}', 3, 8, 'expected a value, found "t"'],
    ['{\r\n  "a": ,\r\n}', 2, 8, 'expected a value, found ","'],
    ['[\n\n\n  1\n  2\n]', 5, 3, "expected ',' or ']', found \"2\""],
    ['{"note": "✅ done" x}', 1, 19, "expected ',' or '}', found \"x\""],
    ['{\n  "draft": "cut off mid-wri', 2, 28, 'expected a closing quote, found end of input'],
    ['[1]\n\n]', 3, 1, 'expected end of input, found "]"'],
  ])('locates the error in %j at line %i column %i', (text, line, column, reason) => {
    const result = parseJson(text)
    expect(result.value).toBeNull()
    expect(only(result.diagnostics)).toEqual({
      line,
      column,
      reason: `invalid JSON at line ${line} column ${column}: ${reason}`,
      severity: 'error',
    })
  })

  it.each(['', ' ', '\n\n', '\t \r\n'])('reports an empty file for %j at line 1 column 1', (text) => {
    expect(parseJson(text)).toEqual({
      value: null,
      diagnostics: [{ line: 1, column: 1, reason: 'invalid JSON: the file is empty', severity: 'error' }],
    })
  })

  it('parses deep nesting that JSON.parse accepts', () => {
    const depth = 100_000
    const result = parseJson('['.repeat(depth) + ']'.repeat(depth))
    expect(result.diagnostics).toEqual([])
    expect(Array.isArray(result.value)).toBe(true)
  })

  it.each([
    ['unclosed arrays', '['.repeat(100_000)],
    ['unclosed objects', '{"a":'.repeat(50_000)],
    ['deep nesting followed by junk', `${'['.repeat(100_000)}${']'.repeat(100_000)}x`],
  ])('does not throw on %s', (_name, text) => {
    const result = parseJson(text)
    expect(result.value).toBeNull()
    const diagnostic = only(result.diagnostics)
    expect(diagnostic.severity).toBe('error')
    expect(diagnostic.line).toBe(1)
    expect(diagnostic.column).toBeGreaterThanOrEqual(1)
    expect(diagnostic.column).toBeLessThanOrEqual(text.length + 1)
  })
})

describe('decodeText', () => {
  it.each(['', 'plain ascii', 'é ✅ ⏳ 🚀 日本語 €5.5M', 'line\r\nwindows\r\n'])('decodes valid UTF-8 %j', (text) => {
    expect(decodeText(utf8(text))).toBe(text)
  })

  it('drops a leading BOM but keeps one inside the text', () => {
    expect(decodeText(utf8('\uFEFF# Title'))).toBe('# Title')
    expect(decodeText(utf8('a\uFEFFb'))).toBe('a\uFEFFb')
  })

  it.each([
    ['a lone continuation byte', [0x80], 0],
    ['a byte that never occurs in UTF-8', [0x41, 0xff], 1],
    ['an overlong two-byte form', [0xc0, 0x80], 0],
    ['an overlong three-byte form', [0x61, 0xe0, 0x80, 0x80], 1],
    ['an overlong four-byte form', [0xf0, 0x8f, 0xbf, 0xbf], 0],
    ['a UTF-16 surrogate (CESU-8)', [0x41, 0xed, 0xa0, 0xbd, 0xed, 0xba, 0x80, 0x41], 1],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a lead byte above 0xF4', [0xf5, 0x80, 0x80, 0x80], 0],
    ['a lead byte followed by ASCII', [0x61, 0x62, 0xc3, 0x41], 2],
    ['a three-byte sequence cut short mid-file', [0xe2, 0x82, 0x20], 0],
    ['a sequence cut short at the end of the file', [0x61, 0x62, 0x63, 0xe2, 0x82], 3],
    ['a second sequence after valid multi-byte text', [0xc3, 0xa9, 0xe2, 0x9c, 0x85, 0xa9], 5],
  ])('locates %s', (_name, values, offset) => {
    const input = bytes(...values)
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(input)).toThrow()
    expect(decodeText(input)).toEqual({
      line: 1,
      column: offset + 1,
      reason: `invalid UTF-8 at byte offset ${offset}`,
      severity: 'error',
    })
  })

  it.each([
    ['U+0800, the first three-byte code point', [0xe0, 0xa0, 0x80]],
    ['U+D7FF, just below the surrogates', [0xed, 0x9f, 0xbf]],
    ['U+10000, the first four-byte code point', [0xf0, 0x90, 0x80, 0x80]],
    ['U+10FFFF, the last code point', [0xf4, 0x8f, 0xbf, 0xbf]],
  ])('accepts %s', (_name, values) => {
    expect(typeof decodeText(bytes(...values))).toBe('string')
  })

  it('counts lines and byte columns up to the bad byte', () => {
    // Columns are bytes: the text cannot be decoded, so there are no characters to count.
    expect(decodeText(bytes(...utf8('ab\ncd\n'), 0xff))).toEqual({
      line: 3,
      column: 1,
      reason: 'invalid UTF-8 at byte offset 6',
      severity: 'error',
    })
    expect(decodeText(bytes(...utf8('# T\r\nPrix: é '), 0xe2, 0x82, 0x0a))).toEqual({
      line: 2,
      column: 10,
      reason: 'invalid UTF-8 at byte offset 14',
      severity: 'error',
    })
  })

  it.each([
    ['at the start', [0x00, 0x41], 1, 1, 0],
    ['on a later line', [...utf8('# Title\nPK'), 0x03, 0x04, 0x00], 2, 5, 12],
    ['before an invalid UTF-8 byte too', [0xff, 0x00], 1, 2, 1],
    ['after an invalid UTF-8 byte', [0x00, 0xff], 1, 1, 0],
  ])('refuses a NUL byte %s as binary', (_name, values, line, column, offset) => {
    expect(decodeText(bytes(...values))).toEqual({
      line,
      column,
      reason: `binary content: NUL byte at offset ${offset}; only UTF-8 text is parsed`,
      severity: 'error',
    })
  })

  it('is what parseDocument reports for undecodable markdown and JSON', () => {
    const input = bytes(...utf8('{"a":\n"'), 0xc3, 0x28, 0x22, 0x7d)
    for (const name of ['state.json', 'notes.md']) {
      expect(parseDocument(name, input)).toEqual({
        format: name.endsWith('.json') ? 'json' : 'markdown',
        markdown: null,
        json: null,
        diagnostics: [{ line: 2, column: 2, reason: 'invalid UTF-8 at byte offset 7', severity: 'error' }],
      })
    }
  })

  it('leaves files of other formats undecoded', () => {
    expect(parseDocument('run.sh', bytes(0x00, 0xff))).toEqual({ format: 'other', markdown: null, json: null, diagnostics: [] })
  })
})

describe('uniqueHeaders', () => {
  it.each([
    [[], []],
    [['Field', 'Value'], ['Field', 'Value']],
    [['a', 'a', 'a'], ['a', 'a (2)', 'a (3)']],
    [['', ''], ['column_1', 'column_2']],
    [['x', '', 'y', ''], ['x', 'column_2', 'y', 'column_4']],
    [['', 'column_1'], ['column_1', 'column_1 (2)']],
    [['column_2', ''], ['column_2', 'column_2 (2)']],
    [['a', 'a', 'a (2)'], ['a', 'a (2)', 'a (2) (2)']],
    [['a (2)', 'a', 'a'], ['a (2)', 'a', 'a (3)']],
    [['Status', 'status', 'STATUS'], ['Status', 'status', 'STATUS']],
    [['constructor', '__proto__', 'toString'], ['constructor', '__proto__', 'toString']],
  ])('%j → %j', (input, expected) => {
    expect(uniqueHeaders(input)).toEqual(expected)
  })

  it('always returns distinct keys, one per header', () => {
    const input = ['a', '', 'a', 'column_2', 'a (2)', '', 'a (3)', 'a']
    const output = uniqueHeaders(input)
    expect(output).toHaveLength(input.length)
    expect(new Set(output).size).toBe(output.length)
  })
})

describe('link definitions appended to each block', () => {
  // A `[` alone on a line once matched as a definition label running over the
  // lines below it, and the tables in it were parsed again after every block.
  it.each(['fast', 'remark'] as const)('never hold a table of their own (%s)', (parser) => {
    const text = '# Top\n\n[\n| a |\n| --- |\n| [^1]: |\n\n| [t](https://example.test) |\n| --- |\n\n[ref]: https://example.test/r\n'
    const { records } = parseMarkdown(text, { parser })
    expect(records.tables.map((t) => [t.line, t.headers])).toEqual([
      [4, ['a']],
      [8, ['t']],
    ])
  })
})

describe('plainText of table cells', () => {
  // The text of one cell, through the real parser.
  const cell = (source: string): string => {
    // Definitions after a blank line, as agents write them: at the end of the document.
    const { records } = parseMarkdown(`| h |\n|---|\n| ${source} |\n\n[ref]: https://example.test/r\n\n[^1]: a footnote\n`)
    const value = records.tables[0]?.rows[0]?.cells.h
    if (value === undefined) throw new Error(`no cell parsed from ${JSON.stringify(source)}`)
    return value
  }

  it.each([
    ['**Acquirer**', 'Acquirer'],
    ['*em* and _em_', 'em and em'],
    ['***both***', 'both'],
    ['`code  with  spaces`', 'code with spaces'],
    ['[label](https://example.test/a "title")', 'label'],
    ['<https://example.test/a>', 'https://example.test/a'],
    ['see www.example.test now', 'see www.example.test now'],
    ['one<br>two', 'one two'],
    ['one<br/>two', 'one two'],
    ['one<br />two', 'one two'],
    ['one<BR>two', 'one two'],
    ['one<br><br>two', 'one two'],
    ['<b>bold</b> html', '<b>bold</b> html'],
    ['![alt text](img.png) after', 'alt text after'],
    ['~~gone~~ kept', 'gone kept'],
    ['\\*literal\\*', '*literal*'],
    ['a \\| b', 'a | b'],
    ['&amp; &lt;tag&gt; &copy;', '& <tag> ©'],
    ['✅ COMPLETE', '✅ COMPLETE'],
    ['⏳ PENDING', '⏳ PENDING'],
    ['$40-60M', '$40-60M'],
    // Footnote markers stay: they are part of what the agent wrote, defined or not.
    ['grew 12%[^1]', 'grew 12%[^1]'],
    ['grew 12%[^undefined]', 'grew 12%[^undefined]'],
    ['[site][ref] and [ref]', 'site and ref'],
    ['[undefined][nope]', '[undefined][nope]'],
    ['  padded    text  ', 'padded text'],
    ['', ''],
  ])('%j → %j', (source, expected) => {
    expect(cell(source)).toBe(expected)
  })

  it('applies to headers and heading paths too', () => {
    const { records } = parseMarkdown('# **Deal** `Alpha`\n\n## [Metrics](#m)<br>Now\n\n| **Field** | `Value` |\n|---|---|\n| a | b |\n')
    const table = records.tables[0]!
    expect(table.headingPath).toEqual(['Deal Alpha', 'Metrics Now'])
    expect(table.headers).toEqual(['Field', 'Value'])
    expect(table.rawHeaders).toEqual(['**Field**', '`Value`'])
    expect(table.rows[0]!.cells).toEqual({ Field: 'a', Value: 'b' })
  })
})

describe('short table rows', () => {
  const table = '| a | b |\n|---|---|\n'
  const truncated = {
    line: 3,
    column: 1,
    reason: 'table truncated: the last row has 1 of 2 cells and the file ends without a newline',
    severity: 'error',
  }
  const short = (line: number) => ({ line, column: 1, reason: 'table row has 1 of 2 cells', severity: 'warning' })

  it.each([
    ['the last bytes of the file', `${table}| 1 |`, [truncated]],
    ['the last bytes, trailing spaces after it', `${table}| 1 |   `, [truncated]],
    ['the last bytes, inside a blockquote', `> ${table.replace(/\n(?=.)/g, '\n> ')}> | 1 |`, [truncated]],
    ['followed by a newline', `${table}| 1 |\n`, [short(3)]],
    ['followed by CRLF', `${table}| 1 |\r\n`, [short(3)]],
    ['followed by a lone CR', `${table}| 1 |\r`, [short(3)]],
    ['followed by a newline and stray spaces', `${table}| 1 |\n   `, [short(3)]],
    ['followed by blank lines', `${table}| 1 |\n\n\n`, [short(3)]],
    ['followed by a full last row with no newline', `${table}| 1 |\n| 2 | 3 |`, [short(3)]],
    ['followed by prose', `${table}| 1 |\n\nMore text`, [short(3)]],
  ])('a short row as %s', (_name, source, expected) => {
    expect(parseMarkdown(source).diagnostics).toEqual(expected)
  })

  it('a full last row without a newline is complete', () => {
    expect(parseMarkdown(`${table}| 1 | 2 |`).diagnostics).toEqual([])
  })
})

describe('countWords', () => {
  it.each([
    ['', 0],
    ['   \n\t', 0],
    ['one two  three', 3],
    ["don't stop", 2],
    ['it’s fine', 2],
    ['a well-known term', 3],
    ['e.g. this', 2],
    ['$1,250.00 total', 2],
    ['$40-60M', 1],
    ['2031-04-02T09:00:00Z', 3],
    ['a—b', 2],
    ['— – - ---', 0],
    ['trailing- dash', 2],
    ['✅ done ⏳', 1],
    ['naïve café', 2],
    ['日本語 text', 2],
    ['| Field | Value |\n|---|---|\n| **a** | b |', 4],
    ['IV.A and IV.B', 3],
  ])('%j has %i words', (text, expected) => {
    expect(countWords(text)).toBe(expected)
  })

  it('gives the same answer when called again (the shared regex is reset)', () => {
    const text = 'alpha beta gamma delta'
    expect(countWords(text)).toBe(4)
    expect(countWords(text)).toBe(4)
    expect(countWords('one')).toBe(1)
  })

  it('is what parseMarkdown reports as the word count', () => {
    const text = '# Title Here\n\nSome body text.\n'
    expect(parseMarkdown(text).records.wordCount).toBe(5)
  })
})

describe('documentType', () => {
  it.each([
    ['orchestrator-state.md', 'orchestrator_state'],
    ['research-plan.md', 'research_plan'],
    ['review-outputs/fact-registry.md', 'fact_registry'],
    ['fact-registry.md', 'fact_registry'],
    ['review-outputs/conflict-report.md', 'conflict_report'],
    ['conflict-report.md', 'conflict_report'],
    ['review-outputs/coverage-gaps.md', 'coverage_gaps'],
    ['coverage-gap.md', 'coverage_gaps'],
    ['coverage-gaps-report.md', 'coverage_gaps'],
    ['review-outputs/risk-summary.json', 'risk_summary'],
    ['risk-summary.json', 'risk_summary'],
    ['synthesis-state.json', 'state_file'],
    ['section-writer-state-IV-A.json', 'state_file'],
    ['executive-summary-state.json', 'state_file'],
    ['review-outputs/coverage-gap-analyzer-state.json', 'state_file'],
    ['citation-validator-state.md', 'state_file'],
    ['specialist-reports/x.md', 'specialist_report'],
    ['specialist-reports/financial-analyst-report.md', 'specialist_report'],
    ['securities-researcher-report.md', 'specialist_report'],
    ['section-reports/section-IV-A-water-rights.md', 'section_report'],
    ['sections/executive-summary.md', 'section_report'],
    ['review-outputs/research-review-report.md', 'review_output'],
    ['review-outputs/objectivity-review.md', 'review_output'],
    ['qa-outputs/diagnostic-assessment.md', 'qa_output'],
    ['remediation-outputs/remediation-plan.md', 'remediation_output'],
    ['executive-summary.md', 'executive_summary'],
    ['executive-summary-v3.md', 'executive_summary'],
    ['final-memorandum.md', 'final_memorandum'],
    ['final-memorandum-v2.md', 'final_memorandum'],
    ['x.sh', 'script'],
    ['x.py', 'script'],
    ['tools/gen.mjs', 'script'],
    ['remediation-outputs/apply-edits.py', 'script'],
    ['remediation-outputs/RUN-W9-002.sh', 'script'],
    ['session-audit.log', 'audit_log'],
    ['5b2e8f14-9c3d-4a7e-b1f0-2d6c8a9e4f37.jsonl', 'agent_transcript'],
    ['5b2e8f14/subagents/agent-7c1e9a20.jsonl', 'agent_transcript'],
    ['final-memorandum.md.backup2', 'backup'],
    ['final-memorandum.md.backup', 'backup'],
    ['final-memorandum.md.backup-20310402-101500', 'backup'],
    ['final-memorandum-v2.md.bak', 'backup'],
    ['orchestrator-state.md.orig', 'backup'],
    ['specialist-reports/tax-report.md.old', 'backup'],
    ['consolidated-footnotes.md', 'other'],
    // A QA kind's file name where no folder says otherwise.
    ['qa-assessment.md', 'qa_output'],
    ['remediation-plan.md', 'qa_output'],
    ['qa-outputs/remediation-dispatch-wave2.md', 'qa_output'],
    ['sections-appended.marker', 'other'],
    ['notes.txt', 'other'],
    ['', 'other'],
  ])('%s → %s', (relPath, expected) => {
    expect(documentType(relPath)).toBe(expected)
  })

  it.each([
    ['2031-04-02-1964505600/specialist-reports/x.md', 'specialist_report'],
    ['2031-04-02-1964505600/orchestrator-state.md', 'orchestrator_state'],
    ['2031-04-02-1964505600/review-outputs/risk-summary.json', 'risk_summary'],
  ])('classifies root-relative paths the same way: %s → %s', (relPath, expected) => {
    expect(documentType(relPath)).toBe(expected)
  })

  it('lets the nearest known folder win', () => {
    expect(documentType('review-outputs/sections/x.md')).toBe('section_report')
    expect(documentType('sections/review-outputs/x.md')).toBe('review_output')
  })

  it('ignores case in names and folders', () => {
    expect(documentType('Specialist-Reports/X.MD')).toBe('specialist_report')
    expect(documentType('ORCHESTRATOR-STATE.MD')).toBe('orchestrator_state')
    expect(documentType('Final-Memorandum.md.BACKUP2')).toBe('backup')
  })
})

describe('documentFormat', () => {
  it.each([
    ['report.md', 'markdown'],
    ['REPORT.MD', 'markdown'],
    ['notes.markdown', 'markdown'],
    ['a/b/c.md', 'markdown'],
    ['state.json', 'json'],
    ['STATE.JSON', 'json'],
    ['fixture.input.json', 'json'],
    ['final-memorandum.md.backup2', 'other'],
    ['state.json.bak', 'other'],
    // JSON Lines: transcripts and the hooks' audit logs; other logs are not read.
    ['events.jsonl', 'jsonl'],
    ['EVENTS.NDJSON', 'jsonl'],
    ['run.sh', 'other'],
    ['session-audit.log', 'jsonl'],
    ['sessions/3f6d2c1a/session-audit.log', 'jsonl'],
    ['server.log', 'other'],
    ['audit/server.log', 'other'],
    ['md', 'other'],
    ['dir.md/file', 'other'],
    ['', 'other'],
  ])('%j → %s', (relPath, expected) => {
    expect(documentFormat(relPath)).toBe(expected)
  })
})

describe('documentType: reports about state law are not state files', () => {
  it.each([
    ['s/section-reports/section-IV-D-state-licensing.md', 'section_report'],
    ['s/federal-state-statutory-framework.md', 'other'],
    ['s/qa-diagnostic-state.md', 'state_file'],
    ['s/section-writer-state-IV-A.json', 'state_file'],
  ])('%s → %s', (rel, type) => {
    expect(documentType(rel)).toBe(type)
  })
})
