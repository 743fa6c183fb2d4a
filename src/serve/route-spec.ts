/**
 * What a route is: the shape every entry of the route list has, what its
 * handler gets, and the answers it may give (a JSON value, or bytes with
 * their own headers). `routes.ts` and `history-routes.ts` declare routes;
 * the server and `/openapi.json` derive everything else from them.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { MAX_PAGE_SIZE, ReadParamError, type StoreReader } from '../store/read-types.js'
import { ProblemError } from './problem.js'

/** A JSON Schema. */
export type Schema = Record<string, unknown>

/** A query parameter a route accepts. */
export interface QueryParam {
  name: string
  description: string
  schema: Schema
  /** Default `false`. */
  required?: boolean
}

/** What a handler gets. */
export interface RouteContext {
  reader: StoreReader
  /** Path parameters, percent-decoded. */
  params: Record<string, string>
  /** Query parameters, each given once and declared by the route. */
  query: Map<string, string>
  /** The request's headers (Accept-Encoding, If-None-Match). */
  headers: IncomingHttpHeaders
  /** The OpenAPI document (served by `/openapi.json`). */
  openapi: () => unknown
}

/** A 200 answer that is not JSON: bytes, their headers, and the tag they are validated by. */
export class RawAnswer {
  constructor(
    /** The body as sent (already content-coded when `headers` says so). */
    readonly body: Buffer,
    /** Content-Type and any other header of this answer; the server adds Content-Length, Cache-Control and the ETag. */
    readonly headers: Record<string, string>,
    /**
     * The ETag (quoted); default: a hash of `body`. When the request's
     * If-None-Match names it the server answers 304 and drops `body`, so a
     * handler that already knows the tag may return an empty body then.
     */
    readonly etag?: string,
  ) {}
}

/** One route. */
export interface RouteSpec {
  operationId: string
  /** OpenAPI path template, `{name}` for a path parameter (one segment). */
  path: string
  /** The seed's paths that answer the same. */
  aliases: readonly string[]
  summary: string
  description?: string
  pathParams: ReadonlyArray<{ name: string; description: string }>
  query: readonly QueryParam[]
  /** The `components.schemas` name of the 200 JSON body; `null` when there is none (a problem, or `media`). */
  response: string | null
  /**
   * The 200 body's media types and schemas when it is not JSON: the handler
   * then returns a `RawAnswer`. Default: none (the body is `response`).
   */
  media?: Readonly<Record<string, Schema>>
  /** Headers of the 200 besides ETag, for /openapi.json (default none). */
  responseHeaders?: Readonly<Record<string, { description: string; schema: Schema }>>
  /** Problem statuses this route may answer besides 401, 405, 500 and 503 (which all may). */
  problems: readonly number[]
  /** Open without a token (and never touches the database). */
  public?: boolean
  /** Answer with an ETag and 304 on a matching If-None-Match (default true for 200 bodies). */
  etag?: boolean
  handle(ctx: RouteContext): Promise<unknown>
}

const MAX_TEXT = 4096

/** A query value, if present, no longer than `MAX_TEXT`. */
export function text(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.query.get(name)
  if (value !== undefined && value.length > MAX_TEXT) throw new ProblemError('bad-parameter', `${name} is longer than ${MAX_TEXT} characters`, name)
  return value
}

/** The `limit` parameter as a number, if given; digits only. The range is checked by whoever knows it. */
export function limitOf(ctx: RouteContext): number | undefined {
  return pageSizeOf(ctx, 'limit')
}

/** A page-size parameter (`limit`, `events_limit`) as a number, if given; digits only. The range is checked by whoever knows it. */
export function pageSizeOf(ctx: RouteContext, name: string): number | undefined {
  const raw = ctx.query.get(name)
  if (raw === undefined) return undefined
  // Digits only: "1e2", "0x10", " 5" and "5.0" are refused rather than guessed at.
  if (!/^[0-9]{1,6}$/.test(raw)) throw new ReadParamError(name, `${name} must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  return Number(raw)
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for this header). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}
