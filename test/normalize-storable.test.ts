/**
 * Values that SQLite would keep and PostgreSQL refuse (so a whole file would
 * fail on PostgreSQL only) are made alike by the parse: integers an integer
 * column cannot hold exactly become null, lone surrogates in JSON become
 * U+FFFD, each with a warning.
 */
import { describe, expect, it } from 'vitest'
import { integerProblem, parseCount, parseDurationMs, storableInteger } from '../src/parsers/normalize/index.js'
import { parseFile } from '../src/parsers/parse-file.js'

const bytes = (text: string) => Buffer.from(text)

describe('storableInteger', () => {
  it.each([0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), 300_000])('keeps %d', (value) => {
    expect(storableInteger(value)).toBe(value)
    expect(integerProblem(value)).toBeNull()
  })

  it.each([
    [1e20, /outside the range an integer column holds exactly \(±9007199254740991\)/],
    [2 ** 53, /outside the range/],
    [-(2 ** 63), /outside the range/],
    [3.6e26, /outside the range/],
    [1.5, /not a whole number/],
    [Number.POSITIVE_INFINITY, /not a finite number/],
    [Number.NaN, /not a finite number/],
  ])('refuses %d', (value, reason) => {
    expect(storableInteger(value)).toBeNull()
    expect(integerProblem(value)).toMatch(reason)
  })

  it('is what the count and duration normalisers need for their huge readings', () => {
    // The normalisers read the number as written; the integer column is what cannot hold it.
    expect(parseDurationMs('99999999999999999999 hours')).toBe(99999999999999999999 * 3_600_000)
    expect(storableInteger(parseDurationMs('99999999999999999999 hours')!)).toBeNull()
    expect(storableInteger(parseCount('99,999,999,999,999,999,999 words')!.value!)).toBeNull()
    expect(storableInteger(parseCount('22,982 words')!.value!)).toBe(22_982)
  })
})

describe('parseFile makes odd values storable alike', () => {
  it('nulls a duration past 2^53 ms, with a located warning, and keeps the next row', () => {
    const parsed = parseFile(
      's/orchestrator-state.md',
      bytes(
        '# ORCHESTRATOR STATE\n\n## SESSION_METRICS\n\n| Phase | Start | End | Duration | Status |\n|---|---|---|---|---|\n' +
          '| init | 2026-07-01T10:00:00Z | | 99999999999999999999 hours | done |\n| research | | | 5m | pending |\n',
      ),
    )
    expect(parsed.typed!.rows.session_phases!.map((r) => r.values.duration_ms)).toEqual([null, 300_000])
    expect(parsed.diagnostics).toEqual([
      {
        line: 7,
        column: null,
        reason: 'session_phases.duration_ms: 3.6e+26 is outside the range an integer column holds exactly (±9007199254740991); stored as null',
        severity: 'warning',
      },
    ])
  })

  it.each([
    ['a JSON number', '{"risk_count": 1e20}'],
    ['digits in a string', '{"risk_count": "99999999999999999999"}'],
  ])('nulls a risk count of 1e20 written as %s', (_, json) => {
    const parsed = parseFile('s/review-outputs/risk-summary.json', bytes(json))
    expect(parsed.typed!.rows.risk_summary![0]!.values.risk_count).toBeNull()
    expect(parsed.diagnostics.map((d) => [d.severity, d.reason])).toEqual([
      ['warning', 'risk_summary.risk_count: 100000000000000000000 is outside the range an integer column holds exactly (±9007199254740991); stored as null'],
    ])
  })

  it('keeps ordinary integers without a word', () => {
    const parsed = parseFile('s/review-outputs/risk-summary.json', bytes('{"risk_count": 12}'))
    expect(parsed.typed!.rows.risk_summary![0]!.values.risk_count).toBe(12)
    expect(parsed.diagnostics).toEqual([])
  })

  it('replaces lone surrogates in JSON values and keys by U+FFFD, keeps pairs, and says where the first one is', () => {
    const parsed = parseFile(
      's/notes.json',
      bytes('{\n  "a": "x\\ud800y",\n  "k\\udc00": ["\\ud83d\\ude00", "\\udbff", 1],\n  "ok": "plain"\n}\n'),
    )
    expect(parsed.json).toEqual({ a: 'x\uFFFDy', 'k\uFFFD': ['😀', '\uFFFD', 1], ok: 'plain' })
    expect(parsed.diagnostics).toEqual([
      {
        line: 2,
        column: 10,
        reason: '3 JSON strings hold a lone UTF-16 surrogate escape (\\ud800), which is no character; stored as U+FFFD',
        severity: 'warning',
      },
    ])
    // What the store serialises is now plain text either dialect takes.
    expect(JSON.stringify(parsed.json)).not.toMatch(/\\u[dD][89a-fA-F]/)
  })

  it('leaves JSON with only well-formed text untouched', () => {
    const parsed = parseFile('s/notes.json', bytes('{"a": "\\ud83d\\ude00 and \\u00e9", "b": [1, "two"]}'))
    expect(parsed.json).toEqual({ a: '😀 and é', b: [1, 'two'] })
    expect(parsed.diagnostics).toEqual([])
  })
})
