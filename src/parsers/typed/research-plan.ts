/**
 * Typed records of `research-plan.md`: the plan itself (query, complexity,
 * transaction value and type, output targets), the deal facts of the session,
 * LEGAL DOMAINS IDENTIFIED, CRITICAL ISSUES CHECKLIST, SPECIALIST ASSIGNMENTS
 * (a table, or one `### 1. Statutory Law Analyst` section per specialist) and
 * the REFINEMENT LOG.
 */
import type { FieldRecord, MarkdownRecords } from '../types.js'
import { readKind } from '../../kinds/engine.js'
import { DOMAIN_SECTION, researchPlan } from '../../kinds/research-plan.js'
import { cleanHeading } from './heading-text.js'
import { readDealFacts, type DealFacts } from './research-deal-facts.js'
import {
  findDate,
  headingNumber,
  isSummaryLabel,
  labelIndex,
  markTyped,
  moneyValue,
  newRow,
  rawFields,
  sectionFields,
  sectionTables,
  severityText,
  statusValue,
  textValue,
  typeTable,
  type SectionSpec,
  type TableSpec,
} from './research-typed-rows.js'
import { emptyTyped, pushRows, type TypedRecords, type TypedRow } from './types.js'

/** Higher than the orchestrator's: orchestrator-state.md states the deal after review. */
const PRECEDENCE = 1

const QUERY_LABELS = ['query', 'research query', 'original query', 'user query', 'client query', 'request']
const CREATED_LABELS = ['created', 'created at', 'date created', 'creation date', 'plan created', 'generated', 'generated at', 'date']

const OUTPUT_SECTION: SectionSpec = {
  aliases: ['output targets', 'output target', 'output requirements', 'expected outputs', 'deliverable targets', 'deliverables'],
}

const ISSUE_SECTION: SectionSpec = {
  aliases: ['critical issues checklist', 'critical issue checklist', 'critical issues', 'key issues checklist', 'key issues'],
  // Review sections re-list the checklist with its resolution (`Critical Issues Checklist Verification`).
  exclude: ['verification', 'coverage', 'status', 'resolution', 'addressed', 'findings', 'summary', 'requiring'],
}
const ISSUE_COLUMNS = {
  ordinal: ['#', 'no', 'number', 'id'],
  issue: ['critical issue', 'issue', 'key issue', 'issue description', 'risk', 'item', 'description'],
  domain: ['domain', 'area', 'category', 'legal domain'],
  why_critical: ['why critical', 'why it matters', 'rationale', 'significance', 'impact', 'reason', 'why'],
  expected_exposure: ['expected exposure', 'exposure', 'estimated exposure', 'potential exposure', 'financial exposure', 'quantum', 'amount'],
}

const ASSIGNMENT_SECTION: SectionSpec = {
  aliases: ['specialist assignments', 'specialist assignment', 'task assignments', 'specialist tasks', 'research tasks', 'subagent assignments', 'agent assignments', 'assignments'],
}
const COMPLETION_SECTION: SectionSpec = {
  aliases: ['specialist completion summary', 'specialist completion', 'specialist completion status', 'report inventory', 'specialist report inventory', 'research completion summary'],
}
const ASSIGNMENT_COLUMNS = {
  task_id: ['id', 'task id', '#', 'task no', 'no', 'ref'],
  specialist_type: ['specialist', 'specialist type', 'agent', 'assigned to', 'specialist agent', 'subagent', 'analyst', 'owner'],
  task_description: ['task description', 'description', 'task', 'scope', 'assignment', 'research focus', 'focus', 'objective'],
  execution_mode: ['execution', 'execution mode', 'mode', 'sequencing', 'run mode'],
  priority: ['priority', 'importance', 'tier'],
  status: ['status', 'state', 'progress'],
  // A report file names its specialist when no column does (`tax-structure-analyst-report.md`).
  report: ['report', 'report file', 'deliverable'],
}
/** Labels of the fields of one per-specialist section (`- **Scope:** ...`). */
const ASSIGNMENT_FIELDS = {
  task_id: ['id', 'task id', 'task no'],
  specialist_type: ['specialist', 'specialist type', 'agent', 'assigned to', 'subagent'],
  task_description: ['scope', 'task', 'task description', 'description', 'focus', 'research focus', 'assignment', 'objective', 'mandate'],
  execution_mode: ['execution', 'execution mode', 'mode'],
  priority: ['priority'],
  status: ['status', 'state'],
}
// Sub-sections of an assignments section that are no specialist (`### Specialist-Specific Instructions`).
const NOT_A_SPECIALIST = /\b(?:instructions?|guidance|notes?|dependencies|sequencing|coordination|overview|summary|execution order)\b/i

