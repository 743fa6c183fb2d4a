/**
 * Deal facts for the session row, shared by `orchestrator-state.md` and
 * `research-plan.md`: matter name, deal value, closing date, parties,
 * transaction type and complexity, read from a DEAL_METADATA-style key/value
 * table or fields, the header fields under the title (`**Transaction Value:**`),
 * a Parties table (`| Role | Entity |`), Deal Structure bullets, and, when
 * none names them, from the title or a deal heading
 * (`## Project Phoenix - $580M ... Acquisition`) or the `**Query:**` line.
 * Every label no session column takes is kept in `metadata`.
 */
import { parseCount, parseMoney, type Money } from '../normalize/index.js'
import type { FieldRecord, MarkdownRecords, TableRecord } from '../types.js'
import { mapColumns, normalizeLabel } from './labels.js'
import { cleanHeading } from './heading-text.js'
import { dateValue, findDate, isSection, labelIndex, markTyped, miss, textValue, type SectionSpec } from './research-typed-rows.js'
import type { SESSION_COLUMNS } from './tables.js'
import type { ColumnValue, SessionFacts, TypedRecords } from './types.js'

/** A session column. */
export type SessionColumn = keyof typeof SESSION_COLUMNS

/** One label/value pair that may describe the deal. */
export interface DealEntry {
  label: string
  value: string
  line: number
  /** Lower is more authoritative: 0 deal tables, 1 deal fields, 2 header fields, 3 parameter sections, 4 file metadata. */
  rank: number
}

/** What the deal reader found. */
export interface DealFacts {
  /** Facts for the session row, or null when the document says nothing about the deal. */
  session: SessionFacts | null
  /** The entry each session column was read from. */
  picked: Partial<Record<SessionColumn, DealEntry>>
  /** Fields above the first section (under the title or a deal heading), in document order. */
  header: FieldRecord[]
}

/** Sections that describe the deal itself. */
const DEAL_SECTION: SectionSpec = {
  aliases: [
    'deal metadata', 'deal information', 'deal info', 'deal summary', 'deal overview', 'deal details', 'deal terms',
    'transaction overview', 'transaction summary', 'transaction details', 'transaction metadata', 'transaction information',
    'matter metadata', 'matter information', 'matter details', 'engagement details',
  ],
  exact: ['deal', 'transaction', 'matter'],
}
/** Sections with deal parameters among other context. */
const PARAMETER_SECTION: SectionSpec = {
  aliases: ['key transaction parameters', 'transaction parameters', 'deal parameters', 'deal structure', 'transaction structure', 'parties', 'key terms'],
}
/** The file's own metadata (`## METADATA`): lowest rank, kept for `metadata`. */
const FILE_METADATA_SECTION: SectionSpec = { aliases: [], exact: ['metadata', 'document metadata', 'file metadata', 'state metadata'] }

/** Labels each session column is read from, most specific first. Whole-label matches only (`Target Profile` is no target). */
const SESSION_LABELS: Record<Exclude<SessionColumn, `${string}_low` | `${string}_high` | `${string}_raw` | `${string}_precision`>, readonly string[]> = {
  matter_name: ['matter name', 'matter', 'project name', 'deal name', 'transaction name', 'code name', 'codename', 'project'],
  deal_value: [
    'deal value', 'transaction value', 'deal size', 'transaction size', 'enterprise value', 'purchase price',
    'purchase consideration', 'total consideration', 'consideration',
  ],
  closing_date: [
    'closing date', 'expected closing', 'expected closing date', 'target closing', 'target closing date', 'anticipated closing',
    'estimated closing', 'expected close', 'close date', 'closing', 'closing target',
  ],
  acquirer: ['acquirer', 'acquiror', 'buyer', 'purchaser', 'acquiring company', 'acquiring entity', 'bidder'],
  target: ['target', 'target company', 'target entity', 'acquired company'],
  transaction_type: ['transaction type', 'deal type', 'type of transaction', 'transaction form', 'deal structure', 'transaction structure', 'structure'],
  complexity: ['complexity', 'transaction complexity', 'deal complexity', 'complexity level'],
}

