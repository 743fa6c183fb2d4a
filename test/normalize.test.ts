/**
 * Table-driven tests of the value normalisers: money, dates, percentages,
 * counts, plain numbers, statuses, severities, confidences and durations, plus the shared
 * plain-text and placeholder helpers. Values are made up, shaped like the
 * cells agents write in due-diligence state files.
 */
import { describe, expect, it } from 'vitest'
import {
  isNullLike,
  parseConfidence,
  parseCount,
  parseDateValue,
  parseDuration,
  parseDurationMs,
  parseMoney,
  parseNumber,
  parsePercent,
  parseSeverity,
  parseStatus,
  plain,
} from '../src/parsers/normalize/index.js'
import type { Money } from '../src/parsers/normalize/index.js'

const K = 1e3
const M = 1e6
const B = 1e9

const PLACEHOLDERS = ['N/A', 'n/a', 'TBD', 'TBC', '—', '–', '-', '', '   ', 'None', 'Unknown', 'pending', '**TBD**', '(none)', 'N/A.', 'not applicable']

describe('plain', () => {
  it.each([
    ['**$4-6 million**', '$4-6 million'],
    ['__HIGH__', 'HIGH'],
    ['`IN_PROGRESS`', 'IN_PROGRESS'],
    ['IN__PROGRESS', 'IN__PROGRESS'],
    ['$0**', '$0'],
    ['  *Pending*  ', 'Pending'],
    ['_Done_', 'Done'],
    ['a<br>b', 'a b'],
    ['a\u00A0\u00A0b\n c', 'a b c'],
    ['\uFEFF✅ OK', '✅ OK'],
  ])('plain(%j) is %j', (raw, expected) => {
    expect(plain(raw)).toBe(expected)
  })
})

describe('isNullLike', () => {
  it.each(PLACEHOLDERS)('treats %j as a placeholder', (raw) => {
    expect(isNullLike(raw)).toBe(true)
  })

  it.each(['0', '$0', 'No', 'none of them', 'Pending review', '✅', 'N/A items', 'x'])('keeps %j as a value', (raw) => {
    expect(isNullLike(raw)).toBe(false)
  })
})

type MoneyCase = [raw: string, value: number | null, low: number | null, high: number | null, flags?: string]

/** `flags`: `~` approximate, `+` open-ended, `-` negative, and a currency code such as `EUR`. */
function expectedMoney(raw: string, value: number | null, low: number | null, high: number | null, flags = ''): Money {
  const currency = /[A-Z]{3}/.exec(flags)?.[0] ?? 'USD'
  return { raw, value, low, high, currency, approximate: flags.includes('~'), openEnded: flags.includes('+'), negative: flags.includes('-') }
}

