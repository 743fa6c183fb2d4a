/**
 * The HTTP side of the daemon, started only when `--listen` is given: it
 * opens the read-only connection, gathers the stream routes (feed, metrics,
 * readiness) and starts the API server. The modules are imported here, on
 * demand, so a daemon without `--listen` never loads node:http or the API.
 */
import fs from 'node:fs'
import type { Logger } from 'pino'
import type { DatabaseTarget } from './config.js'
import { StatebridgeError } from './errors.js'
import type { ServiceContext } from './service-routes.js'
import type { Store } from './store/types.js'
import type { WatchHandle } from './sync/watch.js'

/** What the HTTP side needs. */
export interface ServiceOptions {
  /** The database the API reads. */
  db: DatabaseTarget
  /** `host:port` to listen on. */
  listen: string
  /** Serve /metrics without the token. */
  metricsPublic: boolean
  logger: Logger
  /** The running watch, once started (`watch --listen`); absent for `serve`. */
  daemon?: () => WatchHandle | null
  /** The watches of the `--transcripts` roots started so far, with their directories; `/readyz` weighs them too. */
  transcriptWatches?: () => ReadonlyArray<{ root: string; handle: WatchHandle | null }>
  /** The daemon's own store (`watch --listen`); absent for `serve`. */
  store?: Store
  /** Environment for the token (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /**
   * Serve from a thread of its own (see `serve/api-thread.ts`); default: when
   * `daemon` is given, whose thread is busy with the sync. `serve` has nothing
   * else to do and answers on its own thread.
   */
  apiThread?: boolean
}

/** A running HTTP side. */
export interface Service {
  /** `http://host:port` as bound. */
  readonly url: string
  /** Stop serving, then close the read-only connection. */
  close(): Promise<void>
}

/** Open the reader and start the API on `options.listen`. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { host, port } = parseListen(options.listen)
  const token = apiToken(options.env ?? process.env)
  const { openReader } = await import('./store/open-reader.js')
  const { serviceRoutes, daemonRoutes } = await import('./service-routes.js')
  // This thread's reader serves the routes that stay here: all of them, or only /metrics and /readyz,
  // whose reads are cached (one PostgreSQL connection is enough; the API thread has a pool of its own).
  const threaded = options.apiThread ?? options.daemon !== undefined
  const reader = await openReader(options.db, { logger: options.logger, ...(threaded ? { poolSize: 1 } : {}) })
  try {
    const context = contextOf(options, reader)
    const common = { host, port, token, metricsPublic: options.metricsPublic, logger: options.logger }
    const server =
      threaded
        ? await (await import('./serve/api-thread.js')).startApiThread({ ...common, db: options.db, localRoutes: daemonRoutes(context) })
        : await (await import('./serve/index.js')).startApiServer({ ...common, reader, streamRoutes: serviceRoutes(context) })
    return {
      url: server.url,
      async close() {
        await server.close()
        await reader.close()
      },
    }
  } catch (error) {
    await reader.close()
    throw error
  }
}

function contextOf(options: ServiceOptions, reader: ServiceContext['reader']): ServiceContext {
  return {
    reader,
    daemon: options.daemon ?? (() => null),
    transcriptWatches: options.transcriptWatches ?? (() => []),
    store: options.store ?? null,
    metricsPublic: options.metricsPublic,
    mode: options.daemon ? 'watch' : 'serve',
    logger: options.logger,
  }
}

/** Split `host:port` (`[::1]:8787` for IPv6). The option table has checked its shape. */
export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':')
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
  return { host, port: Number(listen.slice(colon + 1)) }
}

/**
 * The API token: `STATEBRIDGE_API_TOKEN`, or the first line of the file named
 * by `STATEBRIDGE_API_TOKEN_FILE` (as Docker and systemd credentials provide
 * it). Never part of the configuration, which may be logged.
 */
export function apiToken(env: NodeJS.ProcessEnv): string | null {
  if (env.STATEBRIDGE_API_TOKEN) return env.STATEBRIDGE_API_TOKEN
  const file = env.STATEBRIDGE_API_TOKEN_FILE
  if (!file) return null
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new StatebridgeError('SB_CONFIG', `STATEBRIDGE_API_TOKEN_FILE ${file} cannot be read: ${(error as Error).message}`)
  }
  const token = text.split(/\r?\n/)[0]!.trim()
  if (token === '') throw new StatebridgeError('SB_CONFIG', `STATEBRIDGE_API_TOKEN_FILE ${file} is empty`)
  return token
}
