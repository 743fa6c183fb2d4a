/**
 * Boilerplate that is not data: what agents write around their records so a
 * reader sees the list was looked at. None of it becomes a typed row.
 *
 * - a statement that there is nothing: a row or bullet that says `None`,
 *   `N/A`, `No gaps identified`; a heading that says so (`Critical Gaps:
 *   NONE`, `Date Conflicts (NONE FOUND)`, `No Blockers`) and the list under it;
 * - a cross-check whose rows all say the values agree (`✅ MATCH`, `Consistent`);
 * - a legend (`Legend: ✅ = complete, ⏳ = pending`) and a status counter
 *   (`Items pending: 0`, `Open conflicts: 0`);
 * - a sub-header row: a table row whose only text is its first cell, a group
 *   label (`| **ONE-TIME COSTS** | | |`), which callers may use as context;
 * - a source attribution (`Sources: a-report.md, b-report.md`) under a fact,
 *   which is the fact's source rather than a fact of its own.
 *
 * Pure predicates over text; the parsers decide what to do with the answer.
 */
import { isNullLike, plain } from '../normalize/index.js'
import type { TableRecord, TableRowRecord } from '../types.js'

/** Things agents list (and say there are none of). */
const LISTED =
  String.raw`(?:gaps?|blockers?|blocking issues?|deal[- ]blockers?|conflicts?|issues?|items?|discrepanc(?:y|ies)|inconsistenc(?:y|ies)|variations?|findings?|concerns?|exceptions?|risks?|warnings?|errors?|problems?|questions?|changes?|corrections?|tensions?|contradictions?|flags?|actions?|open items?)`
const FOUND = String.raw`(?:identified|found|detected|noted|reported|required|needed|remaining|outstanding|open|flagged|present|applicable|at this time|to report)`

/** A whole text that says there is nothing: `None`, `N/A`, `No gaps identified`, `Nothing to report`, `None found.` */
const NOTHING = new RegExp(
  String.raw`^(?:none|nil|n/a|na|not applicable|nothing(?: (?:to report|found|identified|outstanding))?|none (?:${FOUND})(?: (?:at this time))?|no (?:[\p{L}-]+ ){0,3}${LISTED}(?: (?:were |was |have been |has been )?${FOUND})?|zero ${LISTED}|0 ${LISTED}(?: ${FOUND})?)(?:\s*\([^)]*\))?[.!]?$`,
  'iu',
)

/** Leading marks agents put before a verdict: emoji, check marks, bullets. */
const LEADING_MARKS = /^[^\p{L}\p{N}]+/u

/** The text as words: inline markdown, leading marks and a trailing full stop gone. */
function words(text: string): string {
  return plain(text).replace(LEADING_MARKS, '').trim()
}

/** Whether a cell or line says there is nothing: `None`, `N/A`, `—`, `No gaps identified`, `✅ No conflicts`. */
export function saysNothing(text: string | null | undefined): boolean {
  if (text === null || text === undefined) return false
  const stripped = words(text)
  if (stripped === '') return /^[\s\-–—―−]+$/u.test(plain(text)) && plain(text) !== ''
  return NOTHING.test(stripped) || (stripped.length <= 40 && isNullLike(stripped) && !/^(?:pending|tbd|tbc|tba|unknown|to be)/i.test(stripped))
}

/** A heading that ends by saying there are none: `Critical Gaps: NONE`, `Date Conflicts (NONE FOUND)`, `Gaps Requiring Remediation: None`. */
const HEADING_NONE = /(?::\s*|\(\s*|[-–—]\s+)(?:none|n\/a|nil|not applicable|no (?:[\p{L}-]+ ){0,3}\p{L}+)(?: (?:identified|found|detected|noted|required|remaining|applicable))?\s*\)?\s*$/iu

const NAMES_LIST = new RegExp(String.raw`(?<![\p{L}])${LISTED}(?![\p{L}])`, 'iu')

