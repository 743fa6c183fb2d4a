/**
 * Typed records of `conflict-report.md`: the conflicts a fact validator found
 * between specialist reports, one `fact_conflicts` row each, whether written
 * as a `### Conflict 2: Name` section (severity, resolution and canonical
 * value lines, a `| Source | Value Stated |` table), a numbered section under
 * `## Minor Variations (Not Conflicts)`, or a row of a conflict summary table.
 * A summary row and the section of the same conflict make one row.
 */
import type { MarkdownRecords } from '../types.js'
import { extractConflicts } from './conflict-records.js'
import { documentTitle } from './fact-columns.js'
import { emptyTyped, pushRows, type TypedRecords } from './types.js'

/** Typed records of a conflict-report document. */
export function parseConflictReport(markdown: MarkdownRecords): TypedRecords {
  const records = emptyTyped('conflict_report')
  const conflicts = extractConflicts(markdown, documentTitle(markdown))
  pushRows(records, 'fact_conflicts', conflicts.rows)
  records.typedTables = conflicts.tables
  return records
}
