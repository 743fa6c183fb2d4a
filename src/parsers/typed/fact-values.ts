/**
 * A fact's value read as a number, range or date through the shared
 * normalisers, and the small vocabularies of conflict and gap records
 * (severity, resolution status) that the normalisers do not cover.
 */
import { isNullLike, parseCount, parseDateValue, parseMoney, parseNumber, parsePercent, parseSeverity, plain, saysNoLevel } from '../normalize/index.js'
import type { NormaliseMiss } from './types.js'
import type { TypedTableName } from './tables.js'

/** The normalised columns of a fact value (all null when it reads as none). */
export interface Quantity {
  value_number: number | null
  value_low: number | null
  value_high: number | null
  value_date: string | null
  value_date_precision: string | null
  /** The column that should have been filled but was not: the text looked like a number or date. */
  missed: 'value_number' | 'value_date' | null
}

const NONE: Quantity = {
  value_number: null, value_low: null, value_high: null, value_date: null, value_date_precision: null, missed: null,
}

// Qualifiers that may precede a value: `~$5M`, `approximately 45%`, `up to $10M`, `>200`.
const QUALIFIERS = /^(?:(?:[~≈<>≤≥±]|approx(?:imately|\.)?|about|around|roughly|nearly|almost|over|under|up to|at least|at most|more than|less than|est(?:imated|\.)?)\s*)+/iu
/** A money amount opens the text: a currency mark, or a number with a scale word or currency code. */
const LEAD_MONEY = /^(?:[-−(]\s*)?(?:(?:US|CA|C|AU|A|HK|NZ|S)?\$|[€£¥]|(?:USD|EUR|GBP|JPY|CAD|AUD|CHF)(?![\p{L}]))|^[\d.,]+(?:\s*[-–—]\s*[\d.,]+)?\s*(?:thousand|million|billion|trillion|mn|bn|mm)(?![\p{L}])|^[\d.,]+(?:\s*[-–—]\s*[\d.,]+)?\s*(?:[kmbt]\s*)?(?:USD|EUR|GBP|dollars?)(?![\p{L}])/iu
/** A percentage opens the text: `45%`, `5-15%`, `5% to 15%`, `30 percent`. */
const LEAD_PERCENT = /^[-−+]?[\d.,]+\s*(?:%|percent(?![\p{L}])|per cent(?![\p{L}])|pct(?![\p{L}]))|^[-−+]?[\d.,]+\s*%?\s*(?:[-–—]|to\s)\s*[-−+]?[\d.,]+\s*(?:%|percent(?![\p{L}]))/iu
const LEAD_NUMBER = /^[-−+]?\d/u
const DATE_SHAPE = /^(?:\d{4}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|q[1-4]\b|h[12]\b|fy\s?\d{2,4})/iu
const COUNT_WORDS = /\b(?:number|count|total|employees|headcount|staff|workers|units|policies|vessels|facilities|sites|claims|shares|members|customers|clients)\b/i

/**
 * Read `raw` as a date, money, a percentage, a count or a plain number
 * (negative, `(115,000,000)`, or a multiple such as `4.50x`), by what the text
 * opens with (after `~`, `approximately`, `up to` and the like). Text that
 * opens with words counts only when a money amount follows (`Excess coverage
 * up to $5M`). `dateLike` says the fact is about a date (`Closing Date`, a
 * `Key Dates` section); `countLike` that it counts things, so `2030` there is
 * a count, not a year.
 */
export function quantify(raw: string, dateLike: boolean, countLike = false): Quantity {
  if (isNullLike(raw)) return NONE
  const text = plain(raw)
  const lead = text.replace(QUALIFIERS, '')
  const date = parseDateValue(text)
  if (date?.date != null && date.precision != null && !(countLike && !dateLike && /^\d{4}(?:\s|$|\()/.test(lead))) {
    return { ...NONE, value_date: date.date, value_date_precision: date.precision }
  }
  if (LEAD_MONEY.test(lead)) {
    const money = parseMoney(text)
    return money ? { ...NONE, value_number: money.value, value_low: money.low, value_high: money.high } : { ...NONE, missed: 'value_number' }
  }
  if (LEAD_PERCENT.test(lead)) {
    const percent = parsePercent(text)
    return percent ? { ...NONE, value_number: percent.value, value_low: percent.low, value_high: percent.high } : { ...NONE, missed: 'value_number' }
  }
  // A cell that is only `(115,000,000)` is an accounting negative; `(1) first item` is no number.
  const enclosed = lead.startsWith('(') ? parseNumber(lead) : null
  if (enclosed !== null) return single(enclosed.value)
  if (LEAD_NUMBER.test(lead)) {
    const count = parseCount(lead)
    if (count && count.value !== null) return single(count.value)
    // `-3.5`, `4.50x`, `12.5×`: a signed number or a multiple (its factor), which counts do not take.
    const number = parseNumber(lead)
    if (number !== null) return single(number.value)
    const range = countRange(lead)
    if (range !== null) return { ...NONE, value_low: range[0], value_high: range[1] }
    return { ...NONE, missed: DATE_SHAPE.test(lead) || (dateLike && /^\d{4}/.test(lead)) ? 'value_date' : 'value_number' }
  }
  const money = parseMoney(text)
  if (money) return { ...NONE, value_number: money.value, value_low: money.low, value_high: money.high }
  return NONE
}

function single(value: number): Quantity {
  return { ...NONE, value_number: value, value_low: value, value_high: value }
}

const COUNT_RANGE = /^(\d[\d,]*(?:\.\d+)?)\s*(?:[-–—]|to\s)\s*(\d[\d,]*(?:\.\d+)?\s+\p{L}.*)$/su

/**
 * `18-24 months`, `100-150 employees`: a range of counts, each end read by the
 * count normaliser. The unit word after the second end is required, so an id
 * such as `801-45678` stays unread.
 */
function countRange(lead: string): [number, number] | null {
  const match = COUNT_RANGE.exec(lead)
  if (!match) return null
  const high = parseCount(match[2]!)
  const low = parseCount(`${match[1]!} ${high?.unit ?? ''}`.trim())
  if (low?.value == null || high?.value == null || low.value > high.value) return null
  return [low.value, high.value]
}

const IDENTIFIER = /\b(?:id|identifier|code|citation|docket|cik|ein|naic|ccn|cusip|isin|ticker)\b|\b(?:number|no\.?|#)\s*(?:\([^)]*\))?$/i
/** Things that have identifiers but also dates, fees and counts: `Permit Expiration`, `License Transfer Cost`. */
const LICENSED_THING = /\b(?:licen[cs]es?|permits?|registrations?)\b/i
/** A value written as a code: `NPF-37`, `IL0048232`, `801-45678`, `024587`. */
const CODE_VALUE = /^(?:[A-Z]{1,6}[-‐–\s]?\d[\w-]*(?:\s+(?:[Oo][Rr]|[Aa][Nn][Dd]|\/)\s+[A-Z]{1,6}[-‐–\s]?\d[\w-]*)*|\d{2,}[-‐–]\d{3,}|0\d+)$/u

/**
 * Whether a fact's value is an identifier, a label rather than a quantity:
 * the name says so (`NAIC Code`, `Permit Number`, `Docket`), or it names a
 * licence, permit or registration and the value is written as a code
 * (`NRC License: NPF-37`). A licence's other facts keep their numbers and
 * dates (`License Expiration: 2037-08`, `Permit Renewal Cost: $2.5M`).
 */
export function isIdentifierLike(name: string | null, value: string | null = null): boolean {
  if (name === null || /\bnumber of\b/i.test(name)) return false
  if (IDENTIFIER.test(name)) return true
  return LICENSED_THING.test(name) && value !== null && CODE_VALUE.test(plain(value))
}

/** Whether a fact name says it counts things (`Number of Employees`, `Total Vessels`). */
export function isCountLike(...labels: ReadonlyArray<string | null>): boolean {
  return labels.some((label) => label !== null && COUNT_WORDS.test(label))
}

/** A miss for `table.column`, when a quantity missed. */
export function missOf(table: TypedTableName, quantity: Quantity, raw: string, line: number | null): NormaliseMiss | null {
  return quantity.missed === null ? null : { table, column: quantity.missed, raw, line }
}

const DATE_WORDS = /\b(?:dates?|deadlines?|expir\w*|effective|closing|signing|filed|filing|timelines?|when|anniversary|due|terms? ends?|start|began|commence\w*|renewal|trial|hearing)\b/i

/** Whether a fact name or section is about dates. */
export function isDateLike(...labels: ReadonlyArray<string | null>): boolean {
  return labels.some((label) => label !== null && DATE_WORDS.test(label))
}

/** Words agents use for severity that the shared reader leaves alone (`MAJOR`). */
const EXTRA_SEVERITY: ReadonlyArray<readonly [RegExp, 'high' | 'low']> = [
  [/^(?:major|significant|material|serious)(?![\p{L}])/iu, 'high'],
  [/^(?:cosmetic|trivial|immaterial|negligible|informational)(?![\p{L}])/iu, 'low'],
]

/** A severity read from text, or null. */
export function severityOf(raw: string | null): string | null {
  if (raw === null || isNullLike(raw)) return null
  const level = parseSeverity(raw)
  if (level !== null) return level
  const text = plain(raw).replace(/^[^\p{L}\p{N}]+/u, '')
  for (const [pattern, value] of EXTRA_SEVERITY) if (pattern.test(text)) return value
  return null
}

/**
 * A record's severity: its own cell when that reads as a level; none when the
 * cell says there is none (`NONE`, `N/A`, `—`); otherwise what `fallback`
 * finds (a severity in the heading, or in a section such as `Minor Gaps`).
 */
export function severityOr(raw: string | null, fallback: () => string | null): string | null {
  const own = severityOf(raw)
  if (own !== null) return own
  return saysNoLevel(raw) ? null : fallback()
}

/** A severity word trailing a title: `Employee Count 🟡 MINOR`, `Lease Date (CRITICAL)`. */
export function trailingSeverity(title: string): { title: string; severity: string | null } {
  const match = /[\s(\-–—:[]+(critical|major|high|medium|moderate|minor|low)\s*\)?\]?\s*$/iu.exec(title)
  if (!match) return { title, severity: null }
  return { title: title.slice(0, match.index).trim(), severity: severityOf(match[1]!) }
}

/** Resolution status of a conflict: `resolved`, `unresolved` or `dismissed` (no conflict after all). */
export function conflictStatusOf(raw: string | null): string | null {
  if (raw === null || isNullLike(raw)) return null
  const text = plain(raw).toLowerCase()
  // `No action required`, `None needed`: nothing is left to do, which is no open conflict.
  if (/^(?:no|none|nothing)\b[^.;]*\b(?:requir|needed|necessary)/.test(text)) return 'dismissed'
  if (/\bnot (?:yet )?(?:resolved|reconciled|closed)\b/.test(text)) return 'unresolved'
  if (/\bunresolved\b|\bopen\b|\brequir|\bpending\b|\bawait|\bneeds?\b|\bescalat|\bunder review\b|\bto be (?:verified|resolved)\b|\bflag/.test(text)) return 'unresolved'
  if (/\bnot (?:a )?conflict|\bno conflict|\bconsistent\b|\bdismiss|\bstandardi[sz]ed\b|\bnot material\b|\bimmaterial\b/.test(text)) return 'dismissed'
  if (/resolved|\bclosed\b|\bcorrected\b|\baccepted\b|\breconciled\b|^✅|^✓/.test(text)) return 'resolved'
  return null
}

/** Status of a coverage gap: `open`, `resolved` or `dismissed`. */
export function gapStatusOf(raw: string | null): string | null {
  if (raw === null || isNullLike(raw)) return null
  const text = plain(raw).toLowerCase()
  if (/\bdismiss|\bnot a (?:research )?gap\b|\bno (?:follow-up|action) (?:required|needed)\b|\bwaived\b|\bnot required\b/.test(text)) return 'dismissed'
  // `No gap`, `No material gaps`, `None identified`: the row says there is no gap, which `gap` alone would read as open.
  if (/^(?:no|none)\b(?:\s+[\w-]+){0,2}\s+gaps?\b|^none (?:identified|found)\b|^no gaps?\b/.test(text)) return 'dismissed'
  if (/\bunresolved\b|\bopen\b|\boutstanding\b|\bpending\b|\brequir|\bnot (?:yet )?(?:addressed|covered|resolved)\b|\bmissing\b|\bgap\b|\bin progress\b|\bqueued\b|^❌|^⚠/.test(text)) return 'open'
  if (/\bresolved\b|\bclosed\b|\baddressed\b|\bcovered\b|\bcomplete|\bremediated\b|\bdone\b|^✅|^✓/.test(text)) return 'resolved'
  return null
}