const REFINEMENT_SECTION: SectionSpec = {
  aliases: ['refinement log', 'refinements', 'plan refinements', 'change log', 'changelog', 'revision history', 'plan updates', 'amendments'],
}
const REFINEMENT_COLUMNS = {
  entry_time: ['timestamp', 'time', 'date', 'when', 'datetime', 'entry time', 'iteration', 'version', 'round'],
  entry: ['entry', 'change', 'refinement', 'update', 'description', 'action', 'modification', 'what changed', 'summary'],
  reason: ['reason', 'rationale', 'trigger', 'why', 'justification', 'cause'],
}
// A refinement entry written as a field: `**Iteration 0 — Initial Plan:**`, `**Refinement 2 (T3 complete):**`.
const ENTRY_KEY = /^(?:iteration|refinement|update|entry|revision|version|round|change|amendment)\b/i

/** Typed records of a research-plan document: its kind's shapes, then the rest. Pure; never throws. */
export function parseResearchPlan(markdown: MarkdownRecords): TypedRecords {
  return readKind(researchPlan, { name: 'research-plan.md', relPath: 'research-plan.md', markdown, json: null })
}

/**
 * What a research plan's declared shapes cannot say, added to the records
 * they made (its domain tables): the kind's hook.
 */
export function readResearchPlan(markdown: MarkdownRecords, records: TypedRecords): TypedRecords {
  const deal = readDealFacts(markdown, records, PRECEDENCE)
  records.session = deal.session
  readPlan(markdown, records, deal)
  readDomains(markdown, records)
  readCriticalIssues(markdown, records)
  readAssignments(markdown, records)
  readRefinementLog(markdown, records)
  records.typedTables.sort((a, b) => a - b)
  return records
}

/** The research_plans row: header fields, the deal value the session took, and the output targets. */
function readPlan(markdown: MarkdownRecords, records: TypedRecords, deal: DealFacts): void {
  const headerField = (labels: readonly string[]): FieldRecord | undefined =>
    deal.header.find((field) => labelIndex(field.key, labels) >= 0 && field.value.trim() !== '')
  const query = headerField(QUERY_LABELS)
  const created = headerField(CREATED_LABELS)
  const session = deal.session?.values ?? {}

  const targets: Array<Record<string, string>> = []
  let targetLine: number | null = null
  for (const { table } of sectionTables(markdown.tables, OUTPUT_SECTION)) {
    for (const row of table.rows) targets.push({ ...row.cells })
    targetLine ??= table.line
    markTyped(records, table.ordinal)
  }
  if (targets.length === 0) {
    for (const { field } of sectionFields(markdown.fields, OUTPUT_SECTION)) {
      targets.push({ Deliverable: field.key, Target: field.value })
      targetLine ??= field.line
    }
  }

  const createdDate = created === undefined ? null : findDate(created.value)
  const values = {
    query_text: textValue(query?.value),
    complexity: textValue(deal.picked.complexity?.value),
    transaction_value: typeof session.deal_value === 'number' ? session.deal_value : null,
    transaction_value_raw: typeof session.deal_value_raw === 'string' ? session.deal_value_raw : null,
    transaction_type: textValue(deal.picked.transaction_type?.value),
    output_targets: targets.length > 0 ? targets : null,
    created: createdDate?.date != null && (createdDate.precision === 'instant' || createdDate.precision === 'day') ? createdDate.date : textValue(created?.value),
  }
  if (Object.values(values).every((value) => value === null)) return
  const used = [query, created, deal.picked.complexity, deal.picked.transaction_type, deal.picked.deal_value]
  const lines = used.flatMap((source) => (source === undefined ? [] : [source.line]))
  const line = query?.line ?? (lines.length > 0 ? Math.min(...lines) : targetLine)
  pushRows(records, 'research_plans', [newRow('research_plans', line, values, null, rawFields(deal.header))])
}

