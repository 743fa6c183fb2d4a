/**
 * RFC 9457 problem details: every error the API answers, with a stable type
 * per kind of problem so clients can branch on it.
 */
import type { ServerResponse } from 'node:http'

/** The kinds of problem, keyed by name; `type` is `urn:statebridge:problem:<name>`. */
export const PROBLEMS = {
  'bad-parameter': { status: 400, title: 'Bad request parameter' },
  unauthorized: { status: 401, title: 'Missing or wrong bearer token' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  ambiguous: { status: 409, title: 'Ambiguous request' },
  'no-previous-revision': { status: 422, title: 'No earlier revision to compare with' },
  'not-text': { status: 422, title: 'Content is not UTF-8 text' },
  'diff-too-costly': { status: 422, title: 'Diff would take too long' },
  'internal-error': { status: 500, title: 'Internal error' },
  'not-implemented': { status: 501, title: 'Not implemented yet' },
  'database-unavailable': { status: 503, title: 'Database unavailable' },
} as const

/** A problem name. */
export type ProblemName = keyof typeof PROBLEMS

/** A problem details body. */
export interface Problem {
  type: string
  title: string
  status: number
  /** What went wrong and what to do, for this request. */
  detail: string
  /** The parameter at fault (400, 409, some 404 and 422). */
  param?: string
}

/** An error a handler throws to answer with a problem. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError'
  constructor(
    readonly problem: ProblemName,
    readonly detail: string,
    readonly param?: string,
    /** Extra response headers (Allow, WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }
}

/** The body of a problem. */
export function problemBody(name: ProblemName, detail: string, param?: string): Problem {
  const { status, title } = PROBLEMS[name]
  return { type: `urn:statebridge:problem:${name}`, title, status, detail, ...(param !== undefined ? { param } : {}) }
}

/** Answer `res` with a problem (no body for HEAD: node drops it). */
export function sendProblem(res: ServerResponse, error: ProblemError): void {
  const body = JSON.stringify(problemBody(error.problem, error.detail, error.param))
  res.writeHead(PROBLEMS[error.problem].status, {
    ...error.headers,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(body)
}
