/**
 * Money and probabilities in `risk-summary.json`, whatever their spelling:
 * numbers, `"$4.2M"`, `"$40M-$60M"`, `{ "min": 4e7, "max": 6e7 }`,
 * `{ "total_cents": ..., "total_usd": "$2M" }`, sibling fields
 * `exposure_low`/`exposure_high`, `gross_min_cents`/`gross_max_cents`.
 *
 * Amounts are read in whole currency units. Bare numbers are ambiguous: many
 * risk aggregators write integer cents, some say so (`amounts_in_cents`, a
 * `_cents` key, a note "amounts in cents"), some do not. {@link moneyScale}
 * decides once per document; a `_cents` or `_usd` key always wins over it.
 * A range stands for its midpoint: the columns hold one number, and the
 * item's `raw` keeps the text.
 */
import { parseMoney, parseNumber, parsePercent } from '../normalize/index.js'
import { isRecord, normalizeKey, type JsonObject } from './json-keys.js'

/** Multiplier from a document's bare numbers to currency units: 1, or 0.01 for cents. */
export type MoneyScale = 1 | 0.01

const CENTS_TOKENS = new Set(['cents', 'cent'])
const UNIT_TOKENS = new Set(['usd', 'dollars', 'dollar', 'raw', 'formatted', 'text', 'display', 'amount', 'range'])
const LOW_TOKENS = new Set(['low', 'min', 'minimum', 'floor', 'lower'])
const HIGH_TOKENS = new Set(['high', 'max', 'maximum', 'ceiling', 'upper'])
const POINT_TOKENS = new Set(['midpoint', 'mid', 'point'])

/** The fields of one object that carry one amount concept (`gross_total`), by role. */
interface ConceptFields {
  point: Array<{ value: unknown; scale: MoneyScale | null }>
  low: Array<{ value: unknown; scale: MoneyScale | null }>
  high: Array<{ value: unknown; scale: MoneyScale | null }>
}

/** What an amount key says: its concept, its role in a range, and a scale fixed by its unit. */
export function amountKey(key: string): { concept: string; role: keyof ConceptFields; scale: MoneyScale | null } {
  let scale: MoneyScale | null = null
  let role: keyof ConceptFields = 'point'
  const rest: string[] = []
  for (const token of normalizeKey(key).split('_')) {
    if (token === '') continue
    if (CENTS_TOKENS.has(token)) scale = 0.01
    else if (token === 'usd' || token === 'dollars') scale = scale ?? 1
    else if (UNIT_TOKENS.has(token)) continue
    else if (LOW_TOKENS.has(token)) role = 'low'
    else if (HIGH_TOKENS.has(token)) role = 'high'
    else if (POINT_TOKENS.has(token)) role = 'point'
    else rest.push(token)
  }
  return { concept: rest.join('_'), role, scale }
}

/**
 * Group an object's fields by amount concept: `exposure_cents` and
 * `exposure_usd` are both `exposure` (point), `gross_min_cents` is `gross`
 * (low), `exposure_cents_max` is `exposure` (high). A `_cents` field has a
 * fixed scale; the others follow the document.
 */
function conceptFields(object: JsonObject): Map<string, ConceptFields> {
  const concepts = new Map<string, ConceptFields>()
  for (const [key, value] of Object.entries(object)) {
    const { concept, role, scale } = amountKey(key)
    const fields = concepts.get(concept) ?? { point: [], low: [], high: [] }
    // Fixed-scale numbers first: `exposure_cents` is unambiguous where a bare `exposure` is not.
    fields[role][scale === 0.01 && typeof value === 'number' ? 'unshift' : 'push']({ value, scale })
    concepts.set(concept, fields)
  }
  return concepts
}

/**
 * The amount that `object` gives for the first of `concepts` it has, in
 * currency units, or null. A point value wins over a range; a range gives its
 * midpoint, one bound alone gives that bound.
 */
export function amountOf(object: unknown, concepts: readonly string[], scale: MoneyScale): number | null {
  if (!isRecord(object)) return null
  const fields = conceptFields(object)
  for (const concept of concepts) {
    const found = fields.get(normalizeKey(concept))
    if (found === undefined) continue
    for (const field of found.point) {
      const value = amountValue(field.value, field.scale ?? scale, concepts)
      if (value !== null) return value
    }
    const low = firstAmount(found.low, scale, concepts)
    const high = firstAmount(found.high, scale, concepts)
    if (low !== null && high !== null) return (low + high) / 2
    if (low !== null || high !== null) return low ?? high
  }
  return null
}

function firstAmount(fields: ConceptFields['low'], scale: MoneyScale, concepts: readonly string[]): number | null {
  for (const field of fields) {
    const value = amountValue(field.value, field.scale ?? scale, concepts)
    if (value !== null) return value
  }
  return null
}

/** Concepts an amount object (`{ "min": .., "max": .. }`, `{ "total_usd": .. }`) names its own value by. */
const SELF_CONCEPTS = ['', 'total', 'value', 'amount', 'expected_value', 'expected', 'net'] as const

