/**
 * Typed records of `orchestrator-state.md`: the deal facts of the session,
 * phase progress (SESSION_METRICS, PHASE STATUS, PHASE_STATUS_TRACKER),
 * gate iteration counters, deal-blocking warnings, and the hand-off tables
 * for the validation agents (see orchestrator-handoff.ts).
 */
import { isNullLike, parseCount, parseDurationMs, parseSeverity } from '../normalize/index.js'
import type { FieldRecord, MarkdownRecords, TableRecord } from '../types.js'
import { mapColumns, normalizeLabel } from './labels.js'
import { readHandoffTables } from './orchestrator-handoff.js'
import { cleanHeading } from './heading-text.js'
import { readDealFacts } from './research-deal-facts.js'
import {
  isSection,
  isSummaryLabel,
  labelIndex,
  markTyped,
  miss,
  newRow,
  rawCells,
  rawFields,
  sameLabel,
  sectionIndex,
  severityText,
  statusValue,
  textValue,
  timeValue,
  typeTable,
  type SectionSpec,
} from './research-typed-rows.js'
import { emptyTyped, pushRows, type TypedRecords, type TypedRow } from './types.js'
import { headingSaysNone, saysNothing } from './boilerplate.js'

/** Lower than a research plan's: the orchestrator's own DEAL_METADATA wins. */
const PRECEDENCE = 0

const PHASE_SECTION: SectionSpec = {
  aliases: [
    'session metrics', 'phase status', 'phase tracker', 'phase progress', 'session phases', 'phase summary', 'phase log',
    'phases', 'workflow status', 'pipeline status', 'progress tracker', 'execution status', 'session progress',
  ],
}
const PHASE_COLUMNS = {
  phase: ['phase', 'phase name', 'stage', 'step', 'workflow phase'],
  status: ['status', 'state', 'result', 'outcome'],
  start_time: ['start', 'start time', 'started', 'started at', 'start date', 'begin', 'began'],
  end_time: [
    'end', 'end time', 'ended', 'ended at', 'completed', 'completed at', 'completion date', 'completion time', 'completion',
    'finished', 'finished at', 'end date', 'date', 'timestamp',
  ],
  duration: ['duration', 'elapsed', 'elapsed time', 'time taken', 'runtime', 'run time', 'duration ms'],
  agent: ['agent', 'agents', 'owner', 'executed by', 'run by', 'responsible', 'specialist'],
  notes: ['notes', 'note', 'details', 'comments', 'comment', 'remarks', 'output', 'outputs', 'deliverable', 'deliverables', 'summary'],
}

/** First headers that make a table a phase table wherever it is (`Step` is too common to). */
const PHASE_FIRST_HEADERS = ['phase', 'phase name', 'stage', 'workflow phase']

const ITERATION_SECTION: SectionSpec = {
  aliases: [
    'orchestrator execution state', 'execution state', 'iterations', 'iteration tracking', 'iteration counters', 'gate iterations',
    'loop state', 'loop counters', 'review loops', 'remediation loops', 'gate status',
  ],
}
const ITERATION_COLUMNS = {
  gate_name: ['gate', 'gate name', 'review gate', 'loop', 'check', 'name'],
  iterations: ['iterations', 'iteration', 'iterations used', 'loops', 'count'],
  current: ['current', 'current iteration', 'used'],
  max: ['max', 'max iterations', 'maximum', 'limit', 'cap', 'max loops'],
}
// `research-review-gate iterations`, `Remediation loops used`.
const ITERATION_KEY = /^(.*?)[\s:_-]*\b(?:iterations?|loops?|attempts?|cycles?|rounds?)(?:\s+used)?$/i
// Without a section to vouch for it, a counter's name must sound like a gate (not `Monte Carlo iterations`).
const GATE_WORDS = /\b(?:gate|review|loop|remediation|qa|validation|check|refine|refinement|fix|revision|research|section)\b/i

