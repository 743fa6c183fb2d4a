/**
 * Money amounts as agents write them in due-diligence tables: `$3.2B`,
 * `$40-60M`, `$120M–$180M`, `~$5B`, `$(300M)`, `$22M+`, `USD 3.5 million`,
 * `$33M per voyage`. The first amount in the text is read; words after it are
 * ignored.
 */

import { isNullLike, plain } from './null-like.js'
import { APPROX_TRAIL, DECIMAL, decimalValue, negate } from './number.js'
import type { Money } from './types.js'

const SYMBOL = String.raw`(?:(?<![\p{L}])(?:US|CA|C|AU|A|HK|NZ|S)\$|\$|€|£|¥)`
const CODE = String.raw`(?<![\p{L}])(?:USD|EUR|GBP|JPY|CAD|AUD|CHF|HKD|NZD|SGD)(?![\p{L}])`
// Letters only when glued to the number (`$5M`); words may follow a space (`$2.4 bn`).
// Superscript footnote marks (`$15.3B²¹`) may follow; letters and digits may not.
const UNIT = String.raw`(?:(?:(?<letter>mm|[kmbt])|\s*(?<word>thousand|million|billion|trillion|mil|mn|bn|tn)s?)(?![\p{L}0-9]))`
const DASH = String.raw`(?:[-‐‑‒–—]|(?:to|through|thru|and)(?=[\s$€£¥]))`

/** Where an amount may begin: a currency mark, or a digit not inside a word or number. */
const START = new RegExp(String.raw`${SYMBOL}|${CODE}|(?<![\p{L}\p{N}.,])\d`, 'giu')
/** `$ 1.5M`, `USD 3.5 million`, `$(300M)`, `$-300M`: currency first. */
const CURRENCY_FIRST = new RegExp(
  String.raw`(?<cur>${SYMBOL}|${CODE})\s*(?:(?<paren>\()\s*)?(?:(?<sign>[-−])\s*)?(?<num>${DECIMAL})${UNIT}?(?![\p{L}])`,
  'iuy',
)
/** `425 million`, `3.5M USD`, `40 million dollars`: number first, currency (if any) after. */
const NUMBER_FIRST = new RegExp(
  String.raw`(?<num>${DECIMAL})${UNIT}?(?![\p{L}])(?:\s*(?<cur>${CODE}|dollars|euros)(?![\p{L}]))?`,
  'iuy',
)
/** The second end of a range, right after the first. */
const RANGE_END = new RegExp(
  String.raw`\s*(?<dash>${DASH})\s*(?:(?<sign>[-−+])\s*)?(?:(?<cur>${SYMBOL}|${CODE})\s*)?(?:(?<innerSign>[-−+])\s*)?(?<num>${DECIMAL})${UNIT}?(?![\p{L}])(?!\s*%)`,
  'iuy',
)
const CLOSE_PAREN = /\s*\)/y
const OPEN_SUFFIX = /(?:\+(?!\s*[\d$€£¥])|\s+(?:or (?:more|above|greater|higher|over)|and (?:above|up|over|more))(?![\p{L}]))/iuy