/** Header labels whose text describes the deal in prose (`**Query:** Project X — $2.4B acquisition of ...`). */
const DESCRIPTION_LABELS = [
  'query', 'research query', 'original query', 'user query', 'client query', 'request', 'deal', 'transaction',
  'description', 'deal description', 'transaction description', 'matter description', 'subject', 're',
]

const KEY_VALUE = {
  key: ['field', 'parameter', 'item', 'attribute', 'key', 'name', 'metric', 'property', 'term', 'element'],
  value: ['value', 'details', 'detail', 'description', 'data', 'information', 'info', 'content'],
}
const PARTIES = {
  role: ['role', 'party', 'party role', 'capacity'],
  entity: ['entity', 'name', 'party name', 'company', 'legal name', 'entity name', 'organization', 'organisation'],
}

const DEAL_WORDS = /\b(?:acquisitions?|acquire[sd]?|merger|purchase|buyout|takeover|investment|deal|transaction|divestiture|sale|recapitali[sz]ation|joint venture)\b/i
const SEPARATOR = /\s+[—–]\s+|\s+-\s+|\s*[—–]\s*(?=\$)|:\s+/
const NAME_STOP = new Set([
  'acquisition', 'acquisitions', 'comprehensive', 'legal', 'due', 'diligence', 'memorandum', 'deal', 'transaction', 'merger', 'purchase',
  'research', 'plan', 'plans', 'status', 'state', 'overview', 'summary', 'scope', 'timeline', 'details', 'metadata', 'team', 'name',
  'description', 'management', 'information', 'phase', 'phases', 'goals', 'objectives', 'notes', 'background', 'structure', 'tracker',
  'log', 'execution', 'report', 'review', 'for', 'of', 'and', 'the',
])
const PROSE_LIMIT = 1_000
const SECTION_WORDS =
  /\b(?:metadata|facts|exposures|inventory|sections|metrics|phases?|status|assignments|domains|issues|targets|log|parameters|overview|summary|findings)$/
const GENERIC_TITLE = /^(?:orchestrator state|research (?:execution )?plan|research plan(?:ning)?|execution plan|state|plan)$/

/** `Project X` named in a text (`PROJECT ARGOS` → `Project Argos`), or null. */
export function projectName(text: string): string | null {
  const found = /\b[Pp][Rr][Oo][Jj][Ee][Cc][Tt]\s+(\p{Lu}[\p{L}\p{N}'’]*(?:[ -]\p{Lu}[\p{L}\p{N}'’]*){0,2})/u.exec(text)
  if (!found) return null
  const words: string[] = []
  for (const word of found[1]!.split(/\s+/)) {
    if (NAME_STOP.has(word.toLowerCase())) break
    words.push(word)
  }
  if (words.length === 0) return null
  const allCaps = /^[PROJECT]+$/.test(found[0].slice(0, 7)) && words.every((word) => word === word.toUpperCase())
  const name = allCaps ? words.map((word) => (word.length <= 3 ? word : word[0]! + word.slice(1).toLowerCase())) : words
  return `Project ${name.join(' ')}`
}

/** The first clause of a deal description (`Project Argos — $1.8B Acquisition of X` → `Project Argos`). */
function leadClause(text: string): string {
  return text.split(SEPARATOR)[0]!.trim()
}

/** A matter name out of a value that may carry a description after it. */
function matterName(value: string): string {
  const project = projectName(value)
  if (project !== null && normalizeLabel(value).startsWith(normalizeLabel(project))) return project
  const lead = leadClause(value)
  const rest = value.slice(lead.length)
  if (lead !== '' && lead !== value && (parseMoney(rest) !== null || DEAL_WORDS.test(rest))) return lead
  return value.trim()
}