function readDomains(markdown: MarkdownRecords, records: TypedRecords): void {
  // Domain tables are the kind's declared shape (src/kinds/research-plan.ts); a list is read only when there is none.
  if ((records.rows.legal_domains?.length ?? 0) > 0) return
  // A list of `- **Domain:** scope` items instead of a table.
  const rows: TypedRow[] = []
  for (const { field } of sectionFields(markdown.fields, DOMAIN_SECTION)) {
    const item = /^\s*(?:[-*+]|(\d+)[.)])\s/.exec(field.raw)
    if (!item) continue
    rows.push(newRow('legal_domains', field.line, { ordinal: item[1] ?? null, domain: field.key, scope: textValue(field.value) }, null, field.raw))
  }
  pushRows(records, 'legal_domains', rows)
}

function readCriticalIssues(markdown: MarkdownRecords, records: TypedRecords): void {
  for (const { table } of sectionTables(markdown.tables, ISSUE_SECTION)) {
    typeTable(records, table, {
      table: 'critical_issues',
      synonyms: ISSUE_COLUMNS,
      requires: [['issue']],
      build: (get, line) => {
        const issue = textValue(get('issue'))
        if (issue === null) return null
        const exposureText = textValue(get('expected_exposure'))
        // Qualitative exposures (`Deal-blocking`, `Timeline risk`) are no failed reading: only text with a number can miss.
        const exposure = exposureText !== null && /\d/.test(exposureText)
          ? moneyValue(records, 'critical_issues', 'expected_exposure_raw', exposureText, line)
          : null
        return {
          ordinal: textValue(get('ordinal')),
          issue,
          domain: textValue(get('domain')),
          why_critical: textValue(get('why_critical')),
          expected_exposure_raw: exposureText,
          exposure_low: exposure?.low ?? null,
          exposure_high: exposure?.high ?? null,
        }
      },
    })
  }
}

function readAssignments(markdown: MarkdownRecords, records: TypedRecords): void {
  let added = 0
  for (const { table, at } of sectionTables(markdown.tables, ASSIGNMENT_SECTION)) {
    const sub = table.headingPath[at + 1]
    if (sub !== undefined && NOT_A_SPECIALIST.test(sub)) continue
    added += typeTable(records, table, assignmentTable(records))
  }
  if (added === 0) readSpecialistSections(markdown, records)
  if ((records.rows.specialist_assignments?.length ?? 0) === 0) readCompletionTables(markdown, records)
}

/**
 * Specialists a plan lists only in its review (`### Specialist Completion
 * Summary`, `### Report Inventory`): some plans are cut short where their
 * assignment table was, and the review's table is then all that names the
 * specialists. Its status was written after the research, so it is evidence,
 * not a stale mark. The first such table is taken. A report file names its specialist
 * (`tax-structure-analyst-report.md` → `tax-structure-analyst`).
 */
function readCompletionTables(markdown: MarkdownRecords, records: TypedRecords): void {
  // The first table that names specialists is the list; a later inventory of the same reports would list them twice.
  for (const { table } of sectionTables(markdown.tables, COMPLETION_SECTION)) {
    if ((records.rows.specialist_assignments?.length ?? 0) > 0) return
    typeTable(records, table, assignmentTable(records))
  }
}

/** How an assignment table's rows become `specialist_assignments` rows. */
function assignmentTable(records: TypedRecords): TableSpec<'specialist_assignments'> {
  return {
    table: 'specialist_assignments',
    synonyms: ASSIGNMENT_COLUMNS,
    requires: [['specialist_type', 'task_description', 'report'], ['task_id', 'specialist_type', 'report']],
    keep: ['report'],
    build: (get, line) => {
      const taskId = textValue(get('task_id'))
      const report = textValue(get('report'))
      const specialist = textValue(get('specialist_type')) ?? (report === null ? null : specialistOfReport(report))
      const description = textValue(get('task_description'))
      if (taskId === null && specialist === null && description === null) return null
      const status = get('status')
      return {
        task_id: taskId,
        specialist_type: specialist,
        task_description: description,
        execution_mode: textValue(get('execution_mode')),
        priority: severityText(get('priority')),
        status: statusValue(records, 'specialist_assignments', 'status', status, line),
        status_raw: status,
      }
    },
  }
}

function specialistOfReport(report: string): string | null {
  const name = /([\w.-]+?)(?:-report)?\.md\b/i.exec(report)?.[1]
  return name === undefined ? null : name
}

