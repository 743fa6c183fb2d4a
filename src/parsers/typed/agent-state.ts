/**
 * Typed records of JSON agent state files: `synthesis-state.json` and every
 * other `*-state.json` / `*-state-<instance>.json`. These are what a resume
 * after a crash reads: where each agent is, what it last finished, and what it
 * left for its successor.
 *
 * Keys are matched by meaning (see json-keys.ts); the schemas drift between
 * sessions, so each column has a synonym list and, where the document does not
 * say, a documented derivation from the phase progress (see agent-phases.ts).
 * The whole document is kept in the `document` column, so nothing is dropped;
 * a row's `extra` holds the top-level fields none of its columns was read
 * from (see {@link untakenFields}), as the markdown parsers keep unmapped cells.
 */
import type { NormaliseMiss, TypedRecords, TypedRow } from './types.js'
import { emptyTyped, pushRows } from './types.js'
import type { TypedTableName } from './tables.js'
import {
  CURRENT_PHASE_KEYS,
  derivePhase,
  documentStatus,
  phaseNamed,
  readPhaseProgress,
  readStatus,
  statusText,
  STATUS_KEYS,
  VERDICT_KEYS,
  type PhaseProgress,
  type StatusReading,
} from './agent-phases.js'
import { isRecord, jsonOf, labelOf, normalizeKey, pick, pickValue, textOf, untakenFields, type JsonObject } from './json-keys.js'
import { saysNothing } from './boilerplate.js'

/** The agent name of the `agent_states` row that `synthesis-state.json` also yields. */
export const SYNTHESIS_AGENT = 'synthesis'

const AGENT_KEYS = ['agent', 'agent_name', 'agent_id', 'agent_type', 'subagent', 'subagent_type', 'role'] as const
const AGENT_OBJECT_KEYS = ['name', 'id', 'type', 'agent'] as const
const VERSION_KEYS = ['version', 'agent_version', 'state_version', 'schema_version'] as const
const STARTED_KEYS = ['started_at', 'start_time', 'started', 'start', 'created_at', 'created', 'begin_time', 'initiated_at'] as const
const UPDATED_KEYS = [
  'last_updated',
  'updated_at',
  'last_update',
  'updated',
  'last_modified',
  'modified_at',
  'timestamp',
  'last_checkpoint',
  'checkpoint_at',
  'completed_at',
  'completion_time',
  'completion_timestamp',
  'finished_at',
  'end_time',
] as const
/** Objects that may hold a timestamp when the top level has none. */
const UPDATED_CONTAINERS = ['metrics', 'metadata', 'meta', 'progress', 'environment_checks', 'checkpoint'] as const
const UPDATED_NESTED_KEYS = [...UPDATED_KEYS, 'last_verified'] as const
const PHASE_OBJECT_NAME_KEYS = ['name', 'phase', 'id', 'title'] as const
const COMPACTION_KEYS = [
  'compaction_summary',
  'compaction',
  'compaction_context',
  'context_summary',
  'resume_summary',
  'checkpoint_summary',
] as const
const RECOVERY_KEYS = [
  'recovery_instructions',
  'recovery',
  'resume_instructions',
  'recovery_plan',
  'recovery_info',
  'on_resume',
] as const
const LAST_STEP_KEYS = ['last_completed_step', 'last_step', 'last_completed', 'completed_step', 'last_completed_phase'] as const
const NEXT_ACTION_KEYS = ['next_action', 'next_step', 'next_steps', 'next_actions', 'next'] as const
const CRITICAL_CONTEXT_KEYS = ['critical_context', 'key_context', 'critical_notes', 'context'] as const
const BLOCKING_KEYS = ['blocking_issue', 'blocking_issues', 'blocker', 'blockers', 'blocked_by', 'blocking_reason'] as const
const SECTIONS_DONE_KEYS = [
  'sections_completed',
  'completed_sections',
  'sections_complete',
  'sections_done',
  'done_sections',
  'sections_finished',
  'sections_written',
  'sections_integrated',
  'sections_appended',
] as const
const SECTIONS_PENDING_KEYS = [
  'sections_pending',
  'pending_sections',
  'sections_remaining',
  'remaining_sections',
  'sections_todo',
  'sections_outstanding',
  'outstanding_sections',
] as const
/** Section name → status maps, from which both lists are derived when neither is given. */
const SECTION_MAP_KEYS = ['sections_status', 'section_status', 'sections_progress', 'section_progress', 'sections'] as const
/** Objects that may hold section progress when the top level has none. */
const SECTION_CONTAINERS = ['progress', 'section_progress', 'metrics', 'stats', 'statistics', 'summary'] as const