describe('parseMoney', () => {
  it.each<MoneyCase>([
    ['$3.2B', 3.2 * B, 3.2 * B, 3.2 * B],
    ['$275.2M', 275_200_000, 275_200_000, 275_200_000],
    ['$1,250,000', 1_250_000, 1_250_000, 1_250_000],
    ['$1,250,000.50', 1_250_000.5, 1_250_000.5, 1_250_000.5],
    ['$0', 0, 0, 0],
    ['$0 (waived)', 0, 0, 0],
    ['$550K', 550 * K, 550 * K, 550 * K],
    ['$4,800M', 4.8 * B, 4.8 * B, 4.8 * B],
    ['$4.8 billion', 4.8 * B, 4.8 * B, 4.8 * B],
    ['$1.8 Billion', 1.8 * B, 1.8 * B, 1.8 * B],
    ['425 million', 425 * M, 425 * M, 425 * M],
    ['~2.5 million', 2.5 * M, 2.5 * M, 2.5 * M, '~'],
    ['$2.4 bn', 2.4 * B, 2.4 * B, 2.4 * B],
    ['$7mm', 7 * M, 7 * M, 7 * M],
    ['$3T', 3e12, 3e12, 3e12],
    ['USD 3.5 million', 3.5 * M, 3.5 * M, 3.5 * M],
    ['3.5M USD', 3.5 * M, 3.5 * M, 3.5 * M],
    ['US$ 12M', 12 * M, 12 * M, 12 * M],
    ['€5M', 5 * M, 5 * M, 5 * M, 'EUR'],
    ['EUR 2.75 million', 2.75 * M, 2.75 * M, 2.75 * M, 'EUR'],
    ['£800K', 800 * K, 800 * K, 800 * K, 'GBP'],
    ['$33M per voyage', 33 * M, 33 * M, 33 * M],
    ['$9.45M/year', 9.45 * M, 9.45 * M, 9.45 * M],
    ['$15.3B²¹', 15.3 * B, 15.3 * B, 15.3 * B],
    ['Purchase price of $4.8 billion (all-cash)', 4.8 * B, 4.8 * B, 4.8 * B],
    ['10% of $1.8B deal', 1.8 * B, 1.8 * B, 1.8 * B],
    ['$1M per occurrence / $3M aggregate', 1 * M, 1 * M, 1 * M],
    ['$7M × 15% = $1.05M', 7 * M, 7 * M, 7 * M],
    ['Loss of 340B pricing ($12M/year)', 12 * M, 12 * M, 12 * M],
    // Ranges
    ['$40-60M', null, 40 * M, 60 * M],
    ['$120M-$180M', null, 120 * M, 180 * M],
    ['$1.4B-$1.95B', null, 1.4 * B, 1.95 * B],
    ['$330K-$770K', null, 330 * K, 770 * K],
    ['$1.65M-$4.95M', null, 1.65 * M, 4.95 * M],
    ['$2.6-6.0M annual', null, 2.6 * M, 6 * M],
    ['$12M–$24M', null, 12 * M, 24 * M],
    ['$12M—$24M', null, 12 * M, 24 * M],
    ['$50M to $80M', null, 50 * M, 80 * M],
    ['$6.25 million to $9.1 million', null, 6.25 * M, 9.1 * M],
    ['**$4-6 million**', null, 4 * M, 6 * M],
    ['4-6 million', null, 4 * M, 6 * M],
    ['$60,000 - $95,000 per claim', null, 60 * K, 95 * K],
    ['$0.04-$0.7M', null, 40 * K, 700 * K],
    ['$250K-$1.5M', null, 250 * K, 1.5 * M],
    ['between $5M and $10M', null, 5 * M, 10 * M],
    ['$8M-$8M', 8 * M, 8 * M, 8 * M],
    ['$40M-$20M = $20M', 40 * M, 40 * M, 40 * M],
    ['$5M and $10M', 5 * M, 5 * M, 5 * M],
    // A second end that counts something else is no end of a range.
    ['$8.5M to 450 brokers', 8.5 * M, 8.5 * M, 8.5 * M],
    ['$50 million to 32 states', 50 * M, 50 * M, 50 * M],
    ['$100 to 450 broker-dealers', 100, 100, 100],
    ['$5M – 12 months', 5 * M, 5 * M, 5 * M],
    ['$10M-15 annually', null, 10 * M, 15 * M],
    ['$5 to 10 per share', null, 5, 10],
    ['$8-15 CPM', null, 8, 15],
    // Open-ended and approximate
    ['$22M+', 22 * M, 22 * M, null, '+'],
    ['$22M or more', 22 * M, 22 * M, null, '+'],
    ['over $5M', 5 * M, 5 * M, null, '+'],
    ['at least ~$5M', 5 * M, 5 * M, null, '+~'],
    ['up to $5M', 5 * M, null, 5 * M, '+'],
    ['<$150M', 150 * M, null, 150 * M, '+'],
    ['$5M+$3M', 5 * M, 5 * M, 5 * M],
    ['~$5B', 5 * B, 5 * B, 5 * B, '~'],
    ['approximately $5B', 5 * B, 5 * B, 5 * B, '~'],
    ['≈ $5B', 5 * B, 5 * B, 5 * B, '~'],
    ['roughly $40-60M', null, 40 * M, 60 * M, '~'],
    // Negative
    ['$(300M)', -300 * M, -300 * M, -300 * M, '-'],
    ['-$300M', -300 * M, -300 * M, -300 * M, '-'],
    ['−$300M', -300 * M, -300 * M, -300 * M, '-'],
    ['$-300M', -300 * M, -300 * M, -300 * M, '-'],
    ['($9.45M)', -9.45 * M, -9.45 * M, -9.45 * M, '-'],
    ['**($1,150,000)**', -1_150_000, -1_150_000, -1_150_000, '-'],
    ['($2.5M)', -2.5 * M, -2.5 * M, -2.5 * M, '-'],
    ['(2.5 million)', -2.5 * M, -2.5 * M, -2.5 * M, '-'],
    ['Fire-sale loss ($12M)', 12 * M, 12 * M, 12 * M],
    ['-$40-60M', null, -60 * M, -40 * M, '-'],
    ['-$15M to -$31M reduction', null, -31 * M, -15 * M, '-'],
    ['-$146M to +$57M', null, -146 * M, 57 * M, '-'],
    ['-$18 to +$33M', null, -18 * M, 33 * M, '-'],
    ['-$0', 0, 0, 0, '-'],
  ])('reads %j', (raw, value, low, high, flags) => {
    expect(parseMoney(raw)).toEqual(expectedMoney(raw, value, low, high, flags))
  })

  it.each([
    ...PLACEHOLDERS,
    '$', '$M', '$ bn', '1.2.3', '$1.2.3', '$1,00', 'no money here', 'Completed', '12 employees', '2026-01-29', 'Q3 2026', '45%',
    '2.5M TEU', '158 dollar amounts', 'USD (000s)', 'every 90 days or 30 million gross tons', '$5months',
    // A number without a currency, and a multiple, are not money.
    '(115,000,000)', '115,000,000', '4.50x', '12.5×', '12.5x EV/EBITDA',
  ])('answers null for %j', (raw) => {
    expect(parseMoney(raw)).toBeNull()
  })

  it('gives whole-unit values built from the literal, not by multiplying floats', () => {
    expect(parseMoney('$275.2M')?.value).toBe(275200000)
    expect(parseMoney('$1.95B')?.value).toBe(1950000000)
    expect(parseMoney('$0.07M')?.value).toBe(70000)
  })
})

