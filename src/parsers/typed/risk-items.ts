/**
 * The risks a `risk-summary.json` lists, one `risk_items` row each.
 *
 * Aggregators list their risks under many names and usually more than once
 * (all findings by domain, then the top ten again, then the deal blockers).
 * One list is taken, by tier, so a risk is not counted twice:
 *
 * 1. a complete list: `risks`, `findings`, `risk_register`, `findings_by_domain`, ...
 * 2. severity buckets, taken together: `critical_severity_findings`, `high_risks`, ...
 * 3. a selection: `top_10_exposures`, `top_risks`, `deal_blocking_risks`, ...
 * 4. category aggregates: `exposure_by_category`, `risk_by_category`, ...
 *
 * An entry that groups findings (`{ "domain": ..., "key_findings": [{...}] }`)
 * yields its findings, which inherit its category and source.
 */
import { isNullLike, parseSeverity, saysNoLevel, type Severity } from '../normalize/index.js'
import type { NormaliseMiss, TypedRow } from './types.js'
import { isBlank, isRecord, labelOf, normalizeKey, pick, pickValue, type JsonObject } from './json-keys.js'
import { amountKey, amountOf, probabilityValue, type MoneyScale } from './risk-money.js'
import { saysNothing } from './boilerplate.js'

const COMPLETE_LISTS = [
  'risks',
  'risk_items',
  'risk_register',
  'all_risks',
  'identified_risks',
  'quantified_risks',
  'findings',
  'all_findings',
  'risk_findings',
  'quantified_exposures',
  'exposures',
  'findings_by_domain',
  'risks_by_domain',
  'exposures_by_domain',
  'findings_by_section',
] as const
/** `high_severity_findings`, `critical_risks`, ...: a list of one severity. */
export const SEVERITY_BUCKET = /^(critical|high|medium|moderate|low)(?:_severity)?_(?:findings|risks|exposures|issues)$/
const SELECTION_LIST = /^(?:top(?:_\d+)?_(?:exposures|risks|findings)|(?:deal_blocking|key|material|critical|major)_(?:risks|exposures))$/
const CATEGORY_LISTS = [
  'exposure_by_category',
  'exposures_by_category',
  'risk_by_category',
  'risks_by_category',
  'findings_by_category',
] as const
/** Keys under which an entry groups the findings it stands for. */
const NESTED_LISTS = ['key_findings', 'findings', 'risks', 'items', 'sub_findings', 'exposures'] as const

const ID_KEYS = ['risk_id', 'id', 'finding_id', 'exposure_id', 'issue_id', 'ref', 'reference', 'code'] as const
const TITLE_KEYS = [
  'title',
  'risk_name',
  'name',
  'risk',
  'finding',
  'finding_title',
  'issue',
  'finding_summary',
  'summary',
  'description',
  'condition',
  'scenario',
] as const
const CATEGORY_KEYS = ['category', 'domain', 'risk_category', 'area', 'practice_area', 'risk_type', 'type', 'section', 'section_id'] as const
const SEVERITY_KEYS = ['severity', 'risk_level', 'severity_level', 'level', 'rating', 'criticality', 'priority'] as const
const PROBABILITY_KEYS = [
  'probability_decimal',
  'probability',
  'likelihood',
  'probability_pct',
  'probability_percent',
  'probability_avg',
  'prob',
  'probability_of_occurrence',
] as const
const SOURCE_KEYS = ['source_report', 'source_reports', 'source', 'sources', 'specialist', 'report', 'source_section'] as const
/** Amount concepts (see risk-money.ts) of a gross exposure, in precedence order. */
export const GROSS_CONCEPTS = [
  'gross_exposure',
  'gross',
  'exposure',
  'exposure_nominal',
  'nominal_exposure',
  'gross_exposure_nominal',
  'total_exposure',
  'potential_exposure',
  'financial_impact',
  'estimated_exposure',
] as const
/** Amount concepts of a probability-weighted exposure, in precedence order. */
export const WEIGHTED_CONCEPTS = [
  'weighted_exposure',
  'weighted',
  'probability_weighted',
  'probability_weighted_exposure',
  'weighted_p50',
  'expected_loss',
  'expected_value',
  'weighted_value',
  'risk_weighted',
] as const