/**
 * `synthesis-state.json`: one `synthesis_state` row, plus the `agent_states`
 * row of the synthesis agent (agent `synthesis`), so that one query over
 * `agent_states` shows every agent of a session.
 */
export function parseSynthesisState(json: object): TypedRecords {
  const records = emptyTyped('synthesis_state')
  const document = unwrap(json)
  const common = readCommon(document)
  statusMiss(records, 'synthesis_state', common.reading)
  statusMiss(records, 'agent_states', common.reading)
  const compaction = pickValue(document, COMPACTION_KEYS)
  const recovery = pickValue(document, RECOVERY_KEYS)
  const sections = readSections(document, common.progress)
  const lastStep = pick(document, LAST_STEP_KEYS)
  // Read from the compaction or recovery object, a next action leaves that object to `extra`: no column holds the rest of it.
  const ownNextAction = pickValue(compaction, NEXT_ACTION_KEYS) === undefined ? pick(document, NEXT_ACTION_KEYS) : null
  const ownContext = pickValue(compaction, CRITICAL_CONTEXT_KEYS) === undefined ? pick(document, ['critical_context']) : null
  const blocking = pick(document, BLOCKING_KEYS)
  const taken = [common.keys.currentPhase, common.keys.status, common.keys.lastUpdated, lastStep?.key, ...sections.keys, blocking?.key]
  pushRows(records, 'synthesis_state', [
    jsonRow(
      {
        current_phase: common.currentPhase,
        status: common.status,
        last_completed_step: textOf(lastStep?.value),
        sections_completed: sections.completed,
        sections_pending: sections.pending,
        last_updated: common.lastUpdated,
        next_action: textOf(pickValue(compaction, NEXT_ACTION_KEYS) ?? ownNextAction?.value ?? pickValue(recovery, NEXT_ACTION_KEYS)),
        critical_context: textOf(pickValue(compaction, CRITICAL_CONTEXT_KEYS) ?? ownContext?.value),
        blocking_issue: blockingText(blocking?.value),
        document: json as JsonObject | unknown[],
      },
      document,
      [...taken, ownNextAction?.key, ownContext?.key],
    ),
  ])
  pushRows(records, 'agent_states', [agentRow(SYNTHESIS_AGENT, null, document, json, common)])
  return records
}

/**
 * Any other `*-state.json`, named `fileName` (the bare, lower-case file name):
 * one `agent_states` row. The agent is named by the document (`agent`,
 * `agent_name`, `agentId`, ...) or else by the file name before `-state`; an
 * instance suffix after `-state-` is appended so that the section writers of
 * one session stay apart: `section-writer-state-iv-a.json` with
 * `"agent": "memo-section-writer"` is `memo-section-writer-IV-A`, and
 * `qa-diagnostic-state-cycle2.json` without an agent field is
 * `qa-diagnostic-cycle2`. Section-like suffixes (`iv-a`, `iii-2`, `b`) are
 * upper-cased: the router passes the file name lower-cased.
 */
export function parseAgentState(fileName: string, json: object): TypedRecords {
  const records = emptyTyped('agent_state')
  const document = unwrap(json)
  const common = readCommon(document)
  statusMiss(records, 'agent_states', common.reading)
  pushRows(records, 'agent_states', [agentRow(agentName(fileName, document), agentField(document)?.key ?? null, document, json, common)])
  return records
}

/** What both kinds read the same way. */
interface Common {
  progress: PhaseProgress | null
  currentPhase: string | null
  status: string | null
  reading: StatusReading | null
  startedAt: string | null
  lastUpdated: string | null
  /** The top-level keys these columns were read from; `null` for a column derived, or read from inside a container. */
  keys: Record<'currentPhase' | 'status' | 'startedAt' | 'lastUpdated', string | null>
}

