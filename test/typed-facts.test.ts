/**
 * The fact-registry, conflict-report and coverage-gaps parsers: focused cases
 * for each way agents write a record, a never-throws property, and a pass over
 * the real sessions under /tmp/corpus/reports when that corpus is present.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import { parseConflictReport } from '../src/parsers/typed/conflict-report.js'
import { parseCoverageGaps } from '../src/parsers/typed/coverage-gaps.js'
import { splitId } from '../src/parsers/typed/fact-columns.js'
import { parseFactRegistry } from '../src/parsers/typed/fact-registry.js'
import { quantify } from '../src/parsers/typed/fact-values.js'
import { TYPED_TABLES, type TypedTableName } from '../src/parsers/typed/tables.js'
import type { TypedRecords, TypedRow } from '../src/parsers/typed/types.js'
import type { MarkdownRecords } from '../src/parsers/types.js'

function markdownOf(text: string): MarkdownRecords {
  const parsed = parseDocument('doc.md', new TextEncoder().encode(text))
  if (!parsed.markdown) throw new Error('not markdown')
  return parsed.markdown
}

const rowsOf = (records: TypedRecords, table: TypedTableName): TypedRow[] => records.rows[table] ?? []
const facts = (text: string): TypedRow[] => rowsOf(parseFactRegistry(markdownOf(text)), 'fact_registry')
const conflicts = (text: string): TypedRow[] => rowsOf(parseConflictReport(markdownOf(text)), 'fact_conflicts')
const gaps = (text: string): TypedRow[] => rowsOf(parseCoverageGaps(markdownOf(text)), 'coverage_gaps')

/** Every row has every column of its table and nothing else. */
function expectComplete(records: TypedRecords): void {
  for (const [table, rows] of Object.entries(records.rows)) {
    const columns = Object.keys(TYPED_TABLES[table as TypedTableName]).sort()
    for (const row of rows ?? []) expect(Object.keys(row.values).sort()).toEqual(columns)
  }
}