/** A risk entry and what it inherits from where it was listed. */
interface Entry {
  /** The risk as the document writes it. */
  item: JsonObject
  /** The key it was listed under in a map (`{ "R1": {...} }`), a fallback id. */
  mapKey: string | null
  category: string | null
  source: string | null
  /** The severity its list is named for (`high_severity_findings`). */
  severity: Severity | null
}

/** The list a document's risks were taken from: its key(s), and the entries. */
export interface RiskList {
  /** The key(s) the entries came from, as the document spells them; a nested one as its dotted path. */
  keys: string[]
  /** 1 complete list, 2 severity buckets, 3 a selection, 4 category aggregates; 1 also for lists found by shape. */
  tier: 1 | 2 | 3 | 4
  /** One per risk, grouped findings expanded. */
  entries: Entry[]
}

/**
 * The risk list of a document (see the module comment), or null when it
 * lists none. A complete list whose entries mostly name no risk (neither a
 * title nor an id: per-domain totals) counts as category aggregates, below
 * the buckets and selections that do name their risks.
 */
export function findRiskList(document: JsonObject): RiskList | null {
  const named = findNamedRiskList(document)
  // A complete list or buckets under a known name are the document's own; a selection or
  // per-category totals are taken only when no finding list sits deeper in the document.
  if (named !== null && named.tier <= 2) return named
  const nested = findNestedRiskLists(document)
  // A complete list is never shorter than a selection from it.
  if (nested === null || (named !== null && nested.entries.length < named.entries.length)) return named
  return nested
}

function findNamedRiskList(document: JsonObject): RiskList | null {
  const byKey = new Map(Object.keys(document).map((key) => [normalizeKey(key), key] as const))
  const listAt = (normal: string, severity: Severity | null = null): Entry[] => {
    const key = byKey.get(normal)
    return key === undefined ? [] : entriesOf(document[key], severity)
  }
  let aggregates: RiskList | null = null
  for (const name of COMPLETE_LISTS) {
    const entries = listAt(name)
    if (entries.length === 0) continue
    const list: RiskList = { keys: [byKey.get(name)!], tier: 1, entries }
    if (namesRisks(entries)) return list
    aggregates ??= { ...list, tier: 4 }
  }
  const buckets: string[] = []
  const bucketEntries: Entry[] = []
  for (const normal of byKey.keys()) {
    const match = SEVERITY_BUCKET.exec(normal)
    if (match === null) continue
    const entries = listAt(normal, parseSeverity(match[1]!))
    if (entries.length === 0) continue
    buckets.push(byKey.get(normal)!)
    bucketEntries.push(...entries)
  }
  if (bucketEntries.length > 0) return { keys: buckets, tier: 2, entries: bucketEntries }
  for (const normal of byKey.keys()) {
    if (!SELECTION_LIST.test(normal)) continue
    const entries = listAt(normal)
    if (entries.length > 0) return { keys: [byKey.get(normal)!], tier: 3, entries }
  }
  if (aggregates !== null) return aggregates
  for (const name of CATEGORY_LISTS) {
    const entries = listAt(name)
    if (entries.length > 0) return { keys: [byKey.get(name)!], tier: 4, entries }
  }
  return null
}

/**
 * How deep a list may sit, counting keys and array positions:
 * `categories` → `environmental` → `risks` is 3,
 * `assessment` → `domains` → `[0]` → `subdomains` → `air` → `findings` is 6.
 */
