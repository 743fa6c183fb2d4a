/**
 * Counts of things: `832 violations`, `~22,982`, `1,200 employees`, `12`,
 * `3 of 7`, `~8,500 words`, `2.1M TEU`. The count must open the text.
 */

import { isNullLike, plain } from './null-like.js'
import { APPROX_LEAD, DECIMAL, decimalValue } from './number.js'
import type { Count } from './types.js'

const SCALE = String.raw`(?:(?:(?<letter>[KMB])|\s+(?<word>[Tt]housand|[Mm]illion|[Bb]illion))(?![\p{L}\p{N}]))`
const COUNT = new RegExp(
  String.raw`^(?<num>${DECIMAL})${SCALE}?\+?(?:\s*(?:/|of|out of)\s*(?<total>${DECIMAL})(?![\p{L}\p{N}]))?(?<rest>.*)$`,
  'su',
)
const EXPONENT: Record<string, number> = { k: 3, thousand: 3, m: 6, million: 6, b: 9, billion: 9 }
// What may follow the number: nothing, or a separator other than the start of a longer number (`1.2.3`, `2026-01`, `5%`, `1h`).
const REST = /^(?:$|[\s,;:.!?)\]]|\((?!\d))/u
const REST_UNIT = /^\s+(?<unit>\p{L}[\p{L}\p{M}\p{N}'’-]*)/u

/**
 * Parse a count that opens a cell.
 *
 * - `value` is the number; `unit` is the word right after it, lower-cased
 *   (`832 Violations` gives `violations`), or `null`.
 * - `3 of 7`, `3 out of 7` and `3/7` give `value` 3 and `total` 7: the count
 *   is of the things done, and the total is kept beside it.
 * - `K`, `M`, `B` glued on and `thousand`, `million`, `billion` scale the number.
 * - A leading `~`, `≈`, `approximately`, `about` sets `approximate`; a
 *   trailing `+` (`1,200+ employees`) is allowed and ignored.
 *
 * Answers `null` for placeholders and for text that does not open with a
 * count: money (`$5M`), percentages (`45%`), ranges (`10-15`), dates, times,
 * malformed numbers (`1.2.3`), numbers glued to letters (`1h`). Never throws.
 */
export function parseCount(raw: string): Count | null {
  if (isNullLike(raw)) return null
  let text = plain(raw)
  const approx = APPROX_LEAD.exec(text)
  if (approx) text = text.slice(approx[0].length)
  const match = COUNT.exec(text)
  if (!match?.groups) return null
  const { num, letter, word, total, rest = '' } = match.groups
  if (!REST.test(rest)) return null
  const scale = (letter ?? word)?.toLowerCase()
  const value = decimalValue(num ?? '', scale === undefined ? 0 : (EXPONENT[scale] ?? 0))
  if (value === null) return null
  const totalValue = total === undefined ? null : decimalValue(total)
  const unit = REST_UNIT.exec(rest)?.groups?.unit?.toLowerCase() ?? null
  return { raw, value, unit, total: totalValue, approximate: approx !== null }
}
