/**
 * Where a session stands and what resumes next (`sessionResume`, printed by
 * `show` as `where` and `next`), on the shapes of the dev corpus: a certified
 * session whose synthesis state still names a step it wrote before QA, a
 * rejected one, research with pending specialists, a stale phase table that
 * later agent states and a memorandum overtook, a degraded session, and a
 * directory with nothing to read (an audit folder), whose status reason says so.
 */
import { describe, expect, it } from 'vitest'
import { sessionResume } from '../src/store/session-derive.js'
import { summariseSession, type SessionSignals } from '../src/store/session-summary.js'
import type { SessionDetail } from '../src/store/types.js'

const detail = (over: Partial<SessionDetail>): Omit<SessionDetail, 'resume'> => ({
  root: '/r',
  sessionId: 's',
  createdAt: null,
  createdAtSource: null,
  createdAtFromName: null,
  status: 'active',
  statusReason: null,
  errorFiles: [],
  deal: {},
  metadata: {},
  documents: { ok: 1, error: 0 },
  phases: [],
  iterations: [],
  pendingSpecialists: [],
  specialists: [],
  factCount: 0,
  synthesis: null,
  agents: [],
  qaAssessments: [],
  remediationTasks: [],
  usage: null,
  ...over,
})

const signals: SessionSignals = {
  errorFiles: [],
  synthesis: [],
  finalMemoranda: [],
  openPhases: 0,
  certificates: [],
  createdClaims: [],
  createdAtFromName: null,
}

