/**
 * The orchestrator-state and research-plan typed parsers: focused checks on
 * the fixtures and on small inline documents, a never-throws property, and,
 * when a real corpus is present at /tmp/corpus/reports, a run over every
 * orchestrator-state.md and research-plan.md in it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import { parseOrchestratorState } from '../src/parsers/typed/orchestrator-state.js'
import { parseResearchPlan } from '../src/parsers/typed/research-plan.js'
import { SESSION_COLUMNS, TYPED_TABLES, type TypedTableName } from '../src/parsers/typed/tables.js'
import type { TypedRecords, TypedRow } from '../src/parsers/typed/types.js'
import type { MarkdownRecords } from '../src/parsers/types.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const CORPUS = '/tmp/corpus/reports'

function markdownOf(text: string): MarkdownRecords {
  const parsed = parseDocument('s/doc.md', new TextEncoder().encode(text))
  if (parsed.markdown === null) throw new Error('not parsed as markdown')
  return parsed.markdown
}

const orchestrator = (text: string): TypedRecords => parseOrchestratorState(markdownOf(text))
const plan = (text: string): TypedRecords => parseResearchPlan(markdownOf(text))
const fixture = (kind: string, name: string): string => fs.readFileSync(path.join(FIXTURES, kind, `${name}.md`), 'utf8')
const rows = (records: TypedRecords, table: TypedTableName): TypedRow[] => records.rows[table] ?? []
const column = (records: TypedRecords, table: TypedTableName, name: string): unknown[] => rows(records, table).map((row) => row.values[name])

/** Every row carries exactly its table's columns; the session carries exactly the session columns. */
function expectComplete(records: TypedRecords): void {
  for (const [table, list] of Object.entries(records.rows) as Array<[TypedTableName, TypedRow[]]>) {
    for (const row of list) expect(Object.keys(row.values).sort(), table).toEqual(Object.keys(TYPED_TABLES[table]).sort())
  }
  if (records.session) expect(Object.keys(records.session.values).sort()).toEqual(Object.keys(SESSION_COLUMNS).sort())
}

