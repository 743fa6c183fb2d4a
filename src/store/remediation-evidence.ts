/**
 * A remediation task's status from evidence, beside the plan's own mark.
 * Plans and dispatches are written before the work and not updated, so a
 * task counts as complete when, in this order:
 *
 * 1. the plan's mark already says `complete` or `skipped`;
 * 2. an output file of the session is named after the task
 *    (`remediation-outputs/W2-001-escrow.md` for `W2-001`) and reports
 *    completion. An output belongs to the task with the longest id it starts
 *    with, so `W1-001-SCRIPT.md` is `W1-001-SCRIPT`'s, not `W1-001`'s;
 * 3. the session is certified (a certificate or delivery decision certifies and none rejects):
 *    no task of it is still open. A session complete by its synthesis alone is not enough, as
 *    remediation follows the memorandum.
 *
 * Otherwise the plan's mark stands, with no evidence. Pure and dialect-neutral.
 */

/** One row of `remediation_tasks`. */
export interface RemediationTaskInput {
  id: number
  taskId: string | null
  /** The plan's mark, normalised. */
  status: string | null
}

/** One row of `remediation_outputs` with its file. */
export interface RemediationOutputInput {
  path: string
  /** The file's name without `.md`, lower-cased. */
  name: string
  complete: boolean
}

/** Where a task's derived status came from. */
export type RemediationEvidence = 'plan' | 'output' | 'session'

/** The derived status of one task. */
export interface DerivedRemediationTask {
  id: number
  status: string | null
  evidence: RemediationEvidence | null
  /** The output file that proved it; null for `plan` and `session`. */
  evidencePath: string | null
}

const DONE = new Set(['complete', 'skipped'])

/** Derive each task's status from the session's outputs; `certified`: the session's QA certifies it (step 3). */
export function deriveRemediationTasks(tasks: RemediationTaskInput[], outputs: RemediationOutputInput[], certified: boolean): DerivedRemediationTask[] {
  const ids = [...new Set(tasks.map((t) => t.taskId?.toLowerCase()).filter((id): id is string => id !== undefined && id !== ''))].sort((a, b) => b.length - a.length)
  // Each output to the longest task id its name starts with.
  const completedBy = new Map<string, string>()
  for (const output of [...outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const owner = ids.find((id) => output.name === id || output.name.startsWith(`${id}-`) || output.name.startsWith(`${id}_`))
    if (owner !== undefined && output.complete && !completedBy.has(owner)) completedBy.set(owner, output.path)
  }
  return tasks.map((task) => {
    if (task.status !== null && DONE.has(task.status)) return { id: task.id, status: task.status, evidence: 'plan', evidencePath: null }
    const path = task.taskId === null ? undefined : completedBy.get(task.taskId.toLowerCase())
    if (path !== undefined) return { id: task.id, status: 'complete', evidence: 'output', evidencePath: path }
    if (certified) return { id: task.id, status: 'complete', evidence: 'session', evidencePath: null }
    return { id: task.id, status: task.status, evidence: null, evidencePath: null }
  })
}