describe('fact registry', () => {
  it('reads a canonical table under a numbered, suffixed heading', () => {
    const records = parseFactRegistry(
      markdownOf(
        [
          '# FACT REGISTRY',
          '## II. KEY DATES (USE THESE VALUES)',
          '| Fact | Verified Value | Source Report(s) | Line/Section | Confidence |',
          '|---|---|---|---|---|',
          '| Closing | Q3 2027 | deal.md | Line 4 | HIGH |',
          '| Price | $4.8B | deal.md | Line 9 | ✓ Verified |',
        ].join('\n'),
      ),
    )
    expectComplete(records)
    expect(records.typedTables).toEqual([0])
    const [closing, price] = rowsOf(records, 'fact_registry')
    expect(closing?.values).toMatchObject({
      fact_category: 'KEY DATES (USE THESE VALUES)',
      fact_name: 'Closing',
      canonical_value: 'Q3 2027',
      value_date: '2027-07-01',
      value_date_precision: 'quarter',
      source_reports: 'deal.md',
      source_location: 'Line 4',
      confidence: 'high',
    })
    expect(price?.values).toMatchObject({ value_number: 4.8e9, value_low: 4.8e9, value_high: 4.8e9, confidence: 'verified' })
  })

  it('takes a heading with attribute lines as one fact, with its id', () => {
    const [row, ...rest] = facts(
      ['## Deal Terms', '### 1.1 Purchase Price', '**Canonical Value:** $425 million', '**Source:** deal.md', '**Confidence:** HIGH'].join('\n'),
    )
    expect(rest).toEqual([])
    expect(row?.values).toMatchObject({ fact_category: 'Deal Terms', fact_id: '1.1', fact_name: 'Purchase Price', value_number: 425e6 })
    expect(row?.raw).toEqual({ 'Canonical Value': '$425 million', Source: 'deal.md', Confidence: 'HIGH' })
  })

  it('takes a bullet as a fact and leaves remarks and placeholders out', () => {
    const rows = facts(['## Transaction Terms', '- **Purchase Price**: $4.8 billion (all-cash)', '- **Note**: see the LOI', '- **Advisor**: N/A'].join('\n'))
    expect(rows.map((r) => r.values.fact_name)).toEqual(['Purchase Price'])
    expect(rows[0]?.raw).toBe('- **Purchase Price**: $4.8 billion (all-cash)')
  })

  it('splits attribute runs under one heading into one fact each', () => {
    const rows = facts(
      [
        '## Category 1: Financial Metrics',
        '',
        '**#001 - Total Assets**',
        '- **Canonical Value**: $3.9B',
        '- **Source**: T1',
        '',
        '**#002 - Rate Base**',
        '- **Canonical Value**: $2.7B',
        '- **Source**: T2',
      ].join('\n'),
    )
    expect(rows.map((r) => [r.values.fact_category, r.values.canonical_value, r.values.source_reports])).toEqual([
      ['Financial Metrics', '$3.9B', 'T1'],
      ['Financial Metrics', '$2.7B', 'T2'],
    ])
  })

  it('leaves statistics and methodology tables generic', () => {
    const records = parseFactRegistry(
      markdownOf(
        [
          '## Completeness Assessment',
          '| Report | Facts Extracted | Score |',
          '|---|---|---|',
          '| T1 | 12 | 1.0 |',
          '## Liability Type Classification Guide',
          '| Type | Value | Formula |',
          '|---|---|---|',
          '| Perpetual | NPV | Annual / rate |',
        ].join('\n'),
      ),
    )
    expect(records.typedTables).toEqual([])
    expect(records.rows).toEqual({})
  })

  it('reports a value that looks numeric but does not normalise', () => {
    const records = parseFactRegistry(markdownOf(['## Metrics', '| Metric | Value |', '|---|---|', '| Leverage | 1.8x–2.4x |', '| Name | Harbor Co |'].join('\n')))
    expect(records.misses).toEqual([{ table: 'fact_registry', column: 'value_number', raw: '1.8x–2.4x', line: 4 }])
  })

  it('sends conflict tables and data gaps to their own tables', () => {
    const records = parseFactRegistry(
      markdownOf(
        [
          '## Vessel Count',
          '| Fact | Value in Report A | Value in Report B | Resolution |',
          '|---|---|---|---|',
          '| Tugs | 9 | 11 | Use 9 |',
          '## Data Gaps Requiring Verification',
          '1. **Pension Funding**: actuarial report missing',
        ].join('\n'),
      ),
    )
    expect(rowsOf(records, 'fact_conflicts')[0]?.values).toMatchObject({ fact_name: 'Tugs', conflicting_values: 'Value in Report A: 9; Value in Report B: 11', resolution: 'Use 9' })
    expect(rowsOf(records, 'coverage_gaps')[0]?.values).toMatchObject({ description: 'Pension Funding' })
    expect(rowsOf(records, 'fact_registry')).toEqual([])
  })
})

describe('conflict report', () => {
  it('reads a conflict heading with its source table, and merges its summary row', () => {
    const records = parseConflictReport(
      markdownOf(
        [
          '## Conflict Summary',
          '| Conflict # | Fact | Severity | Resolution Status |',
          '|---|---|---|---|',
          '| 1 | Lease Expiration | CRITICAL | ✅ RESOLVED |',
          '## Detailed Conflict Analysis',
          '### Conflict #1: Lease Expiration 🟡 MINOR',
          '**Recommended Canonical Value**: December 31, 2032',
          '| Source | Value Stated | Location |',
          '|---|---|---|',
          '| lease.md | 2032-12-31 | Line 4 |',
          '| state.md | 2030-12-31 | Line 9 |',
        ].join('\n'),
      ),
    )
    expectComplete(records)
    expect(records.typedTables).toEqual([0, 1])
    const rows = rowsOf(records, 'fact_conflicts')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.values).toMatchObject({
      conflict_id: '1',
      fact_name: 'Lease Expiration',
      canonical_value: 'December 31, 2032',
      conflicting_values: 'lease.md: 2032-12-31 (Line 4); state.md: 2030-12-31 (Line 9)',
      sources: 'lease.md; state.md',
      severity: 'low',
      status: 'resolved',
    })
  })

  it('reads numbered variations as dismissed conflicts and skips placeholder rows', () => {
    const rows = conflicts(
      [
        '## Minor Variations (Not Conflicts)',
        '### 1. Renewal Probability',
        '- **Research Plan**: 60%',
        '- **Permits Report (T3)**: 55%',
        '## Resolved Conflicts',
        '| # | Potential Conflict | Report 1 Value | Report 2 Value | Status |',
        '|---|---|---|---|---|',
        '| N/A | No resolvable conflicts identified | — | — | ✅ |',
      ].join('\n'),
    )
    expect(rows.map((r) => r.values)).toEqual([
      expect.objectContaining({ conflict_id: '1', fact_name: 'Renewal Probability', status: 'dismissed', sources: 'Research Plan; Permits Report (T3)' }),
    ])
  })

  it('finds nothing in a report of no conflicts', () => {
    expect(conflicts(['## Status: No Conflicts', '## Conflict Detection Methodology', '| Check | Result |', '|---|---|', '| Dates | PASS |'].join('\n'))).toEqual([])
  })
})