const MAX_LIST_DEPTH = 8
/** Keys that name a list or a grouping, not a category: the category is a key above them. */
const GENERIC_KEYS = new Set([
  ...COMPLETE_LISTS,
  ...NESTED_LISTS,
  'categories',
  'risk_categories',
  'finding_categories',
  'by_category',
  'domains',
  'risk_domains',
  'by_domain',
  'areas',
  'issues',
  'list',
  'entries',
  'register',
  'details',
  'data',
  'results',
])
/** Containers that hold no findings: a document's metadata, method and verdict. */
const NOT_A_LIST_HOME = /(?:^|_)(?:metadata|recommendations?|decisions?|methodology)(?:_|$)/
/** Selections that repeat findings told elsewhere (`top_risks`, `key_findings`, `deal_blocking_issues`). */
const SELECTION_KEY = /^(?:top|key|material|major|priority|notable|selected)_|(?:^|_)(?:blocking|blockers?|highlights?)(?:_|$)/
/** Lists that total findings rather than tell them (`summary`). */
const NOT_THE_LIST = /(?:^|_)(?:summary|totals?|aggregates?|overview|metrics|statistics)(?:_|$)/

/** Keys that name a list of findings, under which a map of id → finding is a list too (`"findings": { "F-1": {..} }`). */
const LIST_NAMES = new Set<string>([...COMPLETE_LISTS, ...NESTED_LISTS])
/** Fields of a group that label it, for the findings under it (`[{ "domain": "Regulatory", "categories": [..] }]`). */
const GROUP_LABEL_KEYS = [...CATEGORY_KEYS, 'name', 'title', 'label'] as const

/**
 * Finding lists found by shape, for documents that nest them under category
 * objects (`{ "categories": { "environmental": { "risks": [..] } } }`), in
 * arrays of groups (`{ "domains": [{ "domain": "Tax", "areas": [..] }] }`),
 * or key them by category at the top (`{ "environmental": [..], "tax": [..] }`):
 * every array at depth ≤ 8 (see {@link MAX_LIST_DEPTH}) whose entries mostly
 * look like findings (a title or id, and a severity, a probability or an
 * amount), and every map of such entries under a list name (`findings`,
 * `risks`), in document order. An entry without a category of its own takes
 * the nearest enclosing key or group label that is not a list name.
 *
 * Selections (`top_risks`, `key_findings`, `deal_blocking_issues`) and
 * buckets are not searched, at any depth, so a risk is not listed twice;
 * nor are summaries and totals (`summary`, `totals`, `overview`), metadata
 * and recommendation objects. A finding's own lists (its mitigations, its
 * evidence) are not searched either. The lists found replace a named
 * selection only when they hold at least as many entries.
 */
function findNestedRiskLists(document: JsonObject): RiskList | null {
  const keys: string[] = []
  const entries: Entry[] = []
  const seen = new Set<string>()
  const take = (path: string, found: readonly Entry[]): void => {
    keys.push(path)
    for (const entry of found) {
      const raw = JSON.stringify(entry.item)
      if (seen.has(raw)) continue
      seen.add(raw)
      entries.push(entry)
    }
  }
  const categoryOf = (labels: readonly string[]): string | null =>
    [...labels].reverse().find((part) => !GENERIC_KEYS.has(normalizeKey(part))) ?? null
  /** `path`: keys and `[i]` positions down to `object`, at most MAX_LIST_DEPTH; `labels`: its keys and group labels, for categories. */
  const visit = (object: JsonObject, path: readonly string[], labels: readonly string[]): void => {
    for (const [key, value] of Object.entries(object)) {
      const normal = normalizeKey(key)
      if (NOT_A_LIST_HOME.test(normal) || SELECTION_LIST.test(normal) || SELECTION_KEY.test(normal) || SEVERITY_BUCKET.test(normal)) continue
      if ((CATEGORY_LISTS as readonly string[]).includes(normal) || NOT_THE_LIST.test(normal)) continue
      const here = [...path, key]
      const named = [...labels, key]
      if (Array.isArray(value)) {
        const category = categoryOf(named)
        const found = value.filter(isRecord).flatMap((item) => expand({ item, mapKey: null, category, source: null, severity: null }))
        if (found.length > 0 && looksLikeFindings(found)) {
          take(pathText(here), found)
          continue
        }
        // Groups in an array: each group's own lists, under its label.
        if (here.length + 1 >= MAX_LIST_DEPTH) continue
        value.forEach((item, index) => {
          if (!isRecord(item) || isFinding(item)) return
          const label = labelOf(pickValue(item, GROUP_LABEL_KEYS))
          visit(item, [...here, `[${index}]`], label === null ? named : [...named, label])
        })
      } else if (isRecord(value)) {
        const children = Object.entries(value)
        if (LIST_NAMES.has(normal) && children.length > 0 && children.every(([, child]) => isRecord(child))) {
          const category = categoryOf(named)
          const found = children.flatMap(([id, child]) => expand({ item: child as JsonObject, mapKey: id, category, source: null, severity: null }))
          if (looksLikeFindings(found)) {
            take(pathText(here), found)
            continue
          }
        }
        if (here.length < MAX_LIST_DEPTH && !isFinding(value)) visit(value, here, named)
      }
    }
  }
  visit(document, [], [])
  return entries.length === 0 ? null : { keys, tier: 1, entries }
}

