/**
 * Statuses, severities and confidence levels: the words and emoji agents put
 * in status columns (`✅ COMPLETE`, `⏳ PENDING`, `🔄 IN PROGRESS`,
 * `🔴 CRITICAL`, `✓ Verified`). The leading word decides; a leading emoji
 * decides only when no word does.
 */

import { isNullLike, plain } from './null-like.js'
import type { Confidence, Severity, Status, StatusValue } from './types.js'

/** Status words, matched at the start, case-insensitively; a space also matches `_` and `-`. */
const STATUS_WORDS: ReadonlyArray<readonly [Status, readonly string[]]> = [
  ['pending', ['not yet started', 'not started', 'not run', 'pending', 'queued', 'waiting', 'to do', 'todo']],
  ['in_progress', ['in progress', 'inprogress', 'running', 'ongoing', 'underway', 'under way', 'started']],
  ['partial', ['partially complete', 'partially completed', 'partially', 'partial']],
  ['complete', ['complete', 'completed', 'done', 'finished', 'success', 'succeeded', 'successful']],
  ['passed', ['passed', 'pass']],
  ['ready', ['ready']],
  ['blocked', ['blocked']],
  ['failed', ['failed', 'failure', 'fail', 'errored', 'error']],
  ['skipped', ['skipped', 'skip']],
  ['proceed', ['proceed']],
  ['remediate', ['remediate']],
]

/** Leading marks that carry a status of their own. */
const STATUS_MARKS: ReadonlyArray<readonly [Status, readonly string[]]> = [
  ['complete', ['✅', '✔', '☑', '✓']],
  ['failed', ['❌', '✗', '✘', '⛔', '❎']],
  ['pending', ['⏳', '⌛']],
  ['in_progress', ['🔄', '🔁', '▶', '🚧']],
  ['partial', ['⚠']],
  ['blocked', ['🚫', '🛑']],
  ['skipped', ['⏭']],
]

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical', high: 'high', medium: 'medium', moderate: 'medium', med: 'medium', low: 'low', minor: 'low',
}
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 }

const CONFIDENCE_WORDS: Record<string, Confidence> = {
  verified: 'verified', 'fully verified': 'verified', confirmed: 'verified',
  high: 'high', medium: 'medium', moderate: 'medium', med: 'medium', low: 'low',
}
const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2, verified: 3 }

/** Regex source of a phrase whose spaces may be written as `_` or `-` too. */
const phrase = (words: string): string => words.split(' ').join(String.raw`[\s_-]+`)
// A level ends where no letter or digit follows, and no `-word` or `_word`
// either (`High-Water Mark` is no level); status words allow `_word`
// (`IN_PROGRESS_BLOCKED`) but not `-word` (`Pass-through`).
const WORD_END = String.raw`(?![\p{L}\p{N}]|[-_]\p{L})`

const STATUS_PATTERN = new RegExp(
  String.raw`^(?:${STATUS_WORDS.flatMap(([, words]) => words)
    .sort((a, b) => b.length - a.length)
    .map(phrase)
    .join('|')})(?![\p{L}\p{N}]|-\p{L})`,
  'iu',
)
const STATUS_OF = new Map<string, Status>(
  STATUS_WORDS.flatMap(([status, words]) => words.map((word): [string, Status] => [word.replace(/ /g, ''), status])),
)

const LEVEL = (words: Record<string, unknown>): string =>
  Object.keys(words).sort((a, b) => b.length - a.length).map(phrase).join('|')
const SEVERITY_PATTERN = new RegExp(
  String.raw`^(?<first>${LEVEL(SEVERITY_WORDS)})(?:\s*(?:[-–/]|to(?=\s))\s*(?<second>${LEVEL(SEVERITY_WORDS)}))?${WORD_END}`,
  'iu',
)
const CONFIDENCE_PATTERN = new RegExp(
  String.raw`^(?<first>${LEVEL(CONFIDENCE_WORDS)})(?:\s*(?:[-–/]|to(?=\s))\s*(?<second>${LEVEL(CONFIDENCE_WORDS)}))?${WORD_END}`,
  'iu',
)

const MARKS = /^[^\p{L}\p{N}]+/u
const LABEL = /^(?:status|state|severity|confidence|risk|level)\s*:\s*/iu

/** The text with leading marks, emoji and a `Status:`-style label taken off, and the marks themselves. */
function lead(raw: string): { marks: string; text: string } {
  let text = plain(raw)
  let marks = ''
  for (let step = 0; step < 2; step += 1) {
    const found = MARKS.exec(text)
    if (found) {
      marks += found[0]
      text = text.slice(found[0].length)
    }
    const label = LABEL.exec(text)
    if (!label) break
    text = text.slice(label[0].length)
  }
  return { marks, text }
}

const squash = (words: string): string => words.toLowerCase().replace(/[\s_-]+/g, '')

