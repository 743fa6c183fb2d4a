/**
 * Headings as names: the one place that turns a heading's text into the
 * category, record name or gate name a typed row stores.
 */
import { stripInline } from '../fields.js'

export const PICTOGRAPHS = /[\p{Extended_Pictographic}\u{FE0F}\u{200D}\u{20E3}]/gu
const LEADING_CATEGORY = /^(?:category|part|section)\s+(?:[IVXLC]+|\d+|[A-Z])\s*[:.\-–—]\s*/i
// `II. `, `A) `, `Phase 2: `, `#3. `, `Issue 4) `; then an outline number (`1.1 `), which needs no mark after it.
const LEADING_NUMBER = /^(?:(?:section|part|category|phase|step|issue|item)\s+)?#?(?:[IVXLC]+|\d+(?:\.\d+)*|[A-Za-z])[.):]\s+/i
const LEADING_OUTLINE = /^\d+(?:\.\d+)+\s+/
const TRAILING_ASIDE = /\s*\([^()]*\)\s*$/

/** Inline markdown reduced to text, unbalanced emphasis (`Net Worth**`) dropped. */
export function clean(text: string): string {
  return stripInline(text).replace(/\*{2,}|__(?=\s|$)/g, '').trim()
}

/** How a heading becomes a name. */
export interface HeadingTextOptions {
  /**
   * `keep` (default) leaves a trailing parenthetical, which often says which
   * part is meant (`Revenue (FY2025)`); `drop` removes it for display names
   * (`Regulatory Exposures (T1-T4)` → `Regulatory Exposures`), unless nothing
   * would be left.
   */
  aside?: 'keep' | 'drop'
}

/**
 * A heading as a name: markdown, emoji and leading numbering (`II. `, `A. `,
 * `1.1 `, `CATEGORY 3: `, `Phase 2: `) gone, trailing colons and dashes dropped.
 */
export function cleanHeading(text: string, options: HeadingTextOptions = {}): string {
  let out = clean(text).replace(PICTOGRAPHS, ' ').replace(/\s+/g, ' ').trim()
  out = out.replace(LEADING_CATEGORY, '').replace(LEADING_NUMBER, '').replace(LEADING_OUTLINE, '')
  out = out.replace(/[\s:–—-]+$/u, '').trim()
  if (options.aside === 'drop') {
    const without = out.replace(TRAILING_ASIDE, '').trim()
    if (without !== '') out = without
  }
  return out
}

/**
 * A heading path as a category: clean headings joined with ` > `, or null when
 * empty. `without` names the nouns a section already says, dropped from the
 * end of a heading (`Date Facts` under EXTRACTED FACTS → `Date`).
 */
export function categoryOf(path: readonly string[], options: HeadingTextOptions & { without?: readonly string[] } = {}): string | null {
  const trailing = options.without === undefined ? null : new RegExp(`\\s+(?:${options.without.join('|')})$`, 'i')
  const parts = path
    .map((heading) => {
      const text = cleanHeading(heading, options)
      return trailing === null ? text : text.replace(trailing, '').trim()
    })
    .filter((part) => part !== '')
  return parts.length > 0 ? parts.join(' > ') : null
}