/** `domains`, `[0]`, `findings` → `domains[0].findings`. */
function pathText(path: readonly string[]): string {
  return path.reduce((text, part) => (part.startsWith('[') || text === '' ? `${text}${part}` : `${text}.${part}`), '')
}

/** Whether one object names a risk (a title or an id) and weighs it (a severity, a probability or an amount). */
function looksLikeFinding(item: JsonObject): boolean {
  const named = titleOf(item) !== null || labelOf(pickValue(item, ID_KEYS)) !== null
  if (!named) return false
  if (pick(item, SEVERITY_KEYS) !== null || pick(item, PROBABILITY_KEYS) !== null) return true
  return nestedAmount(item, GROSS_CONCEPTS, 1) !== null || nestedAmount(item, WEIGHTED_CONCEPTS, 1) !== null
}

/** One finding, not a group that holds findings of its own (`{ "name": "Tax", "total": .., "risks": [..] }`). */
function isFinding(item: JsonObject): boolean {
  const nested = pickValue(item, NESTED_LISTS)
  if (Array.isArray(nested) && nested.some(isRecord)) return false
  return looksLikeFinding(item)
}

/** Whether most entries look like findings (see {@link looksLikeFinding}). */
function looksLikeFindings(entries: readonly Entry[]): boolean {
  return entries.filter(({ item }) => looksLikeFinding(item)).length * 2 > entries.length
}

function namesRisks(entries: readonly Entry[]): boolean {
  const named = entries.filter((entry) => titleOf(entry.item) !== null || labelOf(pickValue(entry.item, ID_KEYS)) !== null)
  return named.length * 2 >= entries.length
}

/**
 * Entries of a list value: an array of objects, a map of id → object, or a
 * map of group → array of objects. A map must be all one or the other: an
 * object mixing totals and lists (`{ "total_count": 15, "by_domain": [...] }`)
 * is a summary, not a list.
 */
function entriesOf(value: unknown, severity: Severity | null): Entry[] {
  const entries: Entry[] = []
  const entry = (item: JsonObject, mapKey: string | null, category: string | null): void => {
    entries.push(...expand({ item, mapKey, category, source: null, severity }))
  }
  if (Array.isArray(value)) {
    for (const item of value) if (isRecord(item)) entry(item, null, null)
    return entries
  }
  if (!isRecord(value)) return entries
  const children = Object.entries(value)
  if (children.length > 0 && children.every(([, child]) => isRecord(child))) {
    for (const [key, child] of children) entry(child as JsonObject, key, null)
  } else if (children.length > 0 && children.every(([, child]) => Array.isArray(child))) {
    // `{ "Environmental": [{...}] }`: the group names the category.
    for (const [key, child] of children) for (const item of child as unknown[]) if (isRecord(item)) entry(item, null, key)
  }
  return entries
}

/** An entry that groups findings as objects stands for them; otherwise for itself. */
function expand(entry: Entry): Entry[] {
  const nested = pickValue(entry.item, NESTED_LISTS)
  if (!Array.isArray(nested)) return [entry]
  const children = nested.filter(isRecord)
  if (children.length === 0) return [entry]
  const category = labelOf(pickValue(entry.item, CATEGORY_KEYS)) ?? entry.category
  const source = sourceOf(entry.item) ?? entry.source
  return children.map((item) => ({ item, mapKey: null, category, source, severity: entry.severity }))
}