/** Whether a label names a list of things agents track (`Open Issues`, `Conflicts`, `Remaining Gaps`). */
export function namesList(label: string): boolean {
  return NAMES_LIST.test(words(label))
}

/**
 * Whether a heading says the list under it is empty: it is itself a statement
 * of nothing (`No Blockers`, `No Gaps Identified`), or it names a list and
 * ends by saying it is empty (`Critical Gaps: NONE`, `Date Conflicts (NONE
 * FOUND)`, `✅ Dates (No Conflicts)`). A heading that names a fact whose value
 * is none (`Succession Plan: None`) names no list; a caller that knows the
 * heading opens a list (`Legal Domains: None Required`) says so with `isList`.
 */
export function headingSaysNone(heading: string, isList = false): boolean {
  const text = words(heading)
  if (text === '') return false
  return NOTHING.test(text) || (HEADING_NONE.test(text) && (isList || NAMES_LIST.test(text)))
}

/** Whether any heading of `path` from `from` on says its list is empty. */
export function underNoneHeading(path: readonly string[], from = 0): boolean {
  return path.slice(from).some((heading) => headingSaysNone(heading))
}

/** `Legend`, `Key`, `Status key`, `Symbols`: the key of a legend line. */
const LEGEND_KEY = /^(?:legend|key|status key|symbol key|symbols?|icons?|notation)$/i
/** Two or more `mark = meaning` pairs: `✅ = complete, ⏳ = pending`, `🔴 Critical | 🟡 Minor`. */
const LEGEND_PAIRS = /^(?:[^\p{L}\p{N}\s]{1,4}\s*(?:=|:|-|–)?\s*[\p{L}][\p{L} /-]*[,;|·]?\s*){2,}$/u

/** Whether a key/value line (or a line of text with an empty value) is a legend. */
export function isLegend(key: string, value: string): boolean {
  const k = words(key).replace(/:$/, '')
  if (LEGEND_KEY.test(k) || /^legend\b/i.test(k)) return true
  const text = words(`${key} ${value}`.trim())
  return /^legend\b/i.test(text) || (LEGEND_PAIRS.test(plain(value)) && /[=]/.test(value))
}

/** What a pipeline counts of its own work (findings and risks are the deal's, and may be facts). */
const TRACKED = String.raw`(?:gaps?|blockers?|conflicts?|issues?|items?|discrepanc(?:y|ies)|variations?|warnings?|errors?|tasks?|checks?|corrections?|flags?|open items?|action items?)`
/** A counter's key: a status or total word and a pipeline noun (`Items pending`, `Open conflicts`, `Total gaps`). */
const COUNTER_KEY = new RegExp(
  String.raw`^(?:(?:total|open|pending|remaining|outstanding|resolved|unresolved|closed|completed|new|critical|high|medium|low|minor|major)\s+)*(?:number of\s+)?${TRACKED}(?:\s+(?:total|count|pending|open|remaining|outstanding|resolved|unresolved|closed|completed|${FOUND}))*$|^(?:number of|count of|total)\s+(?:[\p{L}-]+\s+){0,2}${TRACKED}$`,
  'iu',
)
const COUNT_VALUE = /^(?:\d{1,4}(?:\s*(?:\/|of|out of)\s*\d{1,4})?|none|zero)(?:\s*\([^)]*\))?\.?$/i

/** Whether a key/value line is a status counter of the pipeline's own items (`Items pending: 0`, `Conflicts found: 2`). */
export function isStatusCounter(key: string, value: string): boolean {
  return COUNTER_KEY.test(words(key).replace(/:$/, '')) && COUNT_VALUE.test(words(value))
}

