/**
 * `research-plan.md` from its typed rows: the header (`**Query:**`,
 * `**Created:**`), DEAL METADATA, OUTPUT TARGETS, LEGAL DOMAINS IDENTIFIED,
 * CRITICAL ISSUES CHECKLIST, SPECIALIST ASSIGNMENTS, REFINEMENT LOG and
 * METADATA. Pure: rows in, text out.
 *
 * The research_plans row and the session share their sources: the plan's
 * complexity, transaction type and value are the deal entries the session
 * reads too. They are written once, from the research_plans row (which keeps
 * the complexity as written, where the session keeps only its level), so a
 * session merged from several documents cannot change the plan row.
 *
 * What does not come back: header values (query, created) are read with
 * inline markdown stripped and cannot be escaped, so a query whose text still
 * holds markup (`a *b* c` as written with escapes) loses it; `checkRender`
 * reports it.
 */
import { scanFields } from '../parsers/fields.js'
import type { TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue } from '../parsers/typed/types.js'
import { headingText, section, textTable } from './markdown-text.js'
import {
  allTableRaw,
  chooseBlock,
  fieldLines,
  rawKind,
  rawTables,
  runs,
  sectionsBlock,
  text,
  valueTable,
  type Block,
  type Candidate,
  type ColumnSpec,
} from './row-blocks.js'
import { dealSection, metadataSection, sessionDealRows, stringOf, type DealRow } from './session-block.js'
import { compareRenderInputs, sameValue } from './compare.js'
import { parseRenderInput } from './typed-input.js'
import type { RenderInput, RenderRow } from './types.js'

const TITLE = '# RESEARCH PLAN'

/** `research-plan.md` that parses back to `input`'s rows and deal facts. */
export function renderResearchPlan(input: RenderInput): string {
  const rows = (table: TypedTableName): RenderRow[] => input.rows[table] ?? []
  const planRow = rows('research_plans')[0] ?? null
  const metadata = input.session?.metadata ?? {}
  const body = [
    outputTargets(planRow?.values.output_targets ?? null),
    ...domainBlock(rows('legal_domains')).sections,
    ...issueBlock(rows('critical_issues')).sections,
    ...assignmentBlock(rows('specialist_assignments')).sections,
    ...refinementBlock(rows('refinement_log')).sections,
  ]
  const compose = (head: PlanHead): string => {
    // Header fields right under the title: the parser reads the query and creation time only there.
    const top = head.header.length > 0 ? `${TITLE}\n${head.header.join('\n')}` : TITLE
    const parts = [top, dealSection('DEAL METADATA', head.deal), ...body, metadataSection(metadata, head.consumed)]
    return `${parts.filter((part) => part !== '').join('\n\n')}\n`
  }
  const heads = [sourceHead(input, planRow, metadata), valueHead(input, planRow?.values ?? null, metadata)].filter((head) => head !== null)
  // The plan row and the session share their sources: the first head that gives both back wins.
  let best: { text: string; problems: number } | null = null
  for (const head of heads) {
    const text = compose(head)
    if (heads.length === 1) return text
    const back = parseRenderInput('research-plan', text)
    const problems = back === null ? Number.MAX_SAFE_INTEGER : compareRenderInputs(input, back, { tables: ['research_plans'] }).length
    if (problems === 0) return text
    if (best === null || problems < best.problems) best = { text, problems }
  }
  return best!.text
}

/** The top of a plan: header lines, deal rows, and the metadata labels those already state. */
interface PlanHead {
  header: string[]
  deal: DealRow[]
  consumed: Set<string>
}

/** Session values with the plan's own value, type and complexity (as written) in place of the session's. */
function planValues(input: RenderInput, plan: Record<string, ColumnValue> | null): Record<string, ColumnValue> {
  const values: Record<string, ColumnValue> = { ...(input.session?.values ?? {}) }
  values.deal_value = plan?.transaction_value ?? null
  values.deal_value_low = null
  values.deal_value_raw = plan?.transaction_value_raw ?? null
  values.transaction_type = plan?.transaction_type ?? null
  values.complexity = plan?.complexity ?? null
  return values
}

/**
 * The plan's header as the agent wrote it (the research_plans row keeps its
 * header lines), with deal rows for what those lines do not already say.
 * Null when the row has no such source.
 */
