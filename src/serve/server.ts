/**
 * The read-only HTTP API on node:http (a framework would cost 15–25 MB of
 * RSS for a dozen GET routes). Imported only when the API is asked for: the
 * daemon's sync and store write path never import this directory.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { StatebridgeError } from '../errors.js'
import { ReadParamError, type StoreReader } from '../store/read-types.js'
import { bearerCheck, isLoopbackHost } from './auth.js'
import { buildOpenApi } from './openapi.js'
import { ProblemError, sendProblem } from './problem.js'
import { AnswerCache } from './answer-cache.js'
import { etagMatches, RawAnswer } from './route-spec.js'
import { matchRoute } from './routes.js'
import { isPublic, type StreamRoute } from './stream-route.js'

/** How to start the API. */
export interface ApiServerOptions {
  /** Where the answers come from; owned by the caller, who closes it after `close()`. */
  reader: StoreReader
  /** Address to bind; anything but loopback needs `token`. */
  host: string
  /** Port; 0 picks a free one (see `url`). */
  port: number
  /** Bearer token every route but /healthz requires; `null`, undefined or empty: none (loopback only). */
  token?: string | null
  /** Serve /metrics without the token (default false). Kept for the metrics route, which is not built yet. */
  metricsPublic?: boolean
  /** The root logger; the server logs through a child `{ module: 'api' }`. */
  logger: Logger
  /** Most time a request may take from its first byte to its answer, ms (default 30000). */
  requestTimeoutMs?: number
  /** Routes that write their own response (feed, metrics, readiness), matched before the JSON routes. */
  streamRoutes?: readonly StreamRoute[]
}

/** A running API server. */
export interface ApiServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string
  /** Stop accepting, end idle keep-alive connections, and resolve when the last request is answered. */
  close(): Promise<void>
}