const LOWER_BOUND_TRAIL = /(?:>=?|≥|(?<![\p{L}])(?:over|above|more than|greater than|at least|exceeding|exceeds|in excess of|upwards of|minimum(?: of)?|min\.))\s*$/iu
const UPPER_BOUND_TRAIL = /(?:<=?|≤|(?<![\p{L}])(?:up to|under|below|less than|at most|not to exceed|no more than|not more than|maximum(?: of)?|max\.|capped at))\s*$/iu
const MINUS_TRAIL = /(?:^|[\s(\[:=])[-−]$/u
const BETWEEN_TRAIL = /(?<![\p{L}])between\s*$/iu
/** The word right after a range's second end, when one follows. */
const NEXT_WORD = /\s+(?<word>\p{L}[\p{L}-]*)/uy
/** Words that may follow an amount: how often, per what, what kind of money (`$10M-15 annually`, `$5 to 10 per share`). */
const MONEY_FOLLOWER = /^(?:per|a|an|each|every|annual|annually|yearly|monthly|quarterly|weekly|daily|in|of|for|plus|or|and|range|total|net|gross|aggregate|cumulative|combined|estimated|expected|depending|dollars?|euros?|usd|eur|gbp|cad|aud|chf)$/iu

const EXPONENT: Record<string, number> = {
  k: 3, thousand: 3,
  m: 6, mm: 6, mil: 6, mn: 6, million: 6,
  b: 9, bn: 9, billion: 9,
  t: 12, tn: 12, trillion: 12,
}

const CURRENCY: Record<string, string> = {
  '$': 'USD', 'us$': 'USD', dollars: 'USD',
  'ca$': 'CAD', 'c$': 'CAD', 'au$': 'AUD', 'a$': 'AUD', 'hk$': 'HKD', 'nz$': 'NZD', 's$': 'SGD',
  '€': 'EUR', euros: 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
}

interface Amount {
  start: number
  end: number
  currency: string | null
  literal: string
  /** Power of ten named by the unit, `null` when there is no unit. */
  exponent: number | null
  /** `true` when the unit is a word (`million`, `bn`), which marks money even without a currency. */
  wordUnit: boolean
  negative: boolean
}

function currencyCode(mark: string | undefined): string | null {
  if (mark === undefined) return null
  const key = mark.toLowerCase()
  return CURRENCY[key] ?? key.toUpperCase()
}

function unitExponent(groups: Record<string, string | undefined>): number | null {
  const unit = (groups.letter ?? groups.word)?.toLowerCase()
  return unit === undefined ? null : (EXPONENT[unit] ?? null)
}

function readAmount(text: string, at: number): Amount | null {
  CURRENCY_FIRST.lastIndex = at
  const first = CURRENCY_FIRST.exec(text)
  if (first?.groups) {
    const groups = first.groups
    let end = CURRENCY_FIRST.lastIndex
    let negative = groups.sign !== undefined
    if (groups.paren !== undefined) {
      CLOSE_PAREN.lastIndex = end
      // `$(300M)` is accounting notation for a negative amount.
      if (CLOSE_PAREN.test(text)) {
        negative = true
        end = CLOSE_PAREN.lastIndex
      }
    }
    return {
      start: at, end, currency: currencyCode(groups.cur), literal: groups.num ?? '',
      exponent: unitExponent(groups), wordUnit: groups.word !== undefined, negative,
    }
  }
  NUMBER_FIRST.lastIndex = at
  const bare = NUMBER_FIRST.exec(text)
  if (bare?.groups) {
    const groups = bare.groups
    return {
      start: at, end: NUMBER_FIRST.lastIndex, currency: currencyCode(groups.cur), literal: groups.num ?? '',
      exponent: unitExponent(groups), wordUnit: groups.word !== undefined, negative: false,
    }
  }
  return null
}

function signOf(mark: string | undefined): 1 | -1 | null {
  if (mark === undefined) return null
  return mark === '+' ? 1 : -1
}

interface RangeEnd {
  end: number
  currency: string | null
  literal: string
  exponent: number | null
  wordUnit: boolean
  connector: string
  /** The end's own sign, `null` when it has none and shares the first end's. */
  sign: 1 | -1 | null
}

function readRangeEnd(text: string, at: number): RangeEnd | null {
  RANGE_END.lastIndex = at
  const match = RANGE_END.exec(text)
  if (!match?.groups) return null
  const groups = match.groups
  return {
    end: RANGE_END.lastIndex, currency: currencyCode(groups.cur), literal: groups.num ?? '',
    exponent: unitExponent(groups), wordUnit: groups.word !== undefined, connector: (groups.dash ?? '').toLowerCase(),
    sign: signOf(groups.sign ?? groups.innerSign),
  }
}

/**
 * The ends of a range, lowest first, with one unit shared: `$40-60M` is 40M
 * to 60M. A unit is lent to the bare end only when that keeps the ends in
 * order. Without a sign of its own the second end shares the first one's
 * (`-$40-60M` is -60M to -40M), and its magnitude must not be smaller: a
 * range whose ends fall the wrong way is no range (`$50M - $20M` is a sum).
 * With its own sign (`-$146M to +$57M`) each end keeps its sign.
 */
function rangeValues(first: Amount, firstNegative: boolean, second: RangeEnd): [number, number] | null {
  const attempts: Array<[number | null, number | null]> = [[first.exponent, second.exponent]]
  if (first.exponent === null && second.exponent !== null) attempts.unshift([second.exponent, second.exponent])
  if (second.exponent === null && first.exponent !== null) attempts.unshift([first.exponent, first.exponent])
  for (const [lowExponent, highExponent] of attempts) {
    const low = decimalValue(first.literal, lowExponent ?? 0)
    const high = decimalValue(second.literal, highExponent ?? 0)
    if (low === null || high === null) continue
    if (second.sign === null) {
      if (low > high) continue
      return firstNegative ? [negate(high), negate(low)] : [low, high]
    }
    const a = firstNegative ? negate(low) : low
    const b = second.sign === -1 ? negate(high) : high
    return a <= b ? [a, b] : [b, a]
  }
  return null
}

/**
 * Whether a range's second end is a count of something else rather than an
 * amount: `$8.5M to 450 brokers` is $8.5M paid to 450 brokers, not $8.5M to
 * $450M. An end with its own currency or scale is an amount. A bare end
 * followed by a word that money does not take (`brokers`, `states`,
 * `months`) counts that word when it would have to borrow the first end's
 * scale (`$5M – 12 months`) or when the ends are joined by a word (`$100 to
 * 450 brokers`); bare ends joined by a dash keep one scale and stay a range
 * (`$8-15 CPM`, `$200-300,000 defense costs`).
 */
function countsSomethingElse(text: string, first: Amount, second: RangeEnd): boolean {
  if (second.currency !== null || second.exponent !== null) return false
  const borrows = first.exponent !== null
  const joinedByWord = /^\p{L}/u.test(second.connector)
  if (!borrows && !joinedByWord) return false
  NEXT_WORD.lastIndex = second.end
  const word = NEXT_WORD.exec(text)?.groups?.word
  return word !== undefined && !MONEY_FOLLOWER.test(word)
}

/** What the words before an amount say about it: `~`, `over`, `up to`, `-`, `between`. */
function readPrefix(before: string): { approximate: boolean; bound: 'lower' | 'upper' | null; minus: boolean; between: boolean; rest: string } {
  let text = before
  let approximate = false
  let bound: 'lower' | 'upper' | null = null
  let minus = false
  if (MINUS_TRAIL.test(text)) {
    minus = true
    text = text.slice(0, -1)
  }
  // A few marks may stack (`at least ~$5M`), so peel them off from the right.
  for (let step = 0; step < 4; step += 1) {
    const approx = APPROX_TRAIL.exec(text)
    if (approx) {
      approximate = true
      text = text.slice(0, approx.index)
      continue
    }
    const lower = bound === null ? LOWER_BOUND_TRAIL.exec(text) : null
    if (lower) {
      bound = 'lower'
      text = text.slice(0, lower.index)
      continue
    }
    const upper = bound === null ? UPPER_BOUND_TRAIL.exec(text) : null
    if (upper) {
      bound = 'upper'
      text = text.slice(0, upper.index)
      continue
    }
    break
  }
  return { approximate, bound, minus, between: BETWEEN_TRAIL.test(text), rest: text }
}

/**
 * Parse the first money amount in a cell.
 *
 * - Units: `K`, `M`, `MM`, `B`, `T` glued to the number; `thousand`,
 *   `million`, `billion`, `trillion`, `mil`, `mn`, `bn`, `tn` after it.
 * - A number without a currency counts as money only with a unit word or a
 *   trailing currency code (`425 million`, `3.5M USD`), so `12 employees` is not.
 * - Ranges join two amounts with a hyphen, en or em dash, `to`, `through`, or
 *   `and` after `between`; one unit may cover both ends (`$40-60M`).
 * - `value` is the amount for a single value (with `low = high = value`), the
 *   stated bound for an open-ended one, and `null` for a range whose ends differ.
 * - Negative: `-$300M`, `$-300M`, `$(300M)`, or a cell that is only `($300M)`;
 *   other parentheses (`Fire-sale ($12M/year)`) are asides, not signs. A
 *   range's second end may carry its own sign (`-$146M to +$57M`).
 * - A number without a currency is money only when it opens the cell
 *   (`425 million`, `~2.5 million`); in prose, `30 million gross tons` is not.
 *
 * Answers `null` for placeholders (`N/A`, `TBD`, `—`, ...) and for text with
 * no amount in it. Never throws.
 */
export function parseMoney(raw: string): Money | null {
  if (isNullLike(raw)) return null
  const text = plain(raw)
  START.lastIndex = 0
  for (let start = START.exec(text); start !== null; start = START.exec(text)) {
    const amount = readAmount(text, start.index)
    if (amount === null) {
      START.lastIndex = start.index + 1
      continue
    }
    const window = Math.max(0, amount.start - 60)
    const prefix = readPrefix(text.slice(window, amount.start))
    let second = readRangeEnd(text, amount.end)
    if (second !== null && second.connector === 'and' && !prefix.between) second = null
    if (second !== null && countsSomethingElse(text, amount, second)) second = null
    const negativeFirst = amount.negative || prefix.minus
    let range = second === null ? null : rangeValues(amount, negativeFirst, second)
    const hasCurrency = amount.currency !== null || (range !== null && second !== null && second.currency !== null)
    // Without a currency, `425 million` is money only when it opens the cell:
    // inside prose, `30 million gross tons` is not.
    const opensText = window === 0 && /^\(?\s*$/.test(prefix.rest)
    const isMoney = hasCurrency || (opensText && (amount.wordUnit || (range !== null && second?.wordUnit === true)))
    if (!isMoney) {
      START.lastIndex = start.index + 1
      continue
    }
    const end = range !== null && second !== null ? second.end : amount.end
    // A cell that is only `($300M)` is accounting notation for a negative amount.
    const wholeInParens = /^\(\s*$/.test(text.slice(0, amount.start)) && /^\s*\)\s*$/.test(text.slice(end))
    const negative = negativeFirst || wholeInParens
    if (negative && !negativeFirst && range !== null && second !== null) range = rangeValues(amount, true, second)
    const currency = amount.currency ?? second?.currency ?? 'USD'
    const result: Money = {
      raw, value: null, low: null, high: null, currency,
      approximate: prefix.approximate, openEnded: false, negative,
    }
    if (range !== null) {
      const [low, high] = range
      result.low = low
      result.high = high
      result.value = low === high ? low : null
      return result
    }
    const magnitude = decimalValue(amount.literal, amount.exponent ?? 0)
    if (magnitude === null) {
      START.lastIndex = start.index + 1
      continue
    }
    const value = negative ? negate(magnitude) : magnitude
    OPEN_SUFFIX.lastIndex = amount.end
    const bound = OPEN_SUFFIX.test(text) ? 'lower' : prefix.bound
    result.value = value
    result.low = bound === 'upper' ? null : value
    result.high = bound === 'lower' ? null : value
    result.openEnded = bound !== null
    return result
  }
  return null
}
