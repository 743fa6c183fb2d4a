/**
 * Spans of time: `5m`, `15 min`, `1h 30m`, `2 hours`, `45s`, `00:15:00`,
 * `90 minutes`, `~30 min`, `3.5 hours`, `90-120 minutes`. The span must open
 * the text; words after it (`10 min each`) are ignored.
 */

import { isNullLike, plain } from './null-like.js'
import { APPROX_LEAD, DECIMAL } from './number.js'
import type { Duration } from './types.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// Single letters are lower case only, so `2.5M TEU` and `$87.0M` are not minutes.
const UNIT = String.raw`(?:(?<word>milliseconds?|msecs?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?)(?![\p{L}])|(?<letter>ms|s|m|h|d|w)(?![\p{L}]))`
const PART = new RegExp(String.raw`^(?<num>${DECIMAL})\s*${UNIT}`, 'iu')
const SEPARATOR = /^(?:\s*,\s*|\s+and\s+|\s*)/u
const CLOCK = /^(?<a>\d{1,3}):(?<b>[0-5]\d)(?::(?<c>[0-5]\d))?(?:\.(?<frac>\d{1,3}))?(?![\p{L}\p{N}:])/u
const DASH = /^\s*(?:[-‐‑‒–—]|to(?=\s))\s*/u
const BARE_NUMBER = new RegExp(String.raw`^(?<num>${DECIMAL})`, 'u')

const UNIT_MS: Record<string, number> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: SECOND, sec: SECOND, secs: SECOND, second: SECOND, seconds: SECOND,
  m: MINUTE, min: MINUTE, mins: MINUTE, minute: MINUTE, minutes: MINUTE,
  h: HOUR, hr: HOUR, hrs: HOUR, hour: HOUR, hours: HOUR,
  d: DAY, day: DAY, days: DAY,
  w: 7 * DAY, wk: 7 * DAY, wks: 7 * DAY, week: 7 * DAY, weeks: 7 * DAY,
}

/** A span read from the start of a text: its milliseconds, how many characters it took, and the unit of its first part. */
interface Span {
  ms: number
  length: number
  /** Milliseconds of one of the first part's unit (`minutes` in `120 minutes`); `null` for a clock reading. */
  unitMs: number | null
}

/** `h:mm:ss` or `m:ss` (a stopwatch reading), with optional milliseconds. */
function readClock(text: string): Span | null {
  const match = CLOCK.exec(text)
  if (!match?.groups) return null
  const { a, b, c, frac } = match.groups
  const millis = Number((frac ?? '').padEnd(3, '0'))
  const ms = c === undefined
    ? Number(a) * MINUTE + Number(b) * SECOND + millis
    : Number(a) * HOUR + Number(b) * MINUTE + Number(c) * SECOND + millis
  return { ms, length: match[0].length, unitMs: null }
}

/** One or more `number unit` parts in a row: `1h 30m`, `1 hour, 15 minutes`, `2 days and 3 hours`. */
function readParts(text: string): Span | null {
  let total = 0
  let length = 0
  let parts = 0
  let unitMs: number | null = null
  // Bounded: each part consumes at least two characters.
  while (parts < 8) {
    const separator = parts === 0 ? '' : (SEPARATOR.exec(text.slice(length))?.[0] ?? '')
    const match = PART.exec(text.slice(length + separator.length))
    if (!match?.groups) break
    const letter = match.groups.letter
    if (letter !== undefined && letter !== letter.toLowerCase()) break
    const per = UNIT_MS[(match.groups.word ?? letter ?? '').toLowerCase()]
    const amount = Number((match.groups.num ?? '').replace(/,/g, ''))
    if (per === undefined || !Number.isFinite(amount)) break
    total += amount * per
    unitMs ??= per
    length += separator.length + match[0].length
    parts += 1
  }
  return parts === 0 || !Number.isFinite(total) ? null : { ms: Math.round(total), length, unitMs }
}

function readSpan(text: string): Span | null {
  return readClock(text) ?? readParts(text)
}

/**
 * Parse a span of time into milliseconds.
 *
 * - Units: `ms`, `s`/`sec`/`seconds`, `m`/`min`/`minutes`, `h`/`hr`/`hours`,
 *   `d`/`days`, `w`/`wk`/`weeks`; single letters only in lower case. Months
 *   and years vary in length and are not read.
 * - Parts add up: `1h 30m`, `1 hour, 15 minutes`.
 * - Clock readings: `h:mm:ss` (`00:15:00`), and `m:ss` for two fields
 *   (`12:34` is twelve minutes, as a stopwatch shows it).
 * - Ranges (`90-120 minutes`, `4-6 hours`) share the unit of their second end
 *   and give `lowMs`/`highMs` with `ms` `null`.
 *
 * Answers `null` for placeholders and for text that does not open with a span.
 * Never throws.
 */
export function parseDuration(raw: string): Duration | null {
  if (isNullLike(raw)) return null
  let text = plain(raw)
  const approx = APPROX_LEAD.exec(text)
  if (approx) text = text.slice(approx[0].length)
  const approximate = approx !== null
  const range = readRange(text)
  if (range !== null) return { raw, ms: range[0] === range[1] ? range[0] : null, lowMs: range[0], highMs: range[1], approximate }
  const span = readSpan(text)
  if (span === null) return null
  return { raw, ms: span.ms, lowMs: span.ms, highMs: span.ms, approximate }
}

/** `90-120 minutes` (the unit of the second end lent to the first) or `1h - 2h`. */
function readRange(text: string): [number, number] | null {
  const bare = BARE_NUMBER.exec(text)
  const own = readSpan(text)
  const firstLength = own?.length ?? bare?.[0].length
  if (firstLength === undefined) return null
  const dash = DASH.exec(text.slice(firstLength))
  if (!dash) return null
  const second = readSpan(text.slice(firstLength + dash[0].length))
  if (second === null) return null
  let low = own?.ms
  if (low === undefined) {
    // A bare first end borrows the unit of the second end's first part.
    const amount = Number((bare?.groups?.num ?? '').replace(/,/g, ''))
    if (second.unitMs === null || !Number.isFinite(amount)) return null
    low = Math.round(amount * second.unitMs)
  }
  return Number.isFinite(low) && low <= second.ms ? [low, second.ms] : null
}

/**
 * Milliseconds of a single span, or `null` for placeholders, ranges and text
 * that does not open with a span. See {@link parseDuration} for what is read.
 */
export function parseDurationMs(raw: string): number | null {
  return parseDuration(raw)?.ms ?? null
}
