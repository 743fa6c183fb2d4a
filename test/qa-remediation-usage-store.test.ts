/**
 * The QA, remediation and usage tables in the store (issue 11, section 2),
 * written once and run against every dialect, so both answer the same: a
 * remediation task is complete when its output reports completion (the plan's
 * mark kept beside; none open in a certified session), a certificate's score and outcome reach the session, and
 * the usage the state files record is summed per session.
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
  close(): Promise<void>
}

const dialects: Array<[string, () => Promise<Harness>]> = [
  [
    'sqlite',
    async () => {
      const dir = tempDir()
      const store = openSqliteStore(path.join(dir, 'store.db'), { instance: 'test' })
      return { store, close: async () => (await store.close(), cleanup(dir)) }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: uniqueSchema('qa') }
      const store = await openPostgresStore(target, { instance: 'test' })
      return { store, close: async () => (await store.close(), await dropSchema(target.schema)) }
    },
  ])
}

const ROOT = '/reports'
const SESSION = '2026-02-02-1770000000'

/** What the sync would apply for `relPath` under the session. */
const file = (relPath: string, text: string): FileSnapshot => snapshotOf(ROOT, SESSION, relPath, text)

const apply = (store: Store, relPath: string, text: string): Promise<void> => applyText(store, ROOT, SESSION, relPath, text)

async function detail(store: Store): Promise<SessionDetail> {
  const [d] = await store.sessionDetail(SESSION)
  return d!
}

const PLAN = `# REMEDIATION PLAN

## Execution Waves

### Wave 2: Content Additions

| Task ID | Agent | Priority | Description | Output File | Status |
|---------|-------|----------|-------------|-------------|--------|
| W2-001 | memo-remediation-writer | CRITICAL | Draft escrow provisions | remediation-outputs/W2-001-escrow.md | ⏳ |
| W2-002 | memo-remediation-writer | HIGH | Draft indemnities | remediation-outputs/W2-002.md | ✅ |

### Wave 4: Language Fixes

| Task ID | Agent | Priority | Description | Status |
|---------|-------|----------|-------------|--------|
| W4-001 | memo-remediation-writer | MEDIUM | Neutralise advocacy | ⏳ |
| W4-001-SCRIPT | neutralize.py | LOW | Run the script | ⏳ |
`

const CERTIFICATE = `# QUALITY ASSURANCE CERTIFICATE

**Date**: February 5, 2026
**QA Pass**: 2 of 2

## CERTIFICATION STATUS: CERTIFIED

**Final Score**: 94.5% (Tier 3)
`