function readCommon(document: JsonObject): Common {
  const progress = readPhaseProgress(document)
  const named = pick(document, CURRENT_PHASE_KEYS)
  // A current phase may be an object (`{"name": "PHASE_3", "status": ...}`): its name is the phase.
  const namedPhase = labelOf(named?.value) ?? labelOf(pickValue(named?.value, PHASE_OBJECT_NAME_KEYS))
  // A derived phase is the first unfinished one, trivially pending: the status then comes from all phases.
  const reading = documentStatus(document, namedPhase, progress)
  const currentPhase = namedPhase ?? derivePhase(progress)
  const started = pick(document, STARTED_KEYS)
  const startedAt = timeText(started?.value)
  const updated = pick(document, UPDATED_KEYS)
  const ownUpdate = timeText(updated?.value)
  return {
    progress,
    currentPhase,
    status: statusText(reading),
    reading,
    startedAt,
    lastUpdated: ownUpdate ?? nestedTime(document),
    keys: {
      currentPhase: namedPhase === null ? null : named!.key,
      status: statusKey(document, namedPhase, progress),
      startedAt: startedAt === null ? null : started!.key,
      lastUpdated: ownUpdate === null ? null : updated!.key,
    },
  }
}

/**
 * The key the status column was read from, following documentStatus's
 * order: an explicit status field, else (when the current phase gave no
 * status) a verdict field. Null when the phases or the current phase gave it,
 * whose keys are told apart by their own columns.
 */
function statusKey(document: JsonObject, namedPhase: string | null, progress: PhaseProgress | null): string | null {
  const explicit = pick(document, STATUS_KEYS)
  if (explicit !== null && readStatus(explicit.value) !== null) return explicit.key
  if (namedPhase !== null && (phaseNamed(progress, namedPhase)?.reading || readStatus(namedPhase)?.status)) return null
  const verdict = pick(document, VERDICT_KEYS)
  return verdict !== null && readStatus(verdict.value) !== null ? verdict.key : null
}

/** A status that names no known status is reported, once per table it lands in. */
function statusMiss(records: TypedRecords, table: TypedTableName, reading: StatusReading | null): void {
  if (reading !== null && reading.status === null && reading.raw !== null) records.misses.push(miss(table, 'status', reading.raw))
}

/**
 * The `agent_states` row. `agent` is the agent's name; `agentKey` the
 * document's key it was read from, null when the file name gave it (the
 * synthesis row's `agent` names the kind, not a field).
 */
function agentRow(agent: string, agentKey: string | null, document: JsonObject, json: object, common: Common): TypedRow {
  const version = versionOf(document)
  const compaction = pick(document, COMPACTION_KEYS)
  const recovery = pick(document, RECOVERY_KEYS)
  const { keys } = common
  const taken = [agentKey, version?.key, keys.status, keys.currentPhase, keys.startedAt, keys.lastUpdated, compaction?.key, recovery?.key, common.progress?.key]
  return jsonRow(
    {
      agent,
      version: version?.label ?? null,
      status: common.status,
      current_phase: common.currentPhase,
      started_at: common.startedAt,
      last_updated: common.lastUpdated,
      compaction_summary: textOf(compaction?.value),
      recovery_instructions: textOf(recovery?.value),
      phases: common.progress === null ? null : phasesJson(common.progress.value),
      document: json as JsonObject | unknown[],
    },
    document,
    taken,
  )
}

/**
 * A row of a JSON document: the whole document is in `document`, and `extra`
 * holds, by key, the top-level fields of `object` (the unwrapped document)
 * that none of the row's columns was read from. A field read only for a
 * nested value (`metrics.last_updated`, `progress.sections_completed`) is
 * not taken: the rest of it no column shows.
 */
function jsonRow(values: TypedRow['values'], object: JsonObject, taken: ReadonlyArray<string | null | undefined>): TypedRow {
  const keys = new Set(taken.filter((key): key is string => typeof key === 'string'))
  return { line: null, values, extra: untakenFields(object, keys), raw: null }
}

