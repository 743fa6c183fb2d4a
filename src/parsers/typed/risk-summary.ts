/**
 * Typed records of `risk-summary.json` (top level or `review-outputs/`): one
 * `risk_summary` row with the totals, and one `risk_items` row per listed risk
 * (see risk-items.ts for which list). Amounts are in currency units, cents
 * converted (see risk-money.ts); the whole document is kept in `document`.
 *
 * Totals are looked up by meaning in the aggregate containers first
 * (`aggregate_exposure`, `aggregate_risk`, `summary`, `key_metrics`, ...),
 * then at the top level, then in any summary-named object (see
 * `summaryPlaces`); a range stands for its midpoint.
 */
import { parseSeverity, saysNoLevel, type Severity } from '../normalize/index.js'
import { isRecord, labelOf, normalizeKey, pick, pickValue, textOf, type JsonObject } from './json-keys.js'
import { amountKey, amountOf, amountValue, moneyScale, type MoneyScale } from './risk-money.js'
import { findRiskList, higherSeverity, riskRows, SEVERITY_BUCKET } from './risk-items.js'
import { factKey, mergeSame } from './fact-merge.js'
import { emptyTyped, pushRows, type TypedRecords, type TypedRow } from './types.js'

/** Where totals live, searched in order; `''` is the top level. */
const TOTAL_CONTAINERS = [
  'aggregate_exposure',
  'aggregate_risk',
  'aggregate',
  'aggregates',
  'totals',
  'total_exposure',
  'exposure_summary',
  'summary',
  'risk_summary',
  'key_metrics',
  'statistics',
  'metrics',
  'overview',
  '',
] as const
const GROSS_TOTAL = [
  'gross_total',
  'total_gross_exposure',
  'total_gross',
  'gross_exposure_total',
  'gross_exposure',
  'total_exposure',
  'gross',
  'aggregate_exposure',
  'aggregate_gross_exposure',
  'total_gross_one_time',
] as const
const WEIGHTED_TOTAL = [
  'probability_weighted',
  'probability_weighted_total',
  'total_weighted_exposure',
  'total_weighted',
  'weighted_total',
  'weighted_exposure',
  'weighted_exposure_total',
  'probability_weighted_exposure',
  'probability_weighted_expected_loss',
  'probability_weighted_expected_value',
  'weighted_expected_value',
  'probability_weighted_p50',
  'expected_loss',
  'total_weighted_one_time',
] as const
const COUNT_CONTAINERS = ['', 'summary', 'statistics', 'key_metrics', 'metrics', 'metadata', 'totals', 'quantification_methodology'] as const
const COUNT_KEYS = [
  'risk_count',
  'total_risks',
  'total_findings',
  'findings_count',
  'findings_total',
  'number_of_risks',
  'total_exposures_identified',
  'total_exposures',
  'findings_extracted',
] as const
const HIGHEST_SEVERITY_KEYS = ['highest_severity', 'max_severity', 'overall_severity', 'overall_risk_level', 'overall_risk_rating'] as const
/** `critical_findings_count`, `high_severity_count`, `critical_severity_count`, `high_risks_total`, ... */
const SEVERITY_COUNT = /^(critical|high|medium|moderate|low)(?:_severity)?(?:_(?:findings|risks|issues|exposures))?_(?:count|total)$/
const SEVERITY_MAPS = ['severity_distribution', 'severity_counts', 'by_severity', 'findings_by_severity', 'risks_by_severity'] as const
/** Recommendation fields, most specific first; any other top-level `*recommendation*` or `*decision*` key follows. */
const RECOMMENDATION_KEYS = [
  'recommendation',
  'overall_recommendation',
  'transaction_recommendation',
  'deal_recommendation',
  'board_recommendation',
  'investment_committee_recommendation',
  'final_recommendation',
  'transaction_recommendations',
  'recommendations',
  'board_decision_framework',
  'board_decision',
  'decision',
] as const
/** Inside a recommendation object: the field that holds the verdict itself. */
const VERDICT_KEYS = ['recommendation', 'decision', 'primary_recommendation', 'transaction_recommendation', 'primary', 'verdict', 'summary'] as const
/** Summaries that may carry the recommendation when the top level has none. */
const RECOMMENDATION_CONTAINERS = [
  'board_briefing_summary',
  'executive_summary',
  'executive_summary_inputs',
  'executive_summary_key_messages',
  'deal_impact_analysis',
  'deal_impact_assessment',
  'summary',
] as const
/** Recommendations about one instrument, not about the deal. */
const NOT_DEAL_RECOMMENDATION = /escrow|price|purchase|insurance|coverage|indemn|rw_|covenant|structure/

