/**
 * Boilerplate is not data (issue 11, class 3): statements of nothing, lists
 * under a heading that says there are none, cross-checks that all agree,
 * legends, status counters, sub-header rows and source attributions.
 */
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import { allRowsAgree, attributionOf, headingSaysNone, isLegend, isStatusCounter, saysNothing } from '../src/parsers/typed/boilerplate.js'
import { parseConflictReport } from '../src/parsers/typed/conflict-report.js'
import { parseCoverageGaps } from '../src/parsers/typed/coverage-gaps.js'
import { parseOrchestratorState } from '../src/parsers/typed/orchestrator-state.js'
import { parseResearchPlan } from '../src/parsers/typed/research-plan.js'
import type { MarkdownRecords } from '../src/parsers/types.js'

function markdownOf(text: string): MarkdownRecords {
  const parsed = parseDocument('doc.md', new TextEncoder().encode(text))
  if (!parsed.markdown) throw new Error('not markdown')
  return parsed.markdown
}

describe('predicates', () => {
  it.each(['None', 'N/A', '—', 'No gaps identified', '✅ No conflicts', 'No blockers', 'None found.', 'No material gaps were identified', 'Nothing to report', 'None (all resolved)'])(
    '%j says nothing',
    (text) => expect(saysNothing(text)).toBe(true),
  )
  it.each(['Pending', 'TBD', 'Lender consent', 'No-shop clause', 'None of the lenders consented', '$0'])('%j says something', (text) => {
    expect(saysNothing(text)).toBe(false)
  })
  it.each(['Critical Gaps: NONE', 'Date Conflicts (NONE FOUND)', 'No Blockers', '✅ Dates (No Conflicts)', 'GAPS REQUIRING REMEDIATION: NONE', 'No Gaps Identified'])(
    'heading %j says none',
    (heading) => expect(headingSaysNone(heading)).toBe(true),
  )
  it.each(['Identified Gaps', 'Conflict 1: Purchase Price', 'Deal-Blocking Issues', 'No-Shop Provisions and Fiduciary Out'])('heading %j lists', (heading) => {
    expect(headingSaysNone(heading)).toBe(false)
  })
  it('knows legends, counters and attributions', () => {
    expect(isLegend('Legend', '✅ = complete, ⏳ = pending')).toBe(true)
    expect(isLegend('Status', '✅ complete')).toBe(false)
    expect(isStatusCounter('Items pending', '0')).toBe(true)
    expect(isStatusCounter('Open conflicts', '2')).toBe(true)
    expect(isStatusCounter('Total employees', '2,800')).toBe(false)
    expect(attributionOf('Sources', 'a-report.md, b-report.md')).toBe('a-report.md, b-report.md')
    expect(attributionOf('Source Reports', '15 specialist reports analyzed')).toBeNull()
  })
  it('tells a cross-check that agrees from a fact table that is verified', () => {
    const [crossCheck, verified] = markdownOf(
      '| Fact | T1 | T4 | Match? |\n|---|---|---|---|\n| Price | $2B | $2B | ✅ MATCH |\n| Date | Q2 | Q2 | ✅ |\n\n' +
        '| Fact | Value | Verified |\n|---|---|---|\n| Price | $2B | ✓ |\n',
    ).tables
    expect(allRowsAgree(crossCheck!)).toBe(true)
    expect(allRowsAgree(verified!)).toBe(false)
    expect(allRowsAgree(verified!, true)).toBe(true)
  })
})

describe('coverage gaps', () => {
  it('keeps lists under a none heading, none rows and group labels out', () => {
    const records = parseCoverageGaps(
      markdownOf(
        [
          '# Coverage Gap Analysis',
          '## Identified Gaps',
          '### Critical Gaps: NONE',
          '| Gap # | Description | Severity |',
          '|---|---|---|',
          '| — | None | — |',
          '### Other Gaps',
          '| Gap # | Description | Severity | Status |',
          '|---|---|---|---|',
          '| **REGULATORY** | | | |',
          '| G1 | State filing not researched | NONE | Open |',
          '| — | No gaps identified | — | — |',
        ].join('\n'),
      ),
    )
    const rows = records.rows.coverage_gaps ?? []
    expect(rows.map((r) => r.values.description)).toEqual(['State filing not researched'])
    expect(rows[0]!.values.severity).toBeNull()
  })
})

