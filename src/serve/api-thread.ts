/**
 * The API on a thread of its own, as `watch --listen` runs it. During a sync
 * the daemon's thread applies files, takes in parse results and collects
 * garbage back to back; requests served there waited for it, all clients at
 * once (the corpus sync under bench (g): p99 73-107 ms). The API thread has
 * its own event loop and its own read connection, so its answers wait only
 * for the database.
 *
 * It serves the JSON routes and the change feed. Routes that read the
 * daemon's state (/metrics, /readyz) are asked of this thread by message; so
 * is nothing else. Its log lines are written by this thread's logger, so they
 * go where the daemon's go. A thread that dies is started again on the same
 * address.
 */
import { Worker } from 'node:worker_threads'
import { pino, type Logger } from 'pino'
import type { DatabaseTarget } from '../config.js'
import { StatebridgeError, type StatebridgeErrorCode } from '../errors.js'
import { countApiThreadRestart, setSseClients } from '../metrics/service-gauges.js'
import { ProblemError, type ProblemName } from './problem.js'
import type { ApiServer } from './server.js'
import { isPublic, type RouteAnswer, type StreamRoute } from './stream-route.js'

/** How to start the API thread. */
export interface ApiThreadOptions {
  /** The database the API thread opens its own reader on. */
  db: DatabaseTarget
  host: string
  /** Port; 0 picks a free one, kept when the thread is started again. */
  port: number
  token: string | null
  metricsPublic: boolean
  /** Where the thread's log lines go (through its destination), and its level and bindings. */
  logger: Logger
  /** Routes answered on this thread; each must have `answer`. */
  localRoutes: readonly StreamRoute[]
  /** The worker module (default: the compiled `api-worker.js`). */
  workerUrl?: URL
}

/** What the thread is started with. */
export interface ApiWorkerData {
  db: DatabaseTarget
  host: string
  port: number
  token: string | null
  metricsPublic: boolean
  log: { level: string; bindings: Record<string, unknown> }
  /** The local routes, as the API thread mounts them. */
  forwarded: Array<{ path: string; aliases: readonly string[]; public: boolean; openapi: Record<string, unknown> }>
}

/** A failure of a local route, as it crosses to the API thread. */
export type ForwardFailure =
  | { problem: ProblemName; detail: string; param?: string; headers: Record<string, string> }
  | { message: string; code?: string }

/** Messages from the API thread. */
export type FromApiThread =
  | { type: 'listening'; url: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'forward'; id: number; path: string; search: string }
  | { type: 'log'; line: string }
  | { type: 'sse-clients'; count: number }

/** Messages to the API thread. */
export type ToApiThread = { type: 'answer'; id: number; answer?: RouteAnswer; failure?: ForwardFailure } | { type: 'close' }

/** Longest wait between two starts of a thread that keeps dying, ms. */
const MAX_RESTART_DELAY_MS = 30_000

/**
 * Old-generation heap of the API thread, MB: far above what its answers need
 * (the answer cache holds 16 MB, an answer at most a few), so a request that
 * runs away ends the thread, which starts again, and never the daemon.
 */
export const API_THREAD_HEAP_MB = 256