/** Words of a cell that say two tellings agree. */
const AGREES = /^(?:match(?:es|ed|ing)?|consistent|agree(?:s|d|ment)?|aligned|same|identical|equal|verified|confirmed|reconciled|correct|accurate|ok|okay|yes|pass(?:ed)?|no (?:conflict|discrepancy|variance|difference|issue)s?|none)(?![\p{L}])/iu
/** Words or marks of a cell that say they do not. */
const DISAGREES = /[❌✗✘⚠]|\b(?:mismatch|conflict(?:s|ing)?|inconsisten|discrepan|differ|disagree|variance|error|incorrect|wrong|fail)/iu
const AGREE_MARK = /^[✅✓✔☑🟢]/u

/** Whether a cell says the values agree: `✅`, `✓ MATCH`, `Consistent`, `✅ Verified - all reports agree`. */
export function saysAgree(cell: string): boolean {
  const text = plain(cell)
  if (text === '' || DISAGREES.test(text.replace(/\bno (?:conflict|discrepancy|variance|difference|issue)s?\b/giu, ''))) return false
  const rest = words(text)
  return (AGREE_MARK.test(text) && (rest === '' || AGREES.test(rest))) || AGREES.test(rest)
}

/** Headers that name a comparison's verdict: `Match?`, `Consistent?`, `Agreement`, `Discrepancy`. */
const COMPARISON_HEADER = /^(?:match(?:es)?|consistent|consistency|agree(?:s|ment)?|aligned|reconciled|conflict|discrepancy|same|cross[- ]?check)\b/i
/** Headers that may hold a verdict in a table about conflicts: also `Status`, `Check`, `Result`, `Verdict`. */
const VERDICT_HEADER = /^(?:status|check|result|verdict|verified|verification)\b/i

/**
 * Whether a table is a cross-check whose every row says the values agree: a
 * verdict column where each row says so (`✅`, `MATCH`, `Consistent`). The
 * column is one named for a comparison (`Match?`, `Consistent`); with
 * `anyVerdict`, for tables already about conflicts, also `Status`, `Check`,
 * `Result`. A fact table whose `Verified` column ticks every row is no
 * cross-check: it is asked with `anyVerdict` false.
 */
export function allRowsAgree(table: TableRecord, anyVerdict = false): boolean {
  const rows = table.rows.filter((row) => Object.values(row.cells).some((cell) => cell.trim() !== ''))
  if (rows.length === 0) return false
  return table.headers.some((header) => {
    const name = words(header)
    if (!COMPARISON_HEADER.test(name) && !(anyVerdict && VERDICT_HEADER.test(name))) return false
    const cells = rows.map((row) => row.cells[header] ?? '')
    return cells.every((cell) => saysAgree(cell))
  })
}

/**
 * The group label of a sub-header row (`| **ONE-TIME COSTS** | | | |`): the
 * first cell when it is the only one with text, in a table of three or more
 * columns; null for any other row.
 */
export function subHeaderLabel(table: TableRecord, row: TableRowRecord): string | null {
  if (table.headers.length < 3) return null
  const [first, ...rest] = table.headers.map((header) => (row.cells[header] ?? '').trim())
  if (first === undefined || first === '' || rest.some((cell) => cell !== '')) return null
  const label = words(first).replace(/:$/, '').trim()
  // `| G7 | | |` is a record known by its id alone (told in full elsewhere), not a group label.
  if (label === '' || /^(?:[\p{L}]{0,12}[\s#_-]*)?\d+(?:\.\d+)*[a-z]?$/iu.test(label)) return null
  return label
}

/** Keys of a source attribution line. */
const SOURCE_KEY = /^(?:sources?|source reports?|source documents?|source reports? ?\(s\)|sourced from|reported in|cited in)$/i

/**
 * The sources named by an attribution line (`Sources: a-report.md, T3`), or
 * null when the line is no attribution. A count of reports (`15 specialist
 * reports analyzed`) names none.
 */
export function attributionOf(key: string, value: string): string | null {
  if (!SOURCE_KEY.test(words(key).replace(/:$/, ''))) return null
  const text = plain(value)
  if (text === '' || isNullLike(text) || /^\d+\s+(?:[\p{L}-]+\s+){0,2}reports?\b/iu.test(text)) return null
  return text
}