/** The deal amount named in a prose description (`... for $1.2B acquisition of ...`), or null. */
function dealMoney(text: string): Money | null {
  const near = /([$€£][\d.,]+(?:\s*(?:[kmbt]n?|mm|thousand|million|billion|trillion))?)\s+(?:[\p{L}&-]+\s+){0,2}?(?:acquisitions?|merger|purchase|buyout|takeover|investment|deal|transaction|sale|divestiture)\b/iu.exec(text)
  if (near) {
    const money = parseMoney(near[1]!)
    if (money !== null) return money
  }
  for (const clause of text.split(SEPARATOR)) {
    if (!DEAL_WORDS.test(clause) && !/^\s*[$€£]/.test(clause)) continue
    const money = parseMoney(clause)
    if (money !== null) return money
  }
  return null
}

/** An entity name without the asides after it (`Acme LLC (ABP), PE-backed` → `Acme LLC`, `X Corp - Delaware corp` → `X Corp`). */
function entityName(value: string): string {
  const name = value.split(/\s*\(|\s+[—–-]\s+|\s*;\s*/)[0]!.trim()
  return name === '' ? value.trim() : name
}

const PARTY_END = String.raw`(?=\s+[—–]\s|\s+-\s|\s*\(|\s*;|\s*$)`
const ACQUISITION_OF_BY = new RegExp(String.raw`\b(?:acquisition|purchase) of\s+(.+?)\s+by\s+(.+?)${PARTY_END}`, 'i')
const BUYER_FIRST = new RegExp(
  String.raw`^(\p{Lu}[^$€£—–]{1,80}?)(?:'s)?\s+[$€£][\d.,]+\s*(?:[kmbt]n?|mm|thousand|million|billion)?\s+(?:acquisition|purchase) of\s+(.+?)${PARTY_END}`,
  'iu',
)
const ACQUISITION_OF = new RegExp(String.raw`\b(?:acquisition|purchase) of\s+(.+?)(?=\s+by\s)|\b(?:acquisition|purchase) of\s+(.+?)${PARTY_END}`, 'i')

/** Acquirer and target named in prose (`$1.8B acquisition of X by Y`, `Y $92M acquisition of X`). */
function partiesInProse(text: string): { acquirer: string | null; target: string | null } {
  const ofBy = ACQUISITION_OF_BY.exec(text)
  if (ofBy) return { target: ofBy[1]!.trim(), acquirer: ofBy[2]!.trim() }
  const buyerFirst = BUYER_FIRST.exec(text)
  if (buyerFirst && !/\b(?:project|diligence|comprehensive|memorandum)\b/i.test(buyerFirst[1]!)) {
    return { acquirer: buyerFirst[1]!.trim(), target: buyerFirst[2]!.trim() }
  }
  const of = ACQUISITION_OF.exec(text)
  const target = (of?.[1] ?? of?.[2])?.trim()
  return { acquirer: null, target: target === undefined || target === '' ? null : target }
}

/** A complexity level (`COMPLEX (10+ legal domains)` → `complex`); longer prose stays as written. */
function complexityLevel(value: string): string | null {
  const level = value.replace(/\([^)]*\)/g, ' ').split(/\s+[—–-]\s+|[,;:]/)[0]!.trim()
  if (level !== '' && level.split(/\s+/).length <= 2) return level.toLowerCase()
  return textValue(value)
}

/** The scale a label states for bare numbers (`Deal Value ($M)` → 1e6), or 1. */
function labelScale(label: string): number {
  const aside = /\(([^)]*)\)/.exec(label)?.[1] ?? ''
  if (/billions?|\bbn\b|\$\s*(?:\[x\])?\s*b\b|\bb\b/i.test(aside)) return 1e9
  if (/millions?|\bmm\b|\$\s*(?:\[x\])?\s*m\b|\bm\b/i.test(aside)) return 1e6
  if (/thousands?|\$\s*(?:\[x\])?\s*k\b|\bk\b/i.test(aside)) return 1e3
  return 1
}

