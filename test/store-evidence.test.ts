/**
 * Status from evidence (issue 11), written once and run against every
 * dialect: a stale ⏳ plan beside a finished report, a certified session with
 * a malformed state file, a malformed file without completion evidence, and
 * the creation time the content states against the one in the name. Files go
 * through the real parsers, as the sync sends them, and are read back through
 * the read side `show` and the API share.
 */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { FileSnapshot, SessionDetail, Store } from '../src/store/types.js'
import { dropSchema, PG_URL, postgresAvailable, uniqueSchema } from './helpers/postgres.js'
import { applyText, snapshotOf } from './helpers/snapshot.js'
import { cleanup, tempDir } from './helpers/tree.js'

interface Harness {
  store: Store
  /** Close and open the store again (migrations on), as a restart does. */
  reopen(): Promise<void>
  /** Run SQL on the store's database. */
  exec(sql: string): Promise<void>
  close(): Promise<void>
}

const dialects: Array<[string, () => Promise<Harness>]> = [
  [
    'sqlite',
    async () => {
      const dir = tempDir()
      const file = path.join(dir, 'store.db')
      const h: Harness = {
        store: openSqliteStore(file, { instance: 'test' }),
        reopen: async () => {
          await h.store.close()
          h.store = openSqliteStore(file, { instance: 'test' })
        },
        exec: async (sql) => {
          const Database = (await import('better-sqlite3')).default
          const db = new Database(file)
          db.exec(sql)
          db.close()
        },
        close: async () => (await h.store.close(), cleanup(dir)),
      }
      return h
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: uniqueSchema('evidence') }
      const h: Harness = {
        store: await openPostgresStore(target, { instance: 'test' }),
        reopen: async () => {
          await h.store.close()
          h.store = await openPostgresStore(target, { instance: 'test' })
        },
        exec: async (sql) => {
          const pg = (await import('pg')).default
          const client = new pg.Client({ connectionString: PG_URL })
          await client.connect()
          try {
            await client.query(`SET search_path TO "${target.schema}"; ${sql}`)
          } finally {
            await client.end()
          }
        },
        close: async () => {
          await h.store.close()
          await dropSchema(target.schema)
        },
      }
      return h
    },
  ])
}

const ROOT = '/reports'
// The name's epoch says 2025-01-14T18:00:00Z, a year before its own date and the plan's creation, as often in the corpus: the date wins.
const SESSION = '2026-01-14-1736877600'

/** What the sync would apply for `relPath` under the session. */
const file = (relPath: string, text: string): FileSnapshot => snapshotOf(ROOT, SESSION, relPath, text)

const apply = (store: Store, relPath: string, text: string): Promise<void> => applyText(store, ROOT, SESSION, relPath, text)

async function applyBroken(store: Store, relPath: string, line: number, reason: string): Promise<void> {
  const f = file(relPath, '{')
  await store.recordFileFailure({ ...f, error: { line, column: 1, reason, severity: 'error' } })
}

const PLAN = `# RESEARCH EXECUTION PLAN
**Query:** Project Titan — acquisition of a waste company
**Created:** 2026-01-14T19:30:00Z
**Transaction Value:** $2.4B

## SPECIALIST ASSIGNMENTS

| ID | Task Description | Specialist | Execution | Priority | Status |
|----|------------------|------------|-----------|----------|--------|
| T1 | Regulatory review | regulatory-rulemaking-analyst | Parallel | HIGH | ⏳ |
| T2 | Case law | case-law-analyst | Parallel | HIGH | ⏳ |
| T3 | Labour | employment-labor-analyst | Parallel | MEDIUM | ⏳ |
| T4 | Tax | tax-structure-analyst | Parallel | MEDIUM | ✅ |
`

/** A specialist report as the corpus writes them: a traceability table naming the subagent and the task. */
function report(subagent: string, query: string): string {
  return `# RESEARCH MEMORANDUM

**Prepared By:** Research Specialist
**Status:** 🔄 Research in Progress

## RESEARCH TRACEABILITY METADATA

| Field | Value |
|-------|-------|
| **Report ID** | 2026-01-14-report |
| **Subagent** | ${subagent} |
| **Query Received** | ${query} |

## I. EXECUTIVE SUMMARY

Done.
`
}