const WARNING_SECTION: SectionSpec = {
  aliases: ['deal blocking', 'deal blockers', 'blocking issues', 'blocking warnings', 'deal breakers'],
}
const WARNING_KEYS = [
  'deal blocking warnings', 'deal blocking warning', 'deal blocking issues', 'deal blockers', 'blocking warnings',
  'blocking issues', 'deal breakers', 'deal blocking risks',
]
const WARNING_COLUMNS = {
  warning: ['warning', 'issue', 'deal blocking issue', 'trigger', 'blocker', 'risk', 'finding', 'description'],
  severity: ['severity', 'level', 'risk level', 'rating'],
  status: ['status', 'resolution', 'state'],
}
const SEVERITY_KEYS = ['severity', 'risk level', 'level', 'priority', 'risk rating', 'rating']
const STATUS_KEYS = ['status', 'resolution', 'state', 'current status']
const DETECTED_HEADERS = ['detected', 'present', 'triggered', 'flagged', 'applies']
// Sub-headings of a deal-blocking section that are about the issues, not one of them.
const NOT_AN_ISSUE = /\b(?:summary|overview|mitigation plan|next steps|decision|recommendations?|conclusion|methodology|notes?|legend)\b/i

/** Typed records of an orchestrator-state document. Pure; never throws. */
export function parseOrchestratorState(markdown: MarkdownRecords): TypedRecords {
  const records = emptyTyped('orchestrator_state')
  records.session = readDealFacts(markdown, records, PRECEDENCE).session
  readPhaseTables(markdown, records)
  readIterations(markdown, records)
  readWarnings(markdown, records)
  readHandoffTables(markdown, records)
  records.typedTables.sort((a, b) => a - b)
  return records
}

/** Phase rows from a phase table: under a phase heading, or any table whose first column is the phase. */
function readPhaseTables(markdown: MarkdownRecords, records: TypedRecords): void {
  for (const table of markdown.tables) {
    const firstIsPhase = table.headers[0] !== undefined && labelIndex(table.headers[0], PHASE_FIRST_HEADERS) >= 0
    if (!firstIsPhase && sectionIndex(table.headingPath, PHASE_SECTION) < 0) continue
    typeTable(records, table, {
      table: 'session_phases',
      synonyms: PHASE_COLUMNS,
      requires: [['phase'], ['status', 'start_time', 'end_time', 'duration']],
      build: (get, line) => {
        const phase = textValue(get('phase'))
        if (phase === null) return null
        const duration = get('duration')
        const durationMs = duration === null || isNullLike(duration) ? null : parseDurationMs(duration)
        if (duration !== null && !isNullLike(duration) && durationMs === null) miss(records, 'session_phases', 'duration_ms', duration, line)
        return {
          phase,
          status: statusValue(records, 'session_phases', 'status', get('status'), line),
          status_raw: get('status'),
          start_time: timeValue(records, 'session_phases', 'start_time', get('start_time'), line),
          end_time: timeValue(records, 'session_phases', 'end_time', get('end_time'), line),
          duration_ms: durationMs,
          agent: textValue(get('agent')),
          notes: textValue(get('notes')),
        }
      },
    })
  }
}

/** A counter's current and maximum from `0/2`, `1 of 3`, `2 (max 3)`. */
function readCounter(text: string): { current: number; max: number | null } | null {
  const count = parseCount(text)
  if (count === null || count.value === null) return null
  const max = count.total ?? Number(/\bmax(?:imum)?\.?\s*:?\s*(\d+)/i.exec(text)?.[1] ?? Number.NaN)
  return { current: count.value, max: Number.isFinite(max) ? max : null }
}

