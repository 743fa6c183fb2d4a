/**
 * An agent SDK's own sessions as the read side answers them: the types, and
 * the one merge both dialects run over the rows their SQL selects (under the
 * same column names), so SQLite and PostgreSQL give the same objects.
 *
 * An SDK session is told by several files: its hook audit log, its main
 * transcript and one transcript per sub-agent, possibly in several roots.
 * Their `agent_sessions` rows (one per file) merge into one item; usage comes
 * from the `agent_model_usage` view (streamed lines counted once across
 * files), links from `agent_session_report_links`.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ReadParamError } from './read-types.js'

type Row = Record<string, unknown>

/** One file that tells of an SDK session. */
export interface AgentSessionSource {
  root: string
  /** Relative to the root, `/`-separated. */
  path: string
  /** `audit_log` or `transcript`. */
  source: string | null
  /** A sub-agent transcript's agent id; null for the main session. */
  agentId: string | null
  startedAt: string | null
  endedAt: string | null
  /** `active`, `stopped` or `compacted`, as this file last says. */
  status: string | null
  /** The SDK version the file names. */
  version: string | null
  /** JSON lines read, malformed ones included. */
  lines: number | null
}

/** Usage of one model in one SDK session (a row of `agent_model_usage`). */
export interface AgentModelUsage {
  /** Null for usage lines that name no model. */
  model: string | null
  /** Assistant requests with usage, each streamed message once. */
  requests: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  /** Summed over the priced requests; null when none is priced. */
  costUsd: number | null
  /** Requests whose cost is known (stated by the line or from the pricing table). */
  pricedRequests: number
  /** The pricing table's version the costs come from (the latest when several). */
  pricingVersion: string | null
}

/** Tokens, turns and cost of an SDK session, over its models. */
export interface AgentUsage {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  /** Input + output + both cache counts. */
  totalTokens: number
  /** Assistant requests (`requests` summed). */
  turns: number
  /** Null when no request is priced; with `pricedTurns` < `turns` it covers only the priced ones. */
  costUsd: number | null
  pricedTurns: number
  /** By model name, a null model last. */
  models: AgentModelUsage[]
}

/** One kind of evidence that an SDK session worked on a report session. */
export interface AgentLinkEvidence {
  /** `report_saved`, `tool_write`, `prompt` or `cwd`. */
  kind: string
  /** Lines that say so. */
  occurrences: number
  /** The path or text that names the report session (the least, when several). */
  detail: string | null
  firstAt: string | null
  lastAt: string | null
}

/** A report session an SDK session worked on. */
export interface AgentSessionLink {
  reportSessionId: string
  /** Over every kind of evidence. */
  occurrences: number
  firstAt: string | null
  lastAt: string | null
  /** By kind. */
  evidence: AgentLinkEvidence[]
}

/** What the files count; null where no file states it. */
export interface AgentCounts {
  toolCalls: number | null
  toolFailures: number | null
  subagents: number | null
  compactions: number | null
  reportsSaved: number | null
}

/** One SDK session, merged from the files that tell of it. */
export interface AgentSession {
  sdkSessionId: string
  /** The earliest start any file gives. */
  startedAt: string | null
  /** The latest end any file gives. */
  endedAt: string | null
  /** Wall time from `startedAt` to `endedAt`; null without both. */
  durationMs: number | null
  /** `stopped` when any file says so, else what the main session's last file says. */
  status: string | null
  cwd: string | null
  transcriptPath: string | null
  version: string | null
  /** The first user prompt: its length and a preview; null when no file has one. */
  firstPrompt: { length: number | null; preview: string | null } | null
  counts: AgentCounts
  usage: AgentUsage
  /** Report sessions it worked on, by id. */
  links: AgentSessionLink[]
  /** Its files, by root then path. */
  sources: AgentSessionSource[]
}