describe('parseDateValue', () => {
  it.each([
    ['2026-01-29T02:00:00Z', '2026-01-29T02:00:00.000Z', 'instant', null],
    ['2026-01-29T02:00:00.000Z', '2026-01-29T02:00:00.000Z', 'instant', null],
    ['2026-01-10T19:45:00Z', '2026-01-10T19:45:00.000Z', 'instant', null],
    ['2026-01-10T19:45Z', '2026-01-10T19:45:00.000Z', 'instant', null],
    ['2026-01-10 19:45:07', '2026-01-10T19:45:07.000Z', 'instant', null],
    ['2026-01-29T02:00:00+05:30', '2026-01-28T20:30:00.000Z', 'instant', null],
    ['2026-01-29T23:30:00-02:00', '2026-01-30T01:30:00.000Z', 'instant', null],
    ['2026-03-04 14:00 UTC', '2026-03-04T14:00:00.000Z', 'instant', null],
    ['2026-01-29', '2026-01-29', 'day', null],
    ['2024-02-29', '2024-02-29', 'day', null],
    ['2026/03/31', '2026-03-31', 'day', null],
    ['2037-08', '2037-08-01', 'month', '2037-08-31'],
    ['2037-08 (August 2037)', '2037-08-01', 'month', '2037-08-31'],
    ['2017-03-00', '2017-03-01', 'month', '2017-03-31'],
    ['2028-02', '2028-02-01', 'month', '2028-02-29'],
    ['2026-Q3', '2026-07-01', 'quarter', '2026-09-30'],
    ['Q4 2025', '2025-10-01', 'quarter', '2025-12-31'],
    ['Q1 2026', '2026-01-01', 'quarter', '2026-03-31'],
    ['Q1 2026 (30-60 days post-closing)', '2026-01-01', 'quarter', '2026-03-31'],
    ['Q2-Q3 2026', '2026-04-01', 'quarter', '2026-09-30'],
    ['3Q 2027', '2027-07-01', 'quarter', '2027-09-30'],
    ['Q4 2025 – Q1 2026', '2025-10-01', 'quarter', '2026-03-31'],
    ['H2 2026', '2026-07-01', 'half', '2026-12-31'],
    ['2027-H1', '2027-01-01', 'half', '2027-06-30'],
    ['first half of 2026', '2026-01-01', 'half', '2026-06-30'],
    ['2027', '2027-01-01', 'year', '2027-12-31'],
    ['2027 (specific month TBD)', '2027-01-01', 'year', '2027-12-31'],
    ['mid-2026', '2026-01-01', 'year', '2026-12-31'],
    ['late 2026', '2026-01-01', 'year', '2026-12-31'],
    ['early 2027', '2027-01-01', 'year', '2027-12-31'],
    ['2026-2028', '2026-01-01', 'year', '2028-12-31'],
    ['February 28, 2026', '2026-02-28', 'day', null],
    ['Feb 28, 2026', '2026-02-28', 'day', null],
    ['Feb. 3, 2026', '2026-02-03', 'day', null],
    ['Sept 9 2025', '2025-09-09', 'day', null],
    ['28 February 2026', '2026-02-28', 'day', null],
    ['1st of March 2026', '2026-03-01', 'day', null],
    ['July 1, 2028', '2028-07-01', 'day', null],
    ['**June 30, 2026**', '2026-06-30', 'day', null],
    ['Tuesday, March 3, 2026', '2026-03-03', 'day', null],
    ['by March 31, 2026', '2026-03-31', 'day', null],
    ['February 28, 2026 (20 business days after signing)', '2026-02-28', 'day', null],
    ['March 10-14, 2026', '2026-03-10', 'day', '2026-03-14'],
    ['March 25-April 2, 2026', '2026-03-25', 'day', '2026-04-02'],
    ['December 2026', '2026-12-01', 'month', '2026-12-31'],
    ['Sep 2025', '2025-09-01', 'month', '2025-09-30'],
    ['mid-March 2026', '2026-03-01', 'month', '2026-03-31'],
    ['April-June 2026', '2026-04-01', 'month', '2026-06-30'],
    ['2026-01-05 to 2026-02-15', '2026-01-05', 'day', '2026-02-15'],
  ])('reads %j', (raw, date, precision, end) => {
    expect(parseDateValue(raw)).toEqual({ raw, date, precision, end })
  })

  it.each([
    '2026-13-45', '2026-02-29', 'February 30, 2026', '0999', '2026-1', '2026-01-29T25:00:00Z', '2026-01-29T10:00:00+25:00',
    'Q2-Q4', 'Q3-Q1 2026', 'Completed May 2024', 'hello', 'March', 'Monitoring 2026', '12 months', '1.2.3', '$5M', '45%',
  ])('keeps %j with no date', (raw) => {
    expect(parseDateValue(raw)).toEqual({ raw, date: null, precision: null, end: null })
  })

  it.each(['N/A', 'TBD', '—', '', 'TBC', 'Unknown'])('answers null for the placeholder %j', (raw) => {
    expect(parseDateValue(raw)).toBeNull()
  })

  it('ignores a range whose end comes before its start', () => {
    expect(parseDateValue('2027 - 2025')).toEqual({ raw: '2027 - 2025', date: '2027-01-01', precision: 'year', end: '2027-12-31' })
  })
})

