/**
 * The OpenAPI path item of `GET /api/v1/changes`, with its schemas inline
 * (the feed owns them; the JSON routes' components stay theirs).
 */
import { MAX_CHANGES_PAGE } from '../store/read-types.js'

const nullableString = { type: ['string', 'null'] }

/** The JSON of one change, in events, long-poll answers and the Redis stream. */
export const FEED_CHANGE_SCHEMA = {
  type: 'object',
  required: ['seq', 'root', 'session', 'path', 'change', 'status', 'instance', 'at'],
  additionalProperties: false,
  properties: {
    seq: { type: 'integer', minimum: 1, description: 'Position in the change log; resume after it.' },
    root: { type: 'string' },
    session: { ...nullableString, description: 'Session directory; null for files directly under the root.' },
    path: { ...nullableString, description: 'Relative path; null when a whole session was removed.' },
    change: { enum: ['created', 'updated', 'removed'] },
    status: { enum: ['ok', 'error', null], description: 'ok or error for created and updated files; null for removals.' },
    instance: { type: 'string', description: 'The sidecar that committed the change.' },
    at: { type: 'string', format: 'date-time' },
  },
}

/** The path item, for `wait` up to `maxWaitS` seconds. */
export function feedOpenApi(maxWaitS: number): Record<string, unknown> {
  return {
    get: {
      operationId: 'changes',
      summary: 'Change feed: Server-Sent Events, or a JSON long-poll',
      description:
        'With `Accept: text/event-stream`: one `change` event per committed file change (id = seq, data = the change as JSON), ' +
        'a keepalive comment every 15 s, `Cache-Control: no-cache` and `X-Accel-Buffering: no`. Reconnect with `Last-Event-ID` ' +
        '(or `?since=`) to resume exactly after that seq, also across a restart of statebridge. A `since` the log no longer holds ' +
        '(pruned, or never issued) gets `event: reset` with `{reason, oldest, latest}`: read the state again, then the stream ' +
        'goes on after `latest`. A client that stops reading is sent `event: reset` (reason `slow-client`) and closed. ' +
        'Without `text/event-stream`: a long-poll that answers at once when changes after `since` exist, else when one arrives ' +
        'or `wait` seconds pass.',
      parameters: [
        { name: 'since', in: 'query', required: false, description: 'Resume after this seq (Last-Event-ID wins); absent: from now on.', schema: { type: 'integer', minimum: 0 } },
        { name: 'root', in: 'query', required: false, description: 'Only changes under this root.', schema: { type: 'string' } },
        { name: 'wait', in: 'query', required: false, description: `Long-poll: longest wait in seconds (default ${maxWaitS}).`, schema: { type: 'integer', minimum: 0, maximum: maxWaitS } },
        { name: 'limit', in: 'query', required: false, description: 'Long-poll: most changes per answer (default 100).', schema: { type: 'integer', minimum: 1, maximum: MAX_CHANGES_PAGE } },
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'SSE: the last seq received.', schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'An event stream, or one long-poll answer.',
          content: {
            'text/event-stream': {
              schema: { type: 'string', description: 'Events `change` (data: a FeedChange) and `reset` (data: {reason, oldest, latest}).' },
            },
            'application/json': {
              schema: {
                type: 'object',
                required: ['changes', 'next'],
                properties: {
                  changes: { type: 'array', items: FEED_CHANGE_SCHEMA },
                  next: { type: 'integer', minimum: 0, description: 'Pass as since next time.' },
                  reset: { const: true, description: 'since is no longer in the log: read the state again, then poll from next.' },
                  reason: { enum: ['pruned', 'unknown-seq'] },
                  oldest: { type: ['integer', 'null'] },
                },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/Problem400' },
        '401': { $ref: '#/components/responses/Problem401' },
        '405': { $ref: '#/components/responses/Problem405' },
        '500': { $ref: '#/components/responses/Problem500' },
        '503': { $ref: '#/components/responses/Problem503' },
      },
    },
  }
}