describe('conflicts', () => {
  it('lists nothing under a none heading nor from a table whose rows all agree', () => {
    const records = parseConflictReport(
      markdownOf(
        [
          '# Conflict Report',
          '## Date Conflicts (NONE FOUND)',
          '| Fact | Value in T1 | Value in T2 | Resolution |',
          '|---|---|---|---|',
          '| Closing | Q2 2026 | Q2 2026 | n/a |',
          '## Conflict Summary',
          '| Fact | Value in T1 | Value in T2 | Status |',
          '|---|---|---|---|',
          '| Price | $2B | $2B | ✅ Consistent |',
          '| Employees | 485 | 485 | MATCH |',
          '## Conflicts',
          '| Conflict # | Fact | Values | Severity |',
          '|---|---|---|---|',
          '| 1 | Employee count | 485 vs 490 | NONE (immaterial) |',
        ].join('\n'),
      ),
    )
    const rows = records.rows.fact_conflicts ?? []
    expect(rows.map((r) => r.values.fact_name)).toEqual(['Employee count'])
    expect(rows[0]!.values.severity).toBeNull()
  })
})

describe('orchestrator and research plan tables', () => {
  it('take no warning from a none heading or a None row', () => {
    const records = parseOrchestratorState(
      markdownOf(
        [
          '# Orchestrator State',
          '## DEAL-BLOCKING ISSUES',
          '| Issue | Severity | Status |',
          '|---|---|---|',
          '| None | — | — |',
          '| No blockers identified | N/A | N/A |',
        ].join('\n'),
      ),
    )
    expect(records.rows.deal_blocking_warnings ?? []).toEqual([])
  })

  it('skip group labels in typed tables', () => {
    const records = parseResearchPlan(
      markdownOf(
        [
          '# Research Plan',
          '## Legal Domains',
          '| # | Domain | Scope | Priority |',
          '|---|---|---|---|',
          '| **FEDERAL** | | | |',
          '| 1 | Securities | Form ADV | HIGH |',
          '| — | None | — | — |',
        ].join('\n'),
      ),
    )
    expect((records.rows.legal_domains ?? []).map((r) => r.values.domain)).toEqual(['Securities'])
  })
})

describe('a heading that names a fact whose value is none', () => {
  it('is no empty list', () => {
    expect(headingSaysNone('Succession Plan: None')).toBe(false)
    expect(headingSaysNone('Regulatory Issues: None')).toBe(true)
  })
})

describe('a plan table right under a none heading', () => {
  it('gives no rows', () => {
    const records = parseResearchPlan(
      markdownOf(['# Research Plan', '## Legal Domains: None Required', '| # | Domain | Scope | Priority |', '|---|---|---|---|', '| 1 | Antitrust | HSR | LOW |'].join('\n')),
    )
    expect(records.rows.legal_domains ?? []).toEqual([])
  })
})

describe('sub-header rows', () => {
  it('are labels, not ids', async () => {
    const { subHeaderLabel } = await import('../src/parsers/typed/boilerplate.js')
    const [table] = markdownOf('| Gap # | Description | Severity |\n|---|---|---|\n| **REGULATORY:** | | |\n| GAP 7 | | |\n| #3 | | |\n').tables
    expect(table!.rows.map((row) => subHeaderLabel(table!, row))).toEqual(['REGULATORY', null, null])
  })
})

describe('JSON states', () => {
  it('take no risk from an entry that only says there is none, and no blocker from "None"', async () => {
    const { parseRiskSummary } = await import('../src/parsers/typed/risk-summary.js')
    const { parseSynthesisState } = await import('../src/parsers/typed/agent-state.js')
    const risks = parseRiskSummary({ risks: [{ title: 'None identified' }, { title: 'Lender consent', exposure: 5_000_000 }] })
    expect((risks.rows.risk_items ?? []).map((r) => r.values.title)).toEqual(['Lender consent'])
    for (const blocker of ['None', ['N/A'], 'No blockers', []]) {
      expect(parseSynthesisState({ status: 'in_progress', blocking_issue: blocker }).rows.synthesis_state?.[0]?.values.blocking_issue).toBeNull()
    }
    expect(parseSynthesisState({ blockers: ['Awaiting T3 report'] }).rows.synthesis_state?.[0]?.values.blocking_issue).toBe('["Awaiting T3 report"]')
  })
})
