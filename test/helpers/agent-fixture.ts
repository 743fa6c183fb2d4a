/**
 * Agent SDK sessions for read-side tests, without the JSON Lines parsers: the
 * typed rows an audit log and transcripts would give, applied as the sync
 * applies a file. Three SDK sessions (values invented):
 *
 * - A: an audit log in the reports root, its main transcript and one
 *   sub-agent's transcript in the transcripts root; priced usage of two
 *   models (one streamed message written twice); linked to report session R1
 *   by saved reports and writes. Stopped.
 * - B: one transcript, an unpriced model; linked to R1 by its prompt. Older.
 * - C: an audit log only, no usage; linked to R2 by its cwd. The newest.
 */
import type { TypedTableName } from '../../src/parsers/typed/tables.js'
import type { ColumnValue, TypedRow } from '../../src/parsers/typed/types.js'
import type { FileSnapshot, Store } from '../../src/store/types.js'
import { snapshotOf } from './snapshot.js'

export const REPORTS = '/srv/pipeline/reports'
export const TRANSCRIPTS = '/home/agent/.claude/projects'
export const PROJECT = '-srv-pipeline'

/** Report sessions. */
export const R1 = '2026-03-10-1773100800'
export const R2 = '2026-03-11-1773187200'

/** SDK sessions. */
export const A = 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
export const B = 'b7e2d915-0c4a-4f3e-9a61-2d8c7b5e4f10'
export const C = 'c9d3e0a7-6b1f-4c28-b5d4-8e7f6a5b4c3d'
export const SUBAGENT = '7c1e9a20'

export const AUDIT_A = `sessions/${A}/session-audit.log`
export const AUDIT_C = `sessions/${C}/session-audit.log`
export const MAIN_A = `${PROJECT}/${A}.jsonl`
export const SUB_A = `${PROJECT}/${A}/subagents/agent-${SUBAGENT}.jsonl`
export const MAIN_B = `${PROJECT}/${B}.jsonl`

const OPUS = 'claude-opus-4-1-20250805'
const SONNET = 'claude-sonnet-4-5-20250929'
const PRICING = '2025-10-01'

type Values = Record<string, ColumnValue>

function row(line: number, values: Values): TypedRow {
  return { line, values, extra: null, raw: JSON.stringify(values) }
}

function agentFile(root: string, path: string, documentType: 'audit_log' | 'other', rows: Partial<Record<TypedTableName, TypedRow[]>>): FileSnapshot {
  return {
    root,
    path,
    sessionId: null,
    sessionCreatedAt: null,
    documentType,
    format: 'jsonl',
    sizeBytes: 4096,
    mtimeMs: 1000,
    instance: 'test',
    contentHash: `h-${root}-${path}`,
    parsed: { format: 'jsonl', markdown: null, json: undefined, diagnostics: [], typed: { kind: documentType === 'audit_log' ? 'audit_log' : 'transcript', session: null, rows, typedTables: [], misses: [] } },
    jsonText: null,
  }
}

function summary(values: Values): TypedRow {
  return row(1, {
    agent_id: null,
    version: null,
    cwd: null,
    transcript_path: null,
    first_prompt_length: null,
    first_prompt_preview: null,
    compactions: null,
    tool_calls: null,
    tool_failures: null,
    subagents: null,
    reports_saved: null,
    models: [],
    ...values,
  })
}

function event(sdk: string, line: number, at: string, name: string, more: Values = {}): TypedRow {
  return row(line, { sdk_session_id: sdk, at, event: name, ...more })
}

function message(sdk: string, line: number, at: string, model: string | null, key: string | null, tokens: [number, number, number, number], cost: number | null, more: Values = {}): TypedRow {
  const [input, output, cacheRead, cacheCreation] = tokens
  const [messageId, requestId] = key === null ? [null, null] : key.split(':')
  return row(line, {
    sdk_session_id: sdk,
    at,
    type: 'assistant',
    uuid: `${sdk.slice(0, 8)}-${line}`,
    model,
    message_id: messageId ?? null,
    request_id: requestId ?? null,
    usage_key: key,
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: cacheRead,
    cache_creation_tokens: cacheCreation,
    cost_usd: cost,
    cost_source: cost === null ? null : 'pricing',
    pricing_version: cost === null ? null : PRICING,
    is_sidechain: 0,
    ...more,
  })
}

