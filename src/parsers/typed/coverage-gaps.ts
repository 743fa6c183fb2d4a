/**
 * Typed records of `coverage-gaps.md`. (Skeleton: being implemented.)
 */
import type { MarkdownRecords } from '../types.js'
import { emptyTyped, type TypedRecords } from './types.js'

/** Typed records of a coverage-gaps document. */
export function parseCoverageGaps(markdown: MarkdownRecords): TypedRecords {
  void markdown
  return emptyTyped('coverage_gaps')
}
