/**
 * The keys that tell one fact or conflict from another (fact-merge.ts), and
 * the merge of a fact restated in one file: same name and value is one row
 * counting its tellings, another value is another row.
 */
import { describe, expect, it } from 'vitest'
import { conflictKey, factKey, mergeRestated, valueKey } from '../src/parsers/typed/fact-merge.js'
import type { TypedRow } from '../src/parsers/typed/types.js'

const row = (line: number, fact: string | null, value: string | null): TypedRow => ({
  line,
  values: { fact, value, occurrences: null, fact_key: null },
  extra: null,
  raw: { Fact: fact ?? '', Value: value ?? '' },
})
const COLUMNS = { name: 'fact', value: 'value', key: 'fact_key' }

describe('keys', () => {
  it('reads a fact name without markers and punctuation, keeping words in brackets', () => {
    expect(factKey('**Purchase Price:**')).toBe('purchase price')
    expect(factKey('Credit Rating (S&P)')).not.toBe(factKey("Credit Rating (Moody's)"))
    expect(factKey('  ')).toBeNull()
    expect(factKey(null)).toBeNull()
  })

  it('reads a value without case, markers or a trailing remark in brackets, keeping digits and units', () => {
    expect(valueKey('$870M (for 50/50 financing)')).toBe(valueKey('**$870M**'))
    expect(valueKey('6.2% ($118M NI ÷ $1.9B equity)')).toBe('6.2%')
    expect(valueKey('1.5%')).not.toBe(valueKey('15%'))
    expect(valueKey('$42M')).not.toBe(valueKey('$48M'))
  })

  it('links a conflict by the content words of its fact, in any order', () => {
    expect(conflictKey('Annual Debt Service Discrepancy')).toBe(conflictKey('Annual Debt Service'))
    expect(conflictKey('Reactor Type Classification (BWR vs. PWR)')).toBe(conflictKey('Reactor Type'))
    expect(conflictKey('Phoenix Franchise Renewal Probability Range')).toBe(conflictKey('Phoenix Franchise Renewal Probability'))
    expect(conflictKey('Closing Date')).toBe(conflictKey('Date of Closing'))
    expect(conflictKey('NRC Operating License Numbers - Unit 1')).not.toBe(conflictKey('NRC Operating License Numbers - Unit 2'))
  })
})

describe('mergeRestated', () => {
  it('keeps one row per fact and value, counting tellings and keeping the other telling in extra', () => {
    const rows = mergeRestated([row(3, 'Purchase Price', '$870M'), row(9, '**Purchase Price**', '$870M (cash)'), row(12, 'Purchase Price', '$875M')], COLUMNS)
    expect(rows.map((r) => [r.line, r.values.fact_key, r.values.value, r.values.occurrences])).toEqual([
      [3, 'purchase price', '$870M', 2],
      [12, 'purchase price', '$875M', 1],
    ])
    expect(rows[0]!.extra).toEqual({ 'also: Fact': '**Purchase Price**', 'also: Value': '$870M (cash)' })
  })

  it('never merges rows with no name or no value', () => {
    const rows = mergeRestated([row(1, 'Note', null), row(2, 'Note', null), row(3, null, '$1M'), row(4, null, '$1M')], COLUMNS)
    expect(rows.map((r) => r.values.occurrences)).toEqual([1, 1, 1, 1])
  })
})