function link(sdk: string, line: number, report: string, evidence: string, detail: string, at: string): TypedRow {
  return row(line, { sdk_session_id: sdk, report_session_id: report, evidence, detail, at })
}

/** Every file of the fixture, in the order the sync might apply them, and a report session R1 to link to. */
export function agentSnapshots(): FileSnapshot[] {
  return [
    snapshotOf(REPORTS, R1, 'research-plan.md', '# Research Plan\n\n**Matter:** Project Osprey\n'),
    agentFile(REPORTS, AUDIT_A, 'audit_log', {
      agent_sessions: [
        summary({
          sdk_session_id: A,
          source: 'audit_log',
          started_at: '2026-03-10T09:00:00.000Z',
          ended_at: '2026-03-10T09:42:30.000Z',
          cwd: '/srv/pipeline',
          transcript_path: `${TRANSCRIPTS}/${MAIN_A}`,
          first_prompt_length: 812,
          first_prompt_preview: 'Run the legal research pipeline for Project Osprey: acquisition of Harbor Logistics',
          compactions: 1,
          status: 'stopped',
          lines: 8,
          tool_calls: 48,
          tool_failures: 3,
          subagents: 4,
          reports_saved: 5,
        }),
      ],
      agent_events: [
        event(A, 1, '2026-03-10T09:00:00.000Z', 'session_start'),
        event(A, 2, '2026-03-10T09:00:00.500Z', 'user_prompt'),
        event(A, 3, '2026-03-10T09:01:10.000Z', 'pre_tool_use', { tool: 'Task', tool_type: 'builtin', agent_type: 'tax-specialist', tool_use_id: 'toolu_01Tx' }),
        event(A, 4, '2026-03-10T09:01:11.000Z', 'subagent_start', { agent_id: SUBAGENT, agent_type: 'tax-specialist' }),
        event(A, 5, '2026-03-10T09:12:40.000Z', 'report_saved', { file_path: `${REPORTS}/${R1}/specialist-reports/tax.md` }),
        event(A, 6, '2026-03-10T09:15:02.000Z', 'tool_failure', {
          tool: 'mcp__exa__web_search_exa',
          tool_type: 'mcp',
          mcp_server: 'exa',
          mcp_action: 'web_search_exa',
          tool_use_id: 'toolu_02Ex',
          duration_ms: 30012,
          success: 0,
          error: 'rate limited',
        }),
        event(A, 7, '2026-03-10T09:20:00.000Z', 'pre_compact'),
        event(A, 8, '2026-03-10T09:42:30.000Z', 'agent_stop'),
      ],
      agent_session_links: [
        link(A, 5, R1, 'report_saved', `${R1}/specialist-reports/tax.md`, '2026-03-10T09:12:40.000Z'),
        link(A, 9, R1, 'report_saved', `${R1}/specialist-reports/tax.md`, '2026-03-10T09:30:00.000Z'),
      ],
    }),
    agentFile(TRANSCRIPTS, MAIN_A, 'other', {
      agent_sessions: [
        summary({
          sdk_session_id: A,
          source: 'transcript',
          started_at: '2026-03-10T09:00:01.000Z',
          ended_at: '2026-03-10T09:42:10.000Z',
          cwd: '/srv/pipeline',
          version: '2.0.14',
          first_prompt_length: 812,
          first_prompt_preview: 'Run the legal research pipeline for Project Osprey: acquisition of Harbor Logistics',
          compactions: 1,
          status: 'compacted',
          lines: 412,
          tool_calls: 30,
          tool_failures: 2,
          subagents: 4,
          reports_saved: 3,
          models: [OPUS],
        }),
      ],
      agent_messages: [
        message(A, 2, '2026-03-10T09:00:05.000Z', OPUS, 'msg_01A:req_01A', [12, 480, 0, 15200], 0.31),
        message(A, 3, '2026-03-10T09:01:09.000Z', OPUS, 'msg_01B:req_01B', [8, 1210, 15200, 2400], 0.16),
        // The same streamed message on a second line: counted once.
        message(A, 4, '2026-03-10T09:01:09.500Z', OPUS, 'msg_01B:req_01B', [8, 1210, 15200, 2400], 0.16),
        row(5, { sdk_session_id: A, at: '2026-03-10T09:01:10.000Z', type: 'user', uuid: 'a3f1c2d4-5', tool_errors: 0 }),
      ],
      agent_session_links: [link(A, 40, R1, 'tool_write', `${R1}/research-plan.md`, '2026-03-10T09:03:00.000Z')],
    }),
    agentFile(TRANSCRIPTS, SUB_A, 'other', {
      agent_sessions: [
        summary({
          sdk_session_id: A,
          source: 'transcript',
          agent_id: SUBAGENT,
          started_at: '2026-03-10T09:01:11.000Z',
          ended_at: '2026-03-10T09:30:00.000Z',
          cwd: '/srv/pipeline',
          version: '2.0.14',
          first_prompt_length: 1400,
          first_prompt_preview: 'You are the tax specialist. Research the tax structure of the Harbor Logistics deal',
          compactions: 0,
          status: 'active',
          lines: 96,
          tool_calls: 15,
          tool_failures: 0,
          subagents: 0,
          reports_saved: 1,
          models: [SONNET],
        }),
      ],
      agent_messages: [
        message(A, 2, '2026-03-10T09:02:00.000Z', SONNET, 'msg_01C:req_01C', [5, 900, 4000, 6000], 0.0375, { agent_id: SUBAGENT, is_sidechain: 1 }),
        message(A, 7, '2026-03-10T09:12:30.000Z', SONNET, 'msg_01D:req_01D', [3, 350, 10000, 0], 0.00825, { agent_id: SUBAGENT, is_sidechain: 1 }),
      ],
    }),
    agentFile(TRANSCRIPTS, MAIN_B, 'other', {
      agent_sessions: [
        summary({
          sdk_session_id: B,
          source: 'transcript',
          started_at: '2026-03-09T15:00:00.000Z',
          ended_at: '2026-03-09T15:20:00.000Z',
          cwd: '/srv/pipeline',
          version: '2.0.11',
          first_prompt_length: 96,
          first_prompt_preview: `Summarise the open issues of ${R1}`,
          compactions: 0,
          status: 'active',
          lines: 22,
          tool_calls: 6,
          tool_failures: 0,
          subagents: 0,
          reports_saved: 0,
          models: ['claude-experimental-x'],
        }),
      ],
      agent_messages: [message(B, 3, '2026-03-09T15:00:20.000Z', 'claude-experimental-x', 'msg_02A:req_02A', [40, 700, 0, 3000], null)],
      agent_session_links: [link(B, 1, R1, 'prompt', `Summarise the open issues of ${R1}`, '2026-03-09T15:00:00.000Z')],
    }),
    agentFile(REPORTS, AUDIT_C, 'audit_log', {
      agent_sessions: [
        summary({
          sdk_session_id: C,
          source: 'audit_log',
          started_at: '2026-03-11T08:00:00.000Z',
          ended_at: '2026-03-11T08:05:00.000Z',
          cwd: `/srv/pipeline/reports/${R2}`,
          status: 'active',
          lines: 2,
          tool_calls: 0,
          tool_failures: 0,
          subagents: 0,
          reports_saved: 0,
          compactions: 0,
        }),
      ],
      agent_events: [event(C, 1, '2026-03-11T08:00:00.000Z', 'session_start'), event(C, 2, '2026-03-11T08:05:00.000Z', 'user_prompt')],
      agent_session_links: [link(C, 1, R2, 'cwd', `/srv/pipeline/reports/${R2}`, '2026-03-11T08:00:00.000Z')],
    }),
  ]
}

/** Apply every file of the fixture. */
export async function applyAgentFixture(store: Store): Promise<void> {
  for (const snapshot of agentSnapshots()) await store.applyFileSnapshot(snapshot)
}