/** `risk-summary.json`. */
export function parseRiskSummary(json: object): TypedRecords {
  const records = emptyTyped('risk_summary')
  const document: JsonObject = isRecord(json) ? json : Array.isArray(json) ? { risks: json } : {}
  const scale = moneyScale(document)
  const list = findRiskList(document)
  const items = list === null ? [] : riskRows(list, scale, records.misses)
  const stated = explicitSeverity(document, records)
  let highest = stated === 'none' ? null : stated
  if (stated === null) {
    for (const item of items) highest = higherSeverity(highest, parseSeverity(String(item.values.severity ?? '')))
    highest = higherSeverity(highest, severityFromCounts(document))
  }
  pushRows(records, 'risk_summary', [
    {
      line: null,
      values: {
        total_gross_exposure: total(document, GROSS_TOTAL, scale),
        total_weighted_exposure: total(document, WEIGHTED_TOTAL, scale),
        risk_count: riskCount(document) ?? (list === null ? null : items.length),
        highest_severity: highest,
        recommendation: recommendationOf(document),
        document: json as JsonObject | unknown[],
      },
      // The whole document is in `document`; `extra` names the list the items came from.
      extra: list === null ? null : { risk_list: list.keys.join(', ') },
      raw: null,
    },
  ])
  pushRows(records, 'risk_items', mergeSame(items, restatedRisk))
  return records
}

/**
 * A risk told twice in one summary (under two ids, as aggregators that list a
 * section's risks again do): the same title, category, severity, probability
 * and exposures. Only then: two risks of one title with other figures are two.
 */
function restatedRisk(row: TypedRow): string | null {
  const title = factKey(typeof row.values.title === 'string' ? row.values.title : null)
  if (title === null) return null
  const v = row.values
  return [title, String(v.category ?? '').toLowerCase(), v.severity, v.probability, v.gross_exposure, v.weighted_exposure].map(String).join('\u0000')
}

/** A total: the first container holding one of `concepts`; a bare number under a container key is itself the total. */
function total(document: JsonObject, concepts: readonly string[], scale: MoneyScale): number | null {
  for (const container of TOTAL_CONTAINERS) {
    const place = container === '' ? document : pickValue(document, [container])
    if (place === undefined) continue
    if (!isRecord(place)) {
      // `"aggregate_exposure": 6653384020.1` is the gross total itself.
      if (concepts === GROSS_TOTAL && container === 'aggregate_exposure') {
        const value = amountValue(place, scale)
        if (value !== null) return value
      }
      continue
    }
    const value = amountOf(place, concepts, scale)
    if (value !== null) return value
  }
  for (const { key, place } of summaryPlaces(document)) {
    const value = amountOf(place, concepts, scale)
    if (value !== null) return value
    // `"gross_exposure_summary": { "total": .. }`: the container names what its total is.
    if (conceptOfWords(key) === concepts) {
      const own = amountOf(place, ['total', 'total_amount', 'sum'], scale)
      if (own !== null) return own
    }
  }
  // Last, by the words of a field in a summary: `gross_exposure_sum_usd`, `weighted_loss_total`.
  for (const { place } of summaryPlaces(document)) {
    for (const [key, value] of Object.entries(place)) {
      if (conceptOfWords(amountKey(key).concept) !== concepts) continue
      const amount = amountValue(value, scale)
      if (amount !== null) return amount
    }
  }
  return null
}

