/**
 * Any other agent's JSON state (`*-state.json`, named after its agent): one `agent_states` row.
 */
import { parseAgentState } from '../parsers/typed/agent-state.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function agentStateTables() {
  return {
    agent_states: {
      agent: 'text',
      version: 'text',
      status: 'text',
      current_phase: 'text',
      started_at: 'text',
      last_updated: 'text',
      compaction_summary: 'text',
      recovery_instructions: 'text',
      phases: 'json',
      document: 'json',
    },
  } as const
}

export const agentState: KindSpec = {
  kind: 'agent_state',
  documentType: 'state_file',
  format: 'json',
  state: true,
  sections: [],
  tables: agentStateTables(),
  parse: (input) => parseAgentState(input.name, input.json!),
  fixture: { dir: 'agent-state', path: 's/*' },
}
