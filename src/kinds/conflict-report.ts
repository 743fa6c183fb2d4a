/**
 * The conflicts a fact validator found between specialist reports (`conflict-report.md`).
 */
import { parseConflictReport } from '../parsers/typed/conflict-report.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function conflictReportTables() {
  return {
    fact_conflicts: {
      conflict_id: 'text',
      fact_name: 'text',
      conflicting_values: 'text',
      sources: 'text',
      resolution: 'text',
      canonical_value: 'text',
      severity: 'text',
      status: 'text',
      /** How many times the file tells this conflict (a summary row and its own section are one conflict told twice). */
      occurrences: 'integer',
      /** Links the same conflict told in several files (see fact-merge.ts `conflictKey`); `session_conflicts` groups by it. */
      conflict_key: 'text',
    },
  } as const
}

export const conflictReport: KindSpec = {
  kind: 'conflict_report',
  documentType: 'conflict_report',
  fileNames: [/^conflict-report\.md$/],
  format: 'markdown',
  state: true,
  sections: ['conflicts detected', 'conflicts identified', 'identified conflicts', 'conflict details', 'unresolved conflicts', 'resolved conflicts'],
  tables: conflictReportTables(),
  parse: (input) => parseConflictReport(input.markdown!),
  fixture: { dir: 'conflict-report', path: 's/review-outputs/conflict-report.md' },
}
