/**
 * Typed records of `coverage-gaps.md` (and `coverage-gap-report.md`): the
 * gaps a coverage analyser found between the research plan and what the
 * specialists delivered, one `coverage_gaps` row each, whether written as a
 * `### GAP 2: Name` section, attribute bullets under a `Minor Gaps` heading, a
 * gap table, or rows a coverage table flags in its `Gap?` column. Conflicts
 * between specialists that the report describes go to `fact_conflicts`.
 */
import type { MarkdownRecords } from '../types.js'
import { extractConflicts } from './conflict-records.js'
import { extractGaps } from './coverage-records.js'
import { documentTitle, mentions } from './fact-columns.js'
import { emptyTyped, pushRows, type TypedRecords } from './types.js'

const CONFLICT_SECTIONS = ['conflict', 'conflicts', 'tension', 'tensions', 'contradiction', 'contradictions']

/** Typed records of a coverage-gaps document. */
export function parseCoverageGaps(markdown: MarkdownRecords): TypedRecords {
  const records = emptyTyped('coverage_gaps')
  const title = documentTitle(markdown)
  const gaps = extractGaps(markdown, title)
  pushRows(records, 'coverage_gaps', gaps.rows)
  const conflicts = extractConflicts(markdown, title, { within: (heading) => mentions(heading, CONFLICT_SECTIONS) })
  pushRows(records, 'fact_conflicts', conflicts.rows)
  records.typedTables = [...new Set([...gaps.tables, ...conflicts.tables])].sort((a, b) => a - b)
  return records
}