function miss(table: TypedTableName, column: string, raw: string): NormaliseMiss {
  return { table, column, raw, line: null }
}

/**
 * The object to read: the document itself, or the one object a wrapper holds
 * (`[{...}]`, `{"state": {...}}`). A document of another shape reads as empty.
 */
function unwrap(json: unknown): JsonObject {
  if (Array.isArray(json)) return json.length === 1 && isRecord(json[0]) ? json[0] : {}
  if (!isRecord(json)) return {}
  const keys = Object.keys(json)
  if (keys.length === 1 && /(^|_)state$/.test(normalizeKey(keys[0]!)) && isRecord(json[keys[0]!])) return json[keys[0]!] as JsonObject
  return json
}

/** The document's field that names its agent (`"agent": "fact-validator"`, `"agent": {"name": ...}`), or null. */
function agentField(document: JsonObject): { key: string; label: string } | null {
  const named = pick(document, AGENT_KEYS)
  const label = labelOf(named?.value) ?? labelOf(pickValue(named?.value, AGENT_OBJECT_KEYS))
  return named === null || label === null ? null : { key: named.key, label }
}

/** The agent of a state file: named by the document, else by the file; qualified by the file's instance suffix. */
export function agentName(fileName: string, document: JsonObject): string {
  const { base, instance } = splitStateFileName(fileName)
  const agent = agentField(document)?.label ?? base
  if (instance === null) return agent
  const suffix = displayInstance(instance)
  // `section-writer-IV-A` already says which instance it is.
  return normalizeKey(agent).endsWith(normalizeKey(suffix)) ? agent : `${agent}-${suffix}`
}

/** `section-writer-state-iv-a.json` → base `section-writer`, instance `iv-a`. */
export function splitStateFileName(fileName: string): { base: string; instance: string | null } {
  const name = fileName.slice(fileName.lastIndexOf('/') + 1).replace(/\.json$/i, '')
  const match = /^(.*?)[-_.]state(?:[-_.](.+))?$/i.exec(name)
  if (match === null) return { base: name === '' ? 'unknown' : name, instance: null }
  const base = match[1] === '' ? name : match[1]!
  return { base, instance: match[2] ?? null }
}

// `iv-a`, `iii-2`, `iv.b`, `b`, `12`: section ids, which the documents write in capitals.
const SECTION_LIKE = /^(?:[ivxlc]+|[a-z]|\d+)(?:[-_.](?:[a-z]|\d+|[ivxlc]+))*$/i

function displayInstance(instance: string): string {
  return SECTION_LIKE.test(instance) ? instance.toUpperCase() : instance
}

/** A version and its key: a version field, else any `<something>_version` field (`validator_version`). */
function versionOf(document: JsonObject): { key: string; label: string } | null {
  const named = pick(document, VERSION_KEYS)
  const label = labelOf(named?.value)
  if (named !== null && label !== null) return { key: named.key, label }
  for (const [key, value] of Object.entries(document)) {
    if (normalizeKey(key).endsWith('_version')) {
      const own = labelOf(value)
      if (own !== null) return { key, label: own }
    }
  }
  return null
}

/** A timestamp as text; epoch numbers (seconds or milliseconds) become ISO instants. */
function timeText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    const date = new Date(value > 1e11 ? value : value * 1000)
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString()
  }
  return labelOf(value)
}

function nestedTime(document: JsonObject): string | null {
  for (const container of UPDATED_CONTAINERS) {
    const time = timeText(pickValue(pickValue(document, [container]), UPDATED_NESTED_KEYS))
    if (time !== null) return time
  }
  return null
}

/** The phases structure for the JSON column; a bare count becomes `{ "count": n }`. */
function phasesJson(value: unknown): unknown[] | JsonObject | null {
  if (typeof value === 'number') return { count: value }
  return jsonOf(value)
}