/** Gate iteration counters from `- <gate> iterations: N/M` lines and iteration tables. */
function readIterations(markdown: MarkdownRecords, records: TypedRecords): void {
  const rows: TypedRow[] = []
  for (const field of markdown.fields) {
    const inSection = sectionIndex(field.headingPath, ITERATION_SECTION) >= 0
    const key = ITERATION_KEY.exec(field.key.trim())
    let gate: string | null = null
    if (key) gate = key[1]!.trim() || (inSection ? null : '')
    else if (/\bgate\b/i.test(field.key)) gate = field.key.trim()
    else continue
    if (gate === '' || (!inSection && (gate === null || !GATE_WORDS.test(gate)))) continue
    if (!/^\s*[~≈]?\d/.test(field.value)) continue
    const counter = readCounter(field.value)
    if (counter === null) continue
    const heading = field.headingPath[field.headingPath.length - 1]
    rows.push(
      newRow('session_iterations', field.line, {
        gate_name: gate ?? (heading === undefined ? null : cleanHeading(heading, { aside: 'drop' })),
        current_iteration: counter.current,
        max_iterations: counter.max,
      }, null, field.raw),
    )
  }
  pushRows(records, 'session_iterations', rows)

  for (const table of markdown.tables) {
    const hasCounter = table.headers.some((header) => labelIndex(header, ITERATION_COLUMNS.iterations) >= 0)
    if (!hasCounter && sectionIndex(table.headingPath, ITERATION_SECTION) < 0) continue
    typeTable(records, table, {
      table: 'session_iterations',
      synonyms: ITERATION_COLUMNS,
      requires: [['gate_name'], ['iterations', 'current']],
      build: (get, line) => {
        const gate = textValue(get('gate_name'))
        if (gate === null) return null
        const combined = get('iterations')
        const counter = combined === null ? null : readCounter(combined)
        const currentText = get('current')
        const current = currentText === null ? null : readCounter(currentText)
        const maxText = get('max')
        const max = maxText === null ? null : readCounter(maxText)
        for (const [column, text, read] of [['current_iteration', currentText ?? combined, current ?? counter], ['max_iterations', maxText, max]] as const) {
          if (text !== null && !isNullLike(text) && read === null) miss(records, 'session_iterations', column, text, line)
        }
        return {
          gate_name: gate,
          current_iteration: current?.current ?? counter?.current ?? null,
          max_iterations: max?.current ?? counter?.max ?? null,
        }
      },
    })
  }
}

