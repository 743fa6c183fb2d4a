/**
 * What a run cost, wherever a JSON state file records it: one `session_usage`
 * row per object that states tokens, turns, duration or cost (the top level
 * and containers such as `usage` or `metrics`). The kind that takes the state
 * file keeps it; this kind reads it too (`also`). Limits and estimates
 * (`output_token_limit`, `size_tokens_estimated`) are not usage and match no key.
 * `source` tells state-file rows from usage a later reader adds (an SDK session's).
 */
import { isRecord, normalizeKey, type JsonObject } from '../parsers/typed/json-keys.js'
import { newRow } from '../parsers/typed/research-typed-rows.js'
import { emptyTyped, pushRows, type ColumnValue } from '../parsers/typed/types.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function sessionUsageTables() {
  return {
    session_usage: {
      source: 'text',
      agent: 'text',
      model: 'text',
      input_tokens: 'integer',
      output_tokens: 'integer',
      cache_read_tokens: 'integer',
      cache_creation_tokens: 'integer',
      total_tokens: 'integer',
      turns: 'integer',
      tool_calls: 'integer',
      duration_ms: 'integer',
      cost_usd: 'real',
    },
  } as const
}

/** Keys (lower snake case) that mean each count; seconds become milliseconds. */
const KEYS: Record<string, readonly string[]> = {
  input_tokens: ['input_tokens', 'prompt_tokens', 'tokens_in'],
  output_tokens: ['output_tokens', 'completion_tokens', 'tokens_out'],
  cache_read_tokens: ['cache_read_input_tokens', 'cache_read_tokens'],
  cache_creation_tokens: ['cache_creation_input_tokens', 'cache_creation_tokens'],
  total_tokens: ['total_tokens', 'tokens_used', 'actual_tokens_used', 'total_tokens_used', 'token_count'],
  turns: ['num_turns', 'turns', 'turn_count'],
  tool_calls: ['tool_calls', 'tool_call_count', 'num_tool_calls'],
  duration_ms: ['duration_ms', 'elapsed_ms', 'wall_time_ms'],
  cost_usd: ['total_cost_usd', 'cost_usd', 'cost_in_usd'],
}
const SECONDS = ['duration_seconds', 'duration_s', 'elapsed_seconds']
/** Objects below the top level that may hold usage. */
const CONTAINERS = new Set(['usage', 'token_usage', 'tokens', 'metrics', 'stats', 'statistics', 'telemetry', 'cost', 'session_usage', 'model_usage'])
const STATE_NAME = /(?:^|[-_.])state(?:[-_.]|$)/

export const sessionUsage: KindSpec = {
  kind: 'session_usage',
  documentType: 'state_file',
  // Never a file's own kind: it reads JSON state files other kinds take.
  accepts: () => false,
  also: (name) => name.endsWith('.json') && STATE_NAME.test(name.slice(0, -5)),
  format: 'json',
  state: false,
  sections: [],
  tables: sessionUsageTables(),
  parse: (input) => {
    const records = emptyTyped('session_usage')
    if (!isRecord(input.json)) return records
    const agent = textOf(input.json, ['agent', 'agent_name', 'agent_id']) ?? input.name.replace(/[-_.]state\b.*$/, '')
    const model = textOf(input.json, ['model', 'model_id'])
    const objects: Array<[string, JsonObject]> = [['', input.json]]
    for (const [key, value] of Object.entries(input.json)) if (CONTAINERS.has(normalizeKey(key)) && isRecord(value)) objects.push([key, value])
    for (const [key, object] of objects) {
      const counts = usageOf(object)
      if (counts === null) continue
      const values = { source: 'state_file', agent: textOf(object, ['agent']) ?? agent, model: textOf(object, ['model']) ?? model, ...counts }
      pushRows(records, 'session_usage', [newRow('session_usage', null, values, null, key === '' ? null : key)])
    }
    return records
  },
  fixture: { dir: 'session-usage', path: 's/*' },
}

/** The usage counts an object states, or null when it states none. */
function usageOf(object: JsonObject): Record<string, ColumnValue> | null {
  const byKey = new Map(Object.entries(object).map(([key, value]) => [normalizeKey(key), value]))
  const values: Record<string, ColumnValue> = {}
  let found = false
  for (const [column, keys] of Object.entries(KEYS)) {
    const value = keys.map((key) => byKey.get(key)).find((v) => typeof v === 'number' && Number.isFinite(v))
    values[column] = typeof value === 'number' ? value : null
    found ||= typeof value === 'number'
  }
  const seconds = SECONDS.map((key) => byKey.get(key)).find((v) => typeof v === 'number')
  if (values.duration_ms === null && typeof seconds === 'number') (values.duration_ms = Math.round(seconds * 1000)), (found = true)
  return found ? values : null
}

function textOf(object: JsonObject, keys: readonly string[]): string | null {
  for (const key of keys) if (typeof object[key] === 'string' && object[key] !== '') return object[key] as string
  return null
}
