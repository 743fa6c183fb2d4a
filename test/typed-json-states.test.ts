/**
 * The JSON state parsers: synthesis-state.json, the agents' *-state.json and
 * risk-summary.json. Focused cases here (the fixtures under
 * fixtures/{synthesis-state,agent-state,risk-summary}/ cover whole outputs),
 * a property that no JSON value makes them throw, and, when a corpus of real
 * sessions is present at /tmp/corpus/reports, a pass over every file of
 * these kinds with a per-file report.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { documentType } from '../src/parsers/document-type.js'
import { agentName, parseAgentState, parseSynthesisState } from '../src/parsers/typed/agent-state.js'
import { moneyScale } from '../src/parsers/typed/risk-money.js'
import { parseRiskSummary } from '../src/parsers/typed/risk-summary.js'
import { TYPED_TABLES, type TypedTableName } from '../src/parsers/typed/tables.js'
import type { TypedRecords, TypedRow } from '../src/parsers/typed/types.js'

function only(records: TypedRecords, table: TypedTableName): TypedRow['values'] {
  const rows = records.rows[table] ?? []
  expect(rows, table).toHaveLength(1)
  return rows[0]!.values
}

/** Every row has exactly its table's columns. */
function expectColumns(records: TypedRecords): void {
  for (const [table, rows] of Object.entries(records.rows)) {
    const columns = Object.keys(TYPED_TABLES[table as TypedTableName]).sort()
    for (const row of rows ?? []) expect(Object.keys(row.values).sort(), table).toEqual(columns)
  }
}

describe('parseSynthesisState', () => {
  it('reads the canonical shape and adds the synthesis agent row', () => {
    const json = {
      synthesis_version: '2.2',
      started_at: '2031-01-01T00:00:00Z',
      last_updated: '2031-01-01T01:00:00Z',
      current_phase: 'PHASE_4_ASSEMBLY',
      last_completed_step: '4.1',
      compaction_summary: { next_action: 'Append IV.C', critical_context: ['one', 'two'] },
      blocking_issue: null,
      phases: {
        PHASE_3_VERIFICATION: { status: 'complete' },
        PHASE_4_ASSEMBLY: { status: 'IN_PROGRESS', sections_complete: ['IV.A', 'IV.B'], sections_pending: ['IV.C'] },
      },
    }
    const records = parseSynthesisState(json)
    expectColumns(records)
    expect(only(records, 'synthesis_state')).toMatchObject({
      current_phase: 'PHASE_4_ASSEMBLY',
      status: 'in_progress',
      last_completed_step: '4.1',
      sections_completed: ['IV.A', 'IV.B'],
      sections_pending: ['IV.C'],
      next_action: 'Append IV.C',
      critical_context: '["one","two"]',
      blocking_issue: null,
      document: json,
    })
    expect(only(records, 'agent_states')).toMatchObject({
      agent: 'synthesis',
      version: '2.2',
      status: 'in_progress',
      current_phase: 'PHASE_4_ASSEMBLY',
      started_at: '2031-01-01T00:00:00Z',
      compaction_summary: JSON.stringify(json.compaction_summary),
    })
    expect(records.misses).toEqual([])
  })

  it('takes the status of the phase a compound current-phase label is in', () => {
    const records = parseSynthesisState({
      current_phase: 'PHASE_2_LOADING_IN_PROGRESS_RETRY',
      phases: { PHASE_1: { status: 'COMPLETE' }, PHASE_2_LOADING: { status: 'BLOCKED' } },
    })
    expect(only(records, 'synthesis_state').status).toBe('blocked')
  })

  it('derives a missing current phase and status from the phases', () => {
    const records = parseSynthesisState({ phases_complete: { one: true, two: false, three: false } })
    expect(only(records, 'synthesis_state')).toMatchObject({ current_phase: 'two', status: 'in_progress' })
    const done = parseSynthesisState({ phases_complete: { one: true, two: true } })
    expect(only(done, 'synthesis_state')).toMatchObject({ current_phase: 'two', status: 'complete' })
  })

  it('keeps a status that names no known status, and reports it once per table', () => {
    const records = parseSynthesisState({ status: 'awaiting sign-off' })
    expect(only(records, 'synthesis_state').status).toBe('awaiting sign-off')
    expect(records.misses.map((m) => m.table).sort()).toEqual(['agent_states', 'synthesis_state'])
  })

  it('reads counts and comma lists of sections, and a section status map', () => {
    const counted = parseSynthesisState({ metrics: { sections_integrated: 7 } })
    expect(only(counted, 'synthesis_state').sections_completed).toEqual({ count: 7 })
    const listed = parseSynthesisState({ completedSections: 'II, III.A' })
    expect(only(listed, 'synthesis_state').sections_completed).toEqual(['II', 'III.A'])
    const mapped = parseSynthesisState({ sections_status: { A: 'complete', B: { status: 'pending' }, C: 'n/a' } })
    expect(only(mapped, 'synthesis_state')).toMatchObject({ sections_completed: ['A'], sections_pending: ['B'] })
  })
})

