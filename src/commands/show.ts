/**
 * `statebridge show <id>`: a report session (its deal, phases, specialists,
 * synthesis, QA, usage and the agent SDK sessions that worked on it), or,
 * for the id of an agent SDK session that is no report session, that agent
 * session (its files, prompt, counts, usage per model, links, last events).
 */
import type { DatabaseTarget } from '../config.js'
import type { AgentSession, AgentSessionDetail, AgentUsageRollup } from '../store/agent-sessions.js'
import { openReader } from '../store/open-reader.js'
import type { SessionDetail, Store } from '../store/types.js'

/** Events `show` prints of an agent session: the latest. */
export const SHOW_EVENTS = 10

// SDK session ids are UUIDs; only such an id is looked for among the agent sessions.
const SDK_SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Print the report session `id` (one block per root that has it), else the
 * agent SDK session of that id; with `json`, the object the API answers.
 * Resolves the exit code: 1 when neither is in the database.
 */
export async function printSession(store: Store, target: DatabaseTarget, id: string, json: boolean): Promise<number> {
  const details = await store.sessionDetail(id)
  if (details.length > 0) {
    process.stdout.write(json ? `${JSON.stringify(details)}\n` : details.map(formatSessionDetail).join('\n'))
    return 0
  }
  const agent = SDK_SESSION_ID.test(id) ? await readAgentSession(target, id, json) : null
  if (agent === null) {
    process.stderr.write(`statebridge: no session ${JSON.stringify(id)} in the database\n`)
    return 1
  }
  process.stdout.write(json ? `${JSON.stringify(agent)}\n` : formatAgentSession(agent))
  return 0
}

// Through the read side, which knows agent sessions; the store the command opened has migrated the schema.
// The JSON is the API's default answer (the first events); the text shows the latest.
async function readAgentSession(target: DatabaseTarget, id: string, json: boolean): Promise<AgentSessionDetail | null> {
  // An in-memory SQLite database has no second connection, and holds nothing once the command ends.
  if (target.dialect === 'sqlite' && (target.file === ':memory:' || target.file === '')) return null
  const reader = await openReader(target)
  try {
    const found = await reader.agentSession(id, json ? {} : { eventsLimit: SHOW_EVENTS, eventsOrder: 'desc' })
    if (found === null || json) return found
    return { ...found, events: { ...found.events, items: [...found.events.items].reverse() } }
  } finally {
    await reader.close()
  }
}

