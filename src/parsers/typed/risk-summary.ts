/**
 * Typed records of `risk-summary.json`. (Skeleton: being implemented.)
 */
import { emptyTyped, type TypedRecords } from './types.js'

/** `risk-summary.json`. */
export function parseRiskSummary(json: object): TypedRecords {
  void json
  return emptyTyped('risk_summary')
}
