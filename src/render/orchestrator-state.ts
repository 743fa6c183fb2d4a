/**
 * `orchestrator-state.md` from its typed rows, in the layout the pipeline
 * writes: DEAL_METADATA, SESSION_METRICS, Orchestrator Execution State (gate
 * counters and the deal-blocking warnings line), the hand-off tables
 * (EXPECTED_SECTIONS, EXTRACTED_FACTS, EXECUTION_INVENTORY,
 * QUANTIFIED_EXPOSURES) and METADATA. Pure: rows in, text out.
 *
 * Parsing the result gives back the same typed values, `extra` and deal facts
 * (see compare.ts): each table is written from its rows' source when they have
 * one, else from their values, whichever the parser reads back unchanged (see
 * row-blocks.ts). What cannot come back is listed by `checkRender`.
 */
import type { TypedTableName } from '../parsers/typed/tables.js'
import { durationText, headingText, section } from './markdown-text.js'
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
import { dealSection, metadataSection, sessionDealRows } from './session-block.js'
import type { RenderInput, RenderRow } from './types.js'

const TITLE = '# ORCHESTRATOR STATE'
const STATE_HEADING = 'Orchestrator Execution State'
/** The warnings line the pipeline writes when there are none. */
const NO_WARNINGS = '- Deal-blocking warnings: []'

/** `orchestrator-state.md` that parses back to `input`'s rows and deal facts. */
export function renderOrchestratorState(input: RenderInput): string {
  const rows = (table: TypedTableName): RenderRow[] => input.rows[table] ?? []
  const phases = phaseBlock(rows('session_phases'))
  const iterations = iterationBlock(rows('session_iterations'))
  const warnings = warningBlock(rows('deal_blocking_warnings'))
  const lines = [...iterations.lines, ...warnings.lines]
  if (rows('deal_blocking_warnings').length === 0) lines.push(NO_WARNINGS)
  const state: Block = { lines, blocks: [...iterations.blocks, ...warnings.blocks], sections: [] }
  const parts = [
    input.session === null ? '' : dealSection('DEAL_METADATA', sessionDealRows('orchestrator-state', input.session.values)),
    ...phases.sections,
    stateSection(state),
    ...warnings.sections,
    ...expectedSectionBlock(rows('expected_sections')).sections,
    ...categorisedBlock('extracted_facts', rows('extracted_facts'), FACT_SPEC).sections,
    ...inventoryBlock(rows('execution_inventory')).sections,
    ...categorisedBlock('quantified_exposures', rows('quantified_exposures'), EXPOSURE_SPEC).sections,
    input.session === null ? '' : metadataSection(input.session.metadata),
  ]
  return `${[TITLE, ...parts.filter((part) => part !== '')].join('\n\n')}\n`
}

/** The execution-state section of a block's lines and shared blocks, or ''. */
function stateSection(block: Block): string {
  if (block.lines.length === 0 && block.blocks.length === 0) return ''
  return section(2, STATE_HEADING, [block.lines.join('\n'), ...block.blocks])
}

/** A block alone in a document, as the probe parses it. */
function frame(block: Block): string {
  return `${[TITLE, stateSection(block), ...block.sections].filter((part) => part !== '').join('\n\n')}\n`
}

function choose(table: TypedTableName, rows: readonly RenderRow[], candidates: readonly Candidate[]): Block {
  return rows.length === 0 ? sectionsBlock() : chooseBlock('orchestrator-state', table, rows, frame, candidates)
}

/** The candidate that writes every row from its source cells, when they all have them. */
function rawTableCandidate(heading: string, rows: readonly RenderRow[]): Candidate {
  return () => (allTableRaw(rows) ? sectionsBlock(section(2, heading, rawTables(rows))) : null)
}

