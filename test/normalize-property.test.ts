/**
 * Property tests of the value normalisers: on any string they never throw,
 * answer `null` or an object carrying the input as `raw`, keep their ranges
 * ordered, answer the same twice, and read back values they are given.
 */
import fc from 'fast-check'
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

const RUNS = { numRuns: 500 }

const FRAGMENTS = [
  '$', 'US$', 'USD', '€', '£', '(', ')', '-', '–', '—', '−', '+', '~', '≈', '%', ',', '.', ':', '/', ' ', ' ', ' to ', ' and ', 'between ',
  'over ', 'up to ', 'approximately ', 'M', 'K', 'B', 'bn', 'mm', ' million', ' billion', 'm', 'h', 's', ' min', ' hours', 'ms',
  '0', '1', '5', '9', '12', '40', '60', '1,250', ',000', '.5', '2026', '2037', '-08', '-29', '-00', '-13', 'T02:00:00', 'Z', '+05:30',
  'Q', 'Q3', 'H2', 'Jan', 'February', 'Sept.', ' 28,', 'mid-', 'late ', '**', '__', '`', '<br>', '✅', '⏳', '❌', '⚠️', '🔄', '🔴',
  'x', '×', 'COMPLETE', 'IN_PROGRESS', 'PENDING', 'PASS', 'HIGH', 'MEDIUM-HIGH', 'VERIFIED', 'N/A', 'TBD', 'None', ' of ', 'employees', '²¹', '\u00A0',
]

/** Fragment soup: near misses of every format the normalisers read. */
const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((parts) => parts.join(''))

/** Arbitrary text, mostly near misses, sometimes any Unicode at all. */
const anyText = fc.oneof(
  { weight: 3, arbitrary: soup },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
)

const STATUSES = new Set(['complete', 'in_progress', 'pending', 'ready', 'blocked', 'failed', 'passed', 'skipped', 'proceed', 'remediate', 'partial'])
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

const finiteOrNull = (value: number | null): boolean => value === null || Number.isFinite(value)

describe('normalisers on any text', () => {
  it('never throw, and answer null or an object whose raw is the input', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        for (const parse of [parseMoney, parseDateValue, parsePercent, parseCount, parseNumber, parseStatus, parseDuration]) {
          const result = parse(raw)
          expect(result === null || result.raw === raw).toBe(true)
        }
        expect([null, 'critical', 'high', 'medium', 'low']).toContain(parseSeverity(raw))
        expect([null, 'verified', 'high', 'medium', 'low']).toContain(parseConfidence(raw))
        expect(typeof isNullLike(raw)).toBe('boolean')
        const text = plain(raw)
        expect(text).toBe(text.trim())
      }),
      RUNS,
    )
  })

  it('answer the same for the same text, whatever was read before', () => {
    fc.assert(
      fc.property(anyText, anyText, (first, second) => {
        const before = [parseMoney(first), parseDateValue(first), parsePercent(first), parseCount(first), parseNumber(first), parseStatus(first), parseDuration(first)]
        for (const parse of [parseMoney, parseDateValue, parsePercent, parseCount, parseNumber, parseStatus, parseDuration]) parse(second)
        const after = [parseMoney(first), parseDateValue(first), parsePercent(first), parseCount(first), parseNumber(first), parseStatus(first), parseDuration(first)]
        expect(after).toEqual(before)
      }),
      RUNS,
    )
  })

  it('answer null, never zero, for placeholders', () => {
    fc.assert(
      fc.property(anyText.filter(isNullLike), (raw) => {
        expect(parseMoney(raw)).toBeNull()
        expect(parsePercent(raw)).toBeNull()
        expect(parseCount(raw)).toBeNull()
        expect(parseNumber(raw)).toBeNull()
        expect(parseDateValue(raw)).toBeNull()
        expect(parseDurationMs(raw)).toBeNull()
      }),
      { numRuns: 100 },
    )
  })
})

describe('parseMoney invariants', () => {
  it('keeps low ≤ high, finite values, and value consistent with the ends', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const money = parseMoney(raw)
        if (money === null) return
        expect(finiteOrNull(money.value) && finiteOrNull(money.low) && finiteOrNull(money.high)).toBe(true)
        expect(money.low !== null || money.high !== null).toBe(true)
        if (money.low !== null && money.high !== null) expect(money.low).toBeLessThanOrEqual(money.high)
        if (money.openEnded) expect(money.value).toBe(money.low ?? money.high)
        else if (money.low !== money.high) expect(money.value).toBeNull()
        else expect(money.value).toBe(money.low)
        expect(money.currency).toMatch(/^[A-Z]{3}$/)
      }),
      RUNS,
    )
  })

  it('reads back amounts written with thousands separators', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (amount) => {
        expect(parseMoney(`$${amount.toLocaleString('en-US')}`)?.value).toBe(amount)
      }),
      RUNS,
    )
  })

  it('reads back ranges with one unit for both ends', () => {
    const unit = fc.constantFrom(['K', 1e3], ['M', 1e6], ['B', 1e9], [' million', 1e6], [' bn', 1e9]) as fc.Arbitrary<[string, number]>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), unit, fc.constantFrom('-', '–', '—', ' to '), (a, b, [suffix, scale], dash) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        const money = parseMoney(`$${low}${dash}${high}${suffix}`)
        expect(money?.low).toBe(low * scale)
        expect(money?.high).toBe(high * scale)
      }),
      RUNS,
    )
  })
})