/** One assignment per sub-heading of the assignments section (`### 1. Statutory Law Analyst` with `- **Scope:**` fields). */
function readSpecialistSections(markdown: MarkdownRecords, records: TypedRecords): void {
  const sections = new Map<string, FieldRecord[]>()
  for (const { field, at } of sectionFields(markdown.fields, ASSIGNMENT_SECTION)) {
    const heading = field.headingPath[at + 1]
    if (heading === undefined || NOT_A_SPECIALIST.test(heading) || isSummaryLabel(heading)) continue
    const list = sections.get(heading) ?? []
    list.push(field)
    sections.set(heading, list)
  }
  const rows: TypedRow[] = []
  for (const [heading, fields] of sections) {
    const taken: Partial<Record<keyof typeof ASSIGNMENT_FIELDS, FieldRecord>> = {}
    const extra: Record<string, string> = {}
    for (const field of fields) {
      const column = (Object.keys(ASSIGNMENT_FIELDS) as Array<keyof typeof ASSIGNMENT_FIELDS>).find(
        (key) => taken[key] === undefined && labelIndex(field.key, ASSIGNMENT_FIELDS[key]) >= 0,
      )
      if (column !== undefined && field.value.trim() !== '') taken[column] = field
      else if (field.value.trim() !== '') extra[field.key] = field.key in extra ? `${extra[field.key]}\n${field.value}` : field.value
    }
    const tid = /\b(T\d+[a-z]?)\b/.exec(heading)?.[1] ?? null
    // `### 1. Statutory Law Analyst` names the specialist; `### T3 (financial-analyst)` names it in the aside.
    const bare = cleanHeading(heading, { aside: 'drop' }).replace(/^T\d+[a-z]?\s*[:.)—–-]?\s*/, '').trim()
    const name = bare !== '' ? bare : (/\(([^()]+)\)\s*$/.exec(heading)?.[1]?.trim() ?? '')
    const line = Math.min(...fields.map((field) => field.line))
    const status = taken.status?.value ?? null
    rows.push(
      newRow('specialist_assignments', line, {
        task_id: textValue(taken.task_id?.value) ?? tid ?? headingNumber(heading),
        specialist_type: textValue(taken.specialist_type?.value) ?? (name === '' ? null : name),
        task_description: textValue(taken.task_description?.value),
        execution_mode: textValue(taken.execution_mode?.value),
        priority: severityText(taken.priority?.value ?? null),
        status: statusValue(records, 'specialist_assignments', 'status', status, taken.status?.line ?? line),
        status_raw: status,
      }, extra, rawFields(fields)),
    )
  }
  pushRows(records, 'specialist_assignments', rows)
}

function readRefinementLog(markdown: MarkdownRecords, records: TypedRecords): void {
  let added = 0
  for (const { table } of sectionTables(markdown.tables, REFINEMENT_SECTION)) {
    added += typeTable(records, table, {
      table: 'refinement_log',
      synonyms: REFINEMENT_COLUMNS,
      requires: [['entry']],
      build: (get) => {
        const entry = textValue(get('entry'))
        if (entry === null) return null
        return { entry_time: timeText(get('entry_time')), entry, reason: textValue(get('reason')) }
      },
    })
  }
  if (added > 0) return
  // Entries as fields: `**Iteration 1 — T3 complete:** ...` or `**2026-01-21T10:00Z:** ...`.
  const rows: TypedRow[] = []
  for (const { field } of sectionFields(markdown.fields, REFINEMENT_SECTION)) {
    const stamp = findDate(field.key)
    const dated = stamp !== null && stamp.date !== null && /^\s*[\d(]|^\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i.test(field.key)
    if (!dated && !ENTRY_KEY.test(field.key.trim())) continue
    const value = textValue(field.value)
    rows.push(
      newRow('refinement_log', field.line, {
        entry_time: dated ? timeText(field.key) : null,
        entry: dated ? (value ?? field.key) : value === null ? field.key : `${field.key}: ${value}`,
        reason: null,
      }, null, field.raw),
    )
  }
  pushRows(records, 'refinement_log', rows)
}

/** A log time as stored: ISO for an instant or a day, else the text (`Iteration 2`). */
function timeText(raw: string | null): string | null {
  const text = textValue(raw)
  if (text === null) return null
  const date = findDate(text)
  return date !== null && date.date !== null && (date.precision === 'instant' || date.precision === 'day') ? date.date : text
}
