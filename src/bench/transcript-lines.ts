/**
 * Agent SDK transcript lines in the documented shape (one JSON object a
 * line), generated for sync tests: user prompts, assistant replies streamed
 * over several lines that share a message id and request id, tool uses and
 * results, summaries and compaction boundaries. Invented content. The bench
 * and the tests share it.
 */

/** The `n`-th line (from 0) of session `sessionId`'s transcript; deterministic. */
export function transcriptLine(sessionId: string, n: number, options: { agentId?: string } = {}): string {
  const at = new Date(Date.UTC(2026, 10, 30, 9, 0, 0) + n * 1_000).toISOString()
  const common = {
    sessionId,
    uuid: `${sessionId.slice(0, 8)}-u${n}`,
    parentUuid: n === 0 ? null : `${sessionId.slice(0, 8)}-u${n - 1}`,
    timestamp: at,
    cwd: '/home/dev/deal-room',
    version: '2.0.14',
    isSidechain: options.agentId !== undefined,
    ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
  }
  const turn = Math.floor(n / 5)
  // Message and request ids are unique to the session, as the API's are.
  const key = sessionId.replaceAll('-', '')
  switch (n % 5) {
    case 0:
      return JSON.stringify({
        ...common,
        type: 'user',
        message: { role: 'user', content: `Continue the review of reports/2026-11-30-1764493200/ part ${turn}` },
      })
    case 1:
    case 2:
      // One streamed message on two lines: same id, same request, same usage.
      return JSON.stringify({
        ...common,
        type: 'assistant',
        requestId: `req_${key}_${turn}`,
        message: {
          id: `msg_${key}_${turn}`,
          role: 'assistant',
          model: turn % 3 === 2 ? 'claude-haiku-4-5-20251001' : 'claude-sonnet-4-5-20250929',
          content:
            n % 5 === 1
              ? [{ type: 'text', text: `Reading part ${turn}.` }]
              : [{ type: 'tool_use', id: `toolu_${turn}`, name: 'Write', input: { file_path: `/home/dev/deal-room/reports/2026-11-30-1764493200/part-${turn}.md` } }],
          usage: { input_tokens: 100 + turn, output_tokens: 20 + turn, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 },
        },
      })
    case 3:
      return JSON.stringify({
        ...common,
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${turn}`, content: 'written', is_error: turn % 4 === 3 }] },
      })
    default:
      return turn % 2 === 0
        ? JSON.stringify({ type: 'summary', summary: `Part ${turn} reviewed`, leafUuid: common.uuid })
        : JSON.stringify({ ...common, type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', compactMetadata: { trigger: 'auto' } })
  }
}

/** Lines `from` to `to` (exclusive), each ending in a newline. */
export function transcriptText(sessionId: string, from: number, to: number, options: { agentId?: string } = {}): string {
  let text = ''
  for (let n = from; n < to; n++) text += `${transcriptLine(sessionId, n, options)}\n`
  return text
}