/** Start the API thread; resolves once it listens, rejects (`SB_CONFIG`, ...) when it cannot. */
export async function startApiThread(options: ApiThreadOptions): Promise<ApiServer> {
  const log = options.logger.child({ module: 'api' })
  const destination = (options.logger as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym]
  const local = new Map<string, StreamRoute>()
  for (const route of options.localRoutes) for (const path of [route.path, ...(route.aliases ?? [])]) local.set(path, route)
  const workerUrl = options.workerUrl ?? defaultWorkerUrl()
  let port = options.port
  let url = ''
  let closing = false
  let worker: Worker
  // Resolved once the current thread has exited; a dead thread waiting to be started again has.
  let workerExited: Promise<void>
  let restartDelayMs = 1_000

  const data = (): ApiWorkerData => ({
    db: options.db,
    host: options.host,
    port,
    token: options.token,
    metricsPublic: options.metricsPublic,
    log: { level: options.logger.level, bindings: options.logger.bindings() },
    forwarded: options.localRoutes.map((route) => ({ path: route.path, aliases: route.aliases ?? [], public: isPublic(route), openapi: route.openapi })),
  })

  const answerForwarded = (target: Worker, id: number, path: string, search: string): void => {
    const route = local.get(path)
    const reply = (message: ToApiThread): void => target.postMessage(message)
    if (!route?.answer) {
      reply({ type: 'answer', id, failure: { message: `no local route ${path}` } })
      return
    }
    route.answer(new URL(path + search, 'http://api')).then(
      (answer) => reply({ type: 'answer', id, answer }),
      (error: unknown) => reply({ type: 'answer', id, failure: failureOf(error) }),
    )
  }

  /** Start one thread; resolves with it once it listens, when it becomes the current one. */
  const start = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      const started = new Worker(workerUrl, { workerData: data(), resourceLimits: { maxOldGenerationSizeMb: API_THREAD_HEAP_MB } })
      const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()))
      let listening = false
      started.on('message', (message: FromApiThread) => {
        switch (message.type) {
          case 'log':
            destination?.write(message.line)
            break
          case 'forward':
            answerForwarded(started, message.id, message.path, message.search)
            break
          case 'sse-clients':
            setSseClients(message.count)
            break
          case 'listening':
            listening = true
            port = message.port
            url = message.url
            restartDelayMs = 1_000
            worker = started
            workerExited = exited
            resolve(started)
            break
          case 'failed':
            reject(new StatebridgeError((message.code as StatebridgeErrorCode | undefined) ?? 'SB_CONFIG', message.message))
            break
        }
      })
      started.on('error', (error) => {
        if (!listening) reject(error)
        else log.error({ err: error }, `API thread failed: ${error.message}`)
      })
      started.on('exit', (code) => {
        setSseClients(0)
        if (!listening) {
          reject(new Error(`the API thread exited with code ${code} before it listened`))
          return
        }
        if (closing) return
        log.error({ code, restartInMs: restartDelayMs }, `API thread exited with code ${code}; starting it again in ${restartDelayMs} ms`)
        const delay = restartDelayMs
        restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS)
        setTimeout(restart, delay).unref()
      })
    })

  const restart = (): void => {
    if (closing) return
    start().then(
      (next) => {
        countApiThreadRestart()
        if (closing) void next.terminate()
      },
      (error: Error) => {
        log.error({ err: error, restartInMs: restartDelayMs }, `API thread did not start again: ${error.message}; trying again in ${restartDelayMs} ms`)
        const delay = restartDelayMs
        restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS)
        setTimeout(restart, delay).unref()
      },
    )
  }

  await start()
  return {
    url,
    async close() {
      closing = true
      worker.postMessage({ type: 'close' } satisfies ToApiThread)
      await workerExited
    },
  }
}

function failureOf(error: unknown): ForwardFailure {
  if (error instanceof ProblemError) return { problem: error.problem, detail: error.detail, param: error.param, headers: error.headers }
  const code = (error as { code?: unknown })?.code
  return { message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) }
}

/** The error a local route's failure is rethrown as on the API thread. */
export function errorOf(failure: ForwardFailure): Error {
  if ('problem' in failure) return new ProblemError(failure.problem, failure.detail, failure.param, failure.headers)
  return failure.code?.startsWith('SB_') ? new StatebridgeError(failure.code as StatebridgeErrorCode, failure.message) : new Error(failure.message)
}

// Under vitest this module runs from src/*.ts, where no runnable worker exists;
// the compiled worker in dist/ (built before the tests) is the same code.
function defaultWorkerUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/serve/api-worker.js', here) : new URL('./api-worker.js', here)
}
