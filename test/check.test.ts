/**
 * `statebridge check`: the per-kind drift report, through the built CLI.
 */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

let dir: string
beforeEach(() => {
  dir = tempDir()
  writeTree(path.join(dir, 'reports'), {
    's1/orchestrator-state.md': [
      '# ORCHESTRATOR STATE',
      '',
      '## DEAL_METADATA',
      '',
      '| Field | Value |',
      '|---|---|',
      '| Matter Name | Project Heron |',
      '| Deal Value | $1.5B |',
      '| Closing Date | sometime soon-ish 2026-13-45 |',
      '',
      '## SESSION_METRICS',
      '',
      '| Widget | Gadget |',
      '|---|---|',
      '| a | b |',
      '',
    ].join('\n'),
    's1/specialist-reports/tax-report.md': '## DEAL_METADATA\n\n| x |\n|---|\n| y |\n',
    's1/bad-state.json': '{"status": ',
  })
})
afterEach(() => cleanup(dir))

describe('statebridge check', () => {
  it('reports typed and generic tables per kind, misses and failures, as text and JSON', () => {
    const json = runCli(['check', path.join(dir, 'reports'), '--json'])
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout)
    expect(report).toMatchObject({ files: 3, failed: 1 })
    const state = report.kinds.orchestrator_state
    expect(state).toMatchObject({ files: 1, typedFiles: 1, tables: 2, typedTables: 1 })
    expect(state.rowsMapped).toBeDefined()
    // A table under a known heading with headers no parser understands is drift.
    expect(state.genericKnown).toEqual([{ path: 's1/orchestrator-state.md', line: 13, headingPath: ['ORCHESTRATOR STATE', 'SESSION_METRICS'] }])
    // Reports may quote such headings without being held to them.
    expect(report.kinds.specialist_report.genericKnown).toEqual([])
    expect(report.kinds.state_file.errors[0].error).toMatch(/^line 1, column 12: invalid JSON/)

    const text = runCli(['check', path.join(dir, 'reports')])
    expect(text.stdout).toContain('generic: s1/orchestrator-state.md:13 ORCHESTRATOR STATE > SESSION_METRICS')
    expect(text.stdout).toContain('failed: s1/bad-state.json')
  })

  it('reports what was dropped or recovered: broken tables, pipe runs, keys no column took, empty known sections', () => {
    const root = path.join(dir, 'dropped')
    writeTree(root, {
      's2/review-outputs/fact-registry.md': [
        '# FACT REGISTRY',
        '',
        '## Key Dates',
        '',
        '| Fact | Canonical Value | Source | Confidence |',
        '|------|-----------------|--------|',
        '| Signing Date | 2027-02-14 | deal-terms-report.md | HIGH |',
        '',
        '## Quantitative Facts',
        '',
        'None found yet.',
        '',
      ].join('\n'),
      's2/specialist-reports/labor-report.md': '**With PEB:**\n| Cooling off | 60 days |\n| Strike | 2028 |\n',
      's2/final-memorandum.md': '```\nclause\n```⁶⁹\n\n| Fee | Amount |\n|---|---|\n| Filing | $1 |\n\n```\n',
      's2/review-outputs/risk-summary.json': JSON.stringify({
        findings_by_domain: [{ domain: 'Tax', exposure: 1000000, severity: 'HIGH', time_profile: 'ONE_TIME' }],
      }),
    })
    const report = JSON.parse(runCli(['check', root, '--json']).stdout)
    const facts = report.kinds.fact_registry
    // The recovered table is typed like any other: its fact is mapped.
    expect(facts).toMatchObject({ tables: 1, typedTables: 1, rowsMapped: { fact_registry: 1 } })
    expect(facts.recoveredTables).toEqual([
      { path: 's2/review-outputs/fact-registry.md', line: 6, reason: 'delimiter row has 3 cells, header has 4' },
    ])
    expect(facts.emptySections).toEqual([
      { path: 's2/review-outputs/fact-registry.md', line: 9, headingPath: ['FACT REGISTRY', 'Quantitative Facts'], tables: 0, fields: 0 },
    ])
    expect(report.kinds.specialist_report.pipeRuns).toEqual([{ path: 's2/specialist-reports/labor-report.md', line: 2 }])
    expect(report.kinds.final_memorandum.pipeRunsInCode).toEqual([
      {
        path: 's2/final-memorandum.md',
        line: 1,
        reason:
          'code block of 9 lines holds 1 table-shaped pipe run, not read as tables; its fence line ```⁶⁹ has text after it and closes no block: is a fence unbalanced?',
      },
    ])
    expect(report.kinds.risk_summary.untaken['risk_items.time_profile']).toEqual({ count: 1, path: 's2/review-outputs/risk-summary.json', line: null })

    const text = runCli(['check', root]).stdout
    expect(text).toMatch(/^fact_registry +1 +0 +1 +1 +1 +0 +0 +1 +0 +0 +1$/m)
    expect(text).toContain('recovered table: s2/review-outputs/fact-registry.md:6 delimiter row has 3 cells, header has 4')
    expect(text).toContain('empty section: s2/review-outputs/fact-registry.md:9 FACT REGISTRY > Quantitative Facts (0 tables, 0 fields)')
    expect(text).toContain('specialist_report:\n  pipe lines not a table: s2/specialist-reports/labor-report.md:2')
    expect(text).toContain('tables in code: s2/final-memorandum.md:1 code block of 9 lines')
    expect(text).toContain('not taken: risk_items.time_profile in 1 row (first s2/review-outputs/risk-summary.json)')
  })
})
