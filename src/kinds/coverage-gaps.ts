/**
 * The gaps a coverage analyser found between the plan and the reports (`coverage-gaps.md`, `coverage-gap-report.md`).
 */
import { parseCoverageGaps } from '../parsers/typed/coverage-gaps.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function coverageGapsTables() {
  return {
    coverage_gaps: {
      gap_id: 'text',
      description: 'text',
      domain: 'text',
      severity: 'text',
      status: 'text',
      recommendation: 'text',
      /** How many times the file tells this gap (a table row and its own section are one gap told twice). */
      occurrences: 'integer',
    },
  } as const
}

export const coverageGaps: KindSpec = {
  kind: 'coverage_gaps',
  documentType: 'coverage_gaps',
  fileNames: [/^coverage-gaps?(-analysis)?(-report)?\.md$/],
  format: 'markdown',
  state: true,
  sections: ['coverage gaps', 'gaps', 'identified gaps'],
  tables: coverageGapsTables(),
  parse: (input) => parseCoverageGaps(input.markdown!),
  fixture: { dir: 'coverage-gaps', path: 's/review-outputs/coverage-gaps.md' },
}