/** Words of a field or container that make it a ratio, a count (`total_exposures_identified: 9`), or another amount than the exposure. */
const NOT_TOTAL_WORD = /(?:^|_)(?:pct|percent|percentage|ratio|rate|count|number|num|rank|identified|exposures|risks|findings|items|net|residual|mitigated|insured|retained|cap|limit|escrow)(?:_|$)/

/** Which total a name's words stand for: weighted (`expected_loss_sum`), gross (`gross_exposure_sum`), or neither. */
function conceptOfWords(name: string): readonly string[] | null {
  const normal = normalizeKey(name)
  if (NOT_TOTAL_WORD.test(normal)) return null
  if (/(?:^|_)(?:weighted|expected)(?:_|$)/.test(normal)) return WEIGHTED_TOTAL
  if (/(?:^|_)(?:gross|exposure)(?:_|$)/.test(normal)) return GROSS_TOTAL
  return null
}

/** A key that names a summary of the whole document: `risk_overview`, `exposure_summary`, `portfolio_totals`. */
const SUMMARY_KEY = /(?:^|_)(?:summary|summaries|totals?|aggregates?|aggregated|overview|rollup|roll_up|metrics|statistics|stats|portfolio|headline)(?:_|$)/

/**
 * Summary objects under any name, for totals and counts the named containers
 * do not hold: objects at depth ≤ 3, shallowest first, every key on whose
 * path names a summary (`summary`, `risk_overview.exposure_totals`). A
 * category's own totals (`categories.tax.summary`) are not the document's.
 */
function summaryPlaces(document: JsonObject): Array<{ key: string; place: JsonObject }> {
  const places: Array<{ key: string; place: JsonObject }> = []
  let level = [{ key: '', place: document }]
  for (let depth = 1; depth <= 3 && level.length > 0; depth++) {
    const next: Array<{ key: string; place: JsonObject }> = []
    for (const { place: object } of level) {
      for (const [key, value] of Object.entries(object)) {
        const normal = normalizeKey(key)
        if (isRecord(value) && SUMMARY_KEY.test(normal)) next.push({ key: normal, place: value })
      }
    }
    places.push(...next)
    level = next
  }
  return places
}

/** The document's own count of its risks, when it states one. */
function riskCount(document: JsonObject): number | null {
  for (const container of COUNT_CONTAINERS) {
    const place = container === '' ? document : pickValue(document, [container])
    const value = pickValue(place, COUNT_KEYS)
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
    if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim())
  }
  for (const { place } of summaryPlaces(document)) {
    const value = pickValue(place, COUNT_KEYS)
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  }
  return null
}

/**
 * A highest severity the document states, or null; a statement that names no
 * level is a miss. `NONE` is a statement too: the answer is then none, not a
 * level worked out from the items.
 */
function explicitSeverity(document: JsonObject, records: TypedRecords): Severity | 'none' | null {
  for (const container of ['', 'summary', 'statistics', 'key_metrics'] as const) {
    const place = container === '' ? document : pickValue(document, [container])
    const raw = labelOf(pickValue(place, HIGHEST_SEVERITY_KEYS))
    if (raw === null) continue
    const severity = parseSeverity(raw)
    if (severity !== null) return severity
    if (saysNoLevel(raw)) return 'none'
    records.misses.push({ table: 'risk_summary', column: 'highest_severity', raw, line: null })
  }
  return null
}

