/**
 * Dates, instants and calendar periods as they appear in state files:
 * `2026-01-29T02:00:00Z`, `2026-01-29`, `2037-08`, `2026-Q3`, `Q2-Q3 2026`,
 * `H2 2026`, `February 28, 2026`, `28 Feb 2026`, `December 2026`, `2027`,
 * `mid-2026`, `2026-2027`. The date must open the text (after a few
 * qualifiers such as `mid-`, `late`, `by`, `~`); anything after it, such as a
 * parenthetical, is ignored.
 */

import { isNullLike, plain } from './null-like.js'
import type { DatePrecision, DateValue } from './types.js'

const monthName = (group: string): string => String.raw`(?<${group}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![\p{L}])\.?`
const MONTH = monthName('month')
const MONTH2 = monthName('month2')
const JOIN = String.raw`\s*(?:[-‐‑‒–—/]|to(?=\s)|through(?=\s))\s*`
const ORDINAL = String.raw`(?:st|nd|rd|th)?`
// A date ends at a word boundary, and not where a longer numeric date goes on (`2026-01`, `2026.5`).
const END = String.raw`(?![\p{L}\p{N}])(?![-/.:]\d{1,2}(?!\d))`
const RANGE_DASH = /^\s*(?:[-‐‑‒–—]|to(?=\s)|through(?=\s)|thru(?=\s)|until(?=\s))\s*/iu
const QUALIFIER = /^(?:[~≈]\s*|(?:approx(?:imately|\.)?|around|circa|c\.|ca\.|by|as of|on|the|early|mid|late|end of|start of|beginning of)(?:\s+|-(?=\S)|(?<=\.)(?=\S))|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?![\p{L}])\.?,?\s+)/iu

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }

/** One reading: the first and last day of a period, or one instant. */
interface Reading {
  date: string
  precision: DatePrecision
  end: string | null
  length: number
}