const NUMERIC = /^[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[-−]?\d+(?:\.\d+)?$/

/**
 * One amount value in currency units: a number (times `scale`), a number
 * text (`"(115,000,000)"` is negative), a money text, or an amount object. An
 * object is read for `concepts` first, so
 * `"exposure": { "gross": .., "weighted": .. }` gives its gross amount to a
 * gross reader and its weighted amount to a weighted one; then for its own
 * value (`{ "min": .., "max": .. }`, `{ "total_cents": .. }`).
 */
export function amountValue(value: unknown, scale: MoneyScale, concepts: readonly string[] = []): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? round(value * scale) : null
  if (typeof value === 'string') {
    const text = value.trim()
    if (NUMERIC.test(text)) return round(Number(text.replace(/,/g, '').replace('−', '-')) * scale)
    // `"(115,000,000)"`: an accounting negative. A multiple (`"4.5x"`) is no amount.
    const enclosed = text.startsWith('(') ? parseNumber(text) : null
    if (enclosed !== null && !enclosed.multiple) return round(enclosed.value * scale)
    const money = parseMoney(text)
    if (money === null) return null
    if (money.value !== null) return money.value
    if (money.low !== null && money.high !== null) return (money.low + money.high) / 2
    return money.low ?? money.high
  }
  if (isRecord(value)) return amountOf(value, [...concepts, ...SELF_CONCEPTS], scale)
  return null
}

// Cents divided by 100 leave binary noise (0.29 * 100); keep amounts to the cent.
function round(value: number): number {
  return Math.round(value * 100) / 100
}

/**
 * A probability as a fraction: numbers up to 1 are fractions, up to 100 are
 * percentages; texts through `parsePercent` (`"35%"`, `"15-20%"` → midpoint)
 * or as plain numbers. Words (`"HIGH"`) are not probabilities.
 */
export function probabilityValue(value: unknown): number | null {
  const fraction = readProbability(value)
  // Midpoints and percentages leave binary noise (0.6499999999999999).
  return fraction === null ? null : Math.round(fraction * 1e6) / 1e6
}

function readProbability(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null
    if (value <= 1) return value
    return value <= 100 ? value / 100 : null
  }
  if (typeof value === 'string') {
    const text = value.trim()
    if (NUMERIC.test(text)) return readProbability(Number(text.replace(/,/g, '')))
    const percent = parsePercent(text)
    if (percent === null) return null
    if (percent.value !== null) return percent.value
    if (percent.low !== null && percent.high !== null) return (percent.low + percent.high) / 2
    return percent.low ?? percent.high
  }
  if (isRecord(value)) {
    for (const key of ['value', 'point', 'midpoint', 'expected', 'probability']) {
      if (key in value) return readProbability(value[key])
    }
  }
  return null
}

const CENTS_NOTE = /\b(?:in|as)\s+(?:integer\s+|whole\s+)?cents\b|\bdivide\s+by\s+100\b|\bcents\s+\(divide/i
const CENTS_FLAG = /(?:^|_)(?:amounts?|values?|money|figures?|numbers?)_(?:in|as)_cents$|^in_cents$|^cents$/
const MONEY_MENTION = /(?:US\$|\$|USD\s?)\s?\(?\d/g
/** Bare numbers this large are amounts, not counts or ratios. */
const MIN_AMOUNT = 10_000

/**
 * Whether a document's bare numbers are dollars or cents: a flag
 * (`amounts_in_cents: true`) or a note ("All amounts in cents") says cents;
 * otherwise the document is calibrated against itself: each large bare
 * number is looked up among the dollar amounts its texts mention (`$3.2B`),
 * as it is and divided by 100, and the better match wins. Dollars when
 * nothing matches either way.
 */
export function moneyScale(document: unknown): MoneyScale {
  const numbers: number[] = []
  const mentioned: number[] = []
  let declared = false
  const visit = (value: unknown, key: string, depth: number): void => {
    if (declared || depth > 8) return
    if (typeof value === 'number') {
      if (Number.isFinite(value) && Math.abs(value) >= MIN_AMOUNT && !/(?:^|_)(?:cents|usd)(?:_|$)/.test(key)) numbers.push(Math.abs(value))
    } else if (typeof value === 'boolean') {
      if (value && CENTS_FLAG.test(key)) declared = true
    } else if (typeof value === 'string') {
      if (/(?:^|_)(?:currency|unit|units|notes?|amounts?|money)(?:_|$)/.test(key) && CENTS_NOTE.test(value)) declared = true
      else if (/(?:^|_)(?:currency|unit|units)$/.test(key) && /cents/i.test(value)) declared = true
      else collectMentions(value, mentioned)
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key, depth + 1)
    } else if (isRecord(value)) {
      for (const [child, item] of Object.entries(value)) visit(item, normalizeKey(child), depth + 1)
    }
  }
  visit(document, '', 0)
  if (declared) return 0.01
  if (numbers.length === 0 || mentioned.length === 0) return 1
  const known = new Set(mentioned.map(key100))
  let dollars = 0
  let cents = 0
  for (const n of numbers) {
    if (known.has(key100(n))) dollars++
    else if (known.has(key100(n / 100))) cents++
  }
  return cents > dollars ? 0.01 : 1
}

// Amounts compared to three significant figures: texts round (`$3.2B` for 3,215,000,000).
function key100(value: number): string {
  return value.toPrecision(3)
}

function collectMentions(text: string, into: number[]): void {
  MONEY_MENTION.lastIndex = 0
  for (let match = MONEY_MENTION.exec(text); match !== null; match = MONEY_MENTION.exec(text)) {
    const money = parseMoney(text.slice(match.index, match.index + 48))
    if (money === null) continue
    for (const amount of [money.value, money.low, money.high]) {
      if (amount !== null && Math.abs(amount) >= MIN_AMOUNT / 100) into.push(Math.abs(amount))
    }
  }
}