describe('coverage gaps', () => {
  it('reads gap headings, with severity, status and recommendation', () => {
    const rows = gaps(
      [
        '## Identified Gaps',
        '### GAP 1: Pension Funding Unknown',
        '**Severity**: MEDIUM',
        '**Recommendation**: Request the actuarial report',
        '### Dismissed Gap 2: Zoning Variance',
        '**Reason for Dismissal**: covered elsewhere',
      ].join('\n'),
    )
    expect(rows.map((r) => r.values)).toEqual([
      expect.objectContaining({ gap_id: '1', description: 'Pension Funding Unknown', severity: 'medium', recommendation: 'Request the actuarial report' }),
      expect.objectContaining({ gap_id: '2', description: 'Zoning Variance', status: 'dismissed' }),
    ])
  })

  it('reads gap tables and flagged coverage rows, joining one gap told twice', () => {
    const records = parseCoverageGaps(
      markdownOf(
        [
          '## Summary of Findings',
          '| Gap # | Description | Severity |',
          '|---|---|---|',
          '| GAP 1 | Tail coverage terms | HIGH |',
          '## Critical Issues Coverage',
          '| # | Critical Issue | Gap? |',
          '|---|---|---|',
          '| 1 | Environmental | ✅ NO GAP |',
          '| 2 | Tail coverage terms | ⚠️ GAP 1 |',
          '## Gap Severity Breakdown',
          '| Severity | Count |',
          '|---|---|',
          '| HIGH | 1 |',
        ].join('\n'),
      ),
    )
    expectComplete(records)
    expect(records.typedTables).toEqual([0, 1])
    const rows = rowsOf(records, 'coverage_gaps')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.values).toMatchObject({ gap_id: '1', description: 'Tail coverage terms', severity: 'high' })
  })

  it('splits attribute bullets under a gap list into one gap each', () => {
    const rows = gaps(
      [
        '## Minor Gaps',
        '- **Domain:** Labor',
        '- **Issue:** CBA dates missing',
        '- **Severity:** LOW',
        '',
        '- **Domain:** Contracts',
        '- **Issue:** Supplier terms missing',
        '- **Severity:** LOW',
      ].join('\n'),
    )
    expect(rows.map((r) => [r.values.domain, r.values.description, r.values.severity])).toEqual([
      ['Labor', 'CBA dates missing', 'low'],
      ['Contracts', 'Supplier terms missing', 'low'],
    ])
  })
})

describe('helpers', () => {
  it('splits ids off titles only when they are marked as ids', () => {
    expect(splitId('#001 - Target Name')).toEqual({ id: '001', title: 'Target Name' })
    expect(splitId('1.1 Purchase Price')).toEqual({ id: '1.1', title: 'Purchase Price' })
    expect(splitId('F-12: Escrow')).toEqual({ id: 'F-12', title: 'Escrow' })
    expect(splitId('FY2026 Revenue')).toEqual({ id: null, title: 'FY2026 Revenue' })
    expect(splitId('12 employees')).toEqual({ id: null, title: '12 employees' })
    expect(splitId('Conflict #2: Fleet Size', 'conflict')).toEqual({ id: '2', title: 'Fleet Size' })
  })

  it('reads a value by what it opens with', () => {
    expect(quantify('$4.8B (35% of EV)', false)).toMatchObject({ value_number: 4.8e9, missed: null })
    expect(quantify('35% ($1.2B)', false)).toMatchObject({ value_number: 0.35 })
    expect(quantify('2030 (expected)', false)).toMatchObject({ value_date: '2030-01-01', value_date_precision: 'year' })
    expect(quantify('2030', false, true)).toMatchObject({ value_number: 2030, value_date: null })
    expect(quantify('18-24 months', false)).toMatchObject({ value_number: null, value_low: 18, value_high: 24 })
    expect(quantify('Excess cover up to $5M', false)).toMatchObject({ value_number: 5e6, value_low: null, value_high: 5e6 })
    // A multiple is its number, never money; a range of multiples is not one number.
    expect(quantify('2.6× ($730M ÷ $280M)', false)).toMatchObject({ value_number: 2.6, missed: null })
    expect(quantify('1.8x – 2.4x', false)).toMatchObject({ value_number: null, missed: 'value_number' })
    expect(quantify('Reverse triangular merger', false)).toMatchObject({ value_number: null, value_date: null, missed: null })
    expect(quantify('TBD', true)).toMatchObject({ value_date: null, missed: null })
  })
})