describe('parseOrchestratorState', () => {
  it('reads the canonical upstream shape', () => {
    const records = orchestrator(fixture('orchestrator-state', 'canonical'))
    expectComplete(records)
    expect(records.kind).toBe('orchestrator_state')
    expect(records.session?.precedence).toBe(0)
    expect(records.session?.values).toMatchObject({
      matter_name: 'Project Larkspur',
      deal_value: 640e6,
      deal_value_raw: '$640M',
      closing_date: '2026-09-30',
      closing_date_precision: 'day',
      acquirer: 'Halvorsen Capital Partners LP',
    })
    expect(column(records, 'session_phases', 'phase')).toEqual(['session-initialization', 'specialist-research', 'validation', 'generation', 'assembly-qa'])
    expect(column(records, 'session_phases', 'duration_ms')).toEqual([270_000, 3_900_000, null, null, null])
    expect(column(records, 'session_phases', 'status')).toEqual(['complete', 'complete', 'in_progress', 'pending', 'pending'])
    expect(rows(records, 'session_iterations').map((row) => row.values)).toEqual([
      { gate_name: 'research-review-gate', current_iteration: 1, max_iterations: 2 },
      { gate_name: 'section-review-gate', current_iteration: 0, max_iterations: 2 },
    ])
    // `Deal-blocking warnings: []` names none.
    expect(rows(records, 'deal_blocking_warnings')).toEqual([])
    expect(column(records, 'quantified_exposures', 'probability_low')).toEqual([0.6, 0.25])
    expect(records.typedTables).toEqual([0, 1, 2, 3, 4, 5])
    expect(records.misses).toEqual([])
  })

  it('reads the drifted real-world shape: header fields, PHASE STATUS, sub-headed categories, issue headings', () => {
    const records = orchestrator(fixture('orchestrator-state', 'drifted'))
    expectComplete(records)
    const session = records.session!
    expect(session.values).toMatchObject({ matter_name: 'Project Kestrel', deal_value: 1.15e9, complexity: 'complex', target: 'Corvane Rail Services Corporation' })
    // Extra DEAL_METADATA rows, header fields and the file METADATA table land in metadata; a cleaned column keeps its whole text there.
    expect(session.metadata).toMatchObject({
      'Existing Debt': '$420M (equipment trust certificates)',
      Industry: 'Short-line Rail / Railcar Leasing',
      Deal: 'Corvane Rail Services Corporation Acquisition',
      Target: 'Corvane Rail Services Corporation (CRSC) (Delaware corp., Tulsa, OK)',
      'Created By': 'research-review-analyst',
    })
    expect(column(records, 'session_phases', 'end_time')[0]).toBe('2026-04-11T08:00:00.000Z')
    expect(column(records, 'session_phases', 'agent')[0]).toBe('orchestrator')
    expect(column(records, 'extracted_facts', 'category')).toEqual(['Date', 'Date', 'Financial', 'Financial'])
    expect(rows(records, 'extracted_facts')[2]?.extra).toEqual({ Notes: 'Agreed headline price' })
    expect(column(records, 'extracted_facts', 'value_low')[3]).toBe(3e6)
    expect(column(records, 'quantified_exposures', 'category')).toEqual(['Regulatory', 'Litigation', 'Litigation'])
    expect(column(records, 'expected_sections', 'coverage_status')).toEqual(['full', 'partial'])
    expect(rows(records, 'execution_inventory')[0]?.extra).toEqual({ 'Exec Summary': 'YES (2,300 words)' })
    expect(rows(records, 'deal_blocking_warnings').map((row) => row.values)).toEqual([
      { warning: 'Issue #1: Lessor Consent to Change of Control', severity: 'high', status: 'MANAGEABLE with escrow' },
      { warning: 'Issue #2: STB Exemption Timing', severity: null, status: 'MANAGEABLE, filing window tight' },
    ])
    // Quality gates (2), the aggregation summary (9) and the deal-blocking summary (10) stay generic.
    expect(records.typedTables).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 11])
    expect(records.misses.map((m) => [m.column, m.raw])).toEqual([
      ['probability_raw', 'Captured in L1'],
      ['weighted_raw', 'STRATEGIC'],
    ])
  })

  it('reads a minimal file: deal from a Project header, bold iteration and warning fields', () => {
    const records = orchestrator(fixture('orchestrator-state', 'minimal'))
    expectComplete(records)
    expect(records.session?.values).toMatchObject({ matter_name: 'Project Quillon', deal_value: 75e6, target: 'Tessaract Labs Ltd.' })
    expect(records.session?.metadata.Project).toBe('Project Quillon — $75M Acquisition of Tessaract Labs Ltd.')
    expect(column(records, 'session_iterations', 'max_iterations')).toEqual([2])
    expect(column(records, 'deal_blocking_warnings', 'warning')).toEqual(['Export licence transfer unconfirmed', 'Founder non-compete unsigned'])
  })

  it('types what it knows among unknown sections and leaves the rest generic', () => {
    const records = orchestrator(fixture('orchestrator-state', 'unknown-sections'))
    expect(records.session?.values).toMatchObject({ matter_name: 'Project Meridian', deal_value: 2.25e9, closing_date_precision: 'half' })
    expect(column(records, 'expected_sections', 'section_id')).toEqual(['IV.A', 'IV.B', 'IV.C'])
    expect(column(records, 'session_iterations', 'current_iteration')).toEqual([2, 0])
    // The row marked `Detected: NO` is no warning; the detected cell itself is kept.
    expect(rows(records, 'deal_blocking_warnings').map((row) => [row.values.warning, row.values.severity, row.extra])).toEqual([
      ['Phase III trial readout before closing', 'critical', { Detected: 'YES' }],
    ])
    expect(records.typedTables).toEqual([0, 1, 2])
  })

  it('scales a bare deal value by the unit its label states', () => {
    const records = orchestrator('## DEAL_METADATA\n\n| Field | Value |\n|---|---|\n| Matter Name | Project Dune |\n| Deal Value ($[X]M) | 450 |\n')
    expect(records.session?.values).toMatchObject({ matter_name: 'Project Dune', deal_value: 450e6, deal_value_raw: '450' })
  })

  it('does not take a simulation counter for a gate or a count for a warning', () => {
    const records = orchestrator('# ORCHESTRATOR STATE\n\n## Notes\n\n- Monte Carlo iterations: 10,000\n- **Deal-blocking warnings:** 2 (both contained)\n')
    expect(records.rows).toEqual({})
  })

  it('records a deal value that does not read as money', () => {
    const records = orchestrator('## DEAL_METADATA\n\n| Field | Value |\n|---|---|\n| Deal Value | undisclosed |\n')
    expect(records.misses).toEqual([{ table: 'sessions', column: 'deal_value', raw: 'undisclosed', line: 5 }])
    expect(records.session?.values.deal_value_raw).toBe('undisclosed')
  })

  it('reads a document without a title: its first section is no header', () => {
    const records = orchestrator('## EXTRACTED_FACTS\n\n| Fact | Value |\n|---|---|\n| Headcount | 410 |\n\n## Notes\n\n**Owner:** ops\n')
    expect(column(records, 'extracted_facts', 'value_number')).toEqual([410])
    expect(records.typedTables).toEqual([0])
    expect(records.session).toBeNull()
  })

  it('falls back to the next deal value that reads', () => {
    const text = '# STATE\n**Transaction Value:** $2.4B\n\n## DEAL_METADATA\n\n| Field | Value |\n|---|---|\n| Deal Value | undisclosed |\n'
    const records = orchestrator(text)
    expect(records.session?.values).toMatchObject({ deal_value: 2.4e9, deal_value_raw: '$2.4B' })
    expect(records.session?.metadata['Deal Value']).toBe('undisclosed')
    expect(records.misses).toEqual([])
  })
})

