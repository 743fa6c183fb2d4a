/**
 * Whole numbers for integer columns. SQLite keeps any number in an INTEGER
 * column (a fraction or a huge one becomes REAL), while PostgreSQL's bigint
 * refuses a fraction and anything past ±2^63, which would refuse the whole
 * file there. Only what both store alike, and exactly, is kept: the whole
 * numbers a double holds exactly, within ±(2^53 − 1).
 */

/** Why `value` cannot be an integer column's value; `null` when it can. */
export function integerProblem(value: number): string | null {
  if (Number.isSafeInteger(value)) return null
  if (!Number.isFinite(value)) return `${value} is not a finite number`
  if (!Number.isInteger(value)) return `${value} is not a whole number`
  return `${value} is outside the range an integer column holds exactly (±${Number.MAX_SAFE_INTEGER})`
}

/** `value` when an integer column can hold it alike in SQLite and PostgreSQL, else `null`. */
export function storableInteger(value: number): number | null {
  return integerProblem(value) === null ? value : null
}