const PHASE_COLUMNS: ColumnSpec[] = [
  { header: 'Phase', cell: (v) => text(v, 'phase'), always: true },
  { header: 'Start', cell: (v) => text(v, 'start_time') },
  { header: 'End', cell: (v) => text(v, 'end_time') },
  { header: 'Duration', cell: (v) => (typeof v.duration_ms === 'number' ? durationText(v.duration_ms) : null) },
  // The status as written; the parser derives the normalised one from it.
  { header: 'Status', cell: (v) => text(v, 'status_raw') ?? text(v, 'status'), always: true },
  { header: 'Agent', cell: (v) => text(v, 'agent') },
  { header: 'Notes', cell: (v) => text(v, 'notes') },
]

function phaseBlock(rows: readonly RenderRow[]): Block {
  return choose('session_phases', rows, [
    rawTableCandidate('SESSION_METRICS', rows),
    () => sectionsBlock(section(2, 'SESSION_METRICS', [valueTable(rows, PHASE_COLUMNS)])),
  ])
}

const ITERATION_COLUMNS: ColumnSpec[] = [
  { header: 'Gate', cell: (v) => text(v, 'gate_name'), always: true },
  { header: 'Current', cell: (v) => text(v, 'current_iteration'), always: true },
  { header: 'Max', cell: (v) => text(v, 'max_iterations') },
]

/** Gate counters: `- <gate> iterations: N/M` lines (read before any table), then tables. */
function iterationBlock(rows: readonly RenderRow[]): Block {
  const lineRows = rows.filter((row) => rawKind(row) === 'line')
  const cellRows = rows.filter((row) => rawKind(row) === 'cells')
  // The parser reads every counter line before any counter table.
  const rawShape = lineRows.length + cellRows.length === rows.length && rows.slice(0, lineRows.length).every((row) => rawKind(row) === 'line')
  return choose('session_iterations', rows, [
    () => (rawShape ? { lines: lineRows.map((row) => row.raw as string), blocks: rawTables(cellRows), sections: [] } : null),
    // A line whose gate the parser took from the heading above it (`### Review Gate` / `- Iterations: 1/3`).
    () =>
      rawShape
        ? {
            lines: [],
            blocks: [...lineRows.map((row) => section(3, headingText(text(row.values, 'gate_name') ?? ''), [row.raw as string])), ...rawTables(cellRows)],
            sections: [],
          }
        : null,
    () => {
      const lines = rows.map((row) => counterLine(row))
      return lines.every((line) => line !== null) ? { lines: lines as string[], blocks: [], sections: [] } : null
    },
    () => ({ lines: [], blocks: [valueTable(rows, ITERATION_COLUMNS)], sections: [] }),
  ])
}

/** `- research-review-gate iterations: 1/2`, or null when the row has no gate or count. */
function counterLine(row: RenderRow): string | null {
  const gate = text(row.values, 'gate_name')
  const current = row.values.current_iteration
  if (gate === null || typeof current !== 'number') return null
  const max = row.values.max_iterations
  return `- ${gate} iterations: ${current}${typeof max === 'number' ? `/${max}` : ''}`
}

const WARNING_COLUMNS: ColumnSpec[] = [
  { header: 'Warning', cell: (v) => text(v, 'warning'), always: true },
  { header: 'Severity', cell: (v) => text(v, 'severity') },
  { header: 'Status', cell: (v) => text(v, 'status') },
]

/**
 * Deal-blocking warnings: from the warnings line (`- Deal-blocking warnings:
 * ["a", "b"]`), one `### <warning>` section each with its fields, or a table.
 * The parser reads a table only when no warning has a section of its own.
 */
function warningBlock(rows: readonly RenderRow[]): Block {
  return choose('deal_blocking_warnings', rows, [
    () => rawWarnings(rows),
    () => {
      if (!rows.every((row) => text(row.values, 'status') === null && Object.keys(row.extra ?? {}).length === 0)) return null
      const items = rows.map((row) => `"${text(row.values, 'warning') ?? ''}"`)
      return { lines: [`- Deal-blocking warnings: [${items.join(', ')}]`], blocks: [], sections: [] }
    },
    () => sectionsBlock(section(2, 'DEAL-BLOCKING ISSUES', rows.map((row) => issueSection(row, valueIssueLines(row))))),
    () => sectionsBlock(section(2, 'DEAL-BLOCKING WARNINGS', [valueTable(rows, WARNING_COLUMNS)])),
  ])
}