describe('parsePercent', () => {
  it.each([
    ['45%', 0.45, 0.45, 0.45, false],
    ['13.5%', 0.135, 0.135, 0.135, false],
    ['95%', 0.95, 0.95, 0.95, false],
    ['0.5%', 0.005, 0.005, 0.005, false],
    ['0%', 0, 0, 0, false],
    ['100% (assumed)', 1, 1, 1, false],
    ['30 percent', 0.3, 0.3, 0.3, false],
    ['12 per cent', 0.12, 0.12, 0.12, false],
    ['~30%', 0.3, 0.3, 0.3, true],
    ['approximately 15%', 0.15, 0.15, 0.15, true],
    ['5-15%', null, 0.05, 0.15, false],
    ['60-70%', null, 0.6, 0.7, false],
    ['5% to 15%', null, 0.05, 0.15, false],
    ['40–50%', null, 0.4, 0.5, false],
    ['MEDIUM (40-50%)', null, 0.4, 0.5, false],
    ['-3.5%', -0.035, -0.035, -0.035, false],
    ['**27.5%**', 0.275, 0.275, 0.275, false],
  ])('reads %j', (raw, value, low, high, approximate) => {
    expect(parsePercent(raw)).toEqual({ raw, value, low, high, approximate })
  })

  it.each([...PLACEHOLDERS, '45', 'high', '$5M', '1.2.3%', '%', 'percent'])('answers null for %j', (raw) => {
    expect(parsePercent(raw)).toBeNull()
  })
})

describe('parseCount', () => {
  it.each([
    ['832 violations', 832, 'violations', null, false],
    ['832 Violations', 832, 'violations', null, false],
    ['~22,982', 22982, null, null, true],
    ['1,200 employees', 1200, 'employees', null, false],
    ['1,200+ employees', 1200, 'employees', null, false],
    ['~13,550', 13550, null, null, true],
    ['45,000 customers (est.)', 45000, 'customers', null, false],
    ['12', 12, null, null, false],
    ['0', 0, null, null, false],
    ['3 of 7', 3, null, 7, false],
    ['3 of 7 agents', 3, 'agents', 7, false],
    ['5/12', 5, null, 12, false],
    ['~8,500 words', 8500, 'words', null, true],
    ['2.1M containers', 2_100_000, 'containers', null, false],
    ['4 million patients', 4_000_000, 'patients', null, false],
    ['12 (see note)', 12, null, null, false],
    ['3 offices', 3, 'offices', null, false],
  ])('reads %j', (raw, value, unit, total, approximate) => {
    expect(parseCount(raw)).toEqual({ raw, value, unit, total, approximate })
  })

  it.each([...PLACEHOLDERS, '$5', '45%', '1.2.3', '2026-01-29', '10-15 employees', '1h', 'many', 'about', 'Phase 2'])('answers null for %j', (raw) => {
    expect(parseCount(raw)).toBeNull()
  })
})