/** A report session as `show` prints it. */
export function formatSessionDetail(d: SessionDetail): string {
  const deal = d.deal
  const resume = d.resume
  const money = (v: unknown) => (typeof v === 'number' ? `$${(v / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })}M` : '-')
  const lines = [
    `session ${d.sessionId}`,
    `  status: ${d.status}${d.statusReason ? `: ${d.statusReason}` : ''}`,
    `  where: ${resume.where}`,
    `  next: ${resume.next}`,
    `  created: ${d.createdAt ?? '-'} (from ${createdFrom(d)})`,
    `  root: ${d.root}`,
    `  matter: ${String(deal.matter_name ?? '-')}   deal value: ${money(deal.deal_value)}${deal.deal_value_raw ? ` (${String(deal.deal_value_raw)})` : ''}`,
    `  closing: ${String(deal.closing_date ?? deal.closing_date_raw ?? '-')}   type: ${String(deal.transaction_type ?? '-')}   complexity: ${String(deal.complexity ?? '-')}`,
    `  acquirer: ${String(deal.acquirer ?? '-')}   target: ${String(deal.target ?? '-')}`,
    `  documents: ${d.documents.ok} ok, ${d.documents.error} error   facts: ${d.factCount}`,
  ]
  if (d.phases.length > 0) {
    lines.push('  phases:')
    for (const p of d.phases) lines.push(`    ${String(p.phase ?? '?').padEnd(40)} ${String(p.status ?? '-').padEnd(12)} ${p.end_time ?? p.start_time ?? ''}`)
  }
  for (const i of d.iterations) lines.push(`  gate ${i.gate_name ?? '?'}: ${i.current_iteration ?? '?'}/${i.max_iterations ?? '?'}`)
  if (d.errorFiles.length > 0) {
    lines.push(`  files in error (${d.errorFiles.length}):`)
    for (const e of d.errorFiles) lines.push(`    ${e.path}${e.error ? `: ${e.error}` : ''}`)
  }
  if (d.specialists.length > 0) {
    const byEvidence = new Map<string, number>()
    for (const s of d.specialists) if (s.evidence !== null) byEvidence.set(s.evidence, (byEvidence.get(s.evidence) ?? 0) + 1)
    const evidence = [...byEvidence].map(([kind, n]) => `${n} by ${kind}`).join(', ')
    lines.push(`  specialists: ${d.specialists.length} planned, ${d.specialists.length - d.pendingSpecialists.length} done${evidence ? ` (${evidence})` : ''}`)
    // The plan's mark beside what the evidence says, where they differ.
    for (const s of d.specialists) {
      if (s.status === s.plan_status) continue
      const where = s.evidence_path ? ` ${s.evidence_path}` : ''
      lines.push(`    ${String(s.task_id ?? '?').padEnd(6)} ${String(s.specialist_type ?? '?').padEnd(36)} plan ${s.plan_mark ?? s.plan_status ?? '-'} -> ${s.status ?? '-'} (${s.evidence ?? '-'}${where})`)
    }
  }
  if (d.pendingSpecialists.length > 0) {
    lines.push(`  pending specialists (${d.pendingSpecialists.length}):`)
    for (const p of d.pendingSpecialists) {
      lines.push(`    ${String(p.task_id ?? '?').padEnd(6)} ${String(p.specialist_type ?? '?').padEnd(36)} ${p.status ?? '-'} (plan ${p.plan_mark ?? p.plan_status ?? '-'})`)
    }
  }
  const s = d.synthesis
  if (s) {
    lines.push(`  synthesis: phase ${String(s.current_phase ?? '-')}, status ${String(s.status ?? '-')}, last step ${String(s.last_completed_step ?? '-')}`)
    // The synthesis state's own next action, marked when the session's completion supersedes it.
    if (s.next_action) lines.push(`  synthesis next action${resume.supersededNextAction !== null ? ' (superseded: the session is complete)' : ''}: ${String(s.next_action)}`)
    if (s.blocking_issue) lines.push(`  blocking: ${String(s.blocking_issue)}`)
  }
  if (d.agents.length > 0) {
    lines.push('  agents:')
    for (const a of d.agents) lines.push(`    ${String(a.agent ?? '?').padEnd(36)} ${String(a.status ?? '-').padEnd(12)} ${a.current_phase ?? ''}`)
  }
  if (d.qaAssessments.length > 0) {
    lines.push('  qa:')
    for (const q of d.qaAssessments) {
      const score = q.overall_score === null ? '-' : `${q.overall_score}${q.max_score === 100 ? '%' : q.max_score === null ? '' : `/${q.max_score}`}`
      const pass = q.pass === null ? '' : ` pass ${q.pass}`
      lines.push(`    ${String(q.assessment_type ?? '?').padEnd(15)} ${score.padEnd(8)} ${String(q.certification ?? '-').padEnd(14)} ${q.path}${pass}`)
    }
  }
  if (d.remediationTasks.length > 0) {
    const done = d.remediationTasks.filter((t) => t.status === 'complete' || t.status === 'skipped').length
    const byOutput = d.remediationTasks.filter((t) => t.evidence === 'output').length
    lines.push(`  remediation tasks: ${d.remediationTasks.length} listed, ${done} done${byOutput > 0 ? ` (${byOutput} by output)` : ''}`)
    // A task a plan and its dispatch both list is one open task.
    const open = new Map<string, (typeof d.remediationTasks)[number]>()
    for (const t of d.remediationTasks) if (t.status !== 'complete' && t.status !== 'skipped' && !open.has(t.task_id ?? '?')) open.set(t.task_id ?? '?', t)
    for (const t of open.values()) lines.push(`    ${String(t.task_id ?? '?').padEnd(16)} ${t.status ?? '-'} (plan ${t.plan_mark ?? t.plan_status ?? '-'}) ${t.path}`)
  }
  if (d.usage !== null) lines.push(`  usage: ${formatUsage(d.usage)}`)
  if (d.agentUsage) lines.push(...formatLinkedAgentSessions(d.sessionId, d.agentSessions ?? [], d.agentUsage))
  return `${lines.join('\n')}\n`
}

