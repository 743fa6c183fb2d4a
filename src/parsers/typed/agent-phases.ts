/**
 * Status and phase progress of an agent state document, read by meaning.
 *
 * The agents write progress in several shapes: a `phases` map of phase name
 * to `{ status }`, a `phases_complete` map of phase name to `true`/`false`, an
 * array of phase objects or of completed phase names, or only a count. These
 * readers reduce each shape to an ordered list of phases with a normalised
 * status, from which a missing current phase or overall status is derived.
 */
import { parseStatus, withoutMarkers } from '../normalize/index.js'
import type { Status } from '../normalize/types.js'
import { isRecord, labelOf, normalizeKey, pick, pickValue, type JsonObject } from './json-keys.js'

/** A status field read: the normalised status, or the text when it names none. */
export interface StatusReading {
  /** The normalised status, `null` when the text names none. */
  status: Status | null
  /** The source text (`true`/`false` for booleans), `null` when there was none. */
  raw: string | null
}

/** What a status column stores: the normalised status, else the source text. */
export function statusText(reading: StatusReading | null): string | null {
  return reading === null ? null : (reading.status ?? reading.raw)
}

/**
 * Read one status value: a string through `parseStatus`, a boolean as
 * done (`complete`) or not (`pending`), an object through its own status
 * field. Anything else is no status.
 */
export function readStatus(value: unknown): StatusReading | null {
  if (typeof value === 'boolean') return { status: value ? 'complete' : 'pending', raw: String(value) }
  if (typeof value === 'string') {
    const raw = withoutMarkers(value)
    // `parseStatus` answers null for a placeholder (`N/A`, `TBD`): no status, not an unknown one.
    const parsed = parseStatus(raw)
    return parsed === null ? null : { status: parsed.status, raw }
  }
  if (isRecord(value)) {
    const own = pick(value, STATUS_KEYS) ?? pick(value, DONE_KEYS)
    return own === null ? null : readStatus(own.value)
  }
  return null
}

/** Keys of an explicit overall status, in precedence order. */
export const STATUS_KEYS = [
  'status',
  'state',
  'overall_status',
  'agent_status',
  'current_status',
  'execution_status',
  'run_status',
  'synthesis_status',
  'task_status',
  'progress_status',
] as const

/** Keys of a verdict, used for status only when nothing else says where the agent is. */
export const VERDICT_KEYS = ['final_status', 'result', 'outcome', 'verdict', 'final_result', 'gate_result'] as const

/** Boolean keys that mean "done". */
const DONE_KEYS = ['complete', 'completed', 'done', 'finished', 'is_complete'] as const

/** Keys of a phase progress structure, in precedence order. */
export const PHASES_KEYS = [
  'phases',
  'phase_status',
  'phase_progress',
  'phases_status',
  'phases_complete',
  'phases_completed',
  'completed_phases',
  'phase_history',
  'steps',
] as const

/** Keys whose list holds only phases already done (bare names mean complete). */
const DONE_LIST_KEYS = new Set(['phases_complete', 'phases_completed', 'completed_phases'])

/** Keys of the current phase, in precedence order. */
export const CURRENT_PHASE_KEYS = [
  'current_phase',
  'phase',
  'current_stage',
  'stage',
  'current_step',
  'active_phase',
  'current_phase_name',
] as const

/** One phase of a progress structure. */
export interface PhaseEntry {
  /** The phase's key or name field; `#<n>` (1-based) for an unnamed array entry. */
  name: string
  /** `null` when the entry says nothing about its status. */
  reading: StatusReading | null
}

/** The phase progress structure of a document: its key, value, and entries in document order. */
export interface PhaseProgress {
  /** The key it was found under (`phases`, `phases_complete`, ...). */
  key: string
  /** The structure as the document writes it. */
  value: unknown
  /** Its phases in document order; empty for a bare count. */
  entries: PhaseEntry[]
}

/** Find and read the phase progress of `document`, or null when it has none. */
export function readPhaseProgress(document: unknown): PhaseProgress | null {
  const found = pick(document, PHASES_KEYS)
  if (found === null) return null
  const doneList = DONE_LIST_KEYS.has(normalizeKey(found.key))
  return { key: found.key, value: found.value, entries: phaseEntries(found.value, doneList) }
}