/** Whether a sub-heading of a deal-blocking section names one issue (`Issue #1: Lender Consent`). */
function isIssueHeading(heading: string): boolean {
  if (headingSaysNone(heading)) return false
  if (/^\W*(?:issue|warning|blocker|risk)\s*#?\s*\d/i.test(heading)) return true
  return !isSummaryLabel(heading) && !NOT_AN_ISSUE.test(heading) && !isSection(heading, WARNING_SECTION)
}

/** Warning texts of a field value: `[]`, `["a", "b"]`, `a; b`; counts (`2 (both manageable)`) and `None` name none. */
function warningTexts(value: string): string[] {
  const text = value.trim()
  if (text === '' || isNullLike(text) || saysNothing(text) || /^\[\s*\]$/.test(text) || /^(?:none|no|nil|0)\b/i.test(text) || /^\d/.test(text)) return []
  if (text.startsWith('[') && text.endsWith(']')) {
    const quoted = [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => (m[1] ?? m[2] ?? '').trim())
    const items = quoted.length > 0 ? quoted : text.slice(1, -1).split(',')
    return items.map((item) => item.trim()).filter((item) => item !== '')
  }
  return text.split(/\s*;\s*/).filter((item) => item !== '')
}

/** Deal-blocking warnings from a field, an issue sub-heading each, or a warning table. */
function readWarnings(markdown: MarkdownRecords, records: TypedRecords): void {
  const rows: TypedRow[] = []
  for (const field of markdown.fields) {
    if (!sameLabel(field.key, WARNING_KEYS)) continue
    for (const warning of warningTexts(field.value)) {
      rows.push(newRow('deal_blocking_warnings', field.line, { warning, severity: parseSeverity(warning) }, null, field.raw))
    }
  }

  // One warning per sub-heading of a DEAL-BLOCKING section (`### Issue #1: ...`), its fields giving severity and status.
  const children = new Map<string, { fields: FieldRecord[]; tables: TableRecord[] }>()
  const direct: TableRecord[] = []
  const childOf = (path: readonly string[]): string | null | undefined => {
    const at = sectionIndex(path, WARNING_SECTION)
    // `## Deal-Blocking Issues: NONE`: what is under it is no warning.
    if (at < 0 || path.slice(at).some((heading) => headingSaysNone(heading))) return undefined
    return path[at + 1] ?? null
  }
  const groupOf = (child: string): { fields: FieldRecord[]; tables: TableRecord[] } => {
    const group = children.get(child) ?? { fields: [], tables: [] }
    children.set(child, group)
    return group
  }
  for (const field of markdown.fields) {
    const child = childOf(field.headingPath)
    if (typeof child === 'string' && isIssueHeading(child)) groupOf(child).fields.push(field)
  }
  for (const table of markdown.tables) {
    const child = childOf(table.headingPath)
    if (child === undefined) continue
    if (typeof child === 'string' && isIssueHeading(child)) groupOf(child).tables.push(table)
    else direct.push(table)
  }
  for (const [child, group] of children) {
    if (group.fields.length === 0) continue
    const extra: Record<string, string> = {}
    let severity: string | null = null
    let status: string | null = null
    for (const field of group.fields) {
      if (severity === null && labelIndex(field.key, SEVERITY_KEYS) >= 0) severity = severityText(field.value)
      else if (status === null && labelIndex(field.key, STATUS_KEYS) >= 0) status = textValue(field.value)
      else if (field.value.trim() !== '') extra[field.key] = field.key in extra ? `${extra[field.key]}\n${field.value}` : field.value
    }
    const line = Math.min(...group.fields.map((f) => f.line), ...group.tables.map((t) => t.line))
    const warning = child.replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, '').replace(/\s+/g, ' ').trim()
    rows.push(newRow('deal_blocking_warnings', line, { warning, severity, status }, extra, rawFields(group.fields)))
  }
  rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  pushRows(records, 'deal_blocking_warnings', rows)
  if (children.size > 0 && [...children.values()].some((group) => group.fields.length > 0)) return

  // No issue sub-headings: a table of warnings, leaving out rows marked as not detected.
  for (const table of [...direct, ...[...children.values()].flatMap((group) => group.tables)]) {
    readWarningTable(table, records)
  }
}

/** Rows of a warning table; a `Detected: NO` row is no warning. */
function readWarningTable(table: TableRecord, records: TypedRecords): void {
  const detected = table.headers.find((header) => DETECTED_HEADERS.includes(normalizeLabel(header)))
  const mapping = mapColumns(table.headers, WARNING_COLUMNS)
  if (mapping.columns.warning === undefined || records.typedTables.includes(table.ordinal)) return
  const rows: TypedRow[] = []
  for (const row of table.rows) {
    const warning = textValue(row.cells[mapping.columns.warning])
    if (warning === null || saysNothing(warning)) continue
    if (detected !== undefined) {
      const flag = row.cells[detected] ?? ''
      if (isNullLike(flag) || /^(?:no|false|not detected|n)\b/i.test(flag.trim())) continue
    }
    const severityHeader = mapping.columns.severity
    const statusHeader = mapping.columns.status
    const extra: Record<string, string> = {}
    for (const header of mapping.unmapped) if (row.cells[header]) extra[header] = row.cells[header]!
    rows.push(
      newRow('deal_blocking_warnings', row.line, {
        warning,
        severity: severityHeader === undefined ? null : severityText(row.cells[severityHeader] ?? null),
        status: statusHeader === undefined ? null : textValue(row.cells[statusHeader]),
      }, extra, rawCells(table, row)),
    )
  }
  if (rows.length === 0) return
  pushRows(records, 'deal_blocking_warnings', rows)
  markTyped(records, table.ordinal)
}