/** One row per entry; severities and probabilities that do not normalise are reported in `misses`. */
export function riskRows(list: RiskList, scale: MoneyScale, misses: NormaliseMiss[]): TypedRow[] {
  return list.entries.filter((entry) => !saysNoRisk(entry.item, scale)).map((entry) => riskRow(entry, scale, misses))
}

/** An entry that only says there is nothing (`{ "title": "None identified" }`), with no id and no amount: no risk. */
function saysNoRisk(item: JsonObject, scale: MoneyScale): boolean {
  const title = titleOf(item)
  if (title === null || !saysNothing(title) || labelOf(pickValue(item, ID_KEYS)) !== null) return false
  return nestedAmount(item, GROSS_CONCEPTS, scale) === null && nestedAmount(item, WEIGHTED_CONCEPTS, scale) === null
}

function riskRow(entry: Entry, scale: MoneyScale, misses: NormaliseMiss[]): TypedRow {
  const { item } = entry
  const severityRaw = labelOf(pickValue(item, SEVERITY_KEYS))
  const severity = severityRaw === null ? null : parseSeverity(severityRaw)
  // `NONE` or `N/A (summary section)` is no severity, and no bucket's either.
  const none = severity === null && saysNoLevel(severityRaw)
  if (severityRaw !== null && severity === null && !isNullLike(severityRaw) && !none) {
    misses.push({ table: 'risk_items', column: 'severity', raw: severityRaw, line: null })
  }
  const probability = probabilityOf(item, misses)
  const values = {
    risk_id: labelOf(pickValue(item, ID_KEYS)) ?? entry.mapKey,
    title: titleOf(item),
    category: labelOf(pickValue(item, CATEGORY_KEYS)) ?? entry.category,
    // A placeholder (`N/A`) is no severity; an unread word is kept as written; a bucket names the level of its entries.
    severity: none ? null : (severity ?? (severityRaw !== null && !isNullLike(severityRaw) ? severityRaw : entry.severity)),
    probability,
    gross_exposure: nestedAmount(item, GROSS_CONCEPTS, scale),
    weighted_exposure: nestedAmount(item, WEIGHTED_CONCEPTS, scale),
    source: sourceOf(item) ?? entry.source,
  }
  return { line: null, values, extra: extraOf(item, scale), raw: JSON.stringify(item) }
}

/** An amount on the item, or else in one of its objects (`"exposure": { "weighted_cents": .. }`). */
function nestedAmount(item: JsonObject, concepts: readonly string[], scale: MoneyScale): number | null {
  const own = amountOf(item, concepts, scale)
  if (own !== null) return own
  for (const value of Object.values(item)) {
    const nested = isRecord(value) ? amountOf(value, concepts, scale) : null
    if (nested !== null) return nested
  }
  return null
}

/**
 * The first probability field that reads as one, on the item or else in one
 * of its objects (`"exposure": { "probability_decimal": 0.125 }`). A field
 * that does not read (`"HIGH"`) is reported when none does; placeholders are not.
 */
function probabilityOf(item: JsonObject, misses: NormaliseMiss[]): number | null {
  let unread: string | null = null
  const places = [item, ...Object.values(item).filter(isRecord)]
  for (const place of places) {
    for (const key of PROBABILITY_KEYS) {
      const found = pick(place, [key])
      if (found === null) continue
      const value = probabilityValue(found.value)
      if (value !== null) return value
      const label = labelOf(found.value)
      if (label !== null && !isNullLike(label)) unread ??= label
    }
  }
  if (unread !== null) misses.push({ table: 'risk_items', column: 'probability', raw: unread, line: null })
  return null
}

function titleOf(item: JsonObject): string | null {
  // Script-made summaries carry markdown emphasis from the tables they read (`**Permit Loss**`): labelOf drops it.
  return labelOf(pickValue(item, TITLE_KEYS))
}