/** Warnings from their source: lines, issue sections, tables, in the order the parser reads them. */
function rawWarnings(rows: readonly RenderRow[]): Block | null {
  const lines: string[] = []
  const issues: string[] = []
  const cells: RenderRow[] = []
  for (const row of rows) {
    const kind = rawKind(row)
    if (kind === 'none') return null
    // One warnings line gives all the warnings it lists: each of their rows keeps the same line.
    if (kind === 'line' && lines[lines.length - 1] !== row.raw) lines.push(row.raw as string)
    else if (kind === 'fields') issues.push(issueSection(row, fieldLines(row)))
    else if (kind === 'cells') cells.push(row)
  }
  const sections: string[] = []
  if (issues.length > 0) sections.push(section(2, 'DEAL-BLOCKING ISSUES', issues))
  if (cells.length > 0) sections.push(section(2, 'DEAL-BLOCKING WARNINGS', rawTables(cells)))
  return { lines, blocks: [], sections }
}

function issueSection(row: RenderRow, lines: readonly string[]): string {
  return section(3, headingText(text(row.values, 'warning') ?? ''), [lines.join('\n')])
}

/** Field lines of a warning written from its values; at least one, so the section counts as a warning. */
function valueIssueLines(row: RenderRow): string[] {
  const severity = text(row.values, 'severity')
  const status = text(row.values, 'status')
  const lines: string[] = []
  if (severity !== null || status === null) lines.push(`- **Severity:** ${severity ?? '—'}`)
  if (status !== null) lines.push(`- **Status:** ${status}`)
  for (const [key, value] of Object.entries(row.extra ?? {})) for (const part of value.split('\n')) lines.push(`- **${key}:** ${part}`)
  return lines
}

const EXPECTED_COLUMNS: ColumnSpec[] = [
  { header: 'Section ID', cell: (v) => text(v, 'section_id'), always: true },
  { header: 'Section Name', cell: (v) => text(v, 'section_name'), always: true },
  { header: 'Primary Report', cell: (v) => text(v, 'primary_report') },
  { header: 'Secondary Report(s)', cell: (v) => text(v, 'secondary_reports') },
  { header: 'Coverage', cell: (v) => text(v, 'coverage') },
  { header: 'Coverage Status', cell: (v) => text(v, 'coverage_status') },
]

/** Expected sections: a table, or the id list (`**EXPECTED_SECTION_IDS:** ["IV.A", "IV.B"]`) the parser reads when there is none. */
function expectedSectionBlock(rows: readonly RenderRow[]): Block {
  const heading = 'EXPECTED_SECTIONS'
  return choose('expected_sections', rows, [
    () => {
      if (!rows.every((row) => rawKind(row) === 'line')) return null
      const lines = runs(rows, (row) => row.raw as string).map((run) => run.key)
      return sectionsBlock(section(2, heading, [lines.join('\n')]))
    },
    rawTableCandidate(heading, rows),
    () => {
      const onlyIds = rows.every(
        (row) => Object.entries(row.values).every(([column, value]) => column === 'section_id' || value === null) && row.extra == null,
      )
      if (!onlyIds) return null
      const ids = rows.map((row) => `"${text(row.values, 'section_id') ?? ''}"`)
      return sectionsBlock(section(2, heading, [`**EXPECTED_SECTION_IDS:** [${ids.join(', ')}]`]))
    },
    () => sectionsBlock(section(2, heading, [valueTable(rows, EXPECTED_COLUMNS)])),
  ])
}