/**
 * Read a status cell.
 *
 * - The leading status word decides: `✅ COMPLETE - Ready for review` is
 *   `complete`, `⏳ READY` is `ready`, `PROCEED WITH CONDITIONS` is `proceed`.
 *   `_` and `-` count as spaces (`IN_PROGRESS`, `not-started`).
 * - When no word decides, the first status emoji does: `✅` and `✅ YES` are
 *   `complete`, `🔄 Research in progress` is `in_progress`; but an emoji
 *   before a placeholder (`❌ N/A`) is no status.
 * - `PASS` is `passed` (a gate verdict), `NOT STARTED` is `pending`, `DONE` is
 *   `complete`. Words that are no status (`YES`, `NO`, `VERIFIED`) give `null`.
 *
 * Answers `null` for placeholders other than `pending`, and otherwise
 * `{ raw, status }` with `status` `null` when the text names none. Never throws.
 */
export function parseStatus(raw: string): StatusValue | null {
  const { marks, text } = lead(raw)
  const word = STATUS_PATTERN.exec(text)
  let status: Status | null = word ? (STATUS_OF.get(squash(word[0])) ?? null) : null
  if (status === null && (text === '' || !isNullLike(text))) {
    let first = Number.POSITIVE_INFINITY
    for (const [candidate, symbols] of STATUS_MARKS) {
      for (const symbol of symbols) {
        const at = marks.indexOf(symbol)
        if (at !== -1 && at < first) {
          first = at
          status = candidate
        }
      }
    }
  }
  if (status === null && isNullLike(raw)) return null
  return { raw, status }
}

/** The level named at the start of `text`; a compound (`MEDIUM-HIGH`) resolves by `pick`. */
function readLevel<Level extends string>(
  raw: string,
  pattern: RegExp,
  words: Record<string, Level>,
  rank: Record<Level, number>,
  pick: 'higher' | 'lower',
): Level | null {
  const match = pattern.exec(lead(raw).text)
  if (!match?.groups) return null
  const first = words[squashLevel(match.groups.first)]
  if (first === undefined) return null
  const second = match.groups.second === undefined ? undefined : words[squashLevel(match.groups.second)]
  if (second === undefined) return first
  const secondWins = pick === 'higher' ? rank[second] > rank[first] : rank[second] < rank[first]
  return secondWins ? second : first
}

const squashLevel = (words: string | undefined): string => (words ?? '').toLowerCase().replace(/[\s_-]+/g, ' ')

/**
 * Read a severity: `HIGH`, `🔴 CRITICAL`, `Medium`, `HIGH (deal-blocking)`,
 * `MODERATE` (medium), `MINOR` (low). A compound such as `MEDIUM-HIGH` or
 * `LOW-MEDIUM` rounds up to its higher level, the cautious reading of a risk.
 * Colour emoji alone are not read (agents use them for confidence too).
 * Answers `null` when the text opens with no level. Never throws.
 */
export function parseSeverity(raw: string): Severity | null {
  return readLevel(raw, SEVERITY_PATTERN, SEVERITY_WORDS, SEVERITY_RANK, 'higher')
}

/** `NONE`, `N/A`, `Not applicable`, `—`, `No risk`, with or without an aside (`NONE (clerical error)`). */
const NO_LEVEL = /^(?:none|nil|zero|n\/a|na|not applicable|no (?:risk|impact|severity|issue|concern|exposure)s?|[-‐‑‒–—―−]+)(?![\p{L}\p{N}])/iu

/**
 * Whether a severity, priority or level cell says there is none: `NONE`,
 * `N/A`, `Not applicable`, `—`, `No risk`, also with an aside (`NONE
 * (clerical error)`, `N/A (summary section)`). Such a cell is no level, and
 * no level should be borrowed for it from a heading or a list either.
 * Empty text and placeholders for a value not known yet (`TBD`, `Unknown`)
 * are not a statement of none.
 */
export function saysNoLevel(raw: string | null): boolean {
  if (raw === null) return false
  const text = plain(raw).replace(LABEL, '').trim()
  return text !== '' && NO_LEVEL.test(text)
}

/**
 * Read a confidence level: `VERIFIED`, `✓ Verified`, `[VERIFIED: ...]`,
 * `CONFIRMED` (verified), `HIGH`, `MEDIUM`, `LOW`, `HIGH (60-70%)`. A
 * compound such as `MEDIUM-HIGH` rounds down to its lower level, the cautious
 * reading of a confidence. Answers `null` when the text opens with no level
 * (`UNVERIFIED`, `PARTIALLY VERIFIED`). Never throws.
 */
export function parseConfidence(raw: string): Confidence | null {
  return readLevel(raw, CONFIDENCE_PATTERN, CONFIDENCE_WORDS, CONFIDENCE_RANK, 'lower')
}