describe('parseAgentState', () => {
  it('names the agent by the document, qualified by the file instance', () => {
    expect(agentName('section-writer-state-iv-a.json', { agent: 'memo-section-writer' })).toBe('memo-section-writer-IV-A')
    expect(agentName('section-writer-state-iv-a.json', {})).toBe('section-writer-IV-A')
    expect(agentName('section-writer-state-iv-a.json', { agent: 'section-writer-IV-A' })).toBe('section-writer-IV-A')
    expect(agentName('qa-diagnostic-state-cycle2.json', { agent: 'memo-qa-diagnostic' })).toBe('memo-qa-diagnostic-cycle2')
    expect(agentName('fact-validator-state.json', {})).toBe('fact-validator')
    expect(agentName('fact-validator-state.json', { agentId: 'fv-2' })).toBe('fv-2')
    expect(agentName('fact-validator-state.json', { agent: { name: 'fact-validator', version: 2 } })).toBe('fact-validator')
    expect(agentName('fact-validator-state.json', { agent: 42 })).toBe('42')
  })

  it('reads drifted keys: camel case, state objects, epoch times, *_version', () => {
    const records = parseAgentState('research-review-state.json', {
      agentName: 'research-review-analyst',
      reviewVersion: '2.0',
      startTime: 1_900_000_000,
      updatedAt: '2031-01-01 10:00',
      Phases: { P1: { state: 'done' }, P2: { state: 'running' } },
      compactionSummary: 'halfway',
      resumeInstructions: { onCompaction: 'resume P2' },
    })
    expectColumns(records)
    expect(only(records, 'agent_states')).toMatchObject({
      agent: 'research-review-analyst',
      version: '2.0',
      status: 'in_progress',
      current_phase: 'P2',
      started_at: new Date(1_900_000_000_000).toISOString(),
      last_updated: '2031-01-01 10:00',
      compaction_summary: 'halfway',
      recovery_instructions: '{"onCompaction":"resume P2"}',
      phases: { P1: { state: 'done' }, P2: { state: 'running' } },
    })
  })

  it('prefers the lifecycle status, then the current phase, then a verdict', () => {
    const withPhase = parseAgentState('x-state.json', { current_phase: 'COMPLETE', final_status: 'PASS' })
    expect(only(withPhase, 'agent_states').status).toBe('complete')
    const verdictOnly = parseAgentState('x-state.json', { final_status: 'PASS' })
    expect(only(verdictOnly, 'agent_states').status).toBe('passed')
  })

  it('never loses the row: odd top-level shapes still name the agent from the file', () => {
    for (const json of [[], [1, 2], {}, { agent: null, status: 7 }, { state: { status: 'complete' } }]) {
      const records = parseAgentState('odd-tool-state.json', json)
      expectColumns(records)
      expect(only(records, 'agent_states').agent).toBe('odd-tool')
      expect(only(records, 'agent_states').document).toEqual(json)
    }
    expect(only(parseAgentState('odd-tool-state.json', { state: { status: 'complete' } }), 'agent_states').status).toBe('complete')
  })
})

