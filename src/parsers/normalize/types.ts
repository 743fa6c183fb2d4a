/**
 * Public result types of the value normalisers.
 * Every result keeps the text it was read from in `raw`, so a store can show
 * the original next to the normalised value and a reader can judge the reading.
 * All of it is plain data (structured-clone and JSON safe).
 */

/** A money amount, a range of amounts, or an open-ended bound, in whole currency units. */
export interface Money {
  /** The input text, unchanged. */
  raw: string
  /** The amount for a single value or an open-ended bound; `null` for a range whose ends differ. */
  value: number | null
  /** Lower end: the amount itself for a single value, `null` for an "up to" bound. */
  low: number | null
  /** Upper end: the amount itself for a single value, `null` for an "and more" bound. */
  high: number | null
  /** ISO 4217 code; `USD` when the text names no currency. */
  currency: 'USD' | string
  /** `true` when the amount is marked as approximate (`~`, `≈`, `approximately`, ...). */
  approximate: boolean
  /** `true` when one side is unbounded (`$22M+`, `over $5M`, `up to $5M`); `low`/`high` tell which. */
  openEnded: boolean
  /** `true` when the amount (for a range, its first end) is written negative: `-$300M`, `$(300M)`, a cell that is only `($300M)`. */
  negative: boolean
}

/** How much of the calendar a parsed date covers. */
export type DatePrecision = 'instant' | 'day' | 'month' | 'quarter' | 'half' | 'year'

/** A calendar date, instant or period. */
export interface DateValue {
  /** The input text, unchanged. */
  raw: string
  /** Full ISO timestamp (UTC) for an instant, else `YYYY-MM-DD` of the first day; `null` when unreadable. */
  date: string | null
  /** What `date` stands for; `null` when unreadable. */
  precision: DatePrecision | null
  /** Last day (inclusive, `YYYY-MM-DD`) of a month, quarter, half, year or range; `null` for an instant or a single day. */
  end: string | null
}

/** A percentage or a range of percentages, as fractions (`45%` is `0.45`). */
export interface Percent {
  /** The input text, unchanged. */
  raw: string
  /** The fraction for a single value; `null` for a range whose ends differ. */
  value: number | null
  /** Lower end as a fraction (the value itself for a single value). */
  low: number | null
  /** Upper end as a fraction (the value itself for a single value). */
  high: number | null
  /** `true` when marked as approximate (`~30%`, `about 30%`). */
  approximate: boolean
}

/** A count of things, such as `832 violations` or `3 of 7`. */
export interface Count {
  /** The input text, unchanged. */
  raw: string
  /** The number counted. */
  value: number | null
  /** The lower-cased word after the number (`violations`), `null` when there is none. */
  unit: string | null
  /** The `7` of `3 of 7` or `3/7`, `null` otherwise. */
  total: number | null
  /** `true` when marked as approximate (`~22,982`). */
  approximate: boolean
}

/** A plain number, a negative in accounting parentheses, or a multiple such as `4.5x`. */
export interface NumberValue {
  /** The input text, unchanged. */
  raw: string
  /** The number; for a multiple, its factor (`4.50x` is 4.5). */
  value: number
  /** `true` when written negative: `-3.5`, `−3.5`, or a cell that is only `(115,000,000)`. */
  negative: boolean
  /** `true` for a multiple: `x`, `X` or `×` after the number (`4.50x`, `12.5×`). */
  multiple: boolean
  /** `true` when marked as approximate (`~4.5x`). */
  approximate: boolean
}

/** A span of time, or a range of spans, in milliseconds. */
export interface Duration {
  /** The input text, unchanged. */
  raw: string
  /** Milliseconds for a single span; `null` for a range whose ends differ. */
  ms: number | null
  /** Lower end in milliseconds (the span itself for a single span). */
  lowMs: number | null
  /** Upper end in milliseconds (the span itself for a single span). */
  highMs: number | null
  /** `true` when marked as approximate (`~30 min`). */
  approximate: boolean
}

/**
 * Lifecycle status of a task, agent or phase.
 * `passed` is a gate verdict (`PASS`), kept apart from `complete` because the
 * state files use both and mean different things.
 */
export type Status =
  | 'complete'
  | 'in_progress'
  | 'pending'
  | 'ready'
  | 'blocked'
  | 'failed'
  | 'passed'
  | 'skipped'
  | 'proceed'
  | 'remediate'
  | 'partial'

/** A status cell read as a {@link Status}. */
export interface StatusValue {
  /** The input text, unchanged. */
  raw: string
  /** The status, `null` when the text names none. */
  status: Status | null
}

/** Severity of a finding or risk. */
export type Severity = 'critical' | 'high' | 'medium' | 'low'

/** Confidence in a finding; `verified` is stronger than `high`. */
export type Confidence = 'verified' | 'high' | 'medium' | 'low'