/**
 * Start the API. Refuses (`SB_CONFIG`) to bind to a non-loopback address
 * without a token; rejects with the listen error (EADDRINUSE, EACCES, ...)
 * wrapped as `SB_CONFIG` when the address cannot be bound.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const token = options.token ? options.token : null
  if (token === null && !isLoopbackHost(options.host)) {
    throw new StatebridgeError(
      'SB_CONFIG',
      `refusing to serve the API on ${options.host} without a token: anyone who can reach that address could read every session; ` +
        'set STATEBRIDGE_API_TOKEN (or STATEBRIDGE_API_TOKEN_FILE), or listen on 127.0.0.1',
    )
  }
  const log = options.logger.child({ module: 'api' })
  const authorised = token === null ? () => true : bearerCheck(token)
  let openapi: unknown = null
  const streamRoutes = new Map<string, StreamRoute>()
  for (const route of options.streamRoutes ?? []) for (const path of [route.path, ...(route.aliases ?? [])]) streamRoutes.set(path, route)
  const openapiDocument = () =>
    (openapi ??= buildOpenApi(packageVersion(), Object.fromEntries([...streamRoutes].map(([path, route]) => [path, route.openapi]))))
  const reader = options.reader
  const answers = new AnswerCache({ maxBytes: ANSWER_CACHE_BYTES, maxEntryBytes: ANSWER_CACHE_ENTRY_BYTES })

  const server = http.createServer(async (req, res) => {
    const started = process.hrtime.bigint()
    let pathname = '?'
    try {
      const url = new URL(req.url ?? '/', 'http://api')
      pathname = url.pathname
      const stream = streamRoutes.get(url.pathname)
      if (stream) {
        if (!isPublic(stream) && !authorised(req)) {
          throw new ProblemError('unauthorized', 'send Authorization: Bearer <token> with the API token', undefined, {
            'www-authenticate': 'Bearer realm="statebridge"',
          })
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          throw new ProblemError('method-not-allowed', `${req.method} is not allowed: the API is read-only (GET, HEAD)`, undefined, { allow: 'GET, HEAD' })
        }
        await stream.handle(req, res, url)
        return
      }
      const match = matchRoute(url.pathname)
      // The token comes first, so an unauthenticated caller learns nothing, not even which routes exist.
      if (!match?.route.public && !authorised(req)) {
        throw new ProblemError('unauthorized', 'send Authorization: Bearer <token> with the API token', undefined, {
          'www-authenticate': 'Bearer realm="statebridge"',
        })
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new ProblemError('method-not-allowed', `${req.method} is not allowed: the API is read-only (GET, HEAD)`, undefined, {
          allow: 'GET, HEAD',
        })
      }
      if (!match) throw new ProblemError('not-found', `no route ${url.pathname}; see /openapi.json`)
      const query = new Map<string, string>()
      const declared = new Set(match.route.query.map((p) => p.name))
      for (const [name, value] of url.searchParams) {
        if (!declared.has(name)) throw new ProblemError('bad-parameter', `unknown parameter ${JSON.stringify(name)}; see /openapi.json`, name)
        if (query.has(name)) throw new ProblemError('bad-parameter', `${name} is given more than once`, name)
        query.set(name, value)
      }
      // Read before the answer: a commit in between makes the kept answer newer than its version, never older.
      const version = match.route.public || match.route.etag === false ? undefined : reader.dataVersion?.()
      const key = url.pathname + url.search
      let reply: Reply | undefined = version === undefined ? undefined : answers.get(key, version)
      if (reply === undefined) {
        const answer = await match.route.handle({ reader, params: match.params, query, headers: req.headers, openapi: openapiDocument })
        if (answer instanceof RawAnswer) reply = { body: answer.body, etag: answer.etag, headers: answer.headers }
        else {
          const body = Buffer.from(JSON.stringify(answer))
          reply = { body, etag: match.route.etag === false ? undefined : etagOf(body) }
          // Raw answers depend on the request's headers (Accept-Encoding), so only JSON answers are kept.
          if (version !== undefined) answers.set(key, version, { body, etag: reply.etag! })
        }
      }
      const body = reply.body
      const headers: Record<string, string | number> = {
        ...(reply.headers ?? { 'content-type': 'application/json; charset=utf-8' }),
        'x-content-type-options': 'nosniff',
      }
      if (match.route.etag !== false) {
        const etag = reply.etag ?? etagOf(body)
        headers.etag = etag
        // Clients may keep the body but must ask again: the answer changes with every apply.
        headers['cache-control'] = 'no-cache'
        if (etagMatches(req.headers['if-none-match'], etag)) {
          delete headers['content-encoding']
          res.writeHead(304, headers)
          res.end()
          return
        }
      } else headers['cache-control'] = 'no-store'
      headers['content-length'] = body.length
      res.writeHead(200, headers)
      res.end(body)
    } catch (error) {
      if (res.headersSent) {
        // A stream that failed after it started: nothing left to say but to end it.
        log.warn({ err: error, path: pathname }, `API stream failed: ${(error as Error)?.message ?? String(error)}`)
        res.destroy()
      } else sendProblem(res, asProblem(error, log, pathname))
    } finally {
      log.debug({ method: req.method, path: pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request')
    }
  })
  // Slow or idle clients cannot hold sockets: headers within 10 s, the whole request within the budget, idle keep-alive 5 s.
  server.headersTimeout = 10_000
  server.requestTimeout = options.requestTimeoutMs ?? 30_000
  server.keepAliveTimeout = 5_000
  server.timeout = 60_000
  server.maxHeadersCount = 100
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // A malformed request or a reset socket: answer 400 when the socket still can, never throw.
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new StatebridgeError('SB_CONFIG', `cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error }))
    }
    server.once('error', onError)
    server.listen(options.port, options.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  // After the listen, errors are per connection (handled above); this one keeps the process alive on anything else.
  server.on('error', (error) => log.error({ err: error }, `API server error: ${error.message}`))
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  log.info({ url, auth: token !== null, database: reader.description }, `API listening on ${url}`)

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeIdleConnections()
      }),
  }
}

/** What a JSON route sends: its body, its tag, and its own headers when it is no JSON. */
interface Reply {
  body: Buffer
  etag?: string
  headers?: Record<string, string>
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`
}

/** Bytes of JSON answers kept until the database changes, in all and for one answer. */
const ANSWER_CACHE_BYTES = 16 * 1024 * 1024
const ANSWER_CACHE_ENTRY_BYTES = 2 * 1024 * 1024

/** The problem for any error a handler threw; the unexpected ones are logged, and their text is not sent. */
function asProblem(error: unknown, log: Logger, path: string): ProblemError {
  if (error instanceof ProblemError) return error
  if (error instanceof ReadParamError) return new ProblemError('bad-parameter', error.message, error.param)
  if (error instanceof StatebridgeError && error.code === 'SB_DB_UNAVAILABLE') {
    log.warn({ path }, `API read failed: ${error.message}`)
    return new ProblemError('database-unavailable', 'the database did not answer in time; try again shortly', undefined, { 'retry-after': '5' })
  }
  log.error({ err: error, path }, `API request failed: ${(error as Error)?.message ?? String(error)}`)
  return new ProblemError('internal-error', 'the request failed on the server; the log has the details')
}

// The version in /openapi.json; package.json sits two levels above both src/serve and dist/serve.
function packageVersion(): string {
  try {
    const text = fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
    return String((JSON.parse(text) as { version?: unknown }).version ?? '0.0.0')
  } catch {
    return '0.0.0'
  }
}