describe('parseNumber', () => {
  it.each([
    ['12', 12, false, false, false],
    ['1,250', 1250, false, false, false],
    ['-3.5', -3.5, true, false, false],
    ['−3.5', -3.5, true, false, false],
    ['+2', 2, false, false, false],
    ['0', 0, false, false, false],
    ['~22,982', 22982, false, false, true],
    ['12 (see note)', 12, false, false, false],
    // Accounting negatives: a cell that is only a number in parentheses.
    ['(115,000,000)', -115_000_000, true, false, false],
    ['**(115,000,000)**', -115_000_000, true, false, false],
    ['( 1,150.50 )', -1150.5, true, false, false],
    ['(0)', 0, true, false, false],
    // Multiples: the factor.
    ['4.50x', 4.5, false, true, false],
    ['4.50X', 4.5, false, true, false],
    ['12.5×', 12.5, false, true, false],
    ['12.5 ×', 12.5, false, true, false],
    ['~4.5x EBITDA', 4.5, false, true, true],
    ['4.5x, vs 6.0x for peers', 4.5, false, true, false],
    ['-0.5x', -0.5, true, true, false],
    ['(0.5x)', -0.5, true, true, false],
  ])('reads %j', (raw, value, negative, multiple, approximate) => {
    expect(parseNumber(raw)).toEqual({ raw, value, negative, multiple, approximate })
  })

  it.each([
    ...PLACEHOLDERS,
    '$5', '($2.5M)', '45%', '2.5M', '1.2.3', '2026-01-29', '10-15', '3/7', '1h', '4xl', '0x1F', '12.5x–14.0x', 'many', 'x',
    '(1) first item', '(see note)', '(115,000,000) net', 'Phase 2', '-27 to -30 points', '1.8x – 2.4x', '10 - 15',
  ])('answers null for %j', (raw) => {
    expect(parseNumber(raw)).toBeNull()
  })
})

describe('parseStatus', () => {
  it.each([
    ['✅ COMPLETE', 'complete'],
    ['✅', 'complete'],
    ['COMPLETE', 'complete'],
    ['Completed', 'complete'],
    ['DONE', 'complete'],
    ['✓ complete', 'complete'],
    ['✅ **COMPLETE**', 'complete'],
    ['Status: ✅ Complete', 'complete'],
    ['✅ COMPLETE - Ready for V1.2-V1.4 parallel validation', 'complete'],
    ['✅ Approved with notes', 'complete'],
    ['⏳ PENDING', 'pending'],
    ['PENDING', 'pending'],
    ['pending', 'pending'],
    ['⏳', 'pending'],
    ['NOT STARTED', 'pending'],
    ['not_started', 'pending'],
    ['⏳ READY', 'ready'],
    ['IN_PROGRESS', 'in_progress'],
    ['In Progress', 'in_progress'],
    ['🔄 IN PROGRESS', 'in_progress'],
    ['🔄 Drafting section 4', 'in_progress'],
    ['RUNNING', 'in_progress'],
    ['IN_PROGRESS_BLOCKED', 'in_progress'],
    ['❌ FAILED', 'failed'],
    ['❌', 'failed'],
    ['FAIL', 'failed'],
    ['BLOCKED', 'blocked'],
    ['⚠️ PARTIAL', 'partial'],
    ['Partially complete', 'partial'],
    ['PASS', 'passed'],
    ['✅ PASS (minor notes)', 'passed'],
    ['PROCEED', 'proceed'],
    ['PROCEED WITH CONDITIONS', 'proceed'],
    ['REMEDIATE', 'remediate'],
    ['SKIPPED', 'skipped'],
  ])('reads %j as %s', (raw, status) => {
    expect(parseStatus(raw)).toEqual({ raw, status })
  })

  it.each(['YES', 'NO', 'VERIFIED', 'INCOMPLETE', 'Pass-through entity', 'Phase 2 complete', 'REMEDIATED', '❌ N/A', '✅ None'])(
    'names no status in %j',
    (raw) => {
      expect(parseStatus(raw)).toEqual({ raw, status: null })
    },
  )

  it.each(['N/A', '', '—', 'TBD'])('answers null for the placeholder %j', (raw) => {
    expect(parseStatus(raw)).toBeNull()
  })
})

