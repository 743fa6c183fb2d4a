/**
 * Typed records of `conflict-report.md`. (Skeleton: being implemented.)
 */
import type { MarkdownRecords } from '../types.js'
import { emptyTyped, type TypedRecords } from './types.js'

/** Typed records of a conflict-report document. */
export function parseConflictReport(markdown: MarkdownRecords): TypedRecords {
  void markdown
  return emptyTyped('conflict_report')
}
