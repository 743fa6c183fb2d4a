/**
 * The hand-off tables of `orchestrator-state.md`, written by the research
 * review gate for the validation agents: EXPECTED_SECTIONS, EXTRACTED_FACTS,
 * EXECUTION_INVENTORY and QUANTIFIED_EXPOSURES. Each may sit under `##` or
 * `###`, carry a suffix (`(For fact-validator V1.2)`), and be split into one
 * table per category under sub-headings (`### Date Facts`), in which case the
 * sub-heading gives the category.
 */
import { isNullLike, parseCount, parseDateValue, parseMoney, parsePercent } from '../normalize/index.js'
import type { MarkdownRecords } from '../types.js'
import { mergeRestated } from './fact-merge.js'
import { categoryOf } from './heading-text.js'
import {
  confidenceText,
  countValue,
  isSummaryLabel,
  miss,
  moneyValue,
  newRow,
  percentValue,
  sameLabel,
  sectionTables,
  statusValue,
  textValue,
  typeTable,
  type RowValues,
  type SectionSpec,
} from './research-typed-rows.js'
import { pushRows, type TypedRecords } from './types.js'

const EXPECTED_SECTION: SectionSpec = {
  aliases: ['expected sections', 'expected section ids', 'planned sections', 'memo sections', 'memorandum sections', 'section plan'],
}
/** Used only when a document has no expected-sections table: the coverage matrix repeats the same sections. */
const COVERAGE_SECTION: SectionSpec = { aliases: ['section coverage matrix', 'section coverage', 'coverage matrix'] }
const SECTION_ID_KEYS = ['expected section ids', 'expected sections', 'section ids', 'expected section list']
const SECTION_COLUMNS = {
  section_id: ['section id', 'section', 'id', '#', 'section no', 'section number', 'ref'],
  section_name: ['section name', 'name', 'title', 'section title', 'topic', 'heading'],
  primary_report: ['primary report', 'primary source', 'primary', 'primary specialist', 'source report', 'report'],
  secondary_reports: ['secondary reports', 'secondary report', 'secondary sources', 'secondary', 'supporting reports'],
  coverage: ['coverage', 'coverage level'],
  coverage_status: ['coverage status', 'status'],
}

const FACT_SECTION: SectionSpec = { aliases: ['extracted facts', 'key facts', 'fact extraction', 'facts extracted', 'pre extracted facts'] }
const FACT_COLUMNS = {
  category: ['category', 'fact category', 'fact type', 'type'],
  fact: ['fact', 'fact name', 'item', 'metric', 'name', 'parameter', 'field', 'description'],
  value: ['value', 'canonical value', 'fact value', 'current value', 'amount', 'figure', 'data'],
  source_report: ['source report', 'source reports', 'source', 'sources', 'source document', 'report'],
  section: ['section', 'source section', 'location', 'source location', 'reference'],
  confidence: ['confidence', 'confidence level', 'certainty', 'reliability'],
}

const INVENTORY_SECTION: SectionSpec = {
  aliases: ['execution inventory', 'report inventory', 'specialist inventory', 'executed reports', 'inventory'],
}
const INVENTORY_COLUMNS = {
  specialist_id: ['specialist id', 'specialist', 'id', 'task id', 'agent', 'specialist agent'],
  report_file: ['report file', 'report', 'file', 'output file', 'report path', 'filename', 'file name'],
  word_count: ['word count', 'estimated word count', 'est word count', 'words', 'length'],
  complete: ['complete', 'completed', 'done', 'completion', 'status'],
  domains: ['domains covered', 'domains', 'coverage', 'topics', 'areas covered', 'scope'],
  gaps: ['key gaps', 'gaps', 'gaps identified', 'known gaps', 'open gaps'],
}

const EXPOSURE_SECTION: SectionSpec = {
  aliases: ['quantified exposures', 'quantified risks', 'risk exposures', 'exposure register', 'financial exposures', 'exposures'],
}
const EXPOSURE_COLUMNS = {
  category: ['category', 'domain', 'risk category', 'area', 'type'],
  exposure_id: ['#', 'id', 'exposure id', 'risk id', 'finding id', 'no', 'ref'],
  finding: ['finding', 'risk', 'exposure name', 'issue', 'item', 'title', 'description', 'exposure item'],
  gross: ['gross exposure', 'exposure gross', 'gross', 'exposure', 'gross amount', 'amount', 'exposure range', 'potential exposure'],
  probability: ['probability', 'likelihood', 'prob', 'chance'],
  weighted: ['weighted', 'weighted exposure', 'probability weighted', 'expected value', 'weighted amount', 'risk weighted', 'ev'],
  method: ['method', 'methodology', 'valuation method', 'approach', 'calculation'],
  source_report: ['source report', 'source', 'source reports', 'report'],
  timeline: ['timeline', 'timing', 'time horizon', 'horizon'],
}

