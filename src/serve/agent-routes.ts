/**
 * The agent SDK session routes: the SDK's own sessions (audit logs and
 * transcripts merged per session id), one page at a time, and one session
 * with a page of its audit-log events.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../store/read-types.js'
import { ProblemError } from './problem.js'
import { limitOf, pageSizeOf, text, type RouteSpec } from './route-spec.js'

const pageSize = (name: string) => ({
  name,
  description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
})

/** The agent session routes, in match order. */
export const AGENT_ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'listAgentSessions',
    path: '/api/v1/agent-sessions',
    aliases: [],
    summary: 'Agent SDK sessions, the most recently active first, one page at a time: each merged from its audit log and transcripts, with usage, cost and the report sessions it worked on.',
    description:
      'Pages follow an opaque cursor on (last activity, SDK session id): pass nextCursor back as cursor until it is null. ' +
      'Counts are the larger of what the audit log and the transcripts say (both see the same tool calls); usage counts each streamed message once.',
    pathParams: [],
    query: [
      { name: 'report_session', description: 'Only SDK sessions linked to this report session (its directory name).', schema: { type: 'string' } },
      { name: 'cursor', description: 'nextCursor of the previous page.', schema: { type: 'string' } },
      pageSize('limit'),
    ],
    response: 'AgentSessionPage',
    problems: [400],
    handle: async (ctx) =>
      ctx.reader.agentSessions({ reportSession: text(ctx, 'report_session'), cursor: text(ctx, 'cursor'), limit: limitOf(ctx) }),
  },
  {
    operationId: 'getAgentSession',
    path: '/api/v1/agent-sessions/{id}',
    aliases: [],
    summary: 'One agent SDK session, with a page of its audit-log events (by file, then line).',
    description: 'Event pages follow events.nextCursor: pass it back as events_cursor until it is null.',
    pathParams: [{ name: 'id', description: 'The SDK session id (a UUID).' }],
    query: [
      pageSize('events_limit'),
      { name: 'events_cursor', description: 'events.nextCursor of the previous answer.', schema: { type: 'string' } },
      {
        name: 'events_order',
        description: '`asc` (default): the first events first; `desc`: the latest first.',
        schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
      },
    ],
    response: 'AgentSessionDetail',
    problems: [400, 404],
    handle: async (ctx) => {
      const order = text(ctx, 'events_order')
      const found = await ctx.reader.agentSession(ctx.params.id!, {
        eventsLimit: pageSizeOf(ctx, 'events_limit'),
        eventsCursor: text(ctx, 'events_cursor'),
        eventsOrder: order as 'asc' | 'desc' | undefined,
      })
      if (found === null) throw new ProblemError('not-found', `no agent session ${JSON.stringify(ctx.params.id)}: no audit log or transcript names it`)
      return found
    },
  },
]
