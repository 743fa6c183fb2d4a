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

describe('JSON strings in text columns', () => {
  it('lose their markdown markers, and keep their lines', async () => {
    const { parseSynthesisState } = await import('../src/parsers/typed/agent-state.js')
    const records = parseSynthesisState({
      status: '**IN_PROGRESS**',
      current_phase: '`PHASE_4`',
      next_action: '**Write** section __IV.B__\nthen `append`',
      blocking_issue: ['**Lender consent**'],
    })
    const row = records.rows.synthesis_state?.[0]?.values
    expect(row?.status).toBe('in_progress')
    expect(row?.current_phase).toBe('PHASE_4')
    expect(row?.next_action).toBe('Write section IV.B\nthen append')
    expect(row?.blocking_issue).toBe('["Lender consent"]')
  })

  it('keeps identifiers with inner underscores', async () => {
    const { parseAgentState } = await import('../src/parsers/typed/agent-state.js')
    const records = parseAgentState('x-state.json', { agent: '**fact_validator**', status: 'IN__PROGRESS' })
    expect(records.rows.agent_states?.[0]?.values.agent).toBe('fact_validator')
  })

  it('risk titles, categories and sources lose them too', () => {
    const records = parseRiskSummary({ risks: [{ id: '`R1`', title: '**Permit Loss** (T2)', category: '__Environmental__', source: '**T2**' }] })
    const values = records.rows.risk_items?.[0]?.values
    expect(values).toMatchObject({ risk_id: 'R1', title: 'Permit Loss (T2)', category: 'Environmental', source: 'T2' })
  })
})

describe('extra amounts', () => {
  it('are in the typed columns’ unit: cents keys converted and renamed, money keys scaled with the document', () => {
    const records = parseRiskSummary({
      amounts_in_cents: true,
      risks: [{ id: 'R1', title: 'x', exposure: 2_600_000_000, present_value: 2_600_000_000, escrow_cents: 5_000_000, percent_of_total: 85.7, line_number: 288 }],
    })
    const item = records.rows.risk_items?.[0]
    expect(item?.values.gross_exposure).toBe(26_000_000)
    expect(item?.extra).toEqual({ present_value: '26000000', escrow_usd: '50000', percent_of_total: '85.7', line_number: '288' })
  })

  it('leave dollar documents alone, but still convert a cents key', () => {
    const records = parseRiskSummary({ risks: [{ id: 'R1', title: 'x', exposure: 5_000_000, present_value: 4_000_000, mitigation_cost_cents: 10_000 }] })
    expect(records.rows.risk_items?.[0]?.extra).toEqual({ present_value: '4000000', mitigation_cost_usd: '100' })
  })
})
