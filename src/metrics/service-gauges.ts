/**
 * Gauges that other parts of the HTTP side set: the change feed's connected
 * SSE clients and the Redis sink's lag. They live here, free of prom-client,
 * so the feed and the sink can set them without loading the metrics library;
 * /metrics reads them at scrape time (`statebridge_sse_clients`,
 * `statebridge_redis_lag`, `statebridge_api_thread_restarts_total`).
 *
 * They are per thread: one process serves one API, and two services started
 * in one process (tests) share them. An API on a thread of its own passes its
 * client count on to the daemon's thread, which serves /metrics.
 */

let sseClients = 0
let redisLag: number | null = null
let sseClientsListener: ((count: number) => void) | null = null

/** Add `delta` (+1 when a client connects, -1 when it leaves) to the connected SSE clients. */
export function addSseClients(delta: number): void {
  sseClients = Math.max(0, sseClients + delta)
  sseClientsListener?.(sseClients)
}

/** Call `listener` with the count after every change (one listener; `null` removes it). */
export function onSseClientsChange(listener: ((count: number) => void) | null): void {
  sseClientsListener = listener
}

let apiThreadRestarts = 0

/** Count one start of the API thread after it died. */
export function countApiThreadRestart(): void {
  apiThreadRestarts++
}

/** Set the connected SSE clients outright. */
export function setSseClients(count: number): void {
  sseClients = Math.max(0, count)
}

/**
 * Set the Redis sink's lag: changes committed to the change log and not yet
 * in the Redis stream (latest seq minus the sink's cursor). `null` when no
 * Redis sink runs; /metrics then reports 0.
 */
export function setRedisLag(lag: number | null): void {
  redisLag = lag
}

/** The values as /metrics reads them. */
export function serviceGauges(): { sseClients: number; redisLag: number | null; apiThreadRestarts: number } {
  return { sseClients, redisLag, apiThreadRestarts }
}