// Only what some file states: a sum of nothing is no zero.
function formatUsage(u: NonNullable<SessionDetail['usage']>): string {
  const parts: string[] = []
  if (u.total_tokens !== null) parts.push(`${u.total_tokens.toLocaleString('en-US')} tokens`)
  if (u.input_tokens !== null || u.output_tokens !== null) parts.push(`in ${u.input_tokens ?? '-'} / out ${u.output_tokens ?? '-'}`)
  if (u.cache_read_tokens !== null || u.cache_creation_tokens !== null) parts.push(`cache read ${u.cache_read_tokens ?? '-'} / created ${u.cache_creation_tokens ?? '-'}`)
  if (u.turns !== null) parts.push(`${u.turns} turns`)
  if (u.tool_calls !== null) parts.push(`${u.tool_calls} tool calls`)
  if (u.duration_ms !== null) parts.push(`${(u.duration_ms / 1000).toFixed(0)} s`)
  if (u.cost_usd !== null) parts.push(`$${u.cost_usd.toFixed(2)}`)
  return `${parts.join(', ')} (${u.files} file${u.files === 1 ? '' : 's'})`
}

// Where the creation time comes from, with the name's value when the content's differs.
function createdFrom(d: SessionDetail): string {
  if (d.createdAtSource === null) return 'nowhere: neither the content nor the name states it'
  if (d.createdAtSource === 'name') return 'the directory name'
  const path = d.createdAtSource.replace(/^content:/, '')
  const name = d.createdAtFromName === null ? 'the name gives none' : d.createdAtFromName === d.createdAt ? 'the name agrees' : `the name says ${d.createdAtFromName}`
  return `${path}; ${name}`
}

// The SDK sessions linked to report session `reportSessionId`: one line for their sum, one per session.
function formatLinkedAgentSessions(reportSessionId: string, sessions: AgentSession[], total: AgentUsageRollup): string[] {
  const lines = [`  agent sessions (${total.sessions}): ${formatAgentTotals(total)}`]
  for (const s of sessions) {
    const link = s.links.find((l) => l.reportSessionId === reportSessionId)
    const evidence = link ? link.evidence.map((e) => `${e.kind} x${e.occurrences}`).join(', ') : '-'
    lines.push(
      `    ${s.sdkSessionId}  ${formatSpan(s.startedAt, s.endedAt, s.durationMs)}  ${s.usage.totalTokens.toLocaleString('en-US')} tokens  ` +
        `${formatCost(s.usage.costUsd)}  ${s.status ?? '-'}  (${evidence})`,
    )
  }
  return lines
}

function formatAgentTotals(t: AgentUsageRollup): string {
  const parts = [`${t.totalTokens.toLocaleString('en-US')} tokens`, `${t.turns} turns`, `${formatCost(t.costUsd)}${pricedNote(t.pricedTurns, t.turns)}`]
  if (t.toolCalls !== null) parts.push(`${t.toolCalls} tool calls${t.toolFailures ? ` (${t.toolFailures} failed)` : ''}`)
  if (t.subagents) parts.push(`${t.subagents} sub-agents`)
  if (t.compactions) parts.push(`${t.compactions} compactions`)
  if (t.durationMs !== null) parts.push(formatDuration(t.durationMs))
  return parts.join(', ')
}