describe('never throws', () => {
  const FRAGMENTS = [
    '\n', '\n\n', '# ', '## ', '### ', '#### ', '- ', '1. ', '**', ':', '**Key:** ', '- **Canonical Value**: ', '| ', ' |', '|---|---|\n',
    'Conflict 1: ', 'GAP 2: ', 'Fact', 'Value', 'Gap?', 'Source', 'Severity', 'Status', '$4.8B', '45%', '2027-01-01', 'N/A', '—', '✅',
    '⚠️', '#', '__proto__', 'constructor', '(USE THESE VALUES)', 'II. ', '18-24 months', '4.8×',
  ]
  const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 200 }).map((parts) => parts.join(''))

  it.each([
    ['fact registry', parseFactRegistry],
    ['conflict report', parseConflictReport],
    ['coverage gaps', parseCoverageGaps],
  ] as const)('%s', (_name, parse) => {
    fc.assert(
      fc.property(soup, (text) => {
        const records = parse(markdownOf(text))
        expectComplete(records)
        JSON.stringify(records)
      }),
      { numRuns: 300 },
    )
  })
})

const CORPUS = '/tmp/corpus/reports'
const KINDS = [
  { kind: 'fact registry', match: /^fact-registry\.md$/, parse: parseFactRegistry, table: 'fact_registry' },
  { kind: 'conflict report', match: /^conflict-report\.md$/, parse: parseConflictReport, table: 'fact_conflicts' },
  { kind: 'coverage gaps', match: /^coverage-gap.*\.md$/, parse: parseCoverageGaps, table: 'coverage_gaps' },
] as const

/** Files that clearly hold no records of their kind (the report says so). */
const NONE_EXPECTED = /(?:^|\n)#+\s*STATUS:\s*(?:✅\s*)?NO(?:_|\s+)(?:MATERIAL\s+)?CONFLICTS|NO SIGNIFICANT GAPS|GAPS FOUND:?\**:?\s*0\b|Total Conflicts Detected:?\**:?\s*0\b|Conflicts Detected:\s*0\b|TOTAL GAPS:?\**:?\s*0\b|No material gaps/i

function corpusFiles(): string[] {
  if (!fs.existsSync(CORPUS)) return []
  const out: string[] = []
  const walk = (dir: string, depth: number): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory() && depth < 3) walk(full, depth + 1)
      else if (entry.isFile() && KINDS.some((k) => k.match.test(entry.name))) out.push(full)
    }
  }
  walk(CORPUS, 0)
  return out.sort()
}

describe.skipIf(!fs.existsSync(CORPUS))('corpus', () => {
  const files = corpusFiles()

  it('has files of each kind', () => {
    for (const kind of KINDS) expect(files.some((f) => kind.match.test(path.basename(f)))).toBe(true)
  })

  it.each(files.map((f) => [path.relative(CORPUS, f), f] as const))('%s', (_rel, file) => {
    const kind = KINDS.find((k) => k.match.test(path.basename(file)))!
    const text = fs.readFileSync(file, 'utf8')
    const markdown = markdownOf(text)
    const records = kind.parse(markdown)
    expectComplete(records)
    const counts = Object.fromEntries(Object.entries(records.rows).map(([t, rows]) => [t, rows?.length ?? 0]))
    console.log(`${path.relative(CORPUS, file)}: ${JSON.stringify(counts)} typed tables ${records.typedTables.length}/${markdown.tables.length}, misses ${records.misses.length}`)
    const own = records.rows[kind.table]?.length ?? 0
    if (!NONE_EXPECTED.test(text)) expect(own, `${kind.kind} rows`).toBeGreaterThan(0)
    // Typed rows point back at their source lines.
    for (const rows of Object.values(records.rows)) for (const row of rows ?? []) expect(row.line).toBeGreaterThan(0)
  })
})
