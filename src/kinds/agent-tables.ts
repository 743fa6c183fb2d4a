/**
 * The typed tables of an agent SDK's own sessions, filled by two kinds: hook
 * audit logs (`reports/sessions/<sdk-session-id>/session-audit.log`) and the
 * SDK's transcripts (`~/.claude/projects/<project>/<sdk-session-id>.jsonl`).
 * Both are JSON Lines that only grow, so every table but `agent_sessions` is
 * one row per line (or per evidence a line gives) and can be appended to;
 * `agent_sessions` is one summary row per file, replaced on every apply.
 * Flags (`success`, `is_sidechain`) are integers 1/0, as both dialects bind them.
 */

/** The tables, by name. A function, so the catalogue can be read while modules are still loading. */
export function agentTables() {
  return {
    agent_sessions: {
      sdk_session_id: 'text',
      /** `audit_log` or `transcript`: which file this summary reads. */
      source: 'text',
      /** A sub-agent transcript's agent id; null for the main session. */
      agent_id: 'text',
      started_at: 'text',
      ended_at: 'text',
      cwd: 'text',
      transcript_path: 'text',
      version: 'text',
      first_prompt_length: 'integer',
      first_prompt_preview: 'text',
      compactions: 'integer',
      /** `active`, `stopped` (an `agent_stop`) or `compacted` (last seen compacting). */
      status: 'text',
      /** JSON lines read, malformed ones included. */
      lines: 'integer',
      tool_calls: 'integer',
      tool_failures: 'integer',
      subagents: 'integer',
      reports_saved: 'integer',
      /** Models the session's assistant lines name, in first-seen order. */
      models: 'json',
    },
    agent_events: {
      sdk_session_id: 'text',
      at: 'text',
      event: 'text',
      tool: 'text',
      tool_type: 'text',
      mcp_server: 'text',
      mcp_action: 'text',
      agent_type: 'text',
      agent_id: 'text',
      tool_use_id: 'text',
      duration_ms: 'integer',
      success: 'integer',
      error: 'text',
      file_path: 'text',
    },
    agent_messages: {
      sdk_session_id: 'text',
      at: 'text',
      /** `user`, `assistant`, `summary`, `system`, ... */
      type: 'text',
      uuid: 'text',
      parent_uuid: 'text',
      agent_id: 'text',
      is_sidechain: 'integer',
      model: 'text',
      message_id: 'text',
      request_id: 'text',
      /** `<message id>:<request id>`: lines of one streamed message share it and count once. */
      usage_key: 'text',
      input_tokens: 'integer',
      output_tokens: 'integer',
      cache_read_tokens: 'integer',
      cache_creation_tokens: 'integer',
      cost_usd: 'real',
      /** `stated` (the line's own cost), `pricing` (the table's), or null (no usage, or a model the table lacks). */
      cost_source: 'text',
      pricing_version: 'text',
      tool_uses: 'integer',
      tool_errors: 'integer',
    },
    agent_session_links: {
      sdk_session_id: 'text',
      report_session_id: 'text',
      /** `report_saved`, `tool_write` (a transcript's Write/Edit into the session), `prompt` or `cwd`. */
      evidence: 'text',
      /** The path or text that names the report session. */
      detail: 'text',
      at: 'text',
    },
  } as const
}
