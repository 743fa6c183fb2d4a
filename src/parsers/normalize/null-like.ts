/**
 * Shared first steps of every normaliser: reduce a cell to plain text, and
 * recognise the placeholders agents write where a value is not known yet.
 */

/** Placeholders that mean "no value", compared lower-cased after {@link plain}. */
const NULL_LIKE = new Set([
  '',
  '-', '--', '---', '—', '–', '‒', '―', '−',
  '?', '??', '...', '…',
  'n/a', 'n.a.', 'n.a', 'na', 'n/k',
  'tbd', 'tbc', 'tba', 'tk',
  'none', 'nil', 'null', 'nan', 'undefined',
  'unknown', 'pending',
  'not applicable', 'not available', 'not known', 'to be determined', 'to be confirmed',
])

/**
 * The text of a cell without its inline markdown, trimmed.
 * Removes `**` anywhere (agents leave unbalanced ones, as in `$0**`), `__` at
 * word edges (so `IN__PROGRESS` survives), one pair of `*`/`_` wrapping the
 * whole text, backticks and `<br>`; turns no-break spaces into spaces and
 * collapses runs of white space.
 */
export function plain(raw: string): string {
  const text = raw
    .replace(/\*\*/g, '')
    .replace(/(?<![\p{L}\p{N}])__|__(?![\p{L}\p{N}])/gu, '')
    .replace(/`/g, '')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/[\u00A0\u2007\u202F]/g, ' ')
    .replace(/[\u200B\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  // One emphasis pair around the whole text: `*HIGH*`, `_Pending_`.
  const wrapped = /^([*_])(?=\S)(.*\S)\1$/su.exec(text)
  return wrapped?.[2] ?? text
}

/**
 * Text without markdown markers: `**` anywhere, `__` at word edges (so
 * `IN__PROGRESS` survives) and backticks. Unlike {@link plain} it keeps line
 * breaks and spacing, so a multi-line summary stays multi-line. For JSON
 * string values that land in text columns: agents write `**Bold**` there too.
 */
export function withoutMarkers(text: string): string {
  return text
    .replace(/\*\*/g, '')
    .replace(/(?<![\p{L}\p{N}])__|__(?![\p{L}\p{N}])/gu, '')
    .replace(/`/g, '')
    .trim()
}

/**
 * Whether a cell holds a placeholder instead of a value: empty, a dash,
 * `N/A`, `TBD`, `TBC`, `None`, `Unknown`, `pending` and the like, optionally
 * in parentheses or brackets or with a trailing full stop.
 * Normalisers answer `null` for these, never zero.
 */
export function isNullLike(raw: string): boolean {
  let text = plain(raw).toLowerCase()
  const enclosed = /^[([](.*)[)\]]$/su.exec(text)
  if (enclosed) text = (enclosed[1] ?? '').trim()
  if (text.endsWith('.') && !NULL_LIKE.has(text)) text = text.slice(0, -1).trimEnd()
  return NULL_LIKE.has(text)
}