/** The highest level with a positive count: `critical_findings_count: 2`, `severity_distribution: { "HIGH": 4 }`. */
function severityFromCounts(document: JsonObject): Severity | null {
  let highest: Severity | null = null
  const places = ['', 'summary', 'statistics', 'key_metrics', 'metrics'].map((c) => (c === '' ? document : pickValue(document, [c])))
  for (const place of places) {
    if (!isRecord(place)) continue
    for (const [key, value] of Object.entries(place)) {
      const match = SEVERITY_COUNT.exec(normalizeKey(key))
      if (match && typeof value === 'number' && value > 0) highest = higherSeverity(highest, parseSeverity(match[1]!))
    }
    // A non-empty severity bucket (`"high_severity_findings": [..]` or `{ "total_count": 15, .. }`) has that level.
    for (const [key, value] of Object.entries(place)) {
      const match = SEVERITY_BUCKET.exec(normalizeKey(key))
      if (match === null) continue
      const count = isRecord(value) ? pickValue(value, ['total_count', 'count', 'total']) : undefined
      if ((Array.isArray(value) && value.length > 0) || (typeof count === 'number' && count > 0)) {
        highest = higherSeverity(highest, parseSeverity(match[1]!))
      }
    }
    const map = pickValue(place, SEVERITY_MAPS)
    if (!isRecord(map)) continue
    for (const [level, value] of Object.entries(map)) {
      const counted = (typeof value === 'number' && value > 0) || (Array.isArray(value) && value.length > 0)
      if (counted) highest = higherSeverity(highest, parseSeverity(level))
    }
  }
  return highest
}

/**
 * The deal recommendation: a recommendation field at the top level (its
 * verdict field when it is an object: `{ "decision": "PROCEED_WITH_CONDITIONS" }`),
 * else one in a summary container. Recommendations about an instrument
 * (escrow, price, insurance) are not the deal's.
 */
function recommendationOf(document: JsonObject): string | null {
  const keys = [...RECOMMENDATION_KEYS.map(normalizeKey)]
  for (const key of Object.keys(document)) {
    const normal = normalizeKey(key)
    if (/recommend|decision/.test(normal) && !keys.includes(normal)) keys.push(normal)
  }
  for (const key of keys) {
    if (NOT_DEAL_RECOMMENDATION.test(key)) continue
    const text = verdictText(pickValue(document, [key]))
    if (text !== null) return text
  }
  for (const container of RECOMMENDATION_CONTAINERS) {
    const place = pickValue(document, [container])
    if (!isRecord(place)) continue
    for (const [key, value] of Object.entries(place)) {
      const normal = normalizeKey(key)
      if (!/recommend|decision/.test(normal) || NOT_DEAL_RECOMMENDATION.test(normal)) continue
      const text = verdictText(value)
      if (text !== null) return text
    }
  }
  return deepRecommendation(document, 0)
}

/** Deal-level recommendation keys searched anywhere (outside lists) as a last resort. */
const DEEP_RECOMMENDATION_KEYS = new Set([
  'board_recommendation',
  'transaction_recommendation',
  'overall_recommendation',
  'deal_recommendation',
  'final_recommendation',
])

function deepRecommendation(object: JsonObject, depth: number): string | null {
  if (depth > 3) return null
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string' && DEEP_RECOMMENDATION_KEYS.has(normalizeKey(key)) && textOf(value) !== null) return textOf(value)
  }
  // Lists are per-finding: their recommendations are not the deal's.
  for (const value of Object.values(object)) {
    const found = isRecord(value) ? deepRecommendation(value, depth + 1) : null
    if (found !== null) return found
  }
  return null
}

/** Fields that name a recommendation object's verdict (`{ "type": "Escrow holdback", "amount": .. }`). */
const VERDICT_LABEL_KEYS = ['recommendation', 'decision', 'verdict', 'type', 'action', 'title', 'summary'] as const

function verdictText(value: unknown): string | null {
  if (isRecord(value)) {
    const verdict = pick(value, VERDICT_KEYS)
    if (verdict === null) return null
    return labelOf(verdict.value) ?? labelOf(pickValue(verdict.value, VERDICT_LABEL_KEYS)) ?? textOf(verdict.value)
  }
  if (Array.isArray(value)) return null
  return textOf(value)
}