const CERTIFICATE = `# LEGAL DUE DILIGENCE MEMORANDUM
## Quality Assurance Certificate

**Date**: January 15, 2026

## CERTIFICATION STATUS: CERTIFIED

**Status**: CERTIFIED
`

async function detail(store: Store): Promise<SessionDetail> {
  const [d] = await store.sessionDetail(SESSION)
  return d!
}

describe.each(dialects)('status from evidence (%s)', (_name, open) => {
  let h: Harness
  beforeEach(async () => {
    h = await open()
  })
  afterEach(async () => {
    await h.close()
  })

  it('a specialist with a finished report is not pending, whatever the stale ⏳ of the plan says', async () => {
    await apply(h.store, 'research-plan.md', PLAN)
    let d = await detail(h.store)
    expect(d.pendingSpecialists.map((p) => [p.task_id, p.status, p.plan_mark])).toEqual([
      ['T1', 'pending', '⏳'],
      ['T2', 'pending', '⏳'],
      ['T3', 'pending', '⏳'],
    ])

    // T1's report names its task; T2's only its subagent, in a file named by topic.
    await apply(h.store, 'specialist-reports/stb-merger-approval-report.md', report('regulatory-rulemaking-analyst', 'T1: STB merger approval'))
    await apply(h.store, 'specialist-reports/rate-litigation-report.md', report('case-law-analyst (rate litigation)', 'Rate case analysis'))
    d = await detail(h.store)
    expect(d.pendingSpecialists.map((p) => [p.task_id, p.status, p.plan_status])).toEqual([['T3', 'pending', 'pending']])
    expect(d.specialists).toEqual([
      {
        task_id: 'T1',
        specialist_type: 'regulatory-rulemaking-analyst',
        plan_status: 'pending',
        plan_mark: '⏳',
        status: 'complete',
        evidence: 'report',
        evidence_path: `${SESSION}/specialist-reports/stb-merger-approval-report.md`,
      },
      {
        task_id: 'T2',
        specialist_type: 'case-law-analyst',
        plan_status: 'pending',
        plan_mark: '⏳',
        status: 'complete',
        evidence: 'report',
        evidence_path: `${SESSION}/specialist-reports/rate-litigation-report.md`,
      },
      { task_id: 'T3', specialist_type: 'employment-labor-analyst', plan_status: 'pending', plan_mark: '⏳', status: 'pending', evidence: null, evidence_path: null },
      { task_id: 'T4', specialist_type: 'tax-structure-analyst', plan_status: 'complete', plan_mark: '✅', status: 'complete', evidence: 'plan', evidence_path: null },
    ])

    // A report named after its specialist, as the older sessions wrote them.
    await apply(h.store, 'specialist-reports/employment-labor-analyst-report.md', '# Employment\n\nDone.\n')
    expect((await detail(h.store)).pendingSpecialists).toEqual([])

    // The plan re-applied (rewritten, marks still ⏳) keeps the derived statuses: they follow the evidence, not the file order.
    await apply(h.store, 'research-plan.md', `${PLAN}\n`)
    expect((await detail(h.store)).pendingSpecialists).toEqual([])
    // The report removed: pending again.
    await h.store.removeFile(ROOT, `${SESSION}/specialist-reports/employment-labor-analyst-report.md`)
    expect((await detail(h.store)).pendingSpecialists.map((p) => p.task_id)).toEqual(['T3'])
  })

  it('reads authors written in words, keeps the tasks a synthesising report cites as its inputs, and folds a combined task into its host', async () => {
    const plan = PLAN.replace('| T4 | Tax | tax-structure-analyst | Parallel | MEDIUM | ✅ |', [
      '| T4 | Financial aggregation | financial-analyst | Sequential | HIGH | ⏳ |',
      '| T5 | Real estate | (Combine with T2) | Parallel | LOW | ⏳ |',
    ].join('\n'))
    await apply(h.store, 'research-plan.md', plan)
    // The financial analyst's report names T1-T3 as what it synthesises; it is T4's, not theirs.
    await apply(h.store, 'specialist-reports/financial-analyst-report.md', report('financial-analyst', 'Integrated financial risk modeling synthesizing 3 specialist reports (T1-T3)'))
    let d = await detail(h.store)
    expect(d.specialists.map((s) => [s.task_id, s.status, s.evidence_path])).toEqual([
      ['T1', 'pending', null],
      ['T2', 'pending', null],
      ['T3', 'pending', null],
      ['T4', 'complete', `${SESSION}/specialist-reports/financial-analyst-report.md`],
      ['T5', 'pending', null],
    ])
    // Authors in words name their type; T5 follows T2.
    await apply(h.store, 'specialist-reports/teamsters-labor-report.md', report('Employment and Labor Law Specialist', 'Teamsters bargaining'))
    await apply(h.store, 'specialist-reports/landfill-case-law-report.md', report('Case Law Research Specialist', 'Landfill litigation'))
    d = await detail(h.store)
    expect(d.pendingSpecialists.map((p) => p.task_id)).toEqual(['T1'])
    expect(d.specialists.find((s) => s.task_id === 'T5')).toMatchObject({ status: 'complete', evidence: 'report', evidence_path: `${SESSION}/specialist-reports/landfill-case-law-report.md` })
    expect(d.specialists.find((s) => s.task_id === 'T3')).toMatchObject({ status: 'complete', evidence_path: `${SESSION}/specialist-reports/teamsters-labor-report.md` })
  })

  it('a certified session with one malformed state file is complete, and the reason names the file', async () => {
    await apply(h.store, 'research-plan.md', PLAN)
    await apply(h.store, 'final-memorandum.md', '# Memorandum\n')
    await apply(h.store, 'qa-outputs/final-qa-certificate.md', CERTIFICATE)
    await applyBroken(h.store, 'synthesis-state.json', 5, 'invalid JSON')
    const d = await detail(h.store)
    expect(d.status).toBe('complete')
    expect(d.statusReason).toBe(
      `QA certificate ${SESSION}/qa-outputs/final-qa-certificate.md (CERTIFIED); ` +
        `state file in error: ${SESSION}/synthesis-state.json line 5, column 1: invalid JSON`,
    )
    expect(d.errorFiles).toEqual([{ path: `${SESSION}/synthesis-state.json`, line: 5, error: 'line 5, column 1: invalid JSON' }])
    // In a complete session no specialist is pending; the plan's mark stays beside.
    expect(d.pendingSpecialists).toEqual([])
    expect(d.specialists.filter((s) => s.evidence === 'session').map((s) => [s.task_id, s.plan_mark])).toEqual([
      ['T1', '⏳'],
      ['T2', '⏳'],
      ['T3', '⏳'],
    ])
    const page = await h.store.sessionDetail(SESSION)
    expect(page).toHaveLength(1)
  })

  it('a malformed state file without completion evidence makes the session degraded, with the file and why', async () => {
    await apply(h.store, 'research-plan.md', PLAN)
    await applyBroken(h.store, 'synthesis-state.json', 5, 'invalid JSON')
    let d = await detail(h.store)
    expect(d.status).toBe('degraded')
    expect(d.statusReason).toBe(`no completion evidence; state file in error: ${SESSION}/synthesis-state.json line 5, column 1: invalid JSON`)
    expect(d.pendingSpecialists.map((p) => p.task_id)).toEqual(['T1', 'T2', 'T3'])

    // A rejection in QA certifies nothing.
    await apply(h.store, 'qa-outputs/delivery-decision.md', '# DELIVERY DECISION\n**Decision**: **REJECT**\n')
    expect((await detail(h.store)).status).toBe('degraded')

    // The file mended: active, saying what is missing.
    await apply(h.store, 'synthesis-state.json', JSON.stringify({ current_phase: 'PHASE_4', status: 'in_progress' }))
    d = await detail(h.store)
    expect(d.status).toBe('active')
    expect(d.errorFiles).toEqual([])
    expect(d.statusReason).toBe(
      `synthesis in_progress (${SESSION}/synthesis-state.json); no final memorandum; QA decision REJECT (${SESSION}/qa-outputs/delivery-decision.md)`,
    )
    // The synthesis says it is complete: complete.
    await apply(h.store, 'synthesis-state.json', JSON.stringify({ current_phase: 'PHASE_6_FINAL', status: 'complete' }))
    d = await detail(h.store)
    expect(d.status).toBe('complete')
    expect(d.statusReason).toBe(`synthesis complete (${SESSION}/synthesis-state.json); QA decision REJECT (${SESSION}/qa-outputs/delivery-decision.md)`)
  })

  it('takes the creation time from the content when it states one, keeping the name\'s beside', async () => {
    await apply(h.store, 'notes.md', '# Notes\n')
    let d = await detail(h.store)
    // The name's epoch is a year off its spelled-out date: the date wins.
    expect([d.createdAt, d.createdAtSource, d.createdAtFromName]).toEqual(['2026-01-14T00:00:00.000Z', 'name', '2026-01-14T00:00:00.000Z'])

    await apply(h.store, 'research-plan.md', PLAN)
    d = await detail(h.store)
    expect([d.createdAt, d.createdAtSource, d.createdAtFromName]).toEqual([
      '2026-01-14T19:30:00.000Z',
      `content:${SESSION}/research-plan.md`,
      '2026-01-14T00:00:00.000Z',
    ])
    // The earliest credible statement wins: a state file's created_at before the plan's.
    await apply(h.store, 'fact-validator-state.json', JSON.stringify({ agent: 'fact-validator', status: 'complete', created_at: '2026-01-14T10:00:00Z' }))
    d = await detail(h.store)
    expect([d.createdAt, d.createdAtSource]).toEqual(['2026-01-14T10:00:00.000Z', `content:${SESSION}/fact-validator-state.json`])
    // Not credible: a placeholder or a date in the future is ignored.
    await apply(h.store, 'risk-aggregator-state.json', JSON.stringify({ created_at: '2999-01-01T00:00:00Z' }))
    await apply(h.store, 'coverage-state.json', JSON.stringify({ created_at: 'TBD' }))
    expect((await detail(h.store)).createdAt).toBe('2026-01-14T10:00:00.000Z')
    // The state file rewritten with an earlier time: the new content is read, not the old one's time.
    await apply(h.store, 'fact-validator-state.json', JSON.stringify({ agent: 'fact-validator', status: 'complete', createdAt: '2026-01-14T08:00:00Z' }))
    expect((await detail(h.store)).createdAt).toBe('2026-01-14T08:00:00.000Z')
    await apply(h.store, 'fact-validator-state.json', JSON.stringify({ agent: 'fact-validator', status: 'complete', created_at: '2026-01-14T10:00:00Z' }))
    expect((await detail(h.store)).createdAt).toBe('2026-01-14T10:00:00.000Z')
    // Both statements gone: the name's value again.
    await h.store.removeFile(ROOT, `${SESSION}/fact-validator-state.json`)
    await h.store.removeFile(ROOT, `${SESSION}/research-plan.md`)
    d = await detail(h.store)
    expect([d.createdAt, d.createdAtSource]).toEqual(['2026-01-14T00:00:00.000Z', 'name'])
  })

  it('derives again, at open, the sessions written before their reason was kept', async () => {
    await apply(h.store, 'research-plan.md', PLAN)
    await applyBroken(h.store, 'synthesis-state.json', 5, 'invalid JSON')
    // As migration 7 leaves a database written by an earlier version.
    await h.exec("UPDATE sessions SET status = 'error', status_reason = NULL, created_at = created_at_from_name, created_at_source = 'name'")
    await h.exec('UPDATE specialist_assignments SET derived_status = NULL, status_evidence = NULL')
    await h.reopen()
    const d = await detail(h.store)
    expect([d.status, d.createdAtSource]).toEqual(['degraded', `content:${SESSION}/research-plan.md`])
    expect(d.statusReason).toContain('synthesis-state.json line 5')
  })
})