/** Money in a deal-value entry, scaled by its label's unit when the value has none. */
function entryMoney(entry: DealEntry): Money | null {
  const scale = labelScale(entry.label)
  const unitless = !/\d\s*(?:[kmbt]\b|mm\b|bn\b|thousand|million|billion|trillion)/i.test(entry.value)
  const money = parseMoney(entry.value)
  if (scale === 1 || !unitless) return money
  if (money !== null) {
    const scaled = (n: number | null): number | null => (n === null ? null : n * scale)
    return { ...money, value: scaled(money.value), low: scaled(money.low), high: scaled(money.high) }
  }
  const count = parseCount(entry.value)
  if (count === null || count.value === null) return null
  const amount = count.value * scale
  return { raw: entry.value, value: amount, low: amount, high: amount, currency: 'USD', approximate: count.approximate, openEnded: false, negative: false }
}

/** Rank of a heading path for deal entries, or null when it is no deal section. */
function sectionRank(path: readonly string[], headerPaths: ReadonlySet<string>): number | null {
  let rank: number | null = null
  const consider = (value: number): void => {
    rank = rank === null ? value : Math.min(rank, value)
  }
  for (const heading of path) {
    if (isSection(heading, DEAL_SECTION)) consider(1)
    else if (isSection(heading, PARAMETER_SECTION)) consider(3)
    else if (isSection(heading, FILE_METADATA_SECTION)) consider(4)
  }
  if (headerPaths.has(path.join('\u0000'))) consider(2)
  return rank
}

/** Heading paths that count as the document header: the title, and a deal heading right under it. */
function headerPathsOf(markdown: MarkdownRecords): { paths: Set<string>; title: string | null; dealHeadings: string[] } {
  const records = [...markdown.fields.map((f) => ({ line: f.line, path: f.headingPath })), ...markdown.tables.map((t) => ({ line: t.line, path: t.headingPath }))]
  records.sort((a, b) => a.line - b.line)
  // The first top-level heading is the title when every record sits under it, or when it does not read
  // as a section name: a document without a `#` title starts with a section (`## DEAL_METADATA`).
  const first = records.find((r) => r.path.length > 0)?.path[0] ?? null
  const shared = first !== null && records.every((r) => r.path.length === 0 || r.path[0] === first)
  const title = first !== null && (shared || !SECTION_WORDS.test(normalizeLabel(first))) ? first : null
  const paths = new Set<string>([''])
  if (title !== null) paths.add(title)
  const dealHeadings: string[] = []
  for (const { path } of records) {
    const heading = path[1]
    if (path.length !== 2 || heading === undefined || dealHeadings.includes(heading)) continue
    if (parseMoney(heading) !== null && (projectName(heading) !== null || DEAL_WORDS.test(heading))) {
      dealHeadings.push(heading)
      paths.add(path.join('\u0000'))
    }
  }
  return { paths, title, dealHeadings }
}