describe('parseResearchPlan', () => {
  it('reads the canonical plan', () => {
    const records = plan(fixture('research-plan', 'canonical'))
    expectComplete(records)
    expect(records.kind).toBe('research_plan')
    expect(records.session?.precedence).toBe(1)
    expect(records.session?.values).toMatchObject({
      matter_name: 'Project Saltmarsh',
      deal_value: 2.4e9,
      acquirer: 'Pellucid Water Holdings LLC',
      target: 'Tidewell Desalination Corp.',
      closing_date: '2026-07-01',
      closing_date_precision: 'quarter',
      complexity: 'complex',
    })
    expect(records.session?.metadata).toMatchObject({ Seller: 'Tidewell founders', 'Target Jurisdiction': 'Nevada corporation' })
    const planRow = rows(records, 'research_plans')[0]!
    expect(planRow.values).toMatchObject({ transaction_value: 2.4e9, transaction_value_raw: '$2.4B', created: '2026-02-14T09:30:00.000Z' })
    expect(planRow.values.output_targets).toHaveLength(2)
    expect(column(records, 'legal_domains', 'priority')).toEqual(['high', 'critical', 'medium'])
    expect(column(records, 'critical_issues', 'exposure_low')).toEqual([null, 35e6, 18e6])
    expect(column(records, 'specialist_assignments', 'status')).toEqual(['complete', 'in_progress', 'pending'])
    expect(column(records, 'refinement_log', 'reason')).toEqual(['T2 flagged pension underfunding'])
    expect(records.typedTables).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('reads an assignment table with bold task names and leaves review re-listings generic', () => {
    const records = plan(fixture('research-plan', 'bold-task-table'))
    expectComplete(records)
    expect(column(records, 'specialist_assignments', 'task_id')).toEqual(['T1', 'T2', 'T3'])
    expect(column(records, 'specialist_assignments', 'specialist_type')[0]).toBe('antitrust-competition-analyst')
    expect(column(records, 'specialist_assignments', 'task_description')[0]).toBe('Antitrust Clearance: HSR filing, second-request risk, EU merger control')
    expect(column(records, 'refinement_log', 'entry')).toEqual(['Iteration 0 — First draft', 'Iteration 1 — T2 complete: Added recall insurance question to T3'])
    expect(rows(records, 'critical_issues')).toEqual([])
    // DEAL METADATA and the assignments; EXPECTED REPORTS and the checklist verification stay generic.
    expect(records.typedTables).toEqual([0, 1])
  })

  it('reads one assignment per specialist sub-heading', () => {
    const records = plan(fixture('research-plan', 'specialist-sections'))
    expectComplete(records)
    expect(rows(records, 'specialist_assignments').map((row) => [row.values.task_id, row.values.specialist_type, row.values.status])).toEqual([
      ['1', 'Statutory Law Analyst', 'complete'],
      ['2', 'Water Rights Analyst', 'in_progress'],
      ['T3', 'financial-analyst', 'pending'],
    ])
    expect(rows(records, 'specialist_assignments')[0]?.extra).toEqual({ Report: 'cooperative-statutes-report.md' })
    expect(column(records, 'legal_domains', 'domain')).toEqual(['Agricultural Cooperative Law', 'Water Rights'])
    expect(rows(records, 'research_plans')[0]?.values.output_targets).toEqual([
      { Deliverable: 'Specialist Reports', Target: '40-60KB each' },
      { Deliverable: 'Final Memorandum', Target: '20,000-30,000 words' },
    ])
  })

  it('takes the matter and deal value from a title or deal heading', () => {
    expect(plan(fixture('research-plan', 'title-deal')).session?.values).toMatchObject({ matter_name: 'Project Marigold', deal_value: 1.35e9 })
    expect(plan(fixture('research-plan', 'title-project')).session?.values).toMatchObject({ matter_name: 'Project Osprey', deal_value: 260e6, complexity: 'moderate' })
    // Headings are seen through the records under them: a field carries this one.
    expect(plan('# PLAN\n## Project Wren - $35M Acquisition of Foo\n\n**Status:** draft\n').session?.values).toMatchObject({ matter_name: 'Project Wren', deal_value: 35e6 })
    expect(plan(fixture('research-plan', 'query-only')).session?.values).toMatchObject({
      matter_name: 'Norland Health Partners LLC $92M acquisition of Cedar Vale Home Care, Inc.',
      deal_value: 92e6,
      acquirer: 'Norland Health Partners LLC',
      target: 'Cedar Vale Home Care, Inc.',
    })
  })
})

describe('orchestrator-state and research-plan parsers', () => {
  const fragments = [
    '# ', '## ', '### ', '\n', '\n\n', '| ', ' |', '|---|---|', '**', ':** ', '- ', '1. ', 'DEAL_METADATA', 'EXTRACTED_FACTS',
    'QUANTIFIED_EXPOSURES', 'SPECIALIST ASSIGNMENTS', 'REFINEMENT LOG', 'Deal-Blocking Issues', 'Issue #1: x', 'Field', 'Value',
    'Deal Value', 'Matter Name', 'Phase', 'Status', 'Finding', 'Gross Exposure', 'Fact', 'iterations: 0/2', '$2.4B', '$4,800M',
    'Q3 2025', '✅', '⏳', '~12,000', '45%', 'Project X', 'PROJECT ', '—', ' - ', '(', ')', '[', ']', '"', 'constructor', '__proto__',
  ]
  const soup = fc.array(fc.constantFrom(...fragments), { maxLength: 200 }).map((parts) => parts.join(''))

  it('never throw, and fill every column', () => {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ maxLength: 400 })), (text) => {
        expectComplete(orchestrator(text))
        expectComplete(plan(text))
      }),
      { numRuns: 300 },
    )
  })
})

