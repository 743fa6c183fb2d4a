/**
 * Plain numbers that open a cell: `-3.5`, `1,250`, `(115,000,000)` (an
 * accounting negative), `4.50x` and `12.5×` (multiples, as EV/EBITDA is
 * written). Money and percentages have their own readers; this one reads the
 * figures that carry neither a currency nor a percent sign.
 */

import { isNullLike, plain } from './null-like.js'
import { APPROX_LEAD, DECIMAL, decimalValue, negate } from './number.js'
import type { NumberValue } from './types.js'

/** `x` or `X` glued to the number (`4.50x`), or `×` (`12.5×`, `12.5 ×`); no letter or digit glued after it (`4xl`, `0x1F`). */
const MULTIPLE = String.raw`(?:(?<multiple>x|\s?×)(?![\p{L}\p{N}]))`
const NUMBER = new RegExp(String.raw`^(?<sign>[-−+])?(?<num>${DECIMAL})${MULTIPLE}?(?<rest>.*)$`, 'isu')
/** A cell that is only a number in parentheses: accounting notation for a negative. */
const PARENTHESISED = new RegExp(String.raw`^\(\s*(?<num>${DECIMAL})${MULTIPLE}?\s*\)$`, 'iu')
// What may follow the number: nothing, or a separator other than the start of a longer number (`1.2.3`, `2026-01`, `5%`, `1h`).
const REST = /^(?:$|[\s,;:!?)\]]|\.(?!\d)|\((?!\d))/u
/** The second end of a range (`-27 to -30 points`, `1.8x – 2.4x`): a range is not one number. */
const RANGE_REST = /^\s*(?:[-‐‑‒–—]|to\s)\s*[-−+]?\d/iu

/**
 * Parse a plain number that opens a cell.
 *
 * - A sign (`-`, `−`, `+`) may lead; so may `~`, `≈`, `approximately`, ...,
 *   which set `approximate`.
 * - A cell that is only a number in parentheses, `(115,000,000)`, is
 *   accounting notation for a negative; parentheses around part of a cell
 *   (`(1) first item`) are not a sign, and such text is no number.
 * - `x`, `X` or `×` right after the number (`4.50x`, `12.5×`) marks a
 *   multiple, which sets `multiple`; the value is the factor (4.5, 12.5).
 * - Words may follow (`4.5x EBITDA`, `12 (see note)`); the second end of a
 *   range may not (`-27 to -30`, `1.8x – 2.4x`).
 *
 * Answers `null` for placeholders and for text that does not open with a
 * single number: money (`$5M`), percentages (`45%`), dates, ranges, scaled
 * numbers (`2.5M`, which the count and money readers take), malformed
 * numbers (`1.2.3`), numbers glued to letters (`1h`). Never throws.
 */
export function parseNumber(raw: string): NumberValue | null {
  if (isNullLike(raw)) return null
  let text = plain(raw)
  const approx = APPROX_LEAD.exec(text)
  if (approx) text = text.slice(approx[0].length)
  const approximate = approx !== null
  const enclosed = PARENTHESISED.exec(text)
  if (enclosed?.groups) {
    const magnitude = decimalValue(enclosed.groups.num ?? '')
    if (magnitude === null) return null
    return { raw, value: negate(magnitude), negative: true, multiple: enclosed.groups.multiple !== undefined, approximate }
  }
  const match = NUMBER.exec(text)
  if (!match?.groups) return null
  const { sign, num, multiple, rest = '' } = match.groups
  if (!REST.test(rest) || RANGE_REST.test(rest)) return null
  const magnitude = decimalValue(num ?? '')
  if (magnitude === null) return null
  const negative = sign === '-' || sign === '−'
  return { raw, value: negative ? negate(magnitude) : magnitude, negative, multiple: multiple !== undefined, approximate }
}