describe('parseDateValue invariants', () => {
  it('gives a date and a precision together, ISO shaped, with end after date', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const value = parseDateValue(raw)
        if (value === null) return
        expect(value.date === null).toBe(value.precision === null)
        if (value.date === null) {
          expect(value.end).toBeNull()
          return
        }
        if (value.precision === 'instant') expect(new Date(value.date).toISOString()).toBe(value.date)
        else expect(value.date).toMatch(ISO_DAY)
        if (value.end !== null) {
          expect(value.end).toMatch(ISO_DAY)
          expect(value.end >= value.date).toBe(true)
        }
      }),
      RUNS,
    )
  })

  it('reads back any day written as ISO, as a US date and as a UTC instant', () => {
    const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (when) => {
        const iso = when.toISOString()
        const day = iso.slice(0, 10)
        expect(parseDateValue(iso)?.date).toBe(iso)
        expect(parseDateValue(day)).toEqual({ raw: day, date: day, precision: 'day', end: null })
        const us = `${MONTHS[when.getUTCMonth()]} ${when.getUTCDate()}, ${when.getUTCFullYear()}`
        expect(parseDateValue(us)?.date).toBe(day)
      }),
      RUNS,
    )
  })
})

describe('other invariants', () => {
  it('keep percent, duration and count ranges ordered and finite, and plain numbers signed as written', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const percent = parsePercent(raw)
        if (percent !== null && percent.low !== null && percent.high !== null) expect(percent.low).toBeLessThanOrEqual(percent.high)
        const duration = parseDuration(raw)
        if (duration !== null) {
          expect(Number.isInteger(duration.lowMs) && Number.isInteger(duration.highMs)).toBe(true)
          expect(duration.lowMs!).toBeLessThanOrEqual(duration.highMs!)
          expect(duration.lowMs!).toBeGreaterThanOrEqual(0)
        }
        const count = parseCount(raw)
        if (count !== null) expect(Number.isFinite(count.value) && count.value! >= 0).toBe(true)
        const number = parseNumber(raw)
        if (number !== null) {
          expect(Number.isFinite(number.value)).toBe(true)
          // Negative exactly when written so; `-0` and `(0)` are zero, not below it.
          expect(number.value < 0 ? number.negative : number.value === 0 || !number.negative).toBe(true)
        }
        const status = parseStatus(raw)
        if (status?.status != null) expect(STATUSES.has(status.status)).toBe(true)
      }),
      RUNS,
    )
  })

  it('read back percentages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (basisPoints) => {
        const literal = (basisPoints / 100).toString()
        expect(parsePercent(`${literal}%`)?.value).toBe(Number(`${literal}e-2`))
      }),
      RUNS,
    )
  })
})

describe('long and hostile input', () => {
  it.each([
    ['dollar signs', '$'.repeat(20_000)],
    ['digits', '9'.repeat(20_000)],
    ['spaced digits', '1 '.repeat(10_000)],
    ['dollar and spaces', `$${' '.repeat(20_000)}x`],
    ['ranges', '$1-'.repeat(7_000)],
    ['commas', `$1${',000'.repeat(5_000)}.5.5`],
    ['dates', '2026-'.repeat(4_000)],
    ['durations', '1h '.repeat(7_000)],
    ['emoji', '✅'.repeat(10_000)],
  ])(
    'answers on %s without catastrophic backtracking',
    // A super-linear pattern hangs on these inputs for minutes; the test timeout
    // catches that. Every call takes well under 0.1 s today (`npm run bench` is
    // where speed is measured, not here).
    { timeout: 15_000 },
    (_label, raw) => {
      for (const parse of [parseMoney, parseDateValue, parsePercent, parseCount, parseNumber, parseStatus, parseDuration, parseSeverity, parseConfidence]) {
        const value = parse(raw)
        // Severity and confidence answer a bare label; the others carry their input.
        if (value !== null && typeof value === 'object') expect(value.raw).toBe(raw)
      }
    },
  )
})
