/**
 * The query of `GET /api/v1/changes`, checked the same way for the stream
 * and the long-poll: a bad value is a 400 naming the parameter.
 */
import type { IncomingMessage } from 'node:http'
import { ProblemError } from '../serve/problem.js'
import { MAX_CHANGES_PAGE } from '../store/read-types.js'

/** Longest `wait` of a long-poll, s: below the proxies' and the server's idle timeouts. */
export const MAX_WAIT_S = 25

/** What a feed request asks for. */
export interface FeedQuery {
  /** Resume after this seq (`Last-Event-ID` beats `?since=`); `null`: from now on. */
  since: number | null
  /** Only changes under this root. */
  root: string | undefined
  /** Long-poll: longest wait for a change, s (0–25, default 25). */
  wait: number
  /** Long-poll: most changes in one answer (1–1000, default 100). */
  limit: number
}

const ALLOWED = new Set(['since', 'root', 'wait', 'limit'])

/** The feed query of `req`; throws `ProblemError('bad-parameter')`. */
export function feedQuery(req: IncomingMessage, url: URL): FeedQuery {
  const seen = new Set<string>()
  for (const name of url.searchParams.keys()) {
    if (!ALLOWED.has(name)) throw new ProblemError('bad-parameter', `unknown parameter ${JSON.stringify(name)}; see /openapi.json`, name)
    if (seen.has(name)) throw new ProblemError('bad-parameter', `${name} is given more than once`, name)
    seen.add(name)
  }
  const header = req.headers['last-event-id']
  const lastEventId = Array.isArray(header) ? header[0] : header
  const sinceText = lastEventId !== undefined && lastEventId.trim() !== '' ? lastEventId.trim() : url.searchParams.get('since')
  const since = sinceText === null ? null : wholeNumber(sinceText, lastEventId ? 'Last-Event-ID' : 'since', Number.MAX_SAFE_INTEGER)
  const root = url.searchParams.get('root') ?? undefined
  if (root === '') throw new ProblemError('bad-parameter', 'root must not be empty', 'root')
  const waitText = url.searchParams.get('wait')
  const limitText = url.searchParams.get('limit')
  return {
    since,
    root,
    wait: waitText === null ? MAX_WAIT_S : wholeNumber(waitText, 'wait', MAX_WAIT_S),
    limit: limitText === null ? 100 : wholeNumber(limitText, 'limit', MAX_CHANGES_PAGE, 1),
  }
}

function wholeNumber(text: string, param: string, max: number, min = 0): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ProblemError('bad-parameter', `${param} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`, param)
  }
  return value
}

/** Whether the client asked for Server-Sent Events. */
export function wantsEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('text/event-stream')
}