/** One page of SDK sessions, the most recently active first. */
export interface AgentSessionPage {
  items: AgentSession[]
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

/** One audit-log line of an SDK session (an `agent_events` row). */
export interface AgentEvent {
  root: string
  path: string
  line: number | null
  at: string | null
  event: string | null
  tool: string | null
  toolType: string | null
  mcpServer: string | null
  mcpAction: string | null
  agentType: string | null
  agentId: string | null
  toolUseId: string | null
  durationMs: number | null
  /** Null when the line says nothing of the outcome. */
  success: boolean | null
  error: string | null
  filePath: string | null
}

/** One page of an SDK session's events, by document then line. */
export interface AgentEventPage {
  items: AgentEvent[]
  nextCursor: string | null
  /** Events the session has in all. */
  total: number
}

/** One SDK session with a page of its events. */
export interface AgentSessionDetail extends AgentSession {
  events: AgentEventPage
}

/** Which SDK sessions, and which page. */
export interface AgentSessionListQuery {
  /** Only SDK sessions linked to this report session. */
  reportSession?: string
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string
  /** Page size, 1 to `MAX_PAGE_SIZE`; default `DEFAULT_PAGE_SIZE`. */
  limit?: number
}

/** Which events come with `agentSession`. */
export interface AgentSessionQuery {
  /** Page size, 1 to `MAX_PAGE_SIZE`; default `DEFAULT_PAGE_SIZE`. */
  eventsLimit?: number
  /** `events.nextCursor` of the previous answer. */
  eventsCursor?: string
  /** `asc` (default): the first events first; `desc`: the latest first. */
  eventsOrder?: 'asc' | 'desc'
}

/** The SDK sessions linked to a report session, summed (`SessionDetail.agentUsage`). */
export interface AgentUsageRollup {
  /** SDK sessions linked. */
  sessions: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  totalTokens: number
  turns: number
  /** Null when no linked session states it. */
  toolCalls: number | null
  toolFailures: number | null
  subagents: number | null
  compactions: number | null
  /** Wall time of each session, summed (sessions that ran side by side count twice). */
  durationMs: number | null
  /** Null when no request is priced. */
  costUsd: number | null
  pricedTurns: number
}

/** Tokens and cost of one model over every SDK session (for /metrics). */
export interface AgentModelTotal {
  model: string | null
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  /** Of the priced requests; 0 when none is. */
  costUsd: number
}

/** A position in the SDK session list: the last item of a page. */
export interface AgentListCursor {
  /** The session's last activity, as the list orders it ('' for none). */
  lastAt: string
  sdkSessionId: string
}

/** A position in a session's events: the last event of a page. */
export interface AgentEventCursor {
  documentId: number
  line: number
  id: number
}

const BAD_CURSOR = 'is not one this server issued; start again without it'

/** Check a list query the same way for both dialects, and fill the defaults. */
export function checkAgentListQuery(query: AgentSessionListQuery): { limit: number; reportSession?: string; after: AgentListCursor | null } {
  const limit = pageLimit(query.limit, 'limit')
  let after: AgentListCursor | null = null
  if (query.cursor !== undefined) {
    const value = decodeJson(query.cursor, 'cursor')
    if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'string')) throw new ReadParamError('cursor', `cursor ${BAD_CURSOR}`)
    after = { lastAt: value[0] as string, sdkSessionId: value[1] as string }
  }
  return { limit, reportSession: query.reportSession, after }
}

/** Check an event query the same way for both dialects, and fill the defaults. */
export function checkAgentSessionQuery(query: AgentSessionQuery): { limit: number; order: 'asc' | 'desc'; after: AgentEventCursor | null } {
  const limit = pageLimit(query.eventsLimit, 'events_limit')
  const order = query.eventsOrder ?? 'asc'
  if (order !== 'asc' && order !== 'desc') throw new ReadParamError('events_order', 'events_order must be asc or desc')
  let after: AgentEventCursor | null = null
  if (query.eventsCursor !== undefined) {
    const value = decodeJson(query.eventsCursor, 'events_cursor')
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => Number.isSafeInteger(v))) {
      throw new ReadParamError('events_cursor', `events_cursor ${BAD_CURSOR}`)
    }
    const [documentId, line, id] = value as number[]
    after = { documentId: documentId!, line: line!, id: id! }
  }
  return { limit, order, after }
}

