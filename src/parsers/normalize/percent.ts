/**
 * Percentages: `45%`, `13.5%`, `5-15%`, `~30%`, `30 percent`,
 * `100% (assumed)`, `MEDIUM (40-50%)`. The first percentage in the text is read.
 */

import { isNullLike, plain } from './null-like.js'
import { APPROX_TRAIL, DECIMAL, decimalValue, negate } from './number.js'
import type { Percent } from './types.js'

const SIGN = String.raw`(?:(?<=^|[\s(\[:=~≈])[-−+])?`
const MARK = String.raw`(?:\s*%|\s*(?:percent|per cent|pct\.?)(?![\p{L}]))`
const DASH = String.raw`\s*(?:[-‐‑‒–—]|to(?=\s))\s*`
/** A range whose second end carries the mark (`5-15%`, `5% to 15%`), or one percentage. */
const PERCENT = new RegExp(
  String.raw`(?<![\p{L}\p{N}.,])(?:(?<lowSign>${SIGN})(?<low>${DECIMAL})${MARK}?${DASH}(?<highSign>[-−+]?)(?<high>${DECIMAL})${MARK}|(?<sign>${SIGN})(?<single>${DECIMAL})${MARK})`,
  'giu',
)

function fraction(sign: string | undefined, literal: string | undefined): number | null {
  const value = decimalValue(literal ?? '', -2)
  if (value === null) return null
  return sign === '-' || sign === '−' ? negate(value) : value
}

/**
 * Parse the first percentage in a cell into fractions (`45%` is `0.45`).
 * A number needs `%`, `percent`, `per cent` or `pct` to count, so `45` alone
 * is not a percentage. A range gives `low` and `high` with `value` `null`
 * (unless both ends are equal); a range whose ends fall the wrong way
 * (`2026-15%`) is read as its second end alone. A single value sets `low`
 * and `high` to itself.
 *
 * Answers `null` for placeholders and for text holding no percentage. Never throws.
 */
export function parsePercent(raw: string): Percent | null {
  if (isNullLike(raw)) return null
  const text = plain(raw)
  PERCENT.lastIndex = 0
  for (let match = PERCENT.exec(text); match !== null; match = PERCENT.exec(text)) {
    const groups = match.groups ?? {}
    const approximate = APPROX_TRAIL.test(text.slice(Math.max(0, match.index - 30), match.index))
    if (groups.single !== undefined) {
      const value = fraction(groups.sign, groups.single)
      if (value === null) continue
      return { raw, value, low: value, high: value, approximate }
    }
    const low = fraction(groups.lowSign, groups.low)
    const high = fraction(groups.highSign, groups.high)
    if (low !== null && high !== null && low <= high) {
      return { raw, value: low === high ? low : null, low, high, approximate }
    }
    if (high !== null) return { raw, value: high, low: high, high, approximate: false }
  }
  return null
}
