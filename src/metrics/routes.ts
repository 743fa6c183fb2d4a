/**
 * The /metrics and /readyz stream routes. Importing this module costs
 * nothing: prom-client comes with `registry.js`, imported on the first scrape.
 */
import { ProblemError } from '../serve/problem.js'
import { answerRoute, type RouteAnswer, type StreamRoute } from '../serve/stream-route.js'
import type { ServiceContext } from '../service-routes.js'
import type { Metrics } from './registry.js'
import { DEFAULT_MAX_LAG_S, readinessCheck } from './readiness.js'

/** `/metrics` (token unless --metrics-public) and `/readyz` (open). */
export function metricsRoutes(context: ServiceContext): StreamRoute[] {
  let metrics: Promise<Metrics> | null = null
  const ready = readinessCheck(context)
  return [
    answerRoute({
      path: '/metrics',
      public: () => context.metricsPublic,
      async answer(url) {
        onlyParams(url, [])
        metrics ??= import('./registry.js').then(({ createMetrics }) => createMetrics(context))
        // A failed load is tried again on the next scrape rather than remembered.
        metrics.catch(() => {
          metrics = null
        })
        const registry = await metrics
        return { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' }, body: await registry.scrape() }
      },
      openapi: {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics (text exposition format); needs the token unless --metrics-public.',
          ...(context.metricsPublic ? { security: [] } : {}),
          responses: {
            '200': { description: 'Every statebridge_ metric and the process metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { $ref: '#/components/responses/Problem401' },
          },
        },
      },
    }),
    answerRoute({
      path: '/readyz',
      public: true,
      async answer(url) {
        onlyParams(url, ['max_lag_s'])
        const text = url.searchParams.get('max_lag_s')
        const maxLagS = text === null ? DEFAULT_MAX_LAG_S : Number(text)
        if (text !== null && (text.trim() === '' || !Number.isFinite(maxLagS) || maxLagS < 0)) {
          throw new ProblemError('bad-parameter', `max_lag_s must be a number of seconds, 0 or more, not ${JSON.stringify(text)}`, 'max_lag_s')
        }
        const answer = await ready(maxLagS)
        return jsonAnswer(answer.ready ? 200 : 503, answer)
      },
      openapi: {
        get: {
          operationId: 'readyz',
          summary: `Whether statebridge is doing its job: 200 once a reconcile completed, the database answers and no file waited over ${DEFAULT_MAX_LAG_S} s; else 503 with the reasons.`,
          security: [],
          parameters: [
            {
              name: 'max_lag_s',
              in: 'query',
              required: false,
              description: `Longest wait of the oldest waiting file, s (default ${DEFAULT_MAX_LAG_S}).`,
              schema: { type: 'number', minimum: 0 },
            },
          ],
          responses: {
            '200': { description: 'Ready.', content: { 'application/json': { schema: readinessSchema } } },
            '400': { $ref: '#/components/responses/Problem400' },
            '503': { description: 'Not ready; `reasons` says why.', content: { 'application/json': { schema: readinessSchema } } },
          },
        },
      },
    }),
  ]
}

const readinessSchema = {
  type: 'object',
  required: ['ready', 'reasons'],
  additionalProperties: false,
  properties: { ready: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'string' } } },
}

/** Refuse parameters the route does not take, as the JSON routes do. */
function onlyParams(url: URL, allowed: readonly string[]): void {
  const seen = new Set<string>()
  for (const name of url.searchParams.keys()) {
    if (!allowed.includes(name)) throw new ProblemError('bad-parameter', `unknown parameter ${JSON.stringify(name)}; see /openapi.json`, name)
    if (seen.has(name)) throw new ProblemError('bad-parameter', `${name} is given more than once`, name)
    seen.add(name)
  }
}

function jsonAnswer(status: number, body: unknown): RouteAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) }
}
