/**
 * A QA remediation plan or dispatch (`qa-outputs/remediation-plan*.md`,
 * `remediation-dispatch*.md`): one `remediation_tasks` row per task, from the
 * wave tables (`| Task ID | Agent | Priority | ... |`) and from a heading per
 * task (`### TASK W2-001: Draft Escrow Provisions` with `**Agent:**` lines).
 * A task both tabled and detailed is one row, the table's values first.
 */
import type { ColumnValue } from '../parsers/typed/types.js'
import { mergeRows } from './engine.js'
import type { ColumnRule, KindSpec, RowContext } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function remediationTasksTables() {
  return {
    remediation_tasks: {
      task_id: 'text',
      wave: 'integer',
      task_type: 'text',
      agent: 'text',
      target_document: 'text',
      description: 'text',
      priority: 'text',
      status: 'text',
      status_raw: 'text',
      output_path: 'text',
      completed_at: 'text',
    },
  } as const
}

const COLUMNS: Record<string, ColumnRule> = {
  task_id: { labels: ['task id', 'task', 'id'] },
  task_type: { labels: ['type', 'task type'] },
  agent: { labels: ['agent', 'agent/script', 'assigned agent', 'script'] },
  target_document: { labels: ['target section', 'target sections', 'target', 'section', 'input file'] },
  description: { labels: ['description', 'action', 'task description'] },
  priority: { labels: ['priority'], read: 'severity' },
  status: { labels: ['status'], read: 'status' },
  output_path: { labels: ['output file', 'output', 'output method'] },
  completed_at: { labels: ['completed at', 'completed', 'date completed'], read: 'date' },
}

/** A task id: letters, then dash-separated parts with a number (`W2-001`, `W1-001-SCRIPT`, `ASSEMBLY-001`). */
const TASK_ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9.]+)+$/i

/** Keep real tasks only, and fill the wave (its section, else the `W<n>-` of its id), the type and the plan's own mark. */
function completeTask(values: Record<string, ColumnValue>, context: RowContext): Record<string, ColumnValue> | null {
  const id = typeof values.task_id === 'string' ? values.task_id.replace(/^task\s+/i, '') : null
  if (id === null || !TASK_ID.test(id) || !/\d/.test(id)) return null
  const section = context.headingPath.map((heading) => /^wave\s+(\d+)\b/i.exec(heading)).find((match) => match !== null)
  const named = /^W(\d+)-/i.exec(id)
  const wave = section?.[1] ?? named?.[1]
  const agent = typeof values.agent === 'string' ? values.agent : ''
  const stated = typeof values.task_type === 'string' ? values.task_type : agent
  const type = stated === '' ? null : /\.(py|sh|js)\b|\bscript\b/i.test(stated) ? 'script' : /\bagent\b/i.test(stated) || stated === agent ? 'agent' : stated
  return { ...values, task_id: id, wave: wave === undefined ? null : Number(wave), task_type: type, status_raw: context.text('status') }
}

export const remediationTasks: KindSpec = {
  kind: 'remediation_tasks',
  documentType: 'qa_output',
  fileNames: [/^remediation-(?:plan|dispatch)\b[\w.-]*\.md$/],
  accepts: (name) => /^remediation-(?:plan|dispatch)\b/.test(name),
  format: 'markdown',
  state: false,
  sections: ['wave', 'execution waves', 'remediation wave structure'],
  tables: remediationTasksTables(),
  shapes: [
    { shape: 'table', table: 'remediation_tasks', columns: COLUMNS, requires: [['task_id'], ['description', 'agent', 'output_path', 'target_document']], complete: completeTask },
    {
      shape: 'heading',
      table: 'remediation_tasks',
      sections: { aliases: ['wave'] },
      heading: { pattern: /^(?:task\s+)?(?<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9.]+)+)\b\s*[:—–-]?\s*(?<title>.*)$/i, id: 'task_id', title: 'description' },
      columns: COLUMNS,
      complete: completeTask,
    },
  ],
  parse: (_input, records) => {
    mergeRows(records, 'remediation_tasks', 'task_id')
    return records
  },
  fixture: { dir: 'remediation-tasks', path: 's/qa-outputs/*' },
}