/** A blocking issue as text; an empty list or object, or `false`, is no blocker. */
function blockingText(value: unknown): string | null {
  if (value === false) return null
  // `"None"`, `["N/A"]`, `"No blockers"`: a statement that nothing blocks.
  if (typeof value === 'string' && saysNothing(value)) return null
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && saysNothing(item))) return null
  if (isRecord(value) && Object.keys(value).length === 0) return null
  return textOf(value)
}

/** Completed and pending sections, as lists when the document lists them. */
interface Sections {
  completed: unknown[] | JsonObject | null
  pending: unknown[] | JsonObject | null
  /** The top-level keys they were read from (none when read inside a container or a phase). */
  keys: string[]
}

/**
 * Sections done and pending. Looked up at the top level, then in progress
 * containers (`progress`, `metrics`, ...), then in the phase objects
 * (`phases.PHASE_4_ASSEMBLY.sections_complete`); lists win over counts
 * anywhere. A count is stored as `{ "count": n }`. When neither list is
 * given, a section → status map (`sections_status`) gives both.
 */
function readSections(document: JsonObject, progress: PhaseProgress | null): Sections {
  const places: unknown[] = [document]
  for (const container of SECTION_CONTAINERS) places.push(pickValue(document, [container]))
  if (progress !== null && isRecord(progress.value)) places.push(...Object.values(progress.value))
  else if (progress !== null && Array.isArray(progress.value)) places.push(...progress.value)
  const completed = findSections(places, SECTIONS_DONE_KEYS)
  const pending = findSections(places, SECTIONS_PENDING_KEYS)
  if (completed === null && pending === null) {
    const field = pick(document, SECTION_MAP_KEYS)
    const map = sectionsFromMap(field?.value)
    if (field !== null && map !== null) return { ...map, keys: [field.key] }
  }
  const keys = [completed, pending].flatMap((found) => (found?.place === document ? [found.key] : []))
  return { completed: completed?.value ?? null, pending: pending?.value ?? null, keys }
}

/** A sections value found, and where: the object it is a field of, under which key. */
interface FoundSections {
  value: unknown[] | JsonObject
  place: unknown
  key: string
}

function findSections(places: readonly unknown[], keys: readonly string[]): FoundSections | null {
  // Synonyms outermost, so `sections_complete` in any phase beats `sections_appended` in an earlier one.
  for (const wantList of [true, false]) {
    for (const key of keys) {
      for (const place of places) {
        const field = pick(place, [key])
        const value = sectionsValue(field?.value)
        if (field !== null && value !== null && Array.isArray(value) === wantList) return { value, place, key: field.key }
      }
    }
  }
  return null
}

/** A sections value: a list as it is, `"A, B"` as a list, a count as `{ "count": n }`. */
function sectionsValue(value: unknown): unknown[] | JsonObject | null {
  if (Array.isArray(value)) return value
  if (typeof value === 'number' && Number.isFinite(value)) return { count: value }
  if (typeof value === 'string') {
    const text = value.trim()
    if (/^\d+$/.test(text)) return { count: Number(text) }
    const items = text.split(/\s*[,;]\s*/).filter((item) => item !== '')
    return items.length > 0 ? items : null
  }
  return null
}

const DONE_STATUSES = new Set(['complete', 'passed', 'skipped', 'proceed'])

/** Both lists from `{ "IV-A": "complete", "IV-B": {"status": "pending"} }` or `[{ "section": "IV-A", "status": ... }]`. */
function sectionsFromMap(value: unknown): { completed: unknown[]; pending: unknown[] } | null {
  const entries: Array<[string, StatusReading | null]> = []
  if (isRecord(value)) {
    for (const [name, entry] of Object.entries(value)) entries.push([name, readStatus(entry)])
  } else if (Array.isArray(value)) {
    for (const entry of value) {
      const name = labelOf(pickValue(entry, ['section', 'section_id', 'id', 'name', 'title']))
      if (name !== null) entries.push([name, readStatus(entry)])
    }
  }
  const known = entries.filter(([, reading]) => reading?.status)
  if (known.length === 0) return null
  return {
    completed: known.filter(([, r]) => DONE_STATUSES.has(r!.status!)).map(([name]) => name),
    pending: known.filter(([, r]) => !DONE_STATUSES.has(r!.status!)).map(([name]) => name),
  }
}
