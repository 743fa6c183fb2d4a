/**
 * Readers shared by the QA kinds (qa-assessment.ts, qa-diagnostic-state.ts):
 * what kind of assessment a file is, its pass, its score, its certification
 * outcome. Pure.
 */

/** Section reviews, diagnostics (scored passes before remediation) and certifications (the delivery decision). */
export type AssessmentType = 'section_review' | 'diagnostic' | 'certification'

/** The assessment type of a QA file by its path. */
export function assessmentType(relPath: string): AssessmentType {
  const lower = relPath.toLowerCase()
  const name = lower.slice(lower.lastIndexOf('/') + 1)
  if (/certific|final-qa|delivery-decision/.test(name)) return 'certification'
  if (/diagnostic/.test(name) || /(?:^|\/)pass-\d+\//.test(lower)) return 'diagnostic'
  return 'section_review'
}

/** The pass a path names: a `pass-2/` folder, or a `-pass2`, `-cycle2` suffix. */
export function passOfPath(relPath: string): number | null {
  const match = /(?:^|\/)pass-(\d+)\//i.exec(relPath) ?? /[-_.](?:pass|cycle)[-_]?(\d+)\b/i.exec(relPath)
  return match === null ? null : Number(match[1])
}

/** The pass a field states: `2 of 2 (Final Certification)`, `3`. */
export function passOfText(text: string): number | null {
  const match = /^\s*(\d+)\b/.exec(text)
  return match === null ? null : Number(match[1])
}

/** A score as written: `93% — Tier 2` is 93 of 100, `190/195 points` 190 of 195, `N/A` nothing. */
export function scoreOf(text: string): { score: number; max: number | null } | null {
  const percent = /(-?\d+(?:\.\d+)?)\s*%/.exec(text)
  const ratio = /(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(text)
  if (percent !== null && (ratio === null || percent.index < ratio.index)) return { score: Number(percent[1]), max: 100 }
  if (ratio !== null) return { score: Number(ratio[1]), max: Number(ratio[2]) }
  const plain = /^\s*(-?\d+(?:\.\d+)?)\b/.exec(text)
  return plain === null ? null : { score: Number(plain[1]), max: null }
}

/**
 * A certification outcome: `CERTIFIED`, `CONDITIONAL` (certified with
 * limitations or conditions) or `NOT CERTIFIED` (rejected, or remediation
 * still required); null when the text states none.
 */
export function certificationOf(text: string): string | null {
  const words = text.toUpperCase().replace(/[_*]/g, ' ')
  if (/\b(?:NOT CERTIFIED|DO NOT CERTIFY|REJECT(?:ED)?|REMEDIATION REQUIRED|REMEDIATE)\b/.test(words)) return 'NOT CERTIFIED'
  if (/\bCERTIF(?:Y|IED)\b/.test(words) && /\b(?:WITH\s+(?:\w+\s+)?(?:LIMITATIONS|CONDITIONS|CAVEATS)|CONDITIONAL(?:LY)?)\b/.test(words)) return 'CONDITIONAL'
  if (/\bCONDITIONAL\b/.test(words)) return 'CONDITIONAL'
  if (/\bCERTIF(?:Y|IED)\b/.test(words)) return 'CERTIFIED'
  return null
}

/** An issue an assessment lists. */
export interface AssessmentIssue {
  id: string | null
  issue: string
  severity: string | null
}