/** Read the four hand-off tables into typed rows. */
export function readHandoffTables(markdown: MarkdownRecords, records: TypedRecords): void {
  readExpectedSections(markdown, records)
  readExtractedFacts(markdown, records)
  readInventory(markdown, records)
  readExposures(markdown, records)
}

/** `full`, `partial` or `none` for a coverage cell (`✅ Full`, `⚠️ PARTIAL`, `❌ Missing`), else null. */
function coverageStatus(text: string | null): string | null {
  if (text === null) return null
  if (/❌|\bnone\b|\bmissing\b|\bnot covered\b|\buncovered\b|\bno coverage\b|\bgap\b/i.test(text)) return 'none'
  if (/⚠|\bpartial(?:ly)?\b|\blimited\b/i.test(text)) return 'partial'
  if (/✅|✔|\bfull(?:y)?\b|\bcomplete\b|\bcovered\b/i.test(text)) return 'full'
  return null
}

function readExpectedSections(markdown: MarkdownRecords, records: TypedRecords): void {
  const build = (get: (key: string) => string | null): RowValues<'expected_sections'> | null => {
    const id = textValue(get('section_id'))
    const name = textValue(get('section_name'))
    if (id === null && name === null) return null
    const coverage = textValue(get('coverage'))
    return {
      section_id: id,
      section_name: name,
      primary_report: textValue(get('primary_report')),
      secondary_reports: textValue(get('secondary_reports')),
      coverage,
      coverage_status: coverageStatus(textValue(get('coverage_status')) ?? coverage),
    }
  }
  let added = 0
  for (const spec of [EXPECTED_SECTION, COVERAGE_SECTION]) {
    if (added > 0) break
    for (const { table } of sectionTables(markdown.tables, spec)) {
      added += typeTable(records, table, {
        table: 'expected_sections',
        synonyms: SECTION_COLUMNS,
        requires: [['section_id', 'section_name']],
        build,
      })
    }
  }
  if (added > 0) return
  // No table: the id list `**EXPECTED_SECTION_IDS:** ["IV.A", "IV.B"]` still names the sections.
  for (const field of markdown.fields) {
    if (!sameLabel(field.key, SECTION_ID_KEYS)) continue
    const quoted = [...field.value.matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) => (m[1] ?? m[2] ?? '').trim())
    const ids = quoted.length > 0 ? quoted : field.value.replace(/^\[|\]$/g, '').split(/\s*,\s*/)
    const rows = ids
      .map((id) => id.trim())
      .filter((id) => id !== '' && !isNullLike(id))
      .map((id) => newRow('expected_sections', field.line, { section_id: id }, null, field.raw))
    pushRows(records, 'expected_sections', rows)
    if (rows.length > 0) return
  }
}

