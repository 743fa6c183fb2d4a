/**
 * Typed records of `orchestrator-state.md`. (Skeleton: being implemented.)
 */
import type { MarkdownRecords } from '../types.js'
import { emptyTyped, type TypedRecords } from './types.js'

/** Typed records of a orchestrator-state document. */
export function parseOrchestratorState(markdown: MarkdownRecords): TypedRecords {
  void markdown
  return emptyTyped('orchestrator_state')
}
