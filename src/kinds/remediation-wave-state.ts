/**
 * A remediation orchestrator's JSON state (`remediation-wave-state.json`): the
 * agent state kind takes the file; this kind also reads its tasks into
 * `remediation_tasks`, from a `tasks` list at the top level or under each of
 * its `waves` (a list, or an object keyed by wave).
 */
import { isRecord, pickValue, type JsonObject } from '../parsers/typed/json-keys.js'
import { newRow, severityText, textValue } from '../parsers/typed/research-typed-rows.js'
import { parseStatus } from '../parsers/normalize/index.js'
import { emptyTyped, pushRows, type TypedRow } from '../parsers/typed/types.js'
import type { KindSpec } from './types.js'

const WAVE_STATE = /^remediation[-_.](?:wave[-_.])?state\b.*\.json$/

export const remediationWaveState: KindSpec = {
  kind: 'remediation_wave_state',
  documentType: 'state_file',
  // Never a file's own kind: the agent state kind takes these files; this one reads them too.
  accepts: () => false,
  also: (name) => WAVE_STATE.test(name),
  format: 'json',
  state: false,
  sections: [],
  tables: {},
  parse: (input) => {
    const records = emptyTyped('remediation_wave_state')
    if (!isRecord(input.json)) return records
    const waves = input.json.waves
    const groups: Array<[unknown, unknown]> = [[null, input.json.tasks]]
    if (Array.isArray(waves)) for (const wave of waves.filter(isRecord)) groups.push([pickValue(wave, ['wave', 'wave_id', 'id', 'number']), wave.tasks])
    else if (isRecord(waves)) for (const [key, wave] of Object.entries(waves)) groups.push([key, isRecord(wave) ? wave.tasks : wave])
    const rows: TypedRow[] = []
    for (const [wave, tasks] of groups) {
      const list = Array.isArray(tasks) ? tasks.filter(isRecord) : isRecord(tasks) ? Object.entries(tasks).map(([id, t]) => ({ task_id: id, ...(isRecord(t) ? t : { status: t }) })) : []
      for (const task of list) rows.push(taskRow(task, wave))
    }
    pushRows(records, 'remediation_tasks', rows.filter((row) => row.values.task_id !== null))
    return records
  },
  fixture: { dir: 'remediation-wave-state', path: 's/*' },
}

function taskRow(task: JsonObject, wave: unknown): TypedRow {
  const text = (keys: readonly string[]): string | null => {
    const value = pickValue(task, keys)
    return typeof value === 'string' || typeof value === 'number' ? textValue(String(value)) : null
  }
  const status = text(['status', 'state'])
  const id = text(['task_id', 'id', 'task'])
  // A task's own wave, else its group's, else the `W<n>-` of its id.
  const waveText = text(['wave', 'wave_id']) ?? (wave === null ? null : String(wave)) ?? (id === null ? null : /^W(\d+)-/i.exec(id)?.[1] ?? null)
  const waveNumber = waveText === null ? null : /(\d+)/.exec(waveText)?.[1]
  const values = {
    task_id: id,
    wave: waveNumber === undefined || waveNumber === null ? null : Number(waveNumber),
    task_type: text(['type', 'task_type']),
    agent: text(['agent', 'script']),
    target_document: text(['target', 'target_section', 'target_document', 'input_file']),
    description: text(['description', 'name', 'title']),
    priority: severityText(text(['priority'])),
    status: status === null ? null : (parseStatus(status)?.status ?? null),
    status_raw: status,
    output_path: text(['output_file', 'output_path', 'output']),
    completed_at: text(['completed_at', 'completed', 'finished_at']),
  }
  return newRow('remediation_tasks', null, values, null, null)
}