describe.each(dialects)('QA, remediation and usage (%s)', (_name, open) => {
  let h: Harness
  beforeEach(async () => {
    h = await open()
  })
  afterEach(async () => {
    await h.close()
  })

  it('a remediation task is complete when its output reports completion, the plan mark kept beside', async () => {
    await apply(h.store, 'qa-outputs/remediation-plan.md', PLAN)
    await apply(h.store, 'remediation-outputs/W2-001-escrow.md', '# REMEDIATION COMPLETE: W2-001\n\n## STATUS: SUCCESS\n')
    // An output that says its deliverable awaits execution proves nothing; a script's output is the script task's.
    await apply(h.store, 'remediation-outputs/W4-001-TASK-SUMMARY.md', '# W4-001\n\n**Status**: DELIVERABLES COMPLETE - Awaiting Manual Execution\n')
    await apply(h.store, 'remediation-outputs/W4-001-SCRIPT-log.md', '# Script run\n\n**Status**: ✅ COMPLETE\n')
    const plan = `${SESSION}/qa-outputs/remediation-plan.md`
    expect((await detail(h.store)).remediationTasks).toEqual([
      { path: plan, task_id: 'W2-001', wave: 2, plan_status: 'pending', plan_mark: '⏳', status: 'complete', evidence: 'output', evidence_path: `${SESSION}/remediation-outputs/W2-001-escrow.md` },
      { path: plan, task_id: 'W2-002', wave: 2, plan_status: 'complete', plan_mark: '✅', status: 'complete', evidence: 'plan', evidence_path: null },
      { path: plan, task_id: 'W4-001', wave: 4, plan_status: 'pending', plan_mark: '⏳', status: 'pending', evidence: null, evidence_path: null },
      {
        path: plan,
        task_id: 'W4-001-SCRIPT',
        wave: 4,
        plan_status: 'pending',
        plan_mark: '⏳',
        status: 'complete',
        evidence: 'output',
        evidence_path: `${SESSION}/remediation-outputs/W4-001-SCRIPT-log.md`,
      },
    ])
    // The output removed: the plan's mark stands again.
    await h.store.removeFile(ROOT, `${SESSION}/remediation-outputs/W2-001-escrow.md`)
    expect((await detail(h.store)).remediationTasks[0]).toMatchObject({ task_id: 'W2-001', status: 'pending', evidence: null })
    // A certified session has no open task left, whatever its plan says.
    await apply(h.store, 'qa-outputs/delivery-decision.md', '# DELIVERY DECISION\n\n**Decision**: CERTIFY\n')
    const d = await detail(h.store)
    expect(d.status).toBe('complete')
    expect(d.remediationTasks.map((t) => [t.task_id, t.plan_status, t.status, t.evidence])).toEqual([
      ['W2-001', 'pending', 'complete', 'session'],
      ['W2-002', 'complete', 'complete', 'plan'],
      ['W4-001', 'pending', 'complete', 'session'],
      ['W4-001-SCRIPT', 'pending', 'complete', 'output'],
    ])
  })

  it('a session complete by its synthesis, or rejected by QA, keeps its remediation open', async () => {
    await apply(h.store, 'qa-outputs/remediation-plan.md', PLAN)
    await apply(h.store, 'synthesis-state.json', JSON.stringify({ status: 'complete', current_phase: 'PHASE_6_FINAL' }))
    await apply(h.store, 'qa-outputs/delivery-decision.md', '# DELIVERY DECISION\n\n**Decision**: **REJECT**\n')
    const d = await detail(h.store)
    expect(d.remediationTasks.map((t) => [t.task_id, t.status, t.evidence])).toEqual([
      ['W2-001', 'pending', null],
      ['W2-002', 'complete', 'plan'],
      ['W4-001', 'pending', null],
      ['W4-001-SCRIPT', 'pending', null],
    ])
  })

  it('carries QA assessments and the usage state files record, summed per session', async () => {
    await apply(h.store, 'qa-outputs/final-qa-certificate.md', CERTIFICATE)
    expect((await detail(h.store)).usage).toBeNull()
    await apply(h.store, 'synthesis-state.json', JSON.stringify({ status: 'complete', metrics: { output_token_limit: 64000, actual_tokens_used: 40000 } }))
    await apply(
      h.store,
      'remediation-wave-state.json',
      JSON.stringify({ agent: 'memo-remediation-writer', usage: { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 50, num_turns: 7, duration_ms: 61000, total_cost_usd: 0.25 } }),
    )
    const d = await detail(h.store)
    expect(d.qaAssessments).toEqual([
      {
        path: `${SESSION}/qa-outputs/final-qa-certificate.md`,
        assessment_type: 'certification',
        pass: 2,
        overall_score: 94.5,
        max_score: 100,
        status: null,
        certification: 'CERTIFIED',
        assessed_at: '2026-02-05',
        issue_count: 0,
      },
    ])
    expect(d.usage).toEqual({
      files: 2,
      records: 2,
      input_tokens: 1000,
      output_tokens: 200,
      cache_read_tokens: 50,
      cache_creation_tokens: null,
      total_tokens: 41250,
      turns: 7,
      tool_calls: null,
      duration_ms: 61000,
      cost_usd: 0.25,
    })
  })
})
