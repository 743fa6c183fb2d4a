/**
 * Values that typed parsers used to misread (issue 11, class 7): a severity
 * that says none, status words negated, licence facts that carry dates and
 * amounts, markdown in JSON strings, and `extra` amounts in another unit.
 */
import { describe, expect, it } from 'vitest'
import { saysNoLevel } from '../src/parsers/normalize/index.js'
import { conflictStatusOf, gapStatusOf, isIdentifierLike, severityOr } from '../src/parsers/typed/fact-values.js'
import { parseRiskSummary } from '../src/parsers/typed/risk-summary.js'

describe('a level that says none', () => {
  it.each(['NONE', 'None', 'N/A', 'n/a', 'Not applicable', '—', '-', 'NONE (clerical error in report header)', 'N/A (summary section)', 'No risk', 'Severity: None'])(
    '%j is none',
    (raw) => {
      expect(saysNoLevel(raw)).toBe(true)
      expect(severityOr(raw, () => 'low')).toBeNull()
    },
  )

  it.each(['LOW', 'Minor', 'TBD', 'Unknown', '', 'Nonetheless material'])('%j is no statement of none', (raw) => {
    expect(saysNoLevel(raw)).toBe(false)
  })

  it('falls back to the heading only when the cell is silent', () => {
    expect(severityOr(null, () => 'low')).toBe('low')
    expect(severityOr('TBD', () => 'low')).toBe('low')
    expect(severityOr('HIGH', () => 'low')).toBe('high')
  })

  it('leaves a risk item that says N/A without a severity, whatever its list', () => {
    const records = parseRiskSummary({
      high_risks: [
        { id: 'R1', title: 'Retention bonus', severity: 'N/A' },
        { id: 'R2', title: 'Summary row', severity: 'N/A (summary section)' },
        { id: 'R3', title: 'Lender consent' },
      ],
    })
    const items = records.rows.risk_items ?? []
    expect(items.map((r) => r.values.severity)).toEqual([null, null, 'high'])
    expect(records.misses).toEqual([])
  })

  it('takes a stated highest severity of NONE as none, not the items’ highest', () => {
    const records = parseRiskSummary({ highest_severity: 'NONE', risks: [{ id: 'R1', title: 'x', severity: 'LOW' }] })
    expect(records.rows.risk_summary?.[0]?.values.highest_severity).toBeNull()
    expect(records.misses).toEqual([])
  })
})

describe('negated status words', () => {
  it.each([
    ['No action required', 'dismissed'],
    ['None needed', 'dismissed'],
    ['Not yet resolved', 'unresolved'],
    ['Not reconciled', 'unresolved'],
    ['Resolved', 'resolved'],
  ])('conflict status %j is %s', (raw, status) => {
    expect(conflictStatusOf(raw)).toBe(status)
  })

  it.each([
    ['No gap', 'dismissed'],
    ['No material gaps', 'dismissed'],
    ['None identified', 'dismissed'],
    ['Gap', 'open'],
    ['Not addressed', 'open'],
  ])('gap status %j is %s', (raw, status) => {
    expect(gapStatusOf(raw)).toBe(status)
  })
})

describe('licence and permit facts', () => {
  it.each([
    ['NRC License Expiration', '2037-08'],
    ['Permit Renewal Cost', '$2.5M-$4.0M'],
    ['Licensed States', '38 states'],
    ['Registration Threshold', '$110M'],
  ])('%j keeps its quantity', (name, value) => {
    expect(isIdentifierLike(name, value)).toBe(false)
  })

  it.each([
    ['NRC License (Unit 1)', 'NPF-37 OR DPR-55'],
    ['NPDES Permit', 'IL0048232'],
    ['FMC OCC License Number', '024587'],
    ['SEC Registration File Number', '801-45678'],
    ['NAIC Code', '12345'],
  ])('%j is an identifier', (name, value) => {
    expect(isIdentifierLike(name, value)).toBe(true)
  })
})
