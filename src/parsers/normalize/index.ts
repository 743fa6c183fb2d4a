/**
 * Pure value normalisers for state-file cells. Each reads one kind of value
 * (money, date, percentage, count, plain number, status, duration) from
 * agent-written text, keeps the raw text beside the result, and never throws.
 */

export { isNullLike, plain, withoutMarkers } from './null-like.js'
export { parseMoney } from './money.js'
export { parseDateValue } from './date.js'
export { parsePercent } from './percent.js'
export { parseCount } from './count.js'
export { parseNumber } from './plain-number.js'
export { parseConfidence, parseSeverity, parseStatus, saysNoLevel } from './status.js'
export { parseDuration, parseDurationMs } from './duration.js'
export { integerProblem, storableInteger } from './integer.js'
export type { Confidence, Count, DatePrecision, DateValue, Duration, Money, NumberValue, Percent, Severity, Status, StatusValue } from './types.js'