describe('parseRiskSummary', () => {
  it('reads totals, the complete list once, and the recommendation', () => {
    const records = parseRiskSummary({
      aggregate_exposure: { gross_total: 10_000_000, probability_weighted: 4_000_000 },
      findings_by_domain: [
        { domain: 'Tax', finding_summary: 'Nexus', exposure: '$6M', probability: '50%', weighted_exposure: 3_000_000, severity: 'HIGH', specialist: 'T1' },
        { domain: 'IP', finding_summary: 'Licence', exposure: { min: 2_000_000, max: 6_000_000 }, probability: 25, severity: 'Low' },
      ],
      top_10_exposures: [{ finding: 'Nexus', exposure: 6_000_000 }],
      board_recommendation: { recommendation: 'PROCEED', confidence: 'HIGH' },
    })
    expectColumns(records)
    expect(only(records, 'risk_summary')).toMatchObject({
      total_gross_exposure: 10_000_000,
      total_weighted_exposure: 4_000_000,
      risk_count: 2,
      highest_severity: 'high',
      recommendation: 'PROCEED',
    })
    expect(records.rows.risk_items?.map((row) => row.values)).toEqual([
      { risk_id: null, title: 'Nexus', category: 'Tax', severity: 'high', probability: 0.5, gross_exposure: 6_000_000, weighted_exposure: 3_000_000, source: 'T1', occurrences: 1 },
      { risk_id: null, title: 'Licence', category: 'IP', severity: 'low', probability: 0.25, gross_exposure: 4_000_000, weighted_exposure: null, source: null, occurrences: 1 },
    ])
  })

  it('converts cents: declared, by _cents keys, or calibrated against the texts', () => {
    expect(moneyScale({ quantification_methodology: { amounts_in_cents: true } })).toBe(0.01)
    expect(moneyScale({ aggregate_exposure: { notes: 'All amounts in cents (divide by 100)' } })).toBe(0.01)
    expect(moneyScale({ total: 320_000_000_000, note: 'ask price $3.2B', other: 5_000_000_000, why: '$50M discount' })).toBe(0.01)
    expect(moneyScale({ total: 3_200_000_000, note: 'ask price $3.2B' })).toBe(1)
    expect(moneyScale({ total: 3_200_000_000 })).toBe(1)
    const records = parseRiskSummary({
      aggregate_exposure: { gross_exposure_cents: 150_000_000, probability_weighted: { total_cents: 50_000_000, total_usd: '$0.5M' } },
    })
    expect(only(records, 'risk_summary')).toMatchObject({ total_gross_exposure: 1_500_000, total_weighted_exposure: 500_000, risk_count: null })
  })

  it('takes severity buckets together, each entry inheriting its bucket level', () => {
    const records = parseRiskSummary({
      critical_findings: [{ id: 'C1', title: 'A' }],
      high_severity_findings: [{ id: 'H1', title: 'B' }],
      top_10_exposures: [{ id: 'C1', title: 'A' }],
    })
    expect(records.rows.risk_items?.map((row) => [row.values.risk_id, row.values.severity])).toEqual([
      ['C1', 'critical'],
      ['H1', 'high'],
    ])
    expect(only(records, 'risk_summary').highest_severity).toBe('critical')
  })

  it('expands grouped findings and prefers named risks over per-domain totals', () => {
    const grouped = parseRiskSummary({
      findings_by_domain: [{ domain: 'Labour', specialist: 'T2', key_findings: [{ finding: 'Strike', exposure: 5_000_000, severity: 'CRITICAL' }] }],
    })
    expect(grouped.rows.risk_items?.[0]?.values).toMatchObject({ title: 'Strike', category: 'Labour', source: 'T2', severity: 'critical' })
    const totalsOnly = parseRiskSummary({
      findings_by_domain: [{ domain: 'Labour', exposure: 5_000_000 }],
      top_5_risks: [{ risk_name: 'Strike', weighted_exposure: 1_000_000 }],
    })
    expect(totalsOnly.rows.risk_items?.map((row) => row.values.title)).toEqual(['Strike'])
  })

  it('reports words that are no probability or severity, but not placeholders', () => {
    const records = parseRiskSummary({
      risks: [
        { id: 'R1', probability: 'LIKELY', severity: 'Informational' },
        { id: 'R2', probability: 'UNKNOWN', severity: 'N/A' },
      ],
    })
    expect(records.misses.map((m) => `${m.column}:${m.raw}`)).toEqual(['severity:Informational', 'probability:LIKELY'])
    expect(records.rows.risk_items?.map((row) => row.values.severity)).toEqual(['Informational', null])
  })

  it('never throws on odd shapes and always gives one summary row', () => {
    for (const json of [[], [1, { id: 'x' }], {}, { aggregate_exposure: 'lots', findings: 'none', risks: [null, 3] }]) {
      const records = parseRiskSummary(json)
      expectColumns(records)
      expect(records.rows.risk_summary).toHaveLength(1)
    }
  })
})