/** Read the deal facts of a document. Marks the key/value and parties tables it takes as typed. */
export function readDealFacts(markdown: MarkdownRecords, records: TypedRecords, precedence: number): DealFacts {
  const { paths, title, dealHeadings } = headerPathsOf(markdown)
  const entries: DealEntry[] = []
  const metadata: Record<string, string> = {}
  const partyExtras: Array<{ label: string; value: string; rank: number; line: number }> = []

  for (const table of markdown.tables) {
    const rank = sectionRank(table.headingPath, paths)
    if (rank === null) continue
    if (readKeyValueTable(table, rank === 1 ? 0 : rank, entries, partyExtras)) markTyped(records, table.ordinal)
  }
  const header: FieldRecord[] = []
  for (const field of markdown.fields) {
    const rank = sectionRank(field.headingPath, paths)
    if (paths.has(field.headingPath.join('\u0000'))) header.push(field)
    if (rank === null || field.value.trim() === '') continue
    entries.push({ label: field.key, value: field.value, line: field.line, rank })
  }
  entries.sort((a, b) => a.rank - b.rank || a.line - b.line)

  // Each column takes its most authoritative entry (rank, then label order); for a value and a date,
  // the most authoritative one that reads, so `Deal Value | undisclosed` leaves room for `Purchase Price | $2.4B`.
  const readable: Partial<Record<SessionColumn, (entry: DealEntry) => boolean>> = {
    deal_value: (entry) => entryMoney(entry) !== null,
    closing_date: (entry) => findDate(entry.value)?.date != null,
  }
  const picked: Partial<Record<SessionColumn, DealEntry>> = {}
  for (const [column, labels] of Object.entries(SESSION_LABELS) as Array<[SessionColumn, readonly string[]]>) {
    const candidates = entries
      .map((entry) => ({ entry, index: labelIndex(entry.label, labels) }))
      .filter(({ entry, index }) => index >= 0 && textValue(entry.value) !== null)
      .sort((a, b) => a.entry.rank * 100 + a.index - (b.entry.rank * 100 + b.index))
    const reads = readable[column]
    const best = (reads === undefined ? undefined : candidates.find(({ entry }) => reads(entry))) ?? candidates[0]
    if (best !== undefined) picked[column] = best.entry
  }

  const values: Record<string, ColumnValue> = {
    matter_name: null, deal_value: null, deal_value_low: null, deal_value_high: null, deal_value_raw: null,
    closing_date: null, closing_date_precision: null, closing_date_raw: null,
    acquirer: null, target: null, transaction_type: null, complexity: null,
  }
  /** Keep a value's full text in metadata when its column took only part of it. */
  const keepWhole = (entry: DealEntry, taken: string | null): void => {
    const whole = entry.value.trim()
    if (taken !== null && taken.toLowerCase() !== whole.toLowerCase() && !(entry.label in metadata)) metadata[entry.label] = whole
  }
  const used = new Set(Object.values(picked))

  if (picked.matter_name) {
    values.matter_name = matterName(picked.matter_name.value)
    keepWhole(picked.matter_name, values.matter_name as string)
  }
  if (picked.deal_value) {
    const entry = picked.deal_value
    values.deal_value_raw = entry.value
    const money = entryMoney(entry)
    if (money === null) miss(records, 'sessions', 'deal_value', entry.value, entry.line)
    else setMoney(values, money, metadata)
  }
  if (picked.closing_date) {
    const entry = picked.closing_date
    values.closing_date_raw = entry.value
    const date = dateValue(records, 'sessions', 'closing_date', entry.value, entry.line)
    values.closing_date = date?.date ?? null
    values.closing_date_precision = date?.precision ?? null
  }
  for (const column of ['acquirer', 'target'] as const) {
    const entry = picked[column]
    if (!entry) continue
    values[column] = entityName(entry.value)
    keepWhole(entry, values[column] as string)
  }
  if (picked.transaction_type) values.transaction_type = textValue(picked.transaction_type.value)
  if (picked.complexity) {
    values.complexity = complexityLevel(picked.complexity.value)
    keepWhole(picked.complexity, values.complexity as string | null)
  }

  // Prose that may name the deal when no label does: the title, a deal heading, the query line.
  // A deal is named at the start; the cut bounds the lazy party patterns on pathological lines.
  const prose: string[] = []
  if (picked.matter_name) prose.push(picked.matter_name.value)
  if (title !== null) prose.push(title)
  prose.push(...dealHeadings)
  for (const entry of entries) if (entry.rank <= 2 && labelIndex(entry.label, DESCRIPTION_LABELS) >= 0) prose.push(entry.value)
  const descriptions = prose.map((text) => text.slice(0, PROSE_LIMIT))

  if (values.matter_name === null) values.matter_name = fallbackMatter(title, dealHeadings, descriptions)
  for (const text of descriptions) {
    if (values.acquirer !== null && values.target !== null) break
    const parties = partiesInProse(text)
    values.acquirer ??= parties.acquirer
    values.target ??= parties.target
  }
  if (values.deal_value === null && values.deal_value_low === null) {
    for (const text of descriptions) {
      const money = dealMoney(text)
      if (money === null) continue
      values.deal_value_raw = money.raw
      setMoney(values, money, metadata)
      break
    }
  }

  for (const entry of entries) {
    if (used.has(entry) || entry.label in metadata) continue
    metadata[entry.label] = entry.value
  }
  for (const extra of partyExtras.sort((a, b) => a.rank - b.rank || a.line - b.line)) {
    metadata[extra.label] = extra.label in metadata ? `${metadata[extra.label]}; ${extra.value}` : extra.value
  }

  const hasValue = Object.values(values).some((value) => value !== null)
  if (!hasValue && Object.keys(metadata).length === 0) return { session: null, picked, header }
  const lines = Object.values(picked).map((entry) => entry.line)
  const line = picked.matter_name?.line ?? picked.deal_value?.line ?? (lines.length > 0 ? Math.min(...lines) : (header[0]?.line ?? null))
  return { session: { precedence, line, values, metadata }, picked, header }
}

