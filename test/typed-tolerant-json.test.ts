/**
 * JSON state files in unfamiliar shapes (issue 11, class 5): names with other
 * separators and suffixes route to their kind, and risk summaries that nest
 * their findings under category objects or keep their totals under another
 * summary name still yield their rows. Whole outputs are in
 * fixtures/risk-summary/{nested-categories,category-keyed-lists,grouped-domains-subtotals}
 * and fixtures/agent-state/{fact_validator_state,risk-aggregator.state.cycle2}.
 */
import { describe, expect, it } from 'vitest'
import { documentType } from '../src/parsers/document-type.js'
import { parseRiskSummary } from '../src/parsers/typed/risk-summary.js'
import { parseTyped } from '../src/parsers/typed/index.js'

describe('documentType: state file names', () => {
  it.each([
    // Separators and suffixes around a `state` token.
    ['fact_validator_state.json', 'state_file'],
    ['review-outputs/fact.validator.state.json', 'state_file'],
    ['qa-diagnostic-state-v2.json', 'state_file'],
    ['risk-aggregator-state.cycle2.json', 'state_file'],
    ['section_writer_state_IV-C.json', 'state_file'],
    ['synthesis_state.json', 'state_file'],
    ['state.json', 'state_file'],
    ['state-v2.json', 'state_file'],
    ['citation_validator_state.md', 'state_file'],
    // Unchanged: the hyphenated names.
    ['synthesis-state.json', 'state_file'],
    ['section-writer-state-IV-A.json', 'state_file'],
    ['citation-validator-state.md', 'state_file'],
    // A `state` subject, not an agent's state.
    ['state-licensing-matrix.json', 'other'],
    ['specialist-reports/state-licensing-matrix.json', 'specialist_report'],
    ['section-IV-D-state-licensing.md', 'other'],
    ['specialist-reports/state-licensing-report.md', 'specialist_report'],
    ['estate-plan.json', 'other'],
    ['statement-of-work.json', 'other'],
    ['multistate-nexus.json', 'other'],
    // Copies kept aside are backups, whatever their extension.
    ['fact-validator-state.backup.json', 'backup'],
    ['fact_validator_state_old.json', 'backup'],
    ['fact-validator-state.json.bak', 'backup'],
  ])('%s → %s', (relPath, expected) => {
    expect(documentType(relPath)).toBe(expected)
  })
})

describe('documentType: risk summary names', () => {
  it.each([
    ['risk-summary.json', 'risk_summary'],
    ['review-outputs/risk_summary.json', 'risk_summary'],
    ['risk.summary.json', 'risk_summary'],
    ['risk-summary-v2.json', 'risk_summary'],
    ['risk-summary.cycle2.json', 'risk_summary'],
    ['Risk_Summary_Final.json', 'risk_summary'],
    ['risk-summary-backup.json', 'backup'],
    // The aggregator's own state is a state file; other summaries are not risk summaries.
    ['risk-summary-state.json', 'state_file'],
    ['risk-summary.md', 'other'],
    ['review-outputs/risk-summary-notes.json', 'review_output'],
    ['pass2-summary.json', 'other'],
  ])('%s → %s', (relPath, expected) => {
    expect(documentType(relPath)).toBe(expected)
  })
})

function summaryOf(json: object): Record<string, unknown> {
  return parseRiskSummary(json).rows.risk_summary![0]!.values
}

function itemsOf(json: object): Array<Record<string, unknown>> {
  return (parseRiskSummary(json).rows.risk_items ?? []).map((row) => row.values)
}

