/**
 * Typed records of `research-plan.md`. (Skeleton: being implemented.)
 */
import type { MarkdownRecords } from '../types.js'
import { emptyTyped, type TypedRecords } from './types.js'

/** Typed records of a research-plan document. */
export function parseResearchPlan(markdown: MarkdownRecords): TypedRecords {
  void markdown
  return emptyTyped('research_plan')
}
