/**
 * Claude Code / Agent SDK transcripts (`<session-id>.jsonl`, sub-agents'
 * `agent-<id>.jsonl`), read line by line (src/parsers/agent/transcript.ts).
 * Their summaries and report links go to the tables the audit-log kind owns.
 */
import { readAgentLines } from '../parsers/agent/read-lines.js'
import { agentTables } from './agent-tables.js'
import type { KindSpec } from './types.js'

export const agentTranscript: KindSpec = {
  kind: 'agent_transcript',
  documentType: 'agent_transcript',
  format: 'jsonl',
  lines: { read: (relPath, bytes, from, options) => readAgentLines('transcript', relPath, bytes, from, options) },
  state: false,
  sections: [],
  tables: { agent_messages: agentTables().agent_messages },
  // `*` is the case's file name: a case named `agent-<id>.jsonl` reads as a sub-agent's file.
  fixture: { dir: 'agent-transcript', path: 'projects/-home-dev-acme/*' },
}
