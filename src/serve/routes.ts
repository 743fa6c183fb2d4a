/**
 * The API's routes, declared once: the server matches requests against this
 * list and `/openapi.json` is derived from it, so a route, its parameters and
 * its documented response cannot drift apart.
 */
import { MAX_PAGE_SIZE, SESSION_STATUSES } from '../store/read-types.js'
import { AGENT_ROUTES } from './agent-routes.js'
import { HISTORY_ROUTES } from './history-routes.js'
import { ProblemError } from './problem.js'
import { limitOf, text, type RouteSpec } from './route-spec.js'

export type { QueryParam, RouteContext, RouteSpec } from './route-spec.js'

const sessionId = { name: 'id', description: 'The session directory name.' }

/** Every route, in match order: literal segments before `{id}`. */
export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'health',
    path: '/healthz',
    aliases: [],
    summary: 'Whether the process is alive; never touches the database.',
    pathParams: [],
    query: [],
    response: 'Health',
    problems: [],
    public: true,
    etag: false,
    handle: async () => ({ status: 'ok' }),
  },
  {
    operationId: 'openapi',
    path: '/openapi.json',
    aliases: [],
    summary: 'This API, as an OpenAPI 3.1 document.',
    pathParams: [],
    query: [],
    response: null,
    problems: [],
    handle: async (ctx) => ctx.openapi(),
  },
  {
    operationId: 'listSessions',
    path: '/api/v1/sessions',
    aliases: ['/api/sessions'],
    summary: 'Sessions, most recently updated first, one page at a time.',
    description: 'Pages follow an opaque cursor on (updated_at, session_id): pass nextCursor back as cursor until it is null.',
    pathParams: [],
    query: [
      { name: 'status', description: 'Only sessions with this derived status.', schema: { type: 'string', enum: [...SESSION_STATUSES] } },
      { name: 'root', description: 'Only sessions under this root (exact match).', schema: { type: 'string' } },
      {
        name: 'updated_since',
        description: 'Only sessions updated at or after this instant (ISO-8601 with a zone).',
        schema: { type: 'string', format: 'date-time' },
      },
      { name: 'q', description: 'Case-insensitive (ASCII) substring of the session id or matter name.', schema: { type: 'string' } },
      { name: 'cursor', description: 'nextCursor of the previous page.', schema: { type: 'string' } },
      {
        name: 'limit',
        description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 50).`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 },
      },
    ],
    response: 'SessionPage',
    problems: [400],
    handle: async (ctx) =>
      ctx.reader.listSessions({
        status: text(ctx, 'status') as never,
        root: text(ctx, 'root'),
        updatedSince: text(ctx, 'updated_since'),
        q: text(ctx, 'q'),
        cursor: text(ctx, 'cursor'),
        limit: limitOf(ctx),
      }),
  },
  {
    operationId: 'activeSessions',
    path: '/api/v1/sessions/active',
    aliases: ['/api/sessions/active'],
    summary: 'Sessions not complete, with their pending specialists and where each resumes.',
    pathParams: [],
    query: [],
    response: 'ActiveSessions',
    problems: [],
    handle: async (ctx) => ctx.reader.activeSessions(),
  },
  {
    operationId: 'sessionStats',
    path: '/api/v1/sessions/stats',
    aliases: ['/api/sessions/stats'],
    summary: 'Sessions by status, documents ok and in error, the last sync run.',
    pathParams: [],
    query: [],
    response: 'Stats',
    problems: [],
    handle: async (ctx) => ctx.reader.stats(),
  },
  {
    operationId: 'getSession',
    path: '/api/v1/sessions/{id}',
    aliases: ['/api/sessions/{id}'],
    summary: 'One session, as `statebridge show --json` prints it: one object per root that has it.',
    description: 'Answers with an ETag; a request with a matching If-None-Match gets 304.',
    pathParams: [sessionId],
    query: [],
    response: 'SessionDetails',
    problems: [404],
    handle: async (ctx) => {
      const details = await ctx.reader.session(ctx.params.id!)
      if (details.length === 0) throw new ProblemError('not-found', `no session named ${JSON.stringify(ctx.params.id)}`)
      return details
    },
  },
  {
    operationId: 'sessionDocuments',
    path: '/api/v1/sessions/{id}/documents',
    aliases: ['/api/sessions/{id}/documents'],
    summary: "A session's files with their status and error.",
    pathParams: [sessionId],
    query: [],
    response: 'DocumentList',
    problems: [404],
    handle: async (ctx) => {
      const documents = await ctx.reader.documents(ctx.params.id!)
      if (documents === null) throw new ProblemError('not-found', `no session named ${JSON.stringify(ctx.params.id)}`)
      return documents
    },
  },
  ...HISTORY_ROUTES,
  ...AGENT_ROUTES,
  {
    operationId: 'getDocument',
    path: '/api/v1/documents',
    aliases: [],
    summary: "One file: its typed rows per typed table, its tables with rows, its fields.",
    pathParams: [],
    query: [
      { name: 'path', description: 'Path relative to the root, `/`-separated.', schema: { type: 'string' }, required: true },
      { name: 'root', description: 'The root, when several hold the path.', schema: { type: 'string' } },
    ],
    response: 'DocumentDetail',
    problems: [400, 404, 409],
    handle: async (ctx) => {
      const path = text(ctx, 'path')
      if (path === undefined || path === '') throw new ProblemError('bad-parameter', 'path is required: the file path relative to its root', 'path')
      const root = text(ctx, 'root')
      const found = await ctx.reader.document(path, root)
      if (found.length === 0) throw new ProblemError('not-found', `no document at ${JSON.stringify(path)}${root !== undefined ? ' under that root' : ''}`)
      if (found.length > 1) {
        throw new ProblemError('ambiguous', `${found.length} roots hold ${JSON.stringify(path)}: add root= (one of ${found.map((d) => JSON.stringify(d.root)).join(', ')})`, 'root')
      }
      return found[0]
    },
  },
  {
    operationId: 'listErrors',
    path: '/api/v1/errors',
    aliases: [],
    summary: 'Files whose last read or parse failed.',
    pathParams: [],
    query: [],
    response: 'ErrorList',
    problems: [],
    handle: async (ctx) => ctx.reader.errors(),
  },
]

/** A route matched to a request path. */
export interface RouteMatch {
  route: RouteSpec
  params: Record<string, string>
}

interface CompiledPath {
  route: RouteSpec
  pattern: RegExp
  names: string[]
}

const COMPILED: CompiledPath[] = ROUTES.flatMap((route) =>
  [route.path, ...route.aliases].map((template) => {
    const names: string[] = []
    const source = template
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment)
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        names.push(param[1]!)
        return '([^/]+)'
      })
      .join('/')
    return { route, pattern: new RegExp(`^${source}$`), names }
  }),
)

/** The route for `pathname` (still percent-encoded), or `null`. Throws a 400 problem for a badly encoded segment. */
export function matchRoute(pathname: string): RouteMatch | null {
  for (const { route, pattern, names } of COMPILED) {
    const found = pattern.exec(pathname)
    if (!found) continue
    const params: Record<string, string> = {}
    names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(found[i + 1]!)
      } catch {
        throw new ProblemError('bad-parameter', `${name} is not valid percent-encoded UTF-8`, name)
      }
    })
    return { route, params }
  }
  return null
}
