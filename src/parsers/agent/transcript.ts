/**
 * Claude Code / Agent SDK transcripts
 * (`~/.claude/projects/<project>/<session-id>.jsonl`, sub-agents in
 * `<session-id>/subagents/agent-<id>.jsonl` or, in older versions,
 * `agent-<id>.jsonl` beside the session files). Read as a fold: every line is
 * one `agent_messages` row, a line naming a report session is an
 * `agent_session_links` row, and a small state gives the file's
 * `agent_sessions` summary row.
 *
 * What is stored, and what is not: message content (prompts, answers, tool
 * inputs and results) is never stored. A row keeps ids, the model, the usage
 * and counts; `raw` is null (transcript lines run to megabytes); `extra` keeps
 * the line's other top-level keys only when they are short scalars (`cwd`,
 * `version`, `gitBranch`, `isMeta`, `subtype`, ...), never objects, text
 * over 200 characters, nor `toolUseResult` or `content` however short.
 *
 * Usage: one streamed assistant message is written on several lines sharing
 * `message.id` and `requestId`, each repeating the usage. Every line keeps
 * its own usage; `usage_key` (`<message id>:<request id>`, null when either
 * is missing) lets the store count each message once (as ccusage does).
 * Cost: the line's own `costUSD` (older versions) wins (`stated`); else the
 * pricing table's price of the model (`pricing`, with the table's version);
 * else null. `<synthetic>` lines (the CLI's own, zero usage) get no price.
 *
 * Summary: `subagents` counts the sub-agents the session launched (`Task`
 * or `Agent` tool uses), a bounded count that reads the same in the old
 * format (sub-agent lines inside the session file) and the new (one file per
 * sub-agent); `reports_saved` counts Write/Edit tool uses into a report
 * session; the first prompt is the first user line with text (not only tool
 * results) that is neither meta, a compaction summary, nor, in a session's
 * own file, a sub-agent's line.
 */
import { newRow } from '../typed/research-typed-rows.js'
import type { TypedRow } from '../typed/types.js'
import type { JsonLine } from './json-lines.js'
import { linkRow, LineReader, pathParts, preview, pushRow, restoreState, widenSpan, type FoldContext, type FoldRows } from './line-values.js'
import { costOf, priceOf } from './pricing.js'
import { reportSessionOf, reportSessionsIn } from './report-links.js'

const DEFAULTS = {
  session_id: null as string | null,
  agent_id: null as string | null,
  started_at: null as string | null,
  ended_at: null as string | null,
  cwd: null as string | null,
  version: null as string | null,
  first_prompt_length: null as number | null,
  first_prompt_preview: null as string | null,
  compactions: 0,
  lines: 0,
  tool_calls: 0,
  tool_failures: 0,
  subagents: 0,
  reports_saved: 0,
  /** Distinct models of assistant lines, first seen first, `<synthetic>` left out (a handful per session). */
  models: [] as string[],
  /** A cwd inside a report session was linked: once per file. */
  cwd_linked: false,
}

/** The fold state of a transcript: counters and first values, no per-line lists. */
export type TranscriptState = typeof DEFAULTS

const SYNTHETIC = '<synthetic>'
const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit'])
const AGENT_TOOLS = new Set(['Task', 'Agent'])
const EXTRA_TEXT_MAX = 200

