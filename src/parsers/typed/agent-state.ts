/**
 * Typed records of JSON state files. (Skeleton: being implemented.)
 */
import { emptyTyped, type TypedRecords } from './types.js'

/** `synthesis-state.json`. */
export function parseSynthesisState(json: object): TypedRecords {
  void json
  return emptyTyped('synthesis_state')
}

/** Any other `*-state.json`, named `fileName`. */
export function parseAgentState(fileName: string, json: object): TypedRecords {
  void fileName
  void json
  return emptyTyped('agent_state')
}