/** Set the deal value columns from money; a non-USD currency is noted in metadata. */
function setMoney(values: Record<string, ColumnValue>, money: Money, metadata: Record<string, string>): void {
  values.deal_value = money.value
  values.deal_value_low = money.low
  values.deal_value_high = money.high
  if (money.currency !== 'USD') metadata['Deal Value Currency'] = money.currency
}

/** A matter name from prose: a `Project X`, else the lead clause of a deal description, else the title's subtitle. */
function fallbackMatter(title: string | null, dealHeadings: readonly string[], descriptions: readonly string[]): string | null {
  for (const text of descriptions) {
    const project = projectName(text)
    if (project !== null) return project
  }
  for (const text of [...dealHeadings, ...descriptions.filter((d) => d !== title)]) {
    const lead = leadClause(text)
    if (lead !== '' && (DEAL_WORDS.test(lead) || parseMoney(lead) !== null)) return lead.length > 200 ? `${lead.slice(0, 197)}...` : lead
  }
  if (title !== null) {
    const parts = title.split(SEPARATOR)
    const subtitle = parts.length > 1 ? cleanHeading(parts.slice(1).join(' - '), { aside: 'drop' }) : ''
    // A session id or date after the title (`ORCHESTRATOR STATE — 2026-01-22-1737576000`) is no matter name.
    const named = /\p{L}/u.test(subtitle) && !/^\d{4}-\d{2}-\d{2}/.test(subtitle)
    if (named && !GENERIC_TITLE.test(normalizeLabel(subtitle))) return subtitle
  }
  return null
}

/**
 * Read a Field|Value or Role|Entity table into entries. Returns whether the
 * table had that shape (and so was taken).
 */
function readKeyValueTable(
  table: TableRecord,
  rank: number,
  entries: DealEntry[],
  partyExtras: Array<{ label: string; value: string; rank: number; line: number }>,
): boolean {
  const parties = mapColumns(table.headers, PARTIES)
  const roleHeader = parties.columns.role
  const entityHeader = parties.columns.entity
  if (roleHeader !== undefined && entityHeader !== undefined) {
    for (const row of table.rows) {
      const role = row.cells[roleHeader]?.trim() ?? ''
      const entity = row.cells[entityHeader]?.trim() ?? ''
      if (role === '') continue
      if (entity !== '') entries.push({ label: role, value: entity, line: row.line, rank })
      for (const header of parties.unmapped) {
        const text = row.cells[header]?.trim()
        if (text) partyExtras.push({ label: `${role} ${header}`, value: text, rank, line: row.line })
      }
    }
    return true
  }
  const pairs = mapColumns(table.headers, KEY_VALUE)
  let keyHeader = pairs.columns.key
  let valueHeader = pairs.columns.value
  // Any two-column table of a deal section is a key/value table; above the first section (which may be
  // a hand-off section when the document has no title) only one whose headers say so.
  const inSection = rank !== 2
  if ((keyHeader === undefined || valueHeader === undefined) && inSection && table.headers.length === 2) [keyHeader, valueHeader] = table.headers
  if (keyHeader === undefined || valueHeader === undefined) return false
  for (const row of table.rows) {
    const label = row.cells[keyHeader]?.trim() ?? ''
    if (label === '') continue
    const value = row.cells[valueHeader]?.trim() ?? ''
    if (value !== '') entries.push({ label, value, line: row.line, rank })
    for (const header of table.headers) {
      if (header === keyHeader || header === valueHeader) continue
      const text = row.cells[header]?.trim()
      if (text) partyExtras.push({ label: `${label} (${header})`, value: text, rank, line: row.line })
    }
  }
  return true
}
