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
})