const NUMBER_FIRST = /^\s*(?:[~≈+\-−(]|approx(?:imately|\.)?\s|about\s|around\s|usd\b|eur\b|gbp\b|[$€£¥]|\d)/i
const DATE_CATEGORY = /\b(?:dates?|timeline|timelines|deadlines?|schedule|milestones?)\b/i
const DATE_LIKE =
  /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\bQ[1-4]\b|\bH[12]\s+\d{4}|\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/i

/** Numbers and dates a fact's value holds: money, a percentage (as a fraction), a date, or a count. */
function factNumbers(
  records: TypedRecords,
  raw: string | null,
  category: string | null,
  line: number,
): RowValues<'extracted_facts'> {
  const none = { value_number: null, value_low: null, value_high: null, value_date: null, value_date_precision: null }
  if (raw === null || isNullLike(raw)) return none
  const wantsDate = category !== null && DATE_CATEGORY.test(category)
  if (wantsDate || DATE_LIKE.test(raw)) {
    const date = parseDateValue(raw)
    if (date !== null && date.date !== null) return { ...none, value_date: date.date, value_date_precision: date.precision }
  }
  // Only a value that opens with a number is one (`State Street Bank ($40.8B assets)` is a name).
  if (!NUMBER_FIRST.test(raw)) return none
  const percentFirst = /^[^$€£¥\d]*\d[\d,.]*(?:\s*(?:[-–]|to)\s*\d[\d,.]*)?\s*(?:%|percent\b)/i.test(raw)
  if (!percentFirst && /[$€£¥]|\b(?:usd|eur|gbp)\b/i.test(raw)) {
    const money = parseMoney(raw)
    if (money !== null) return { ...none, value_number: money.value, value_low: money.low, value_high: money.high }
  }
  if (percentFirst) {
    const percent = parsePercent(raw)
    if (percent !== null) return { ...none, value_number: percent.value, value_low: percent.low, value_high: percent.high }
  }
  const count = parseCount(raw)
  if (count !== null && count.value !== null) return { ...none, value_number: count.value, value_low: count.value, value_high: count.value }
  // A value that opens like a number but reads as none of them is worth a look.
  if (/^\s*[~≈+-]?\s*[$€£¥]?\d/.test(raw) && !/^\s*\d{1,4}\s*[-–]\s*\d/.test(raw)) miss(records, 'extracted_facts', 'value', raw, line)
  return none
}

function readExtractedFacts(markdown: MarkdownRecords, records: TypedRecords): void {
  for (const { table, at } of sectionTables(markdown.tables, FACT_SECTION)) {
    const sub = table.headingPath[at + 1]
    if (sub !== undefined && isSummaryLabel(sub)) continue
    const subCategory = sub === undefined ? null : categoryOf([sub], { aside: 'drop', without: ['facts', 'fact', 'values', 'names'] })
    typeTable(records, table, {
      table: 'extracted_facts',
      synonyms: FACT_COLUMNS,
      requires: [['fact'], ['value']],
      build: (get, line) => {
        const fact = textValue(get('fact'))
        const value = textValue(get('value'))
        if (fact === null && value === null) return null
        const category = textValue(get('category')) ?? subCategory
        return {
          category,
          fact,
          value,
          ...factNumbers(records, value, category, line),
          source_report: textValue(get('source_report')),
          section: textValue(get('section')),
          confidence: confidenceText(get('confidence')),
        }
      },
    })
  }
  // A fact two tables state with one value is one row counting both; another value is another row.
  const facts = records.rows.extracted_facts
  if (facts !== undefined) records.rows.extracted_facts = mergeRestated(facts, { name: 'fact', value: 'value', key: 'fact_key' })
}

function readInventory(markdown: MarkdownRecords, records: TypedRecords): void {
  for (const { table } of sectionTables(markdown.tables, INVENTORY_SECTION)) {
    typeTable(records, table, {
      table: 'execution_inventory',
      synonyms: INVENTORY_COLUMNS,
      requires: [['specialist_id', 'report_file'], ['word_count', 'complete', 'domains']],
      build: (get, line) => {
        const specialist = textValue(get('specialist_id'))
        const report = textValue(get('report_file'))
        if (specialist === null && report === null) return null
        const words = get('word_count')
        const complete = get('complete')
        return {
          specialist_id: specialist,
          report_file: report,
          word_count: countValue(records, 'execution_inventory', 'word_count', words, line)?.value ?? null,
          word_count_raw: textValue(words),
          // A status when the cell names one (`✅` → complete), else the cell as written (`YES`).
          complete: complete === null ? null : (statusValue(records, 'execution_inventory', 'complete', complete, line) ?? textValue(complete)),
          domains: textValue(get('domains')),
          gaps: textValue(get('gaps')),
        }
      },
    })
  }
}

function readExposures(markdown: MarkdownRecords, records: TypedRecords): void {
  for (const { table, at } of sectionTables(markdown.tables, EXPOSURE_SECTION)) {
    const sub = table.headingPath[at + 1]
    if (sub !== undefined && isSummaryLabel(sub)) continue
    const subCategory = sub === undefined ? null : categoryOf([sub], { aside: 'drop', without: ['exposures', 'exposure', 'risks'] })
    typeTable(records, table, {
      table: 'quantified_exposures',
      synonyms: EXPOSURE_COLUMNS,
      requires: [['finding'], ['gross', 'weighted']],
      build: (get, line) => {
        const finding = textValue(get('finding'))
        if (finding === null) return null
        const gross = moneyValue(records, 'quantified_exposures', 'gross_exposure_raw', get('gross'), line)
        const probability = percentValue(records, 'quantified_exposures', 'probability_raw', get('probability'), line)
        const weighted = moneyValue(records, 'quantified_exposures', 'weighted_raw', get('weighted'), line)
        return {
          category: textValue(get('category')) ?? subCategory,
          exposure_id: textValue(get('exposure_id')),
          finding,
          gross_exposure_raw: textValue(get('gross')),
          gross_low: gross?.low ?? null,
          gross_high: gross?.high ?? null,
          probability_raw: textValue(get('probability')),
          probability_low: probability?.low ?? null,
          probability_high: probability?.high ?? null,
          weighted_raw: textValue(get('weighted')),
          weighted_low: weighted?.low ?? null,
          weighted_high: weighted?.high ?? null,
          method: textValue(get('method')),
          source_report: textValue(get('source_report')),
          timeline: textValue(get('timeline')),
        }
      },
    })
  }
}
