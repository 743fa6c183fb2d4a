/**
 * The pure rules behind a specialist's derived status (src/store/specialist-evidence.ts),
 * on the shapes the dev corpus has: one report for two tasks, inventory rows
 * that name the specialist and the task, reports named by topic, a report an
 * inventory row claims, and a complete session.
 */
import { describe, expect, it } from 'vitest'
import { deriveSpecialists, type AssignmentInput } from '../src/store/specialist-evidence.js'

const plan = (...rows: Array<[string, string, string?]>): AssignmentInput[] =>
  rows.map(([taskId, specialistType, status], i) => ({ id: i + 1, taskId, specialistType, status: status ?? 'pending' }))

const none = { reports: [], inventory: [], agents: [] }

describe('deriveSpecialists', () => {
  it('keeps the plan where nothing speaks, and its own complete or skipped marks', () => {
    const derived = deriveSpecialists(plan(['T1', 'a-analyst'], ['T2', 'b-analyst', 'skipped']), none, false)
    expect(derived.map((d) => [d.status, d.evidence])).toEqual([
      ['pending', null],
      ['skipped', 'plan'],
    ])
  })

  it('lets one report name two tasks, and gives the others of its type the remaining reports, one each', () => {
    const derived = deriveSpecialists(
      plan(['T5', 'case-law-analyst'], ['T6', 'case-law-analyst'], ['T7', 'case-law-analyst'], ['T8', 'case-law-analyst']),
      {
        ...none,
        reports: [
          { path: 's/specialist-reports/case-law-analyst-water-rights-report.md', idTexts: ['2025-01-04-case-law-water-rights-T5-T6'], authors: ['case-law-analyst'] },
          { path: 's/specialist-reports/case-law-analyst-pfas-report.md', idTexts: [], authors: [] },
        ],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidencePath])).toEqual([
      ['complete', 's/specialist-reports/case-law-analyst-water-rights-report.md'],
      ['complete', 's/specialist-reports/case-law-analyst-water-rights-report.md'],
      ['complete', 's/specialist-reports/case-law-analyst-pfas-report.md'],
      ['pending', null],
    ])
  })

  it('reads the task from an inventory row that names the specialist, and keeps the report it names for that task', () => {
    const derived = deriveSpecialists(
      plan(['T1', 'regulatory-rulemaking-analyst'], ['T2', 'regulatory-rulemaking-analyst']),
      {
        ...none,
        inventory: [{ path: 's/orchestrator-state.md', specialistId: 'regulatory-rulemaking-analyst (T1)', reportFile: 'regulatory-rulemaking-rbc-report.md', complete: 'complete' }],
        reports: [{ path: 's/specialist-reports/regulatory-rulemaking-rbc-report.md', idTexts: [], authors: [] }],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidence])).toEqual([
      ['complete', 'inventory'],
      ['pending', null],
    ])
  })

  it('matches a report by its subagent or by the type without its -analyst suffix, and an agent state by name', () => {
    const derived = deriveSpecialists(
      plan(['T1', 'employment-labor-analyst'], ['T2', 'financial-analyst'], ['T3', 'securities-researcher']),
      {
        ...none,
        reports: [
          { path: 's/specialist-reports/railway-labor-act-report.md', idTexts: ['Railway Labor Act analysis'], authors: ['employment-labor-analyst'] },
          { path: 's/specialist-reports/financial-impact-analysis.md', idTexts: [], authors: [] },
        ],
        agents: [{ path: 's/securities-researcher-state.json', agent: 'securities-researcher', status: 'complete' }],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidence, d.evidencePath])).toEqual([
      ['complete', 'report', 's/specialist-reports/railway-labor-act-report.md'],
      ['complete', 'report', 's/specialist-reports/financial-impact-analysis.md'],
      ['complete', 'agent_state', 's/securities-researcher-state.json'],
    ])
  })

  it('does not give a task another task\'s report, and in a complete session nothing is pending', () => {
    const assignments = plan(['T1', 'tax-structure-analyst'], ['T2', 'tax-structure-analyst'])
    const sources = { ...none, reports: [{ path: 's/tax-structure-report.md', idTexts: ['TASK T2: tax'], authors: ['tax-structure-analyst'] }] }
    expect(deriveSpecialists(assignments, sources, false).map((d) => d.status)).toEqual(['pending', 'complete'])
    expect(deriveSpecialists(assignments, sources, true).map((d) => [d.status, d.evidence])).toEqual([
      ['complete', 'session'],
      ['complete', 'report'],
    ])
  })

  it('does not let a report by another planned type take the task ids it cites as inputs (T1-T7), and gives it to its own type', () => {
    const derived = deriveSpecialists(
      plan(['T1', 'regulatory-rulemaking-analyst'], ['T7', 'employment-labor-analyst'], ['T8', 'financial-analyst']),
      {
        ...none,
        reports: [
          { path: 's/specialist-reports/financial-analyst-report.md', idTexts: ['Integrated financial risk modeling synthesizing 7 specialist reports (T1-T7)'], authors: ['financial-analyst'] },
          { path: 's/specialist-reports/regulatory-rulemaking-analyst-report.md', idTexts: ['T1: RBC Capital Requirements'], authors: ['regulatory-rulemaking-analyst'] },
          { path: 's/specialist-reports/employment-labor-analyst-report.md', idTexts: ['2026-01-17-employment-labor-agent-retention'], authors: ['employment-labor-analyst'] },
        ],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidencePath])).toEqual([
      ['complete', 's/specialist-reports/regulatory-rulemaking-analyst-report.md'],
      ['complete', 's/specialist-reports/employment-labor-analyst-report.md'],
      ['complete', 's/specialist-reports/financial-analyst-report.md'],
    ])
  })

  it('reads an author written in words (Commercial Contracts Research Specialist) as the type it names', () => {
    const derived = deriveSpecialists(
      plan(['T3', 'commercial-contracts-analyst'], ['T6', 'financial-analyst']),
      {
        ...none,
        reports: [
          { path: 's/specialist-reports/medical-director-contracts-report.md', idTexts: ['2026-01-25-medical-director-contracts-stark-aks'], authors: ['Commercial Contracts Research Specialist'] },
        ],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidencePath])).toEqual([
      ['complete', 's/specialist-reports/medical-director-contracts-report.md'],
      ['pending', null],
    ])
  })

  it('reads an author holding every word of the type (Employment and Labor Law Specialist) as that type', () => {
    const derived = deriveSpecialists(
      plan(['T4', 'employment-labor-analyst'], ['T5', 'case-law-analyst']),
      {
        ...none,
        reports: [{ path: 's/specialist-reports/teamsters-labor-report.md', idTexts: ['2026-01-14-employment-labor-teamsters-uesc'], authors: ['Employment and Labor Law Specialist'] }],
      },
      false,
    )
    expect(derived.map((d) => [d.status, d.evidencePath])).toEqual([
      ['complete', 's/specialist-reports/teamsters-labor-report.md'],
      ['pending', null],
    ])
  })

  it('gives a task folded into another ((Combine with T2)) that task\'s derived status, and keeps it pending while that one is', () => {
    const assignments = plan(['T2', 'environmental-compliance-analyst'], ['T13', '(Combine with T2)'])
    const report = { path: 's/specialist-reports/subtitle-d-landfill-report.md', idTexts: ['T2: Subtitle D landfill regulation'], authors: ['environmental-compliance-analyst'] }
    expect(deriveSpecialists(assignments, { ...none, reports: [report] }, false).map((d) => [d.status, d.evidence, d.evidencePath])).toEqual([
      ['complete', 'report', report.path],
      ['complete', 'report', report.path],
    ])
    expect(deriveSpecialists(assignments, none, false).map((d) => d.status)).toEqual(['pending', 'pending'])
  })

  it('keeps a single task id a report names as its own, though its author is another planned type', () => {
    const derived = deriveSpecialists(
      plan(['T8', 'securities-researcher'], ['T9', 'case-law-analyst']),
      {
        ...none,
        reports: [
          { path: 's/specialist-reports/maritime-liens-report.md', idTexts: ['2026-01-12-T8-maritime-liens-pmsc'], authors: ['case-law-analyst (maritime liens)'] },
          { path: 's/specialist-reports/section-905b-litigation-report.md', idTexts: ['2026-01-12-T9-section-905b-litigation'], authors: ['case-law-analyst'] },
        ],
      },
      false,
    )
    expect(derived.map((d) => d.evidencePath)).toEqual(['s/specialist-reports/maritime-liens-report.md', 's/specialist-reports/section-905b-litigation-report.md'])
  })
})
