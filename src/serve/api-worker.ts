/**
 * The API thread's entry (see `api-thread.ts`): its own reader, the JSON
 * routes and the change feed served here, and the daemon's routes forwarded
 * to the daemon's thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { pino } from 'pino'
import { feedRoutes } from '../feed/feed-routes.js'
import { onSseClientsChange } from '../metrics/service-gauges.js'
import { openReader } from '../store/open-reader.js'
import type { StoreReader } from '../store/read-types.js'
import { errorOf, type ApiWorkerData, type FromApiThread, type ToApiThread } from './api-thread.js'
import { startApiServer, type ApiServer } from './server.js'
import { writeAnswer, type RouteAnswer, type StreamRoute } from './stream-route.js'

const port = parentPort!
const data = workerData as ApiWorkerData
const post = (message: FromApiThread): void => port.postMessage(message)

// Lines go to the daemon's thread, which writes them to its own destination, so they stay in order with its own.
const logger = pino({ level: data.log.level, base: { pid: process.pid } }, { write: (line: string) => post({ type: 'log', line }) }).child(
  data.log.bindings,
)

const waiting = new Map<number, { resolve(answer: RouteAnswer): void; reject(error: Error): void }>()
let nextId = 0

/** Ask the daemon's thread for the answer of its route at `path`. */
function ask(path: string, search: string): Promise<RouteAnswer> {
  const id = nextId++
  return new Promise<RouteAnswer>((resolve, reject) => {
    waiting.set(id, { resolve, reject })
    post({ type: 'forward', id, path, search })
  })
}

const forwarded: StreamRoute[] = data.forwarded.map((route) => ({
  ...route,
  handle: async (_req, res, url) => writeAnswer(res, await ask(route.path, url.search)),
}))

let reader: StoreReader | null = null
let server: ApiServer | null = null

port.on('message', (message: ToApiThread) => {
  if (message.type === 'answer') {
    const pending = waiting.get(message.id)
    waiting.delete(message.id)
    if (message.answer) pending?.resolve(message.answer)
    else pending?.reject(errorOf(message.failure ?? { message: 'no answer' }))
  } else if (message.type === 'close') void close()
})

async function close(): Promise<void> {
  onSseClientsChange(null)
  await server?.close()
  await reader?.close()
  port.close()
}

try {
  reader = await openReader(data.db, { logger })
  onSseClientsChange((count) => post({ type: 'sse-clients', count }))
  server = await startApiServer({
    reader,
    host: data.host,
    port: data.port,
    token: data.token,
    metricsPublic: data.metricsPublic,
    logger,
    streamRoutes: [...feedRoutes({ reader }, { logger: logger.child({ module: 'feed' }) }), ...forwarded],
  })
  post({ type: 'listening', url: server.url, port: Number(new URL(server.url).port) })
} catch (error) {
  await reader?.close()
  const code = (error as { code?: unknown }).code
  post({ type: 'failed', message: (error as Error).message, ...(typeof code === 'string' ? { code } : {}) })
  port.close()
}
