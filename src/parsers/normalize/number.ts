/**
 * Decimal literals and the words around them, shared by the numeric
 * normalisers. Values are built from the literal text (`Number('3.2e9')`)
 * rather than by multiplying, so `$3.2B` is exactly 3200000000.
 */

/**
 * Regex source of an unsigned decimal literal: `1,250,000`, `275.2`, `12`.
 * Thousands separators must be well formed, and the literal must not run on
 * into more digits or another `.5`/`,5` group, so `1.2.3` and `1,00` fail.
 */
export const DECIMAL = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d|[.,]\d)`

/** Marks of approximation, as regex source: `~`, `≈`, `approximately`, `about`, ... */
export const APPROX = String.raw`(?:~|≈|∼|(?<![\p{L}])(?:approx(?:imately|\.)?|about|around|roughly|circa|ca\.|est\.|estimated|nearly|almost)(?![\p{L}]))`

/** An approximation mark, and the white space after it, at the start of a text. */
export const APPROX_LEAD = new RegExp(String.raw`^${APPROX}\s*`, 'iu')

/** An approximation mark, and the white space after it, at the end of a text. */
export const APPROX_TRAIL = new RegExp(String.raw`${APPROX}\s*$`, 'iu')

/**
 * The value of a decimal literal matched by {@link DECIMAL}, times ten to
 * `exponent`; `null` when it does not fit a finite double.
 */
export function decimalValue(literal: string, exponent = 0): number | null {
  const value = Number(`${literal.replace(/,/g, '')}e${exponent}`)
  return Number.isFinite(value) ? value : null
}

/** `-x` without producing `-0`, which JSON and databases would not keep apart anyway. */
export function negate(value: number): number {
  return value === 0 ? 0 : -value
}