function sourceHead(input: RenderInput, planRow: RenderRow | null, metadata: Readonly<Record<string, string>>): PlanHead | null {
  if (planRow === null || rawKind(planRow) !== 'fields') return null
  const header = Object.values(planRow.raw as Record<string, string>)
  const alone = parseRenderInput('research-plan', `${TITLE}\n${header.join('\n')}\n`)
  const said = alone?.session?.values ?? {}
  const saidPlan = alone?.rows.research_plans?.[0]?.values ?? {}
  const values = planValues(input, planRow.values)
  // A column is stated by the header when the header alone reads it, from a line holding exactly its text
  // (`textColumn`), not from the query's prose: a deal value inside the query is no `Transaction Value` line.
  const lineValues = new Set(header.flatMap((line) => scanFields(line, []).map((field) => field.value)))
  const stated = (textColumn: string, columns: readonly string[], from: Record<string, ColumnValue>): boolean =>
    lineValues.has(stringOf(values, textColumn) ?? '\u0000') && columns.every((column) => sameValue(from[column] ?? null, values[column] ?? null))
  // The plan's own columns the header states are left out of the deal table. The matter and parties stay
  // in it even when the header's prose implies them: a reader (or an agent editing the query line)
  // should not have to know the parser falls back to prose.
  const leftOut: Array<[readonly string[], boolean]> = [
    [['deal_value', 'deal_value_low', 'deal_value_raw'], stated('deal_value_raw', ['deal_value', 'deal_value_raw'], said)],
    [['transaction_type'], stated('transaction_type', ['transaction_type'], saidPlan)],
    [['complexity'], stated('complexity', ['complexity'], saidPlan)],
  ]
  for (const [columns, isStated] of leftOut) if (isStated) for (const column of columns) values[column] = null
  const consumed = new Set(Object.entries(alone?.session?.metadata ?? {}).filter(([label, value]) => metadata[label] === value).map(([label]) => label))
  return { header, deal: planDealRows(values, metadata, consumed), consumed }
}

/** The plan's header written from its values: the query and creation time, everything else in the deal table. */
function valueHead(input: RenderInput, plan: Record<string, ColumnValue> | null, metadata: Readonly<Record<string, string>>): PlanHead {
  const consumed = new Set<string>()
  const header = [
    headerField(plan, 'query_text', 'Query', metadata, consumed),
    headerField(plan, 'created', 'Created', metadata, consumed),
  ].filter((line) => line !== null)
  return { header, deal: planDealRows(planValues(input, plan), metadata, consumed), consumed }
}

/**
 * A header field for a research_plans column: under the metadata label it
 * was read from when the metadata holds one that reads back to the value (so
 * the metadata, which keeps every header label, comes back the same), else
 * under `label` with the value itself. Null when the column is null.
 */
function headerField(
  plan: Record<string, ColumnValue> | null,
  column: 'query_text' | 'created',
  label: string,
  metadata: Readonly<Record<string, string>>,
  consumed: Set<string>,
): string | null {
  const wanted = plan === null ? null : stringOf(plan, column)
  if (wanted === null) return null
  for (const [key, value] of Object.entries(metadata)) {
    if (consumed.has(key)) continue
    const probe = parseRenderInput('research-plan', `${TITLE}\n**${key}:** ${value}\n`)
    if (probe?.rows.research_plans?.[0]?.values[column] === wanted) {
      consumed.add(key)
      return `**${key}:** ${value}`
    }
  }
  return `**${label}:** ${wanted}`
}

/**
 * Deal rows of `values`. The complexity goes under the label the metadata
 * keeps its whole text under, when there is one, so the session's level and
 * that metadata come back as they were.
 */
function planDealRows(values: Record<string, ColumnValue>, metadata: Readonly<Record<string, string>>, consumed: Set<string>): DealRow[] {
  const complexity = stringOf(values, 'complexity')
  const label = complexity === null
    ? undefined
    : Object.keys(metadata).find((key) => !consumed.has(key) && metadata[key] === complexity && readsAsComplexity(key, complexity))
  if (label !== undefined) consumed.add(label)
  return sessionDealRows('research-plan', values, label)
}

/** Whether the deal reader takes `label` for the plan's complexity. */
function readsAsComplexity(label: string, value: string): boolean {
  const probe = parseRenderInput('research-plan', `${TITLE}\n\n${dealSection('DEAL METADATA', [{ label, value }])}\n`)
  return probe?.rows.research_plans?.[0]?.values.complexity === value
}

/** OUTPUT TARGETS: one table per run of targets with the same labels, or ''. */
function outputTargets(targets: ColumnValue): string {
  if (!Array.isArray(targets) || targets.length === 0) return ''
  const records = targets.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item))
  const tables = runs(records, (record) => JSON.stringify(Object.keys(record))).map((run) => {
    const headers = Object.keys(run.items[0]!)
    return textTable(headers, run.items.map((record) => headers.map((header) => text(record as Record<string, ColumnValue>, header))))
  })
  return section(2, 'OUTPUT TARGETS', tables)
}

/** The plan alone around a block, as the probe parses it. */
function frame(block: Block): string {
  return `${[TITLE, ...block.sections].join('\n\n')}\n`
}