const INVENTORY_COLUMNS: ColumnSpec[] = [
  { header: 'Specialist ID', cell: (v) => text(v, 'specialist_id'), always: true },
  { header: 'Report File', cell: (v) => text(v, 'report_file'), always: true },
  { header: 'Word Count', cell: (v) => text(v, 'word_count_raw') ?? text(v, 'word_count'), always: true },
  { header: 'Complete', cell: (v) => text(v, 'complete') },
  { header: 'Domains Covered', cell: (v) => text(v, 'domains') },
  { header: 'Key Gaps', cell: (v) => text(v, 'gaps') },
]

function inventoryBlock(rows: readonly RenderRow[]): Block {
  return choose('execution_inventory', rows, [
    rawTableCandidate('EXECUTION_INVENTORY', rows),
    () => sectionsBlock(section(2, 'EXECUTION_INVENTORY', [valueTable(rows, INVENTORY_COLUMNS)])),
  ])
}

/** A hand-off table whose rows may take their category from a sub-heading (`### Date Facts`). */
interface CategorisedSpec {
  heading: string
  /** The noun a category sub-heading ends with, which the parser drops (`Date Facts` → `Date`). */
  noun: string
  columns: ColumnSpec[]
}

const FACT_SPEC: CategorisedSpec = {
  heading: 'EXTRACTED_FACTS',
  noun: 'Facts',
  columns: [
    { header: 'Category', cell: (v) => text(v, 'category') },
    { header: 'Fact', cell: (v) => text(v, 'fact'), always: true },
    { header: 'Value', cell: (v) => text(v, 'value'), always: true },
    { header: 'Source Report', cell: (v) => text(v, 'source_report') },
    { header: 'Section', cell: (v) => text(v, 'section') },
    { header: 'Confidence', cell: (v) => text(v, 'confidence') },
  ],
}

const EXPOSURE_SPEC: CategorisedSpec = {
  heading: 'QUANTIFIED_EXPOSURES',
  noun: 'Exposures',
  columns: [
    { header: 'Category', cell: (v) => text(v, 'category') },
    { header: '#', cell: (v) => text(v, 'exposure_id') },
    { header: 'Finding', cell: (v) => text(v, 'finding'), always: true },
    { header: 'Gross Exposure', cell: (v) => text(v, 'gross_exposure_raw'), always: true },
    { header: 'Probability', cell: (v) => text(v, 'probability_raw') },
    { header: 'Weighted', cell: (v) => text(v, 'weighted_raw'), always: true },
    { header: 'Method', cell: (v) => text(v, 'method') },
    { header: 'Source Report', cell: (v) => text(v, 'source_report') },
    { header: 'Timeline', cell: (v) => text(v, 'timeline') },
  ],
}

/**
 * Facts or exposures: the source tables as they are (a category column names
 * each row's category), the source tables under category sub-headings (the
 * agent split the table per category), or one table with a category column.
 */
function categorisedBlock(tableName: 'extracted_facts' | 'quantified_exposures', rows: readonly RenderRow[], spec: CategorisedSpec): Block {
  return choose(tableName, rows, [
    rawTableCandidate(spec.heading, rows),
    () => (allTableRaw(rows) ? sectionsBlock(...subheaded(rows, spec)) : null),
    () => sectionsBlock(section(2, spec.heading, [valueTable(rows, spec.columns)])),
  ])
}

/**
 * Sections with one sub-heading per run of rows of a category. Rows without a
 * category after a sub-heading open a new section: under a sub-heading they
 * would take its category.
 */
function subheaded(rows: readonly RenderRow[], spec: CategorisedSpec): string[] {
  const sections: string[] = []
  let blocks: string[] = []
  let underSubheading = false
  for (const run of runs(rows, (row) => text(row.values, 'category') ?? '')) {
    if (run.key === '') {
      if (underSubheading) {
        sections.push(section(2, spec.heading, blocks))
        blocks = []
        underSubheading = false
      }
      blocks.push(...rawTables(run.items))
    } else {
      blocks.push(section(3, `${headingText(run.key)} ${spec.noun}`, rawTables(run.items)))
      underSubheading = true
    }
  }
  sections.push(section(2, spec.heading, blocks))
  return sections
}