/** Files of the corpus, when there is one. */
function corpusFiles(): Array<{ session: string; name: string; file: string }> {
  if (!fs.existsSync(CORPUS)) return []
  const files: Array<{ session: string; name: string; file: string }> = []
  for (const session of fs.readdirSync(CORPUS).sort()) {
    for (const name of ['orchestrator-state.md', 'research-plan.md']) {
      const file = path.join(CORPUS, session, name)
      if (fs.existsSync(file)) files.push({ session, name, file })
    }
  }
  return files
}

// A deal or transaction header: a deal metadata section, a deal field, or a heading that names an amount.
const DEAL_HEADER =
  /^#{1,6} .*\b(?:deal[ _]metadata|transaction overview)\b|^\s*[-*]?\s*\*\*(?:query|transaction value|deal value|matter name|project|deal)\s*:?\*\*|^#{1,6} .*[$€£]\d/im

const corpus = corpusFiles()

describe.skipIf(corpus.length === 0)('the real corpus', () => {
  it.each(corpus.map((entry) => [`${entry.session}/${entry.name}`, entry] as const))('%s parses and names its deal', (_label, entry) => {
    const text = fs.readFileSync(entry.file, 'utf8')
    const records = entry.name === 'orchestrator-state.md' ? orchestrator(text) : plan(text)
    expectComplete(records)
    if (DEAL_HEADER.test(text)) {
      expect(records.session?.values.matter_name, 'matter_name').toEqual(expect.any(String))
      expect(records.session?.values.deal_value, 'deal_value').toEqual(expect.any(Number))
    }
  })
})
