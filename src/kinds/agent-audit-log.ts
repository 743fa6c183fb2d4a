/**
 * Hook audit logs of the agent SDK's sessions
 * (`reports/sessions/<sdk-session-id>/session-audit.log`), read line by line
 * (src/parsers/agent/audit-log.ts). This kind owns the session summaries and
 * the links to report sessions, which transcripts fill too.
 */
import { readAgentLines } from '../parsers/agent/read-lines.js'
import { agentTables } from './agent-tables.js'
import type { KindSpec } from './types.js'

export const agentAuditLog: KindSpec = {
  kind: 'agent_audit_log',
  documentType: 'audit_log',
  format: 'jsonl',
  lines: { read: (relPath, bytes, from, options) => readAgentLines('audit_log', relPath, bytes, from, options) },
  state: false,
  sections: [],
  tables: (({ agent_sessions, agent_events, agent_session_links }) => ({ agent_sessions, agent_events, agent_session_links }))(agentTables()),
  // Every case reads as the one name hooks write; the case's own name only tells cases apart.
  fixture: { dir: 'agent-audit-log', path: 'sessions/3f6d2c1a-0b7e-4c59-9a41-5d8e2f7c6b10/session-audit.log' },
}