describe('parseRiskSummary: findings nested by category', () => {
  const finding = (title: string, severity: string, gross: number): object => ({ title, severity, gross_exposure: gross })

  it('takes lists under category objects, the category from the enclosing key', () => {
    const json = {
      categories: {
        environmental: { risks: [finding('Tank', 'high', 100_000)] },
        tax: { findings: [finding('Nexus', 'low', 50_000), { ...finding('Transfer tax', 'medium', 10_000), category: 'Transfer' }] },
      },
    }
    expect(itemsOf(json).map((item) => [item.title, item.category])).toEqual([
      ['Tank', 'environmental'],
      ['Nexus', 'tax'],
      ['Transfer tax', 'Transfer'],
    ])
    expect(summaryOf(json).risk_count).toBe(3)
  })

  it('takes lists keyed by category at the top level', () => {
    const json = { environmental: [finding('Tank', 'critical', 1)], labor: [finding('Drivers', 'high', 2)] }
    expect(itemsOf(json).map((item) => item.category)).toEqual(['environmental', 'labor'])
    expect(summaryOf(json).highest_severity).toBe('critical')
  })

  it('finds findings four levels down, but not past eight', () => {
    const json = { a: { b: { c: { risks: [finding('Deep', 'high', 1)] } } } }
    expect(itemsOf(json).map((values) => values.title)).toEqual(['Deep'])
    const tooDeep = { a: { b: { c: { d: { e: { f: { g: { h: { risks: [finding('Too deep', 'high', 1)] } } } } } } } } }
    expect(itemsOf(tooDeep)).toEqual([])
  })

  it('does not take lists of things that are not findings', () => {
    const json = { environmental: [{ title: 'Phase I report', pages: 40 }], sources: ['a', 'b'] }
    expect(itemsOf(json)).toEqual([])
  })

  it('prefers the nested complete list to a shorter named selection, and keeps the selection when it is longer', () => {
    const nested = { categories: { ip: { risks: [finding('A', 'high', 1), finding('B', 'low', 2)] } } }
    const top = { top_risks: [finding('A', 'high', 1)] }
    expect(itemsOf({ ...nested, ...top }).map((item) => item.title)).toEqual(['A', 'B'])
    const longTop = { top_risks: [finding('A', 'high', 1), finding('B', 'low', 2), finding('C', 'low', 3)] }
    const shortNested = { categories: { ip: { risks: [finding('A', 'high', 1)] } } }
    expect(itemsOf({ ...shortNested, ...longTop }).map((item) => item.title)).toEqual(['A', 'B', 'C'])
  })

  it('does not read selections or blockers nested in the document as the list', () => {
    const json = { deal_blocking_issues: { details: [finding('A', 'high', 1)] }, environmental: [finding('B', 'low', 2)] }
    expect(itemsOf(json).map((item) => item.title)).toEqual(['B'])
  })

  it('leaves a named complete list as it was', () => {
    const json = { risks: [finding('A', 'high', 1)], categories: { tax: { risks: [finding('B', 'low', 2)] } } }
    expect(itemsOf(json).map((item) => item.title)).toEqual(['A'])
  })
})

describe('parseRiskSummary: totals under other summary names', () => {
  it('finds totals in any summary-named object, at depth up to three', () => {
    const json = { risk_overview: { exposure_totals: { gross_total: 5_000_000, expected_loss: 1_200_000 }, total_risks: 7 } }
    expect(summaryOf(json)).toMatchObject({ total_gross_exposure: 5_000_000, total_weighted_exposure: 1_200_000, risk_count: 7 })
  })

  it('reads a field by its words when no known total is there', () => {
    const json = { portfolio_rollup: { gross_exposure_sum_usd: 900_000, weighted_loss_sum_usd: 300_000 } }
    expect(summaryOf(json)).toMatchObject({ total_gross_exposure: 900_000, total_weighted_exposure: 300_000 })
  })

  it('takes a container named for its total: `weighted_exposure_summary: { total }`', () => {
    expect(summaryOf({ weighted_exposure_summary: { total: 42_000 } }).total_weighted_exposure).toBe(42_000)
  })

  it('does not take a count, a net amount or a category subtotal for the total', () => {
    const json = {
      key_metrics: { total_exposures_identified: 9, net_exposure_total: 100 },
      categories: { tax: { summary: { total_exposure: 999 } } },
    }
    expect(summaryOf(json).total_gross_exposure).toBeNull()
  })
})

describe('parseTyped: the synthesis state under other names', () => {
  const state = { status: 'in_progress', current_phase: 'synthesis', sections_completed: ['IV.A'] }
  const typedOf = (relPath: string) => parseTyped(documentType(relPath), relPath, { format: 'json', json: state, markdown: null, diagnostics: [] } as never)

  it('reads synthesis_state.json and versioned names as a synthesis state', () => {
    for (const name of ['synthesis-state.json', 'synthesis_state.json', 'synthesis.state.json', 'synthesis-state-v2.json', 'synthesis-state.cycle2.json']) {
      expect(typedOf(`s1/${name}`)?.rows.synthesis_state, name).toHaveLength(1)
    }
  })

  it('leaves other state files to the agent-state parser', () => {
    expect(typedOf('s1/synthesis-writer-state.json')?.rows.synthesis_state).toBeUndefined()
    expect(typedOf('s1/synthesis-state-notes.json')?.rows.synthesis_state).toBeUndefined()
  })
})
