/**
 * pipe-runs.ts: which runs of pipe lines are broken tables, and why.
 */
import { describe, expect, it } from 'vitest'
import { brokenDelimiter, findPipeRuns, splitCells, tablesInCode } from '../src/parsers/pipe-runs.js'
import { parseMarkdown } from '../src/parsers/markdown.js'

describe('findPipeRuns', () => {
  it('finds runs of two or more pipe lines, after prose and inside quotes, not single lines', () => {
    const runs = findPipeRuns(['**Intro:**', '| a | b |', '> | c | d |', 'prose', '| lonely |', 'more prose', '  | e |', '  | f |'])
    expect(runs).toEqual([
      { first: 1, lines: ['| a | b |', '| c | d |'] },
      { first: 6, lines: ['| e |', '| f |'] },
    ])
  })
})

describe('brokenDelimiter', () => {
  it('names the cell counts when they differ and repairs the row to the header count', () => {
    expect(brokenDelimiter({ first: 0, lines: ['| a | b | c | d | e |', '|---|---|---|', '| 1 |'] })).toEqual({
      headerCells: 5,
      delimiterCells: 3,
      reason: 'delimiter row has 3 cells, header has 5',
      repaired: '|---|---|---|---|---|',
    })
  })

  it('names malformed cells when the counts agree', () => {
    expect(brokenDelimiter({ first: 0, lines: ['| a | b |', '| --- | |'] })?.reason).toBe(
      'delimiter row has 1 malformed cell (each must be dashes with optional colons)',
    )
  })

  it('is null without a delimiter-like second line', () => {
    expect(brokenDelimiter({ first: 0, lines: ['| a | b |', '| c | d |', '|---|---|'] })).toBeNull()
    expect(brokenDelimiter({ first: 0, lines: ['| a |', '| : |'] })).toBeNull()
    expect(brokenDelimiter({ first: 0, lines: ['|---|---|', '|---|'] })).toBeNull()
  })
})

describe('splitCells', () => {
  it('splits on unescaped pipes and drops the outer ones', () => {
    expect(splitCells('| a \\| b | c |')).toEqual(['a \\| b', 'c'])
    expect(splitCells('a | b')).toEqual(['a', 'b'])
  })
})

describe('tablesInCode', () => {
  it('counts table-shaped runs and finds a fence line with text after it, or a fence opened with such text', () => {
    expect(tablesInCode('clause\n```⁶⁹\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n| - |', null)).toEqual({ tables: 2, suspectFence: '```⁶⁹' })
    expect(tablesInCode('| a | b |\n|---|---|', '¹⁰³')).toEqual({ tables: 1, suspectFence: '```¹⁰³' })
    // A template quoted in a markdown fence is a plain sample.
    expect(tablesInCode('| a | b |\n|---|---|\n```js', 'markdown')).toEqual({ tables: 1, suspectFence: null })
    expect(tablesInCode('no pipes here', null)).toEqual({ tables: 0, suspectFence: null })
  })
})

describe('parseMarkdown on broken tables', () => {
  it('recovers a run under a mismatched delimiter row as a marked table, with a warning on the delimiter line', () => {
    const { records, diagnostics } = parseMarkdown('# Facts\n\n| Fact | Value | Source |\n|---|---|\n| Price | $1 | a.md |\n')
    expect(records.tables).toEqual([
      {
        ordinal: 0,
        headingPath: ['Facts'],
        headers: ['Fact', 'Value', 'Source'],
        rawHeaders: ['Fact', 'Value', 'Source'],
        line: 3,
        endLine: 5,
        rows: [{ index: 0, line: 5, cells: { Fact: 'Price', Value: '$1', Source: 'a.md' }, raw: ['Price', '$1', 'a.md'] }],
        recovered: true,
      },
    ])
    expect(diagnostics).toEqual([
      {
        line: 4,
        column: 1,
        reason: 'pipe lines recovered as a table, though not GFM: delimiter row has 2 cells, header has 3',
        severity: 'warning',
        code: 'table-recovered',
      },
    ])
  })

  it('numbers recovered tables among GFM tables in document order', () => {
    const text = '| a |\n|---|\n| 1 |\n\n| b | c |\n|---|\n| 2 | 3 |\n\n| d |\n|---|\n| 4 |\n'
    const { records } = parseMarkdown(text)
    expect(records.tables.map((t) => [t.ordinal, t.headers[0], t.recovered ?? false])).toEqual([
      [0, 'a', false],
      [1, 'b', true],
      [2, 'd', false],
    ])
  })

  it('still fails a file whose recovered table is cut off mid-row at the end', () => {
    const { diagnostics } = parseMarkdown('| a | b |\n|---|\n| 1 |')
    expect(diagnostics.map((d) => d.severity)).toEqual(['warning', 'error'])
  })

  it('reports tables swallowed behind a fence line with text after it, and not a plain code sample', () => {
    const swallowed = parseMarkdown('```\nclause\n```⁶⁹\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n')
    expect(swallowed.records.tables).toEqual([])
    expect(swallowed.diagnostics.map((d) => [d.line, d.code])).toEqual([[1, 'pipe-run-in-code']])
  })

  it('leaves code fences alone', () => {
    const { records, diagnostics } = parseMarkdown('```\n| a | b |\n|---|\n| 1 | 2 |\n```\n')
    expect(records.tables).toEqual([])
    expect(diagnostics).toEqual([])
  })
})