/** Fold `lines` into `state` (null: the file's start): the lines' rows and the new state. */
export function foldTranscript(state: unknown, lines: readonly JsonLine[], context: FoldContext): { rows: FoldRows; state: TranscriptState } {
  const next = restoreState(state, DEFAULTS)
  const rows: FoldRows = {}
  const file = transcriptFile(context.relPath)
  for (const line of lines) {
    const reader = new LineReader(line.value)
    const type = reader.text('type')
    const at = reader.text('timestamp')
    const sessionId = reader.text('sessionId')
    const agentId = reader.text('agentId')
    const isSidechain = reader.flag('isSidechain')
    next.session_id ??= sessionId
    next.agent_id ??= agentId
    const sdkSessionId = sessionId ?? next.session_id ?? file.sessionId
    widenSpan(next, at)
    // No column of the row takes cwd and version: they stay in `extra` too.
    const cwd = stringAt(line.value, 'cwd')
    next.cwd ??= cwd
    next.version ??= stringAt(line.value, 'version')

    const message = objectAt(line.value, 'message')
    reader.take('message')
    const model = message ? stringAt(message, 'model') : null
    const messageId = message ? stringAt(message, 'id') : null
    const requestId = reader.text('requestId')
    const blocks = message && Array.isArray(message.content) ? message.content.filter(isObject) : []
    const usage = message ? tokensOf(message.usage) : null
    if (model !== null && model !== SYNTHETIC && type === 'assistant' && !next.models.includes(model)) next.models.push(model)

    let toolUses = 0
    let toolErrors = 0
    for (const block of blocks) {
      if (block.type === 'tool_use') {
        toolUses++
        const name = stringAt(block, 'name')
        if (name !== null && AGENT_TOOLS.has(name)) next.subagents++
        const written = name !== null && WRITE_TOOLS.has(name) ? writtenPath(block.input) : null
        const id = written === null ? null : reportSessionOf(written)
        if (id !== null) {
          next.reports_saved++
          pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, id, 'tool_write', written!, at))
        }
      } else if (block.type === 'tool_result' && block.is_error === true) {
        toolErrors++
      }
    }
    next.tool_calls += toolUses
    next.tool_failures += toolErrors

    // A stated cost wins over the table: it is what the CLI itself charged.
    const statedCost = reader.number('costUSD') ?? reader.number('cost_usd')
    let cost: number | null = null
    let costSource: string | null = null
    let pricingVersion: string | null = null
    if (statedCost !== null) {
      cost = statedCost
      costSource = 'stated'
    } else if (usage !== null && model !== null && context.pricing !== null) {
      const price = priceOf(context.pricing, model)
      if (price !== null) {
        cost = costOf(usage, price)
        costSource = 'pricing'
        pricingVersion = context.pricing.version
      }
    }

    if (type === 'system' && stringAt(line.value, 'subtype') === 'compact_boundary') next.compactions++

    if (type === 'user' && line.value.isMeta !== true) {
      const text = userText(message)
      if (text !== null) {
        const counts = line.value.isCompactSummary !== true && (file.agentFile || isSidechain !== 1)
        if (counts && next.first_prompt_length === null) {
          next.first_prompt_length = text.length
          next.first_prompt_preview = preview(text)
        }
        for (const id of reportSessionsIn(text)) {
          pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, id, 'prompt', `reports/${id}/`, at))
        }
      }
    }

    const cwdSession = cwd === null ? null : reportSessionOf(`${cwd}/`)
    if (cwdSession !== null && !next.cwd_linked) {
      next.cwd_linked = true
      pushRow(rows, 'agent_session_links', linkRow(line.line, sdkSessionId, cwdSession, 'cwd', cwd!, at))
    }

    const values = {
      sdk_session_id: sdkSessionId,
      at,
      type,
      uuid: reader.text('uuid'),
      parent_uuid: reader.text('parentUuid'),
      agent_id: agentId,
      is_sidechain: isSidechain,
      model,
      message_id: messageId,
      request_id: requestId,
      usage_key: messageId !== null && requestId !== null ? `${messageId}:${requestId}` : null,
      input_tokens: usage?.input ?? null,
      output_tokens: usage?.output ?? null,
      cache_read_tokens: usage?.cache_read ?? null,
      cache_creation_tokens: usage?.cache_creation ?? null,
      cost_usd: cost,
      cost_source: costSource,
      pricing_version: pricingVersion,
      tool_uses: toolUses,
      tool_errors: toolErrors,
    }
    pushRow(rows, 'agent_messages', newRow('agent_messages', line.line, values, reader.extra(shortScalar), null))
  }
  next.lines = context.linesRead
  return { rows, state: next }
}

