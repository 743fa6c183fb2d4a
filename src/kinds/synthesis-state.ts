/**
 * The memorandum synthesis agent's JSON state (`synthesis-state.json`): one `synthesis_state` row and the agent's `agent_states` row.
 */
import { parseSynthesisState } from '../parsers/typed/agent-state.js'
import type { KindSpec } from './types.js'

/** The synthesis state under any separator, with a version suffix or none (`synthesis_state.json`, `synthesis-state.cycle2.json`). */
const SYNTHESIS_STATE = /^synthesis[-_.]state(?:[-_.](?:v?\d+|r\d+|rev\d*|cycle\d+|pass\d+|wave\d+|final|updated|revised|latest))*\.json$/

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function synthesisStateTables() {
  return {
    synthesis_state: {
      current_phase: 'text',
      status: 'text',
      last_completed_step: 'text',
      sections_completed: 'json',
      sections_pending: 'json',
      last_updated: 'text',
      next_action: 'text',
      critical_context: 'text',
      blocking_issue: 'text',
      document: 'json',
    },
  } as const
}

export const synthesisState: KindSpec = {
  kind: 'synthesis_state',
  documentType: 'state_file',
  accepts: (name) => SYNTHESIS_STATE.test(name),
  format: 'json',
  state: true,
  sections: [],
  tables: synthesisStateTables(),
  parse: (input) => parseSynthesisState(input.json!),
  fixture: { dir: 'synthesis-state', path: 's/synthesis-state.json' },
}
