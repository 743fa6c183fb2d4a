/**
 * Routes that write their own response, mounted beside the JSON routes:
 * the change feed (Server-Sent Events, long-poll), /metrics (Prometheus text)
 * and /readyz. Each comes from the module that owns its data, so the server
 * itself knows nothing about feeds or metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A whole response, as a route that computes one (rather than streams) gives it. */
export interface RouteAnswer {
  status: number
  /** Headers but `content-length`, which is set from the body. */
  headers: Record<string, string>
  body: string
}

/** A route whose handler writes the response itself. */
export interface StreamRoute {
  /** Exact request path, such as `/api/v1/changes`. */
  path: string
  /** Other paths that answer the same. */
  aliases?: readonly string[]
  /** Open without the token (asked at each request, so it may depend on settings). */
  public?: boolean | (() => boolean)
  /**
   * Answer the request. Throw a `ProblemError` (or any error) before the
   * headers are sent to answer with a problem; after that, end the response.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void
  /**
   * The whole answer, for routes that read the daemon's own state (/metrics,
   * /readyz). When the API runs on a thread of its own, such routes are asked
   * of the daemon's thread through this; a route without it runs on the API's
   * thread and may use nothing but the reader.
   */
  answer?(url: URL): Promise<RouteAnswer>
  /** The OpenAPI path item (`{ get: {...} }`) that documents it in /openapi.json. */
  openapi: Record<string, unknown>
}

/** Whether a stream route is open without the token. */
export function isPublic(route: StreamRoute): boolean {
  return typeof route.public === 'function' ? route.public() : route.public === true
}

/** A stream route that computes its whole answer: `handle` writes what `answer` gives. */
export function answerRoute(route: Omit<StreamRoute, 'handle' | 'answer'> & { answer(url: URL): Promise<RouteAnswer> }): StreamRoute {
  return { ...route, handle: async (_req, res, url) => writeAnswer(res, await route.answer(url)) }
}

/** Send `answer` as the response. */
export function writeAnswer(res: ServerResponse, answer: RouteAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
  res.end(answer.body)
}