/** The `agent_sessions` row of a transcript from its fold state alone. */
export function transcriptSummary(state: unknown, relPath: string): TypedRow {
  const s = restoreState(state, DEFAULTS)
  const file = transcriptFile(relPath)
  return newRow(
    'agent_sessions',
    null,
    {
      sdk_session_id: s.session_id ?? file.sessionId,
      source: 'transcript',
      agent_id: s.agent_id ?? file.agentId,
      started_at: s.started_at,
      ended_at: s.ended_at,
      cwd: s.cwd,
      // The transcript is the file itself; its absolute path is not the parser's to know.
      transcript_path: null,
      version: s.version,
      first_prompt_length: s.first_prompt_length,
      first_prompt_preview: s.first_prompt_preview,
      compactions: s.compactions,
      status: 'active',
      lines: s.lines,
      tool_calls: s.tool_calls,
      tool_failures: s.tool_failures,
      subagents: s.subagents,
      reports_saved: s.reports_saved,
      models: [...s.models],
    },
    null,
    null,
  )
}

/**
 * What a transcript's path says: a sub-agent file is `agent-<id>.jsonl`; its
 * session is the folder above `subagents/` (new layout), else the file stem
 * (the session's own file, or an old sub-agent file beside it).
 */
function transcriptFile(relPath: string): { sessionId: string; agentId: string | null; agentFile: boolean } {
  const { folders, name } = pathParts(relPath)
  const stem = name.replace(/\.(jsonl|ndjson)$/i, '')
  const agent = /^agent-(.+)$/.exec(stem)
  const parent = folders.length >= 2 && folders[folders.length - 1] === 'subagents' ? folders[folders.length - 2]! : null
  return { sessionId: parent ?? stem, agentId: agent ? agent[1]! : null, agentFile: agent !== null }
}

/** Token counts of a message's `usage`, missing counts as 0; null when there is no usage object. */
function tokensOf(usage: unknown): { input: number; output: number; cache_read: number; cache_creation: number } | null {
  if (!isObject(usage)) return null
  const count = (key: string): number => {
    const value = usage[key]
    return typeof value === 'number' && Number.isFinite(value) ? value : 0
  }
  return {
    input: count('input_tokens'),
    output: count('output_tokens'),
    cache_read: count('cache_read_input_tokens'),
    cache_creation: count('cache_creation_input_tokens'),
  }
}

/** The text of a user message: a string, or its text blocks joined; null when it holds none (only tool results). */
function userText(message: Record<string, unknown> | null): string | null {
  if (message === null) return null
  if (typeof message.content === 'string') return message.content
  if (!Array.isArray(message.content)) return null
  const texts = message.content.filter(isObject).filter((block) => block.type === 'text' && typeof block.text === 'string')
  return texts.length === 0 ? null : texts.map((block) => block.text as string).join('\n')
}

/** The file a Write/Edit tool use writes (`file_path`, or `notebook_path` for notebooks). */
function writtenPath(input: unknown): string | null {
  if (!isObject(input)) return null
  return stringAt(input, 'file_path') ?? stringAt(input, 'notebook_path')
}

// Content a line carries outside `message`: a tool's result, a system line's text.
const CONTENT_KEYS = new Set(['toolUseResult', 'content'])

/** Extra keeps short scalars only: no message content, no tool results. */
function shortScalar(key: string, value: unknown): boolean {
  if (CONTENT_KEYS.has(key)) return false
  if (typeof value === 'string') return value.length <= EXTRA_TEXT_MAX
  return value === null || typeof value === 'number' || typeof value === 'boolean'
}

function objectAt(value: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const v = value[key]
  return isObject(v) ? v : null
}

function stringAt(value: Record<string, unknown>, key: string): string | null {
  const v = value[key]
  return typeof v === 'string' ? v : null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
