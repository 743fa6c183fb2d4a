/**
 * The risk aggregator's JSON summary (`risk-summary.json`): totals and one row per risk.
 */
import { parseRiskSummary } from '../parsers/typed/risk-summary.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function riskSummaryTables() {
  return {
    risk_summary: {
      total_gross_exposure: 'real',
      total_weighted_exposure: 'real',
      risk_count: 'integer',
      highest_severity: 'text',
      recommendation: 'text',
      document: 'json',
    },
    risk_items: {
      risk_id: 'text',
      title: 'text',
      category: 'text',
      severity: 'text',
      probability: 'real',
      gross_exposure: 'real',
      weighted_exposure: 'real',
      source: 'text',
      occurrences: 'integer',
    },
  } as const
}

export const riskSummary: KindSpec = {
  kind: 'risk_summary',
  documentType: 'risk_summary',
  format: 'json',
  state: true,
  sections: [],
  tables: riskSummaryTables(),
  parse: (input) => parseRiskSummary(input.json!),
  fixture: { dir: 'risk-summary', path: 's/review-outputs/risk-summary.json' },
}