/** An agent SDK session as `show` prints it; `events` are printed in the order given. */
export function formatAgentSession(a: AgentSessionDetail): string {
  const c = a.counts
  const u = a.usage
  const lines = [
    `agent session ${a.sdkSessionId}`,
    `  status: ${a.status ?? '-'}`,
    `  time: ${formatSpan(a.startedAt, a.endedAt, a.durationMs)}`,
    `  cwd: ${a.cwd ?? '-'}   version: ${a.version ?? '-'}`,
  ]
  if (a.transcriptPath !== null) lines.push(`  transcript: ${a.transcriptPath}`)
  if (a.firstPrompt !== null) lines.push(`  prompt${a.firstPrompt.length !== null ? ` (${a.firstPrompt.length} chars)` : ''}: ${a.firstPrompt.preview ?? '-'}`)
  const counted: Array<[number | null, string]> = [
    [c.toolCalls, 'tool calls'],
    [c.toolFailures, 'failed'],
    [c.subagents, 'sub-agents'],
    [c.compactions, 'compactions'],
    [c.reportsSaved, 'reports saved'],
  ]
  // Only what some file states: a count no file gives is no zero.
  const stated = counted.filter(([n]) => n !== null).map(([n, what]) => `${n} ${what}`)
  if (stated.length > 0) lines.push(`  counts: ${stated.join(', ')}`)
  // An audit log alone records no usage: say so rather than print zeros.
  if (u.models.length === 0) {
    lines.push('  usage: none recorded (no transcript usage lines)')
  } else {
    lines.push(
      `  usage: ${u.totalTokens.toLocaleString('en-US')} tokens (in ${u.inputTokens} / out ${u.outputTokens} / cache read ${u.cacheReadTokens} / ` +
        `created ${u.cacheCreationTokens}), ${u.turns} turns, ${formatCost(u.costUsd)}${pricedNote(u.pricedTurns, u.turns)}`,
    )
  }
  for (const m of u.models) {
    const tokens = m.inputTokens + m.outputTokens + m.cacheReadTokens + m.cacheCreationTokens
    const pricing = m.costUsd === null ? 'not priced' : `pricing ${m.pricingVersion ?? 'stated'}`
    lines.push(
      `    ${String(m.model ?? '(no model)').padEnd(30)} ${String(m.requests).padStart(5)} turns ${tokens.toLocaleString('en-US').padStart(12)} tokens  ` +
        `${formatCost(m.costUsd).padEnd(9)} (${pricing}${pricedNote(m.pricedRequests, m.requests)})`,
    )
  }
  if (a.links.length > 0) {
    lines.push('  report sessions:')
    for (const l of a.links) {
      lines.push(`    ${l.reportSessionId.padEnd(24)} ${l.evidence.map((e) => `${e.kind} x${e.occurrences}`).join(', ')}  (${l.firstAt ?? '-'} .. ${l.lastAt ?? '-'})`)
    }
  }
  lines.push('  files:')
  for (const s of a.sources) {
    const agent = s.agentId !== null ? ` (sub-agent ${s.agentId})` : ''
    lines.push(`    ${String(s.source ?? '-').padEnd(10)} ${s.root}/${s.path}${agent}  ${s.lines ?? '?'} lines  ${s.status ?? '-'}`)
  }
  const events = a.events
  if (events.total > 0) {
    lines.push(`  events (${events.items.length} of ${events.total}):`)
    for (const e of events.items) {
      const outcome = e.success === false ? ` failed${e.error ? `: ${e.error}` : ''}` : ''
      const took = e.durationMs !== null ? ` (${formatDuration(e.durationMs)})` : ''
      const what = [e.tool, e.agentType, e.filePath].filter((v) => v !== null).join(' ')
      lines.push(`    ${e.at ?? '-'}  ${String(e.event ?? '-').padEnd(16)} ${what}${outcome}${took}`.trimEnd())
    }
  }
  return `${lines.join('\n')}\n`
}

// Partly priced usage says how much of it the cost covers.
function pricedNote(priced: number, turns: number): string {
  return priced > 0 && priced < turns ? `, ${priced} of ${turns} turns priced` : ''
}

// Small sums keep their cents' fractions: a sub-agent's turns cost fractions of a cent.
function formatCost(usd: number | null): string {
  if (usd === null) return 'no cost'
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`
}

function formatSpan(from: string | null, to: string | null, ms: number | null): string {
  return `${from ?? '?'} .. ${to ?? '?'}${ms !== null ? ` (${formatDuration(ms)})` : ''}`
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`
}
