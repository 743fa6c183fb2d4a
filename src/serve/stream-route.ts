/**
 * Routes that write their own response, mounted beside the JSON routes:
 * the change feed (Server-Sent Events, long-poll), /metrics (Prometheus text)
 * and /readyz. Each comes from the module that owns its data, so the server
 * itself knows nothing about feeds or metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

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
  /** The OpenAPI path item (`{ get: {...} }`) that documents it in /openapi.json. */
  openapi: Record<string, unknown>
}

/** Whether a stream route is open without the token. */
export function isPublic(route: StreamRoute): boolean {
  return typeof route.public === 'function' ? route.public() : route.public === true
}