type Matcher = (text: string) => Reading | 'invalid' | null

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysIn(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

const validYear = (year: number): boolean => year >= 1000 && year <= 9999
const day = (year: number, month: number, dayOfMonth: number): string => `${pad(year, 4)}-${pad(month)}-${pad(dayOfMonth)}`

/** A run of months, `first` to `last` (1-based, inclusive), in one year. */
function months(year: number, first: number, last: number, precision: DatePrecision, length: number): Reading | 'invalid' {
  if (!validYear(year) || first < 1 || last > 12 || first > last) return 'invalid'
  return { date: day(year, first, 1), end: day(year, last, daysIn(year, last)), precision, length }
}

function oneDay(year: number, month: number, dayOfMonth: number, length: number): Reading | 'invalid' {
  if (!validYear(year) || month < 1 || month > 12) return 'invalid'
  if (dayOfMonth === 0) return months(year, month, month, 'month', length)
  if (dayOfMonth > daysIn(year, month)) return 'invalid'
  return { date: day(year, month, dayOfMonth), end: null, precision: 'day', length }
}

function matcher(source: string, read: (groups: Record<string, string | undefined>, length: number) => Reading | 'invalid'): Matcher {
  const pattern = new RegExp(String.raw`^(?:${source})${END}`, 'iu')
  return (text) => {
    const match = pattern.exec(text)
    return match?.groups ? read(match.groups, match[0].length) : null
  }
}

const num = (text: string | undefined): number => Number(text ?? 'NaN')
const monthNumber = (name: string | undefined): number => MONTHS[(name ?? '').slice(0, 3).toLowerCase()] ?? 0

function instant(groups: Record<string, string | undefined>, length: number): Reading | 'invalid' {
  const [year, month, dayOfMonth] = [num(groups.y), num(groups.mo), num(groups.d)]
  const [hour, minute, second] = [num(groups.h), num(groups.mi), num(groups.s ?? '0')]
  if (!validYear(year) || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysIn(year, month)) return 'invalid'
  if (hour > 23 || minute > 59 || second > 59) return 'invalid'
  let offset = 0
  const zone = groups.zone?.trim().toUpperCase()
  if (zone !== undefined && zone !== 'Z' && zone !== 'UTC' && zone !== 'GMT') {
    const parts = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
    const [offsetHours, offsetMinutes] = [num(parts?.[2]), num(parts?.[3] ?? '0')]
    if (!parts || offsetHours > 23 || offsetMinutes > 59) return 'invalid'
    offset = (parts[1] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes)
  }
  const millis = num((groups.frac ?? '').padEnd(3, '0').slice(0, 3))
  const time = Date.UTC(year, month - 1, dayOfMonth, hour, minute - offset, second, millis)
  return { date: new Date(time).toISOString(), end: null, precision: 'instant', length }
}

/** Single dates and periods, most specific first. */
const MATCHERS: Matcher[] = [
  matcher(
    String.raw`(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[T ](?<h>\d{2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<frac>\d{1,9}))?)?(?<zone>Z|[+-]\d{2}(?::?\d{2})?|\s?(?:UTC|GMT))?`,
    instant,
  ),
  matcher(String.raw`(?<y>\d{4})[-/](?<mo>\d{2})[-/](?<d>\d{2})`, (g, n) =>
    num(g.mo) === 0 && num(g.d) === 0 ? months(num(g.y), 1, 12, 'year', n) : oneDay(num(g.y), num(g.mo), num(g.d), n),
  ),
  matcher(String.raw`(?<y>\d{4})[-\s]?Q(?<q>[1-4])`, (g, n) => months(num(g.y), num(g.q) * 3 - 2, num(g.q) * 3, 'quarter', n)),
  matcher(String.raw`(?<y>\d{4})[-\s]?H(?<h>[12])`, (g, n) => months(num(g.y), num(g.h) * 6 - 5, num(g.h) * 6, 'half', n)),
  matcher(String.raw`(?<y>\d{4})-(?<mo>\d{2})`, (g, n) =>
    num(g.mo) === 0 ? months(num(g.y), 1, 12, 'year', n) : months(num(g.y), num(g.mo), num(g.mo), 'month', n),
  ),
  matcher(
    String.raw`(?:Q(?<q1>[1-4])|(?<q1b>[1-4])Q)(?:\s*(?:[-‐‑‒–—/]|to|through)\s*(?:Q(?<q2>[1-4])|(?<q2b>[1-4])Q))?(?:\s*[-/'’]\s*|\s+|(?=\d))(?<y>\d{4})`,
    (g, n) => {
      const first = num(g.q1 ?? g.q1b)
      const last = num(g.q2 ?? g.q2b ?? g.q1 ?? g.q1b)
      return months(num(g.y), first * 3 - 2, last * 3, 'quarter', n)
    },
  ),
  matcher(
    String.raw`(?:H(?<h1>[12])|(?<h1b>[12])H|(?<word>first|1st|second|2nd)\s+half(?:\s+of)?)(?:\s*(?:[-‐‑‒–—/]|to|through)\s*(?:H(?<h2>[12])|(?<h2b>[12])H))?(?:\s*[-/'’]\s*|\s+|(?=\d))(?<y>\d{4})`,
    (g, n) => {
      const word = g.word?.toLowerCase()
      const first = word === undefined ? num(g.h1 ?? g.h1b) : word === 'first' || word === '1st' ? 1 : 2
      const last = num(g.h2 ?? g.h2b ?? String(first))
      return months(num(g.y), first * 6 - 5, last * 6, 'half', n)
    },
  ),
  matcher(
    String.raw`${MONTH}\s*(?<d>\d{1,2})${ORDINAL}(?:\s*[-‐‑‒–—]\s*(?<d2>\d{1,2})${ORDINAL})?,?\s+(?<y>\d{4})`,
    (g, n) => {
      const start = oneDay(num(g.y), monthNumber(g.month), num(g.d), n)
      if (start === 'invalid' || g.d2 === undefined || num(g.d) === 0) return start
      const last = oneDay(num(g.y), monthNumber(g.month), num(g.d2), n)
      if (last === 'invalid' || last.date < start.date) return 'invalid'
      return { ...start, end: last.date }
    },
  ),
  matcher(
    String.raw`${MONTH}\s*(?<d>\d{1,2})${ORDINAL}${JOIN}${MONTH2}\s*(?<d2>\d{1,2})${ORDINAL},?\s+(?<y>\d{4})`,
    (g, n) => {
      const start = oneDay(num(g.y), monthNumber(g.month), num(g.d), n)
      const last = oneDay(num(g.y), monthNumber(g.month2), num(g.d2), n)
      if (start === 'invalid' || last === 'invalid' || num(g.d) === 0 || num(g.d2) === 0 || last.date < start.date) return 'invalid'
      return { ...start, end: last.date }
    },
  ),
  matcher(String.raw`${MONTH}${JOIN}${MONTH2},?\s+(?:of\s+)?(?<y>\d{4})`, (g, n) =>
    months(num(g.y), monthNumber(g.month), monthNumber(g.month2), 'month', n),
  ),
  matcher(String.raw`(?<d>\d{1,2})${ORDINAL}\s+(?:of\s+)?${MONTH},?\s+(?<y>\d{4})`, (g, n) =>
    num(g.d) === 0 ? 'invalid' : oneDay(num(g.y), monthNumber(g.month), num(g.d), n),
  ),
  matcher(String.raw`${MONTH},?\s+(?:of\s+)?(?<y>\d{4})`, (g, n) =>
    months(num(g.y), monthNumber(g.month), monthNumber(g.month), 'month', n),
  ),
  matcher(String.raw`(?<y>\d{4})`, (g, n) => months(num(g.y), 1, 12, 'year', n)),
]

/** The first matcher that recognises the opening of `text`, after its qualifiers. */
function readOne(text: string): Reading | 'invalid' | null {
  let rest = text
  let skipped = 0
  // Qualifiers stack (`by mid-2026`); a handful is plenty and bounds the loop.
  for (let step = 0; step < 4; step += 1) {
    const qualifier = QUALIFIER.exec(rest)
    if (!qualifier) break
    rest = rest.slice(qualifier[0].length)
    skipped += qualifier[0].length
  }
  for (const match of MATCHERS) {
    const reading = match(rest)
    if (reading === 'invalid') return reading
    if (reading !== null) return { ...reading, length: reading.length + skipped }
  }
  return null
}

/**
 * Parse a date, instant or calendar period.
 *
 * - Instants become full UTC ISO strings; a time without a zone is taken as UTC.
 * - Days, months, quarters, halves and years give `date` as their first day
 *   (`YYYY-MM-DD`) and, except for a single day, `end` as their last day.
 * - `YYYY-MM-00` is a month and `YYYY-00-00` a year, as some agents write them.
 * - Ranges (`Q2-Q3 2026`, `2026-2027`, `Q4 2025 – Q1 2026`, `January 10-12, 2026`,
 *   `April-May 2025`, `March 15-April 1, 2026`)
 *   keep the first part's precision, with `end` the range's last day.
 * - `early`, `mid-` and `late` widen nothing: `mid-2026` is the year 2026.
 *
 * Answers `null` for placeholders (`N/A`, `TBD`, `—`, empty). Any other text
 * gives an object; `date`, `precision` and `end` are `null` when the text does
 * not open with a valid date (`2026-13-45`, `Completed May 2024`). Never throws.
 */
export function parseDateValue(raw: string): DateValue | null {
  if (isNullLike(raw)) return null
  const unread: DateValue = { raw, date: null, precision: null, end: null }
  const text = plain(raw)
  const first = readOne(text)
  if (first === null || first === 'invalid') return unread
  const result: DateValue = { raw, date: first.date, precision: first.precision, end: first.end }
  if (first.precision === 'instant') return result
  const after = text.slice(first.length)
  const dash = RANGE_DASH.exec(after)
  if (dash) {
    const second = readOne(after.slice(dash[0].length))
    if (second !== null && second !== 'invalid' && second.precision !== 'instant') {
      const last = second.end ?? second.date
      if (last >= (first.end ?? first.date)) result.end = last
    }
  }
  return result
}
