/**
 * A specialist's status from evidence, not from the plan's mark alone. Plans
 * are written once and their ⏳ marks are never updated, so each assignment of
 * `specialist_assignments` gets a derived status beside its own mark, from, in
 * this order:
 *
 * 1. the plan's mark, when it already says `complete` or `skipped`;
 * 2. a source naming the task id: a complete row of the orchestrator's
 *    execution inventory (`T3`), a complete agent state whose agent names the
 *    task, or a specialist report that names it in its file name or in its
 *    traceability table (`Report ID`, `Task ID`, `Query Received`: `T3`,
 *    `Task T3:`, `...-T5-T6`);
 * 3. a source of the same specialist type not used by step 2: a complete agent
 *    state named after the type, or a report whose `Subagent`/`Specialist`
 *    names the type or whose file name starts with it (`case-law-analyst-*`,
 *    or `case-law-*` without the `-analyst`/`-researcher`/`-specialist`
 *    suffix); one source per task, tasks in plan order, sources by path.
 *    An author may be a slug or words: `Commercial Contracts Research
 *    Specialist` or `Employment and Labor Law Specialist` name
 *    `commercial-contracts-analyst` and `employment-labor-analyst`, as they
 *    hold every word of the type without its suffix;
 * 4. a task the plan folds into another (`(Combine with T2)` in its
 *    specialist column) takes that task's derived status and evidence;
 *
 * A report whose author names a specialist type of the plan and that names
 * several tasks claims only the task ids of its author's type: the financial
 * analyst's report that "synthesises T1-T7" names those tasks as its inputs,
 * not as its own work. A single task id is the report's own, whoever wrote it.
 * 5. the session's own status: in a complete session no specialist is pending.
 *
 * Pure and dialect-neutral: each store gathers the inputs with its own SQL.
 */

/** One row of `specialist_assignments`. */
export interface AssignmentInput {
  id: number
  taskId: string | null
  specialistType: string | null
  /** The plan's mark, normalised (`pending`, `complete`, ...). */
  status: string | null
}

/** A specialist report of the session with the traceability values it states. */
export interface ReportInput {
  path: string
  /** `Report ID`, `Task ID`, `Query Received` values (task ids are read from them). */
  idTexts: string[]
  /** `Subagent` / `Specialist` values. */
  authors: string[]
}

/** A complete row of the orchestrator's execution inventory. */
export interface InventoryInput {
  path: string
  /** `T3`, `case-law-analyst (T4)` or `case-law-analyst`. */
  specialistId: string | null
  /** The report file the row names, if any. */
  reportFile: string | null
  complete: string | null
}

/** One agent state. */
export interface AgentInput {
  path: string
  agent: string | null
  status: string | null
}

/** Where a derived status came from. */
export type SpecialistEvidence = 'plan' | 'inventory' | 'agent_state' | 'report' | 'session'

/** The derived status of one assignment. */
export interface DerivedSpecialist {
  id: number
  status: string | null
  /** Null when nothing but a pending plan mark speaks for it. */
  evidence: SpecialistEvidence | null
  /** The file that proved it (report, inventory, agent state); null for `plan` and `session`. */
  evidencePath: string | null
}

interface Source {
  kind: 'inventory' | 'agent_state' | 'report'
  path: string
  /** For an inventory row: the report it names, which then serves no other task. */
  reportFile?: string
  ids: Set<string>
  matchesType(type: string): boolean
  /** For a report: whether its stated author (Subagent/Specialist) names this type; absent when it states none. */
  authorMatches?: (type: string) => boolean
  used: boolean
}

const DONE = new Set(['complete', 'skipped'])

/** Derive each assignment's status; `sessionComplete` is the session's own derived status being `complete`. */
export function deriveSpecialists(
  assignments: AssignmentInput[],
  sources: { reports: ReportInput[]; inventory: InventoryInput[]; agents: AgentInput[] },
  sessionComplete: boolean,
): DerivedSpecialist[] {
  const ordered = [...assignments].sort((a, b) => a.id - b.id)
  const result = new Map<number, DerivedSpecialist>()
  const open: AssignmentInput[] = []
  for (const a of ordered) {
    if (a.status !== null && DONE.has(a.status)) result.set(a.id, { id: a.id, status: a.status, evidence: 'plan', evidencePath: null })
    else open.push(a)
  }
  const list = evidenceSources(sources)
  const typeOfTask = new Map<string, string>()
  for (const a of ordered) {
    const key = taskKey(a.taskId)
    if (key !== null && !typeOfTask.has(key)) typeOfTask.set(key, normaliseType(a.specialistType))
  }
  const planTypes = new Set([...typeOfTask.values()].filter((t) => t !== ''))
  // A report by a planned type that names several tasks claims only its own type's: the others are inputs it cites.
  // One task id alone is its own, whoever wrote it (the plan may give the task to another type).
  for (const s of list) {
    const authored = s.authorMatches
    if (authored === undefined || ![...planTypes].some(authored)) continue
    if ([...s.ids].filter((id) => typeOfTask.has(id)).length < 2) continue
    s.ids = new Set([...s.ids].filter((id) => !typeOfTask.has(id) || authored(typeOfTask.get(id)!)))
  }
  const planIds = new Set(typeOfTask.keys())
  // 2. By task id.
  for (const a of [...open]) {
    const key = taskKey(a.taskId)
    if (key === null) continue
    const source = list.find((s) => s.ids.has(key))
    if (!source) continue
    use(list, source)
    result.set(a.id, { id: a.id, status: 'complete', evidence: source.kind, evidencePath: source.path })
    open.splice(open.indexOf(a), 1)
  }
  // 3. By type, one source per task; a source naming another task of this plan is that task's.
  for (const a of [...open]) {
    const type = normaliseType(a.specialistType)
    if (type === '') continue
    const source = list.find((s) => !s.used && ![...s.ids].some((id) => planIds.has(id)) && s.matchesType(type))
    if (!source) continue
    use(list, source)
    result.set(a.id, { id: a.id, status: 'complete', evidence: source.kind, evidencePath: source.path })
    open.splice(open.indexOf(a), 1)
  }
  // 4. A task folded into another ("(Combine with T2)") is done when that one is.
  for (const a of [...open]) {
    const host = foldedInto(a, ordered)
    const hostStatus = host === undefined ? undefined : result.get(host.id)
    if (hostStatus === undefined || hostStatus.status === null || !DONE.has(hostStatus.status)) continue
    result.set(a.id, { ...hostStatus, id: a.id })
    open.splice(open.indexOf(a), 1)
  }
  // 5. The session is done.
  for (const a of open) {
    result.set(a.id, sessionComplete ? { id: a.id, status: 'complete', evidence: 'session', evidencePath: null } : { id: a.id, status: a.status, evidence: null, evidencePath: null })
  }
  return ordered.map((a) => result.get(a.id)!)
}