function sourceOf(item: JsonObject): string | null {
  const value = pickValue(item, SOURCE_KEYS)
  if (Array.isArray(value)) {
    const labels = value.map(labelOf).filter((label) => label !== null)
    return labels.length > 0 ? labels.join(', ') : null
  }
  return labelOf(value)
}

const MAPPED_KEYS = new Set(
  [...ID_KEYS, ...TITLE_KEYS, ...CATEGORY_KEYS, ...SEVERITY_KEYS, ...PROBABILITY_KEYS, ...SOURCE_KEYS].map(normalizeKey),
)
const AMOUNT_CONCEPTS = new Set<string>([...GROSS_CONCEPTS, ...WEIGHTED_CONCEPTS])

/** Words of a key that names money (`present_value`, `mitigation_cost`, `residual_risk`). */
const MONEY_KEY_WORDS = new Set([
  'exposure', 'value', 'cost', 'costs', 'risk', 'amount', 'price', 'payment', 'payments', 'loss', 'losses', 'savings', 'benefit',
  'fee', 'fees', 'premium', 'reserve', 'reserves', 'liability', 'penalty', 'penalties', 'fine', 'fines', 'damages', 'npv', 'capex',
  'revenue', 'ebitda', 'income', 'escrow', 'holdback', 'indemnity', 'deductible', 'capital', 'investment', 'budget', 'settlement',
  'adjustment', 'proceeds', 'consideration',
])
/** Words of a key that names a ratio, count or time, whatever else it says (`percent_of_total`, `exposure_rank`). */
const NOT_MONEY_KEY_WORDS = new Set([
  'pct', 'percent', 'percentage', 'ratio', 'rate', 'probability', 'score', 'count', 'number', 'rank', 'line', 'days', 'months',
  'years', 'multiple', 'factor', 'share', 'weight', 'index',
])

/**
 * A scalar field as `extra` keeps it: amounts in the unit of the typed
 * columns. A number under a `_cents` key is divided by 100 and its key says
 * so (`mitigation_cost_cents` → `mitigation_cost_usd`); a number under a key
 * that names money (`present_value`, `residual_risk`) follows the document's
 * scale, as the typed amounts do. Everything else is its JSON spelling.
 */
function extraEntry(key: string, value: string | number | boolean, scale: MoneyScale): [string, string] {
  if (typeof value !== 'number' || !Number.isFinite(value)) return [key, String(value)]
  const words = normalizeKey(key).split('_')
  if (words.some((word) => NOT_MONEY_KEY_WORDS.has(word))) return [key, String(value)]
  const cents = words.some((word) => word === 'cents' || word === 'cent')
  if (cents) {
    return [words.map((word) => (word === 'cents' || word === 'cent' ? 'usd' : word)).join('_'), String(Math.round(value) / 100)]
  }
  if (scale !== 1 && words.some((word) => MONEY_KEY_WORDS.has(word))) return [key, String(Math.round(value * scale * 100) / 100)]
  return [key, String(value)]
}

/**
 * Scalar fields that no column reads, as text, for `extra`, amounts in the
 * typed columns' unit (see {@link extraEntry}). Nested structures, and the
 * exact text of mapped fields, stay in `raw`.
 */
function extraOf(item: JsonObject, scale: MoneyScale): Record<string, string> | null {
  const extra: Record<string, string> = {}
  for (const [key, value] of Object.entries(item)) {
    if (isBlank(value) || typeof value === 'object') continue
    if (MAPPED_KEYS.has(normalizeKey(key)) || AMOUNT_CONCEPTS.has(amountKey(key).concept)) continue
    const [name, text] = extraEntry(key, value as string | number | boolean, scale)
    // A field the document wrote under the new name wins; the converted one stays in `raw`.
    if (name !== key && Object.keys(item).some((other) => normalizeKey(other) === name)) continue
    extra[name] = text
  }
  return Object.keys(extra).length > 0 ? extra : null
}

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 }

/** The higher of two severities. */
export function higherSeverity(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b
  if (b === null) return a
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a
}
