/**
 * Hook audit logs (`reports/sessions/<sdk-session-id>/session-audit.log`): one
 * JSON object a line, written by the pipeline's hooks (`session_start`,
 * `user_prompt`, `pre_tool_use`/`post_tool_use`, `tool_failure`,
 * `subagent_start`/`subagent_stop`, `report_saved`, `pre_compact`,
 * `agent_stop`). Read as a fold: every line is one `agent_events` row (its
 * keys no column takes in `extra`, the line itself in `raw`: the lines are
 * short), a line naming a report session is an `agent_session_links` row, and
 * a small state gives the file's `agent_sessions` summary row.
 *
 * Status: `stopped` after an `agent_stop`, `compacted` after a `pre_compact`
 * until the next event, else `active`; a `user_prompt` or `session_start`
 * after a stop makes the session active again (the user resumed it), while
 * the late hook events of sub-agents winding down do not.
 */
import { newRow } from '../typed/research-typed-rows.js'
import type { TypedRow } from '../typed/types.js'
import type { JsonLine } from './json-lines.js'
import { linkRow, LineReader, pathParts, preview, pushRow, restoreState, widenSpan, type FoldContext, type FoldRows } from './line-values.js'
import { reportSessionOf, reportSessionsIn } from './report-links.js'

const DEFAULTS = {
  session_id: null as string | null,
  started_at: null as string | null,
  ended_at: null as string | null,
  cwd: null as string | null,
  transcript_path: null as string | null,
  first_prompt_length: null as number | null,
  first_prompt_preview: null as string | null,
  compactions: 0,
  status: 'active',
  lines: 0,
  tool_calls: 0,
  tool_failures: 0,
  subagents: 0,
  reports_saved: 0,
  /** A cwd inside a report session was linked: once per file. */
  cwd_linked: false,
}

/** The fold state of an audit log: counters and first values, no per-line lists. */
export type AuditState = typeof DEFAULTS

/** Fold `lines` into `state` (null: the file's start): the lines' rows and the new state. */
export function foldAuditLog(state: unknown, lines: readonly JsonLine[], context: FoldContext): { rows: FoldRows; state: AuditState } {
  const next = restoreState(state, DEFAULTS)
  const rows: FoldRows = {}
  const fallbackId = directorySessionId(context.relPath)
  for (const line of lines) {
    const reader = new LineReader(line.value)
    const at = reader.text('timestamp')
    const event = reader.text('event')
    const sessionId = reader.text('session_id')
    next.session_id ??= sessionId
    const sdkSessionId = sessionId ?? next.session_id ?? fallbackId
    widenSpan(next, at)

    const values = {
      sdk_session_id: sdkSessionId,
      at,
      event,
      tool: reader.text('tool'),
      tool_type: reader.text('tool_type'),
      mcp_server: reader.text('mcp_server'),
      mcp_action: reader.text('mcp_action'),
      agent_type: reader.text('agent_type'),
      agent_id: reader.text('agent_id'),
      tool_use_id: reader.text('tool_use_id'),
      duration_ms: reader.number('duration_ms'),
      success: reader.flag('success'),
      error: event === 'tool_failure' ? reader.text('error') : null,
      file_path: event === 'report_saved' ? reader.text('file_path') : null,
    }
    pushRow(rows, 'agent_events', newRow('agent_events', line.line, values, reader.extra(), line.text))

    switch (event) {
      case 'session_start': {
        const cwd = stringAt(line.value, 'cwd')
        next.cwd ??= cwd
        next.transcript_path ??= stringAt(line.value, 'transcript_path')
        const linked = cwd === null ? null : reportSessionOf(`${cwd}/`)
        if (linked !== null && !next.cwd_linked) {
          next.cwd_linked = true
          pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, linked, 'cwd', cwd!, at))
        }
        next.status = 'active'
        break
      }
      case 'user_prompt': {
        const promptPreview = stringAt(line.value, 'prompt_preview')
        if (next.first_prompt_length === null && next.first_prompt_preview === null) {
          const length = line.value.prompt_length
          next.first_prompt_length = typeof length === 'number' && Number.isFinite(length) ? length : (promptPreview?.length ?? null)
          next.first_prompt_preview = promptPreview === null ? null : preview(promptPreview)
        }
        for (const id of reportSessionsIn(promptPreview ?? '')) {
          pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, id, 'prompt', `reports/${id}/`, at))
        }
        next.status = 'active'
        break
      }
      case 'pre_tool_use':
        next.tool_calls++
        break
      case 'post_tool_use':
        if (values.success === 0) next.tool_failures++
        break
      case 'tool_failure':
        next.tool_failures++
        break
      case 'subagent_start':
        next.subagents++
        break
      case 'report_saved': {
        next.reports_saved++
        const id = values.file_path === null ? null : reportSessionOf(values.file_path)
        if (id !== null) pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, id, 'report_saved', values.file_path!, at))
        break
      }
      case 'pre_compact':
        next.compactions++
        next.status = 'compacted'
        continue
      case 'agent_stop':
        next.status = 'stopped'
        continue
    }
    if (next.status === 'compacted') next.status = 'active'
  }
  next.lines = context.linesRead
  return { rows, state: next }
}

/** The `agent_sessions` row of an audit log from its fold state alone. */
export function auditSummary(state: unknown, relPath: string): TypedRow {
  const s = restoreState(state, DEFAULTS)
  return newRow(
    'agent_sessions',
    null,
    {
      sdk_session_id: s.session_id ?? directorySessionId(relPath),
      source: 'audit_log',
      agent_id: null,
      started_at: s.started_at,
      ended_at: s.ended_at,
      cwd: s.cwd,
      transcript_path: s.transcript_path,
      version: null,
      first_prompt_length: s.first_prompt_length,
      first_prompt_preview: s.first_prompt_preview,
      compactions: s.compactions,
      status: s.status,
      lines: s.lines,
      tool_calls: s.tool_calls,
      tool_failures: s.tool_failures,
      subagents: s.subagents,
      reports_saved: s.reports_saved,
      models: null,
    },
    null,
    null,
  )
}

/** The SDK session an audit log belongs to by its folder (`sessions/<id>/session-audit.log`), else its file stem. */
function directorySessionId(relPath: string): string {
  const { folders, name } = pathParts(relPath)
  const folder = folders[folders.length - 1]
  if (folder !== undefined && folder !== '') return folder
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}

function stringAt(value: Record<string, unknown>, key: string): string | null {
  const v = value[key]
  return typeof v === 'string' ? v : null
}