describe('any JSON value', () => {
  it('parses without throwing, with every column on every row', () => {
    const json = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()))
    fc.assert(
      fc.property(json, (value) => {
        for (const records of [parseSynthesisState(value), parseAgentState('some-agent-state-x.json', value), parseRiskSummary(value)]) {
          expectColumns(records)
          JSON.stringify(records)
        }
      }),
      { numRuns: 300 },
    )
  })
})

// A corpus of real sessions, when one is mounted: never copied into fixtures.
const CORPUS = '/tmp/corpus/reports'

function corpusFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.json')) {
        const type = documentType(entry.name)
        if (type === 'risk_summary' || type === 'state_file') files.push(full)
      }
    }
  }
  walk(CORPUS)
  return files.sort()
}

/** As the router does (src/parsers/typed/index.ts), without the other kinds' parsers. */
function route(file: string, json: object): TypedRecords {
  const name = path.basename(file).toLowerCase()
  if (documentType(name) === 'risk_summary') return parseRiskSummary(json)
  if (name === 'synthesis-state.json') return parseSynthesisState(json)
  return parseAgentState(name, json)
}

describe.skipIf(!fs.existsSync(CORPUS))('corpus', () => {
  it('every state and risk-summary file yields its rows', () => {
    const report: string[] = []
    const failures: string[] = []
    for (const file of corpusFiles()) {
      const rel = path.relative(CORPUS, file)
      let json: unknown
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'))
      } catch {
        report.push(`skip  ${rel}: invalid JSON`)
        continue
      }
      if (typeof json !== 'object' || json === null) {
        report.push(`skip  ${rel}: not an object or array`)
        continue
      }
      const records = route(file, json)
      const name = path.basename(file).toLowerCase()
      const problems: string[] = []
      let line: string
      if (records.kind === 'risk_summary') {
        const summary = records.rows.risk_summary ?? []
        const items = records.rows.risk_items ?? []
        if (summary.length !== 1) problems.push(`${summary.length} risk_summary rows`)
        const lists = Object.entries(json).some(([key, value]) => /risk|finding|exposure/i.test(key) && Array.isArray(value) && value.some((v) => typeof v === 'object'))
        if (lists && items.length === 0) problems.push('lists risks but no risk_items')
        const v = summary[0]?.values ?? {}
        line = `gross=${v.total_gross_exposure} weighted=${v.total_weighted_exposure} count=${v.risk_count} highest=${v.highest_severity} items=${items.length} from=${summary[0]?.extra?.risk_list ?? '-'} scale=${moneyScale(json)}`
      } else if (name === 'synthesis-state.json') {
        const rows = records.rows.synthesis_state ?? []
        if (rows.length !== 1) problems.push(`${rows.length} synthesis_state rows`)
        const v = rows[0]?.values ?? {}
        if (v.current_phase == null && v.status == null) problems.push('no current_phase or status')
        if ((records.rows.agent_states ?? []).length !== 1) problems.push('no synthesis agent row')
        line = `phase=${v.current_phase} status=${v.status} done=${JSON.stringify(v.sections_completed)}`
      } else {
        const rows = records.rows.agent_states ?? []
        if (rows.length !== 1 || rows[0]!.values.agent == null) problems.push('no agent_states row with an agent')
        const v = rows[0]?.values ?? {}
        line = `agent=${v.agent} status=${v.status} phase=${v.current_phase} updated=${v.last_updated}`
      }
      if (records.misses.length > 0) line += ` misses=${records.misses.length}`
      report.push(`${problems.length > 0 ? 'FAIL' : 'ok  '}  ${rel}: ${line}${problems.length > 0 ? ` [${problems.join('; ')}]` : ''}`)
      if (problems.length > 0) failures.push(`${rel}: ${problems.join('; ')}`)
    }
    console.log(`typed JSON states over ${CORPUS}:\n${report.join('\n')}`)
    expect(report.length).toBeGreaterThan(0)
    expect(failures).toEqual([])
  })
})