const PHASE_NAME_KEYS = ['name', 'phase', 'phase_name', 'id', 'title', 'step', 'key'] as const

function phaseEntries(value: unknown, doneList: boolean): PhaseEntry[] {
  const entries: PhaseEntry[] = []
  if (isRecord(value)) {
    for (const [name, entry] of Object.entries(value)) entries.push({ name, reading: readStatus(entry) })
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => {
      const label = labelOf(entry)
      if (label !== null) {
        // A bare name in a list of completed phases is done; in any other list its status is unknown.
        entries.push({ name: label, reading: doneList ? { status: 'complete', raw: null } : null })
        return
      }
      if (!isRecord(entry)) return
      const name = labelOf(pickValue(entry, PHASE_NAME_KEYS)) ?? `#${index + 1}`
      entries.push({ name, reading: readStatus(entry) })
    })
  }
  return entries
}

const DONE: ReadonlySet<Status> = new Set(['complete', 'passed', 'skipped', 'proceed'])

/** Whether a phase is finished. */
function isDone(entry: PhaseEntry): boolean {
  const status = entry.reading?.status
  return status !== null && status !== undefined && DONE.has(status)
}

/**
 * The phase an agent is in, derived from its progress when the document does
 * not name one: the first phase not finished, or the last phase when all are.
 * Null when no phase carries a status.
 */
export function derivePhase(progress: PhaseProgress | null): string | null {
  if (progress === null) return null
  const known = progress.entries.filter((entry) => entry.reading?.status)
  if (known.length === 0) return null
  return (known.find((entry) => !isDone(entry)) ?? known[known.length - 1]!).name
}

/**
 * The entry of `progress` that a current-phase label names: the same key, or
 * the longest phase name the label starts with (`PHASE_4_ASSEMBLY_IN_PROGRESS`
 * is in `PHASE_4_ASSEMBLY`).
 */
export function phaseNamed(progress: PhaseProgress | null, label: string): PhaseEntry | null {
  if (progress === null) return null
  const want = normalizeKey(label)
  let best: PhaseEntry | null = null
  for (const entry of progress.entries) {
    const name = normalizeKey(entry.name)
    if (name === '') continue
    if (name === want) return entry
    if (want.startsWith(`${name}_`) && (best === null || name.length > normalizeKey(best.name).length)) best = entry
  }
  return best
}

/**
 * The overall status that a progress structure implies: failed or blocked if
 * any phase is, complete when every phase is finished, pending when none has
 * started, in progress otherwise. Null when no phase carries a status.
 */
export function statusFromPhases(progress: PhaseProgress | null): Status | null {
  if (progress === null) return null
  const statuses = progress.entries.map((entry) => entry.reading?.status ?? null).filter((s) => s !== null)
  if (statuses.length === 0) return null
  for (const stop of ['failed', 'blocked'] as const) if (statuses.includes(stop)) return stop
  if (statuses.every((s) => DONE.has(s))) return 'complete'
  if (statuses.every((s) => s === 'pending' || s === 'ready')) return 'pending'
  return 'in_progress'
}

/**
 * The overall status of an agent document, in order: an explicit status field;
 * the status of the phase the document says is current; the current-phase
 * label itself when it is a status (`COMPLETE`); a verdict field (`PASS`); the
 * status the phases imply. Null when nothing says. `namedPhase` is the
 * current phase as the document names it, never a derived one.
 */
export function documentStatus(document: JsonObject, namedPhase: string | null, progress: PhaseProgress | null): StatusReading | null {
  const explicit = readStatus(pickValue(document, STATUS_KEYS))
  if (explicit !== null) return explicit
  if (namedPhase !== null) {
    const phase = phaseNamed(progress, namedPhase)?.reading
    if (phase) return phase
    const own = readStatus(namedPhase)
    if (own?.status) return own
  }
  const verdict = readStatus(pickValue(document, VERDICT_KEYS))
  if (verdict !== null) return verdict
  const implied = statusFromPhases(progress)
  return implied === null ? null : { status: implied, raw: null }
}