describe('parseSeverity', () => {
  it.each([
    ['HIGH', 'high'],
    ['**HIGH**', 'high'],
    ['🔴 CRITICAL', 'critical'],
    ['Medium', 'medium'],
    ['🟡 **MEDIUM**', 'medium'],
    ['HIGH (deal-blocking)', 'high'],
    ['HIGH Severity Findings', 'high'],
    ['LOW', 'low'],
    ['MODERATE', 'medium'],
    ['Minor', 'low'],
    ['MEDIUM-HIGH', 'high'],
    ['LOW-MEDIUM', 'medium'],
    ['low to medium', 'medium'],
    ['Severity: Critical', 'critical'],
  ])('reads %j as %s', (raw, severity) => {
    expect(parseSeverity(raw)).toBe(severity)
  })

  it.each(['', 'N/A', '🔴', 'Highest', 'High-Water Mark', 'Lower bound', 'SEVERE?', 'yes'])('answers null for %j', (raw) => {
    expect(parseSeverity(raw)).toBeNull()
  })
})

describe('parseConfidence', () => {
  it.each([
    ['HIGH', 'high'],
    ['VERIFIED', 'verified'],
    ['✓ Verified', 'verified'],
    ['[VERIFIED: statute text]', 'verified'],
    ['Verified (primary source)', 'verified'],
    ['Fully verified', 'verified'],
    ['CONFIRMED', 'verified'],
    ['HIGH (60-70%)', 'high'],
    ['Medium', 'medium'],
    ['LOW', 'low'],
    ['MEDIUM-HIGH', 'medium'],
    ['LOW-MEDIUM', 'low'],
  ])('reads %j as %s', (raw, confidence) => {
    expect(parseConfidence(raw)).toBe(confidence)
  })

  it.each(['', 'N/A', 'UNVERIFIED', 'Partially verified', 'Highly likely', 'maybe'])('answers null for %j', (raw) => {
    expect(parseConfidence(raw)).toBeNull()
  })
})

describe('parseDuration', () => {
  const MIN = 60_000
  const HOUR = 60 * MIN

  it.each([
    ['5m', 5 * MIN],
    ['15 min', 15 * MIN],
    ['1h 30m', 90 * MIN],
    ['1h30m', 90 * MIN],
    ['1 hour, 15 minutes', 75 * MIN],
    ['2 hours', 2 * HOUR],
    ['2 Hours', 2 * HOUR],
    ['45s', 45_000],
    ['250ms', 250],
    ['00:15:00', 15 * MIN],
    ['1:02:03', HOUR + 2 * MIN + 3_000],
    ['12:34', 12 * MIN + 34_000],
    ['90 minutes', 90 * MIN],
    ['~30 min', 30 * MIN],
    ['3.5 hours', 3.5 * HOUR],
    ['2 days', 48 * HOUR],
    ['1 week', 7 * 24 * HOUR],
    ['10 min each', 10 * MIN],
    ['1 hour each (11 sections)', HOUR],
    // Ends in the wrong order make no range; the first span stands alone.
    ['2 hours - 1 hour', 2 * HOUR],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(parseDurationMs(raw)).toBe(ms)
    expect(parseDuration(raw)).toEqual({ raw, ms, lowMs: ms, highMs: ms, approximate: raw.startsWith('~') })
  })

  it.each([
    ['90-120 minutes', 90 * MIN, 120 * MIN],
    ['4-6 hours', 4 * HOUR, 6 * HOUR],
    ['30 min - 1 hour', 30 * MIN, HOUR],
    ['1h to 2h', HOUR, 2 * HOUR],
  ])('reads the range %j', (raw, lowMs, highMs) => {
    expect(parseDuration(raw)).toEqual({ raw, ms: null, lowMs, highMs, approximate: false })
    expect(parseDurationMs(raw)).toBeNull()
  })

  it.each([...PLACEHOLDERS, '5 years', '36 months', '2.5M TEU', '5M', '$87.0M', '12', 'soon', '1.2.3 min', '2026-01-29'])(
    'answers null for %j',
    (raw) => {
      expect(parseDurationMs(raw)).toBeNull()
    },
  )
})