describe('sessionResume', () => {
  it('resumes nothing in a certified session, and marks the next action its synthesis state wrote before QA as superseded', () => {
    const r = sessionResume(
      detail({
        status: 'complete',
        statusReason: 'QA certificate s/qa-outputs/delivery-decision.md (CERTIFY_WITH_LIMITATIONS)',
        synthesis: { current_phase: 'PHASE_6_FINAL', status: 'complete', next_action: 'Proceed to Phase 5A: Diagnostic QA (memo-qa-diagnostic)' },
      }),
    )
    expect(r.next).toBe('nothing: the session is complete')
    expect(r.where).toBe('finished: QA certificate s/qa-outputs/delivery-decision.md (CERTIFY_WITH_LIMITATIONS)')
    expect(r.supersededNextAction).toBe('Proceed to Phase 5A: Diagnostic QA (memo-qa-diagnostic)')
  })

  it('asks for human review when QA rejected the memorandum, whatever the synthesis state says', () => {
    const reason = summariseSession([], {
      ...signals,
      synthesis: [{ path: 's/synthesis-state.json', status: 'complete' }],
      certificates: [{ path: 's/qa-outputs/delivery-decision.md', decision: 'REJECT' }],
    }).statusReason
    const r = sessionResume(detail({ status: 'complete', statusReason: reason, synthesis: { status: 'complete', next_action: 'COMPLETE - No further actions required' } }))
    expect(r.next).toBe('human review: QA decision REJECT (s/qa-outputs/delivery-decision.md); no automated step resumes')
  })

  it('names the pending specialists in research, and the synthesis state\'s own next action while it runs', () => {
    const pending = [{ task_id: 'T6', specialist_type: 'financial-analyst', status: 'pending', plan_status: 'pending', plan_mark: '⏳', priority: 'high' }]
    const specialists = ['T1', 'T6'].map((t) => ({ task_id: t, specialist_type: 'x', plan_status: 'pending', plan_mark: '⏳', status: t === 'T6' ? 'pending' : 'complete', evidence: null, evidence_path: null }))
    expect(sessionResume(detail({ statusReason: 'no final memorandum', pendingSpecialists: pending, specialists }))).toMatchObject({
      where: 'research: 1 of 2 specialists done',
      next: 'run T6 financial-analyst',
    })
    const running = sessionResume(detail({ statusReason: 'synthesis in_progress (s/synthesis-state.json)', synthesis: { current_phase: 'PHASE_4_ASSEMBLY', status: 'in_progress', next_action: 'Write III.E' } }))
    expect(running).toMatchObject({ where: 'synthesis PHASE_4_ASSEMBLY (in_progress)', next: 'Write III.E', supersededNextAction: null })
  })

  it('says when agent states, a memorandum or a QA assessment came after the orchestrator\'s phase table', () => {
    const phases = [
      { phase: 'Phase 3: Research Review', status: 'complete', start_time: null, end_time: '2026-01-19T20:00:00.000Z' },
      { phase: 'Phase 3.5: Fact Validation', status: 'pending', start_time: null, end_time: null },
    ]
    const agents = [
      { agent: 'memo-section-writer-IV-A', status: 'complete', current_phase: 'phase_6_finalize', last_updated: '2026-01-20T00:15:00Z' },
      { agent: 'memo-section-writer-IV-1', status: 'in_progress', current_phase: 'phase_2_validation', last_updated: '2026-01-19T21:00:00Z' },
    ]
    const r = sessionResume(detail({ statusReason: '1 open phase', phases, agents }))
    expect(r.where).toBe(
      'after Phase 3: Research Review; open: Phase 3.5: Fact Validation (pending); the phase table is older than what followed: ' +
        '1 of 2 agent states complete since (latest 2026-01-20T00:15:00.000Z), a final memorandum exists',
    )
    expect(r.next).toBe('Phase 3.5: Fact Validation by the phase table; check the later files first; unfinished: memo-section-writer-IV-1 (in_progress, phase_2_validation)')
    const fresh = sessionResume(detail({ statusReason: '1 open phase; no final memorandum', phases }))
    expect(fresh).toMatchObject({ where: 'after Phase 3: Research Review; open: Phase 3.5: Fact Validation (pending)', next: 'Phase 3.5: Fact Validation' })
  })

  it('stands where the newest QA assessment says it is blocked, until a later one is not', () => {
    const qa = (path: string, status: string | null, assessed_at: string | null, pass: number | null = null) => ({
      path, assessment_type: 'diagnostic', pass, overall_score: null, max_score: null, status, certification: null, assessed_at, issue_count: 0,
    })
    const phases = [{ phase: 'V1.2: Validation', status: 'ready', start_time: null, end_time: '2026-01-10T19:45:00Z' }]
    const blocked = sessionResume(detail({ phases, qaAssessments: [qa('s/qa-outputs/diagnostic-assessment.md', 'blocked', '2026-01-11')] }))
    expect(blocked.where).toBe('QA blocked: s/qa-outputs/diagnostic-assessment.md (2026-01-11)')
    expect(blocked.next).toBe('clear what s/qa-outputs/diagnostic-assessment.md reports as blocking, then run the QA assessment again')
    const cleared = sessionResume(
      detail({ phases, qaAssessments: [qa('s/qa-outputs/diagnostic-assessment.md', 'blocked', '2026-01-11', 1), qa('s/qa-outputs/pass-2/diagnostic-assessment.md', 'passed', '2026-01-11', 2)] }),
    )
    expect(cleared.where).not.toMatch(/^QA blocked/)
    expect(cleared.next).toMatch(/^V1\.2: Validation/)
  })

  it('puts a file in error first in a degraded session', () => {
    const r = sessionResume(
      detail({
        status: 'degraded',
        statusReason: 'no completion evidence; state file in error: s/synthesis-state.json line 1, column 1: invalid JSON',
        errorFiles: [{ path: 's/synthesis-state.json', line: 1, error: 'line 1, column 1: invalid JSON' }],
        specialists: [{ task_id: 'T1', specialist_type: 'x', plan_status: 'pending', plan_mark: '⏳', status: 'complete', evidence: 'report', evidence_path: 's/r.md' }],
      }),
    )
    expect(r).toMatchObject({
      where: 'research: all 1 specialists done; no completion evidence',
      next: 'repair s/synthesis-state.json (line 1, column 1: invalid JSON); then whatever the repaired file says',
    })
  })

  it('says a directory with no plan or state file has nothing to read, not that it waits for its memorandum', () => {
    const summary = summariseSession([], signals)
    expect(summary).toMatchObject({ status: 'active', statusReason: 'no research plan or state file; no final memorandum' })
    expect(sessionResume(detail({ statusReason: summary.statusReason, documents: { ok: 5, error: 0 } }))).toMatchObject({
      where: 'nothing to read: no research plan or state file (5 other files)',
      next: 'unknown: no plan says what this directory is for',
    })
    const planned = summariseSession([{ precedence: 2, path: 's/research-plan.md', values: { matter_name: 'Project X' }, metadata: {} }], signals)
    expect(planned.statusReason).toBe('no final memorandum')
  })
})
