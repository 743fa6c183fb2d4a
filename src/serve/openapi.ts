/**
 * The OpenAPI 3.1 document, derived from the route list and the response
 * schemas: every route and alias, its parameters, its 200 body and the
 * problems it may answer.
 */
import { PROBLEMS } from './problem.js'
import type { RouteSpec } from './route-spec.js'
import { ROUTES } from './routes.js'
import { SCHEMAS } from './schemas.js'

// Every route but /healthz may answer these.
const COMMON_PROBLEMS = [401, 405, 500, 503]

/** Build the document; `version` is statebridge's; `extraPaths` are the path items of the stream routes. */
export function buildOpenApi(version: string, extraPaths: Record<string, unknown> = {}): Record<string, unknown> {
  const paths: Record<string, unknown> = { ...extraPaths }
  for (const route of ROUTES) {
    for (const [index, path] of [route.path, ...route.aliases].entries()) {
      paths[path] = { get: operation(route, index === 0 ? route.operationId : `${route.operationId}Alias${index}`, index > 0) }
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'statebridge API',
      version,
      description:
        'Read-only view of the sessions statebridge mirrors. Errors are application/problem+json (RFC 9457). ' +
        'When a token is configured every route but /healthz needs `Authorization: Bearer <token>`.',
    },
    components: {
      schemas: SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: problemResponses(),
    },
    security: [{ bearer: [] }],
    paths,
  }
}

function operation(route: RouteSpec, operationId: string, alias: boolean): Record<string, unknown> {
  const problems = route.public ? route.problems : [...route.problems, ...COMMON_PROBLEMS]
  const responses: Record<string, unknown> = {}
  const headers = { ...(route.etag !== false ? { ETag: { schema: { type: 'string' } } } : {}), ...route.responseHeaders }
  const content =
    route.response !== null
      ? { 'application/json': { schema: { $ref: `#/components/schemas/${route.response}` } } }
      : route.media
        ? Object.fromEntries(Object.entries(route.media).map(([type, schema]) => [type, { schema }]))
        : null
  if (content !== null) {
    responses['200'] = { description: route.summary, ...(Object.keys(headers).length > 0 ? { headers } : {}), content }
    if (route.etag !== false) responses['304'] = { description: 'Not modified: the If-None-Match tag still matches.' }
  } else if (route.operationId === 'openapi') {
    responses['200'] = { description: route.summary, content: { 'application/json': { schema: { type: 'object' } } } }
  }
  for (const status of [...new Set(problems)].sort()) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` }
  return {
    operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(alias ? { description: `Alias of ${route.path}, kept from the seed's API.` } : {}),
    ...(route.public ? { security: [] } : {}),
    parameters: [
      ...route.pathParams.map((p) => ({ name: p.name, in: 'path', required: true, description: p.description, schema: { type: 'string' } })),
      ...route.query.map((p) => ({ name: p.name, in: 'query', required: p.required ?? false, description: p.description, schema: p.schema })),
    ],
    responses,
  }
}

// One response per status; a status several kinds of problem share lists their titles.
function problemResponses(): Record<string, unknown> {
  const titles = new Map<number, string[]>()
  for (const { status, title } of Object.values(PROBLEMS)) titles.set(status, [...(titles.get(status) ?? []), title])
  return Object.fromEntries(
    [...titles].map(([status, names]) => [
      `Problem${status}`,
      { description: names.join('; '), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  )
}