// The task another is folded into, when its specialist column says so: `(Combine with T2)`, `merged into T2`, `covered by T2`.
function foldedInto(a: AssignmentInput, plan: AssignmentInput[]): AssignmentInput | undefined {
  const text = a.specialistType ?? ''
  if (!/\b(combin|merg|fold|covered by|part of)/i.test(text)) return undefined
  const own = taskKey(a.taskId)
  const ids = [...taskIds(text)].filter((id) => id !== own)
  return ids.length === 1 ? plan.find((p) => p !== a && taskKey(p.taskId) === ids[0]) : undefined
}

// A used source serves no other task by type; nor does the report an inventory row names.
function use(list: Source[], source: Source): void {
  source.used = true
  if (source.reportFile === undefined) return
  for (const s of list) if (s.kind === 'report' && s.path.toLowerCase().endsWith(`/${source.reportFile}`)) s.used = true
}

function evidenceSources(sources: { reports: ReportInput[]; inventory: InventoryInput[]; agents: AgentInput[] }): Source[] {
  const list: Source[] = []
  for (const row of [...sources.inventory].sort((a, b) => compareText(a.path, b.path))) {
    if (row.complete !== 'complete' || row.specialistId === null) continue
    const key = taskKey(row.specialistId)
    const ids = key !== null && /^t\d+$/.test(key) ? new Set([key]) : taskIds(row.specialistId)
    const named = normaliseType(row.specialistId.replace(/\(.*?\)/g, ''))
    const reportFile = row.reportFile?.trim().toLowerCase().split('/').pop()
    list.push({ kind: 'inventory', path: row.path, ids, matchesType: (type) => named === type, used: false, ...(reportFile ? { reportFile } : {}) })
  }
  for (const row of [...sources.agents].sort((a, b) => compareText(a.path, b.path) || compareText(a.agent ?? '', b.agent ?? ''))) {
    if (row.status !== 'complete' || !row.agent) continue
    const agent = normaliseType(row.agent)
    list.push({ kind: 'agent_state', path: row.path, ids: taskIds(agent), matchesType: (type) => agent === type, used: false })
  }
  for (const report of [...sources.reports].sort((a, b) => compareText(a.path, b.path))) {
    const name = report.path.slice(report.path.lastIndexOf('/') + 1).toLowerCase()
    const ids = taskIds([name, ...report.idTexts].join(' '))
    const authors = report.authors.map(slug).filter((a) => a !== '')
    const stem = name.replace(/\.md$/, '').replace(/-(report|analysis)$/, '')
    const authorMatches = (type: string): boolean => authors.some((a) => a.includes(type) || namesAllWords(a, typeStem(type)))
    list.push({
      kind: 'report',
      path: report.path,
      ids,
      matchesType: (type) => authorMatches(type) || startsWithWord(stem, type) || startsWithWord(stem, typeStem(type)),
      ...(authors.length > 0 ? { authorMatches } : {}),
      used: false,
    })
  }
  return list
}

/** `T3`, `t3`, `3` → `t3`; null for no id. */
function taskKey(taskId: string | null): string | null {
  if (taskId === null) return null
  const text = taskId.trim().toLowerCase()
  if (/^\d+$/.test(text)) return `t${Number(text)}`
  const m = /^t\s*(\d+)$/.exec(text)
  return m ? `t${Number(m[1])}` : text === '' ? null : text
}

// Every `T<n>` token not inside a longer word or number: `T5-T6`, `Task T8:`, `...-t12-tax`.
function taskIds(text: string): Set<string> {
  const ids = new Set<string>()
  for (const m of text.toLowerCase().matchAll(/(?<![a-z0-9])t(\d{1,3})(?![0-9a-z])/g)) ids.add(`t${Number(m[1])}`)
  return ids
}

function normaliseType(type: string | null): string {
  return (type ?? '').trim().toLowerCase().replace(/\s+/g, '-')
}

// `Commercial Contracts Research Specialist` -> `commercial-contracts-research-specialist`.
function slug(text: string): string {
  return text.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
}

function typeStem(type: string): string {
  return type.replace(/-(analyst|researcher|specialist)$/, '')
}

// Every word of the type's stem is a word of the text: `employment-and-labor-law-specialist` names `employment-labor`.
function namesAllWords(text: string, stem: string): boolean {
  const words = new Set(text.split('-'))
  return stem !== '' && stem.split('-').every((w) => words.has(w))
}

function startsWithWord(text: string, prefix: string): boolean {
  return prefix !== '' && (text === prefix || text.startsWith(`${prefix}-`))
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
