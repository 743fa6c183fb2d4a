/**
 * The deal facts of a document as markdown: a `Field | Value` table in a
 * deal section for the session columns, and a `## METADATA` table for every
 * other label. The file-metadata section is the least authoritative place
 * the deal reader looks, so a label there never wins a column over the deal
 * table, and every label there that no column takes comes back as metadata
 * unchanged (the parser keeps the first value of a label, and the deal table
 * sets only labels a column took only part of).
 */
import { parseCount, parseMoney } from '../parsers/normalize/index.js'
import type { ColumnValue } from '../parsers/typed/types.js'
import { inlineText, section, table } from './markdown-text.js'
import { parseRenderInput } from './typed-input.js'
import type { RenderKind } from './types.js'

/** One `Field | Value` row. */
export interface DealRow {
  label: string
  value: string
}

/** A key-value table (`| Field | Value |`), labels and values escaped. */
export function keyValueTable(rows: readonly DealRow[]): string {
  return table(['Field', 'Value'], rows.map((row) => [inlineText(row.label), inlineText(row.value)]))
}

/** The deal section, or '' when it has no rows. */
export function dealSection(heading: string, rows: readonly DealRow[]): string {
  return rows.length === 0 ? '' : section(2, heading, [keyValueTable(rows)])
}

/**
 * The file-metadata section with every label not in `skip`, sorted by label
 * (PostgreSQL's jsonb does not keep the order labels were found in, so
 * sorting makes the file the same from either database), or ''.
 */
export function metadataSection(metadata: Readonly<Record<string, string>>, skip: ReadonlySet<string> = new Set()): string {
  const labels = Object.keys(metadata)
    .filter((label) => !skip.has(label))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (labels.length === 0) return ''
  return section(2, 'METADATA', [keyValueTable(labels.map((label) => ({ label, value: metadata[label]! })))])
}

/** A string column, or null. */
export function stringOf(values: Readonly<Record<string, ColumnValue>>, column: string): string | null {
  const value = values[column]
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

/** A number column, or null. */
function numberOf(values: Readonly<Record<string, ColumnValue>>, column: string): number | null {
  const value = values[column]
  return typeof value === 'number' ? value : null
}

/**
 * Session columns as deal rows, under canonical labels (each one the deal
 * reader takes for its column) or, for the complexity, `complexityLabel`.
 */
export function sessionDealRows(kind: RenderKind, values: Readonly<Record<string, ColumnValue>>, complexityLabel = 'Complexity'): DealRow[] {
  const rows: DealRow[] = []
  const add = (label: string, value: string | null): void => {
    if (value !== null) rows.push({ label, value })
  }
  add('Matter Name', stringOf(values, 'matter_name'))
  const raw = stringOf(values, 'deal_value_raw')
  if (raw !== null) {
    const amount = numberOf(values, 'deal_value') ?? numberOf(values, 'deal_value_low')
    add(dealValueLabel(kind, raw, amount), raw)
  }
  add('Closing Date', stringOf(values, 'closing_date_raw') ?? stringOf(values, 'closing_date'))
  add('Acquirer', stringOf(values, 'acquirer'))
  add('Target', stringOf(values, 'target'))
  add('Transaction Type', stringOf(values, 'transaction_type'))
  add(complexityLabel, stringOf(values, 'complexity'))
  return rows
}

// A bare number under `Deal Value ($M)` is millions: the label's unit is part of the value.
const SCALED_LABELS = ['Deal Value ($K)', 'Deal Value ($M)', 'Deal Value ($B)']

/**
 * `Deal Value`, or the label with the unit the stored amount was read with
 * (`640` stored as 640000000 was written under `Deal Value ($M)`).
 */
export function dealValueLabel(kind: RenderKind, raw: string, amount: number | null): string {
  const money = parseMoney(raw)
  if (amount === null || money?.value === amount || money?.low === amount) return 'Deal Value'
  if (money === null && parseCount(raw) === null) return 'Deal Value'
  // Rare: ask the deal reader which unit label reads the text as the stored amount.
  for (const label of SCALED_LABELS) {
    const probe = parseRenderInput(kind, `# STATE\n\n${dealSection('DEAL_METADATA', [{ label, value: raw }])}\n`)
    const values = probe?.session?.values
    if (values !== undefined && (values.deal_value === amount || values.deal_value_low === amount)) return label
  }
  return 'Deal Value'
}