function pageLimit(limit: number | undefined, param: string): number {
  const value = limit ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) throw new ReadParamError(param, `${param} must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  return value
}

function decodeJson(cursor: string, param: string): unknown {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url')
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new ReadParamError(param, `${param} ${BAD_CURSOR}`)
  }
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * The page of `limit` SDK sessions (fetched: `limit + 1` keys, `{ id, last_at }`,
 * in list order) and the cursor after its last one. `merged` are the items of
 * the kept keys, in any order.
 */
export function agentPageOf(keys: Row[], limit: number, merged: AgentSession[]): AgentSessionPage {
  const kept = keys.slice(0, limit)
  const byId = new Map(merged.map((item) => [item.sdkSessionId, item]))
  const items = kept.map((key) => byId.get(String(key.id))).filter((item): item is AgentSession => item !== undefined)
  const last = kept[kept.length - 1]
  return {
    items,
    nextCursor: keys.length > limit && last ? encodeJson([String(last.last_at ?? ''), String(last.id)]) : null,
  }
}

/** The page of `limit` events (fetched: `limit + 1` rows with `id`, `document_id`, `line`) and the cursor after its last one. */
export function agentEventPageOf(rows: Row[], limit: number, total: unknown): AgentEventPage {
  const kept = rows.slice(0, limit)
  const last = kept[kept.length - 1]
  return {
    items: kept.map(agentEventOf),
    nextCursor: rows.length > limit && last ? encodeJson([Number(last.document_id), Number(last.line ?? 0), Number(last.id)]) : null,
    total: Number(total ?? 0),
  }
}

function agentEventOf(row: Row): AgentEvent {
  return {
    root: String(row.root),
    path: String(row.path),
    line: int(row.line),
    at: str(row.at),
    event: str(row.event),
    tool: str(row.tool),
    toolType: str(row.tool_type),
    mcpServer: str(row.mcp_server),
    mcpAction: str(row.mcp_action),
    agentType: str(row.agent_type),
    agentId: str(row.agent_id),
    toolUseId: str(row.tool_use_id),
    durationMs: int(row.duration_ms),
    success: row.success === null || row.success === undefined ? null : Number(row.success) !== 0,
    error: str(row.error),
    filePath: str(row.file_path),
  }
}

/**
 * The SDK sessions named in `files` (agent_sessions rows joined to their
 * document: `sdk_session_id`, `root`, `path` and the table's columns), with
 * the `agent_model_usage` and `agent_session_report_links` rows of the same
 * sessions, in the order of their first file row.
 */
export function mergeAgentSessions(files: Row[], usage: Row[], links: Row[]): AgentSession[] {
  const bySession = groupBy(files, (row) => String(row.sdk_session_id))
  const usageBy = groupBy(usage, (row) => String(row.sdk_session_id))
  const linksBy = groupBy(links, (row) => String(row.sdk_session_id))
  return [...bySession].map(([id, rows]) => mergeOne(id, rows, usageBy.get(id) ?? [], linksBy.get(id) ?? []))
}

function mergeOne(sdkSessionId: string, rows: Row[], usage: Row[], links: Row[]): AgentSession {
  const sources = rows
    .map((row) => ({ row, source: sourceOf(row) }))
    .sort((a, b) => compareText(a.source.root, b.source.root) || compareText(a.source.path, b.source.path))
  // Fields one file tells (cwd, first prompt): the main session's files before the sub-agents', the earliest first.
  const preferred = [...sources].sort(
    (a, b) =>
      Number(a.source.agentId !== null) - Number(b.source.agentId !== null) ||
      compareText(a.source.startedAt ?? '\uffff', b.source.startedAt ?? '\uffff') ||
      compareText(a.source.source ?? '', b.source.source ?? ''),
  )
  const first = (column: string): string | null => str(preferred.find((s) => s.row[column] !== null && s.row[column] !== undefined)?.row[column])
  const startedAt = least(sources.map((s) => s.source.startedAt))
  const endedAt = greatest(sources.map((s) => s.source.endedAt))
  const prompt = preferred.find((s) => s.row.first_prompt_preview != null || s.row.first_prompt_length != null)?.row
  return {
    sdkSessionId,
    startedAt,
    endedAt,
    durationMs: span(startedAt, endedAt),
    status: statusOf(sources.map((s) => s.source)),
    cwd: first('cwd'),
    transcriptPath: first('transcript_path'),
    version: first('version'),
    firstPrompt: prompt ? { length: int(prompt.first_prompt_length), preview: str(prompt.first_prompt_preview) } : null,
    counts: {
      toolCalls: mergedCount(rows, 'tool_calls'),
      toolFailures: mergedCount(rows, 'tool_failures'),
      subagents: mergedCount(rows, 'subagents'),
      compactions: mergedCount(rows, 'compactions'),
      reportsSaved: mergedCount(rows, 'reports_saved'),
    },
    usage: usageOf(usage),
    links: linksOf(links),
    sources: sources.map((s) => s.source),
  }
}

function sourceOf(row: Row): AgentSessionSource {
  return {
    root: String(row.root),
    path: String(row.path),
    source: str(row.source),
    agentId: str(row.agent_id),
    startedAt: str(row.started_at),
    endedAt: str(row.ended_at),
    status: str(row.status),
    version: str(row.version),
    lines: int(row.lines),
  }
}

// A stop anywhere ends the session; otherwise the main session's latest file tells where it stands.
function statusOf(sources: AgentSessionSource[]): string | null {
  if (sources.some((s) => s.status === 'stopped')) return 'stopped'
  const latest = [...sources]
    .filter((s) => s.status !== null)
    .sort(
      (a, b) =>
        Number(a.agentId !== null) - Number(b.agentId !== null) ||
        compareText(b.endedAt ?? b.startedAt ?? '', a.endedAt ?? a.startedAt ?? ''),
    )[0]
  return latest?.status ?? null
}

/**
 * A count over the session's files. An audit log and the transcripts see the
 * same calls (the hooks fire for the sub-agents' tools too), so adding them
 * would count each call twice: the count is the larger of what the audit logs
 * say and what the transcripts say. Within one kind, the main transcript and
 * each sub-agent's are disjoint and add up; the same file in two roots is one
 * (the larger).
 */
function mergedCount(rows: Row[], column: string): number | null {
  const perFile = new Map<string, number>()
  for (const row of rows) {
    const value = int(row[column])
    if (value === null) continue
    const key = `${String(row.source)}\u0000${String(row.agent_id)}`
    perFile.set(key, Math.max(perFile.get(key) ?? 0, value))
  }
  if (perFile.size === 0) return null
  const perKind = new Map<string, number>()
  for (const [key, value] of perFile) {
    const kind = key.slice(0, key.indexOf('\u0000'))
    perKind.set(kind, (perKind.get(kind) ?? 0) + value)
  }
  return Math.max(...perKind.values())
}

function usageOf(rows: Row[]): AgentUsage {
  const models = rows
    .map(
      (row): AgentModelUsage => ({
        model: str(row.model),
        requests: Number(row.requests ?? 0),
        inputTokens: Number(row.input_tokens ?? 0),
        outputTokens: Number(row.output_tokens ?? 0),
        cacheReadTokens: Number(row.cache_read_tokens ?? 0),
        cacheCreationTokens: Number(row.cache_creation_tokens ?? 0),
        costUsd: Number(row.priced_requests ?? 0) > 0 ? money(row.cost_usd) : null,
        pricedRequests: Number(row.priced_requests ?? 0),
        pricingVersion: str(row.pricing_version),
      }),
    )
    .sort((a, b) => (a.model === null ? 1 : b.model === null ? -1 : compareText(a.model, b.model)))
  const sum = (pick: (m: AgentModelUsage) => number): number => models.reduce((total, m) => total + pick(m), 0)
  const priced = models.filter((m) => m.costUsd !== null)
  const usage = {
    inputTokens: sum((m) => m.inputTokens),
    outputTokens: sum((m) => m.outputTokens),
    cacheReadTokens: sum((m) => m.cacheReadTokens),
    cacheCreationTokens: sum((m) => m.cacheCreationTokens),
  }
  return {
    ...usage,
    totalTokens: usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens,
    turns: sum((m) => m.requests),
    costUsd: priced.length === 0 ? null : money(priced.reduce((total, m) => total + m.costUsd!, 0)),
    pricedTurns: sum((m) => m.pricedRequests),
    models,
  }
}

function linksOf(rows: Row[]): AgentSessionLink[] {
  const byReport = groupBy(rows, (row) => String(row.report_session_id))
  return [...byReport]
    .sort(([a], [b]) => compareText(a, b))
    .map(([reportSessionId, evidenceRows]) => {
      const evidence = evidenceRows
        .map(
          (row): AgentLinkEvidence => ({
            kind: String(row.evidence),
            occurrences: Number(row.occurrences ?? 0),
            detail: str(row.detail),
            firstAt: str(row.first_at),
            lastAt: str(row.last_at),
          }),
        )
        .sort((a, b) => compareText(a.kind, b.kind))
      return {
        reportSessionId,
        occurrences: evidence.reduce((total, e) => total + e.occurrences, 0),
        firstAt: least(evidence.map((e) => e.firstAt)),
        lastAt: greatest(evidence.map((e) => e.lastAt)),
        evidence,
      }
    })
}

/** The SDK sessions of a report session, summed; null when none is linked. */
export function agentUsageRollup(items: AgentSession[]): AgentUsageRollup | null {
  if (items.length === 0) return null
  const total = (pick: (item: AgentSession) => number): number => items.reduce((sum, item) => sum + pick(item), 0)
  // A sum of nothing stated is no zero: null unless some session states the count.
  const stated = (pick: (item: AgentSession) => number | null): number | null => {
    const values = items.map(pick).filter((v): v is number => v !== null)
    return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0)
  }
  const costs = items.map((item) => item.usage.costUsd).filter((v): v is number => v !== null)
  return {
    sessions: items.length,
    inputTokens: total((i) => i.usage.inputTokens),
    outputTokens: total((i) => i.usage.outputTokens),
    cacheReadTokens: total((i) => i.usage.cacheReadTokens),
    cacheCreationTokens: total((i) => i.usage.cacheCreationTokens),
    totalTokens: total((i) => i.usage.totalTokens),
    turns: total((i) => i.usage.turns),
    toolCalls: stated((i) => i.counts.toolCalls),
    toolFailures: stated((i) => i.counts.toolFailures),
    subagents: stated((i) => i.counts.subagents),
    compactions: stated((i) => i.counts.compactions),
    durationMs: stated((i) => i.durationMs),
    costUsd: costs.length === 0 ? null : money(costs.reduce((sum, v) => sum + v, 0)),
    pricedTurns: total((i) => i.usage.pricedTurns),
  }
}

/** The most recent activity of an SDK session, as the list orders it: its latest end, else its latest start. */
export function lastActivity(item: AgentSession): string {
  return item.endedAt ?? greatest(item.sources.map((s) => s.startedAt)) ?? ''
}

/** Items the most recently active first, then by id: the list's order. */
export function byRecentActivity(items: AgentSession[]): AgentSession[] {
  return [...items].sort((a, b) => compareText(lastActivity(b), lastActivity(a)) || compareText(a.sdkSessionId, b.sdkSessionId))
}

/** `agent_model_usage` summed per model (rows: `model` and the sums), by model name, a null model last. */
export function agentModelTotalsOf(rows: Row[]): AgentModelTotal[] {
  return rows
    .map((row) => ({
      model: str(row.model),
      inputTokens: Number(row.input_tokens ?? 0),
      outputTokens: Number(row.output_tokens ?? 0),
      cacheReadTokens: Number(row.cache_read_tokens ?? 0),
      cacheCreationTokens: Number(row.cache_creation_tokens ?? 0),
      costUsd: money(row.cost_usd) ?? 0,
    }))
    .sort((a, b) => (a.model === null ? 1 : b.model === null ? -1 : compareText(a.model, b.model)))
}

function groupBy(rows: Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>()
  for (const row of rows) {
    const k = key(row)
    const group = groups.get(k)
    if (group) group.push(row)
    else groups.set(k, [row])
  }
  return groups
}

// Timestamps are ISO-8601 text in both dialects; they compare as the SQL's min() and max() do (SQLite bytewise, PostgreSQL COLLATE "C").
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function least(values: Array<string | null>): string | null {
  return values.reduce<string | null>((min, v) => (v !== null && (min === null || v < min) ? v : min), null)
}

function greatest(values: Array<string | null>): string | null {
  return values.reduce<string | null>((max, v) => (v !== null && (max === null || v > max) ? v : max), null)
}

function span(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null
  const ms = Date.parse(to) - Date.parse(from)
  return Number.isFinite(ms) && ms >= 0 ? ms : null
}

// Both dialects sum floating point in their own order; rounding to a tenth of a micro-dollar makes their answers equal.
function money(value: unknown): number | null {
  if (value === null || value === undefined) return null
  const n = Number(value)
  return Number.isFinite(n) ? Math.round(n * 1e7) / 1e7 : null
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}

function int(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}

/**
 * What `agent_model_usage` says of the SDK sessions `inIds` selects (an SQL
 * condition on the column it is given, such as `IN (SELECT value FROM
 * json_each(?))`), numbering only the lines that share a usage key with
 * theirs. The view numbers every line of every transcript, a pass over all of
 * them per read; a streamed message is numbered here over exactly the lines
 * the view would number it over, so the first line, and the rows, are the same.
 */
export function modelUsageSql(inIds: (column: string) => string, dialect: 'sqlite' | 'postgres'): string {
  // Two index searches: the lines sharing a key with the sessions' lines, and the sessions' own lines without a key
  // (`+` keeps SQLite, which has no statistics, off the usage_key index for the IS NULL test: most lines have no key).
  const keyless = dialect === 'sqlite' ? '+m.usage_key IS NULL' : 'm.usage_key IS NULL'
  const columns = 'm.id, m.root, m.document_id, m.line, m.at, m.usage_key, m.sdk_session_id, m.model, m.input_tokens, m.output_tokens, m.cache_read_tokens, m.cache_creation_tokens, m.cost_usd, m.pricing_version'
  return `WITH lines AS (
      SELECT ${columns} FROM agent_messages m
      WHERE m.usage_key IN (SELECT k.usage_key FROM agent_messages k WHERE ${inIds('k.sdk_session_id')} AND k.usage_key IS NOT NULL)
      UNION ALL
      SELECT ${columns} FROM agent_messages m WHERE ${inIds('m.sdk_session_id')} AND ${keyless}),
    counted AS (
      SELECT sdk_session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, pricing_version,
        row_number() OVER (PARTITION BY coalesce(usage_key, root || ':' || id) ORDER BY at, document_id, line) AS n
      FROM lines
      WHERE input_tokens IS NOT NULL OR output_tokens IS NOT NULL OR cache_read_tokens IS NOT NULL
        OR cache_creation_tokens IS NOT NULL OR cost_usd IS NOT NULL)
    SELECT sdk_session_id, model, count(*) AS requests,
      sum(coalesce(input_tokens, 0)) AS input_tokens, sum(coalesce(output_tokens, 0)) AS output_tokens,
      sum(coalesce(cache_read_tokens, 0)) AS cache_read_tokens, sum(coalesce(cache_creation_tokens, 0)) AS cache_creation_tokens,
      sum(cost_usd) AS cost_usd, count(cost_usd) AS priced_requests, max(pricing_version) AS pricing_version
    FROM counted WHERE n = 1 AND ${inIds('sdk_session_id')} GROUP BY sdk_session_id, model`
}

/** What `agent_session_report_links` says of the SDK sessions `inIds` selects, grouping only their lines (see `modelUsageSql`). */
export function reportLinksSql(inIds: (column: string) => string): string {
  return `SELECT sdk_session_id, report_session_id, evidence, count(*) AS occurrences, min(detail) AS detail, min(at) AS first_at, max(at) AS last_at
    FROM agent_session_links WHERE ${inIds('sdk_session_id')} AND report_session_id IS NOT NULL
    GROUP BY sdk_session_id, report_session_id, evidence`
}