function choose(table: TypedTableName, rows: readonly RenderRow[], candidates: readonly Candidate[]): Block {
  return rows.length === 0 ? sectionsBlock() : chooseBlock('research-plan', table, rows, frame, candidates)
}

/** Candidates shared by the plan's tables: the source tables, the source lines, the values. */
function tableCandidates(heading: string, rows: readonly RenderRow[], columns: readonly ColumnSpec[]): Candidate[] {
  return [
    () => (allTableRaw(rows) ? sectionsBlock(section(2, heading, rawTables(rows))) : null),
    // Lists of fields (`- **Water Rights**: ...`, `**Iteration 1 — T2 complete:** ...`), read when the section has no table.
    () => (rows.every((row) => rawKind(row) === 'line') ? sectionsBlock(section(2, heading, [rows.map((row) => row.raw as string).join('\n')])) : null),
    () => sectionsBlock(section(2, heading, [valueTable(rows, columns)])),
  ]
}

const DOMAIN_COLUMNS: ColumnSpec[] = [
  { header: '#', cell: (v) => text(v, 'ordinal') },
  { header: 'Domain', cell: (v) => text(v, 'domain'), always: true },
  { header: 'Scope', cell: (v) => text(v, 'scope') },
  { header: 'Priority', cell: (v) => text(v, 'priority') },
]

function domainBlock(rows: readonly RenderRow[]): Block {
  return choose('legal_domains', rows, tableCandidates('LEGAL DOMAINS IDENTIFIED', rows, DOMAIN_COLUMNS))
}

const ISSUE_COLUMNS: ColumnSpec[] = [
  { header: '#', cell: (v) => text(v, 'ordinal') },
  { header: 'Critical Issue', cell: (v) => text(v, 'issue'), always: true },
  { header: 'Domain', cell: (v) => text(v, 'domain') },
  { header: 'Why Critical', cell: (v) => text(v, 'why_critical') },
  { header: 'Expected Exposure', cell: (v) => text(v, 'expected_exposure_raw') },
]

function issueBlock(rows: readonly RenderRow[]): Block {
  return choose('critical_issues', rows, tableCandidates('CRITICAL ISSUES CHECKLIST', rows, ISSUE_COLUMNS))
}

const ASSIGNMENT_COLUMNS: ColumnSpec[] = [
  { header: 'ID', cell: (v) => text(v, 'task_id'), always: true },
  { header: 'Specialist', cell: (v) => text(v, 'specialist_type'), always: true },
  { header: 'Task Description', cell: (v) => text(v, 'task_description'), always: true },
  { header: 'Execution', cell: (v) => text(v, 'execution_mode') },
  { header: 'Priority', cell: (v) => text(v, 'priority') },
  // The status as written; the parser derives the normalised one from it.
  { header: 'Status', cell: (v) => text(v, 'status_raw') ?? text(v, 'status') },
]

/** Assignments: a table, or one `### <id>. <specialist>` section of fields per specialist. */
function assignmentBlock(rows: readonly RenderRow[]): Block {
  const heading = 'SPECIALIST ASSIGNMENTS'
  return choose('specialist_assignments', rows, [
    () => (allTableRaw(rows) ? sectionsBlock(section(2, heading, rawTables(rows))) : null),
    () =>
      rows.every((row) => rawKind(row) === 'fields')
        ? sectionsBlock(section(2, heading, rows.map((row) => section(3, specialistHeading(row), [fieldLines(row).join('\n')]))))
        : null,
    () => sectionsBlock(section(2, heading, [valueTable(rows, ASSIGNMENT_COLUMNS)])),
  ])
}

/**
 * The heading of a specialist's section, naming its task id and specialist
 * the way the parser reads them back when no field does (`1. Statutory Law
 * Analyst`, `T3 financial-analyst`).
 */
function specialistHeading(row: RenderRow): string {
  const id = text(row.values, 'task_id')
  const name = text(row.values, 'specialist_type')
  let idPart = ''
  if (id !== null && /^T\d+[a-z]?$/.test(id)) idPart = id
  else if (id !== null && /^(?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])$/i.test(id)) idPart = `${id}.`
  return [idPart, name === null ? '' : headingText(name)].filter((part) => part !== '').join(' ')
}

const REFINEMENT_COLUMNS: ColumnSpec[] = [
  { header: 'Timestamp', cell: (v) => text(v, 'entry_time') },
  { header: 'Change', cell: (v) => text(v, 'entry'), always: true },
  { header: 'Reason', cell: (v) => text(v, 'reason') },
]

function refinementBlock(rows: readonly RenderRow[]): Block {
  return choose('refinement_log', rows, tableCandidates('REFINEMENT LOG', rows, REFINEMENT_COLUMNS))
}
