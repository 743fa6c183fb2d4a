/**
 * The API on a thread of its own (`watch --listen`): it answers while the
 * daemon's thread is busy, /metrics and /readyz still come from the daemon's
 * thread, its log lines and SSE clients reach the daemon's logger and gauges,
 * and a thread that dies is started again on the same address.
 */
import { spawnSync } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { serviceGauges } from '../../src/metrics/service-gauges.js'
import { API_THREAD_HEAP_MB, startApiThread } from '../../src/serve/api-thread.js'
import { startService } from '../../src/service.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { startWatch, type WatchHandle } from '../../src/sync/watch.js'
import { memoryLogger, waitFor } from '../helpers/cli.js'
import { openSse } from '../helpers/sse.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const scratch = tempDir('statebridge-api-thread-')
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close()
})
afterAll(() => cleanup(scratch))

/** `watch --listen` in-process: the API first, then the watch, on a synced sample tree. */
async function startDaemon(label: string, logger = silentLogger()) {
  const root = path.join(scratch, label)
  writeTree(root, sampleTree())
  const file = path.join(scratch, `${label}.db`)
  const store = openSqliteStore(file)
  let handle: WatchHandle | null = null
  const service = await startService({ db: { dialect: 'sqlite', file }, listen: '127.0.0.1:0', metricsPublic: true, logger, store, daemon: () => handle })
  cleanups.push(async () => {
    await service.close()
    await handle?.close()
    await store.close()
  })
  const config = resolveConfig({ root, db: `sqlite:${file}`, debounceMs: 50, reconcileIntervalMs: 0, workers: 1 }, {})
  handle = await startWatch(config, store, silentLogger())
  return { url: service.url, root }
}

/** GET `url` with curl in a child process, while this thread waits for it and serves nothing. */
function curlBlocking(url: string, maxTimeS: number): { code: number | null; body: string } {
  const run = spawnSync('curl', ['-s', '--max-time', String(maxTimeS), url], { encoding: 'utf8' })
  return { code: run.status, body: run.stdout }
}

const hasCurl = spawnSync('curl', ['--version']).status === 0

describe('the API thread', () => {
  it.skipIf(!hasCurl)('answers the JSON routes while the daemon thread is blocked, and /readyz only when it is not', async () => {
    const { url } = await startDaemon('blocked')
    // spawnSync holds this thread until curl exits: an API served here could not answer at all.
    const sessions = curlBlocking(`${url}/api/v1/sessions`, 10)
    expect(sessions.code).toBe(0)
    expect((JSON.parse(sessions.body) as { items: Array<{ sessionId: string }> }).items.map((s) => s.sessionId)).toContain('2026-02-03-1770076800')
    // /readyz weighs the daemon's own state, so it waits for this thread: curl gives up (28: timeout).
    expect(curlBlocking(`${url}/readyz`, 1).code).toBe(28)
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ready: true, reasons: [] })
  })

  it('passes a forwarded route problem on, logs through the daemon logger, and counts its SSE clients in /metrics', async () => {
    const { logger, records } = memoryLogger('info')
    const { url } = await startDaemon('forwarded', logger)
    expect(records.some((r) => r.module === 'api' && String(r.msg).startsWith('API listening on') && r.pid === process.pid)).toBe(true)

    const bad = await fetch(`${url}/readyz?max_lag_s=soon`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ type: 'urn:statebridge:problem:bad-parameter', param: 'max_lag_s' })

    const sseClients = async (): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text()
      return Number(/^statebridge_sse_clients (\d+)$/m.exec(text)?.[1])
    }
    expect(await sseClients()).toBe(0)
    const stream = await openSse(`${url}/api/v1/changes?since=0`)
    await waitFor(async () => (await sseClients()) === 1, 10_000, 'the stream counted')
    stream.close()
    await waitFor(async () => (await sseClients()) === 0, 10_000, 'the stream released')
  })

  it('refuses an address in use with SB_CONFIG', async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())))
    const port = (taken.address() as net.AddressInfo).port
    const file = path.join(scratch, 'taken.db')
    openSqliteStore(file).close()
    await expect(
      startApiThread({ db: { dialect: 'sqlite', file }, host: '127.0.0.1', port, token: null, metricsPublic: false, logger: silentLogger(), localRoutes: [] }),
    ).rejects.toMatchObject({ code: 'SB_CONFIG', message: expect.stringContaining(`cannot listen on 127.0.0.1:${port}`) })
  })

  it('starts a thread that died again, on the same address, and says so in the log', async () => {
    const { logger, records } = memoryLogger('info')
    const server = await startApiThread({
      db: { dialect: 'sqlite', file: path.join(scratch, 'unused.db') },
      host: '127.0.0.1',
      port: 0,
      token: null,
      metricsPublic: false,
      logger,
      localRoutes: [],
      workerUrl: new URL('../helpers/dying-api-worker.mjs', import.meta.url),
    })
    cleanups.push(() => server.close())
    expect(await (await fetch(server.url)).text()).toBe('first')
    const restartsBefore = serviceGauges().apiThreadRestarts
    // The old generation is capped (the young one adds a little): a runaway request ends the thread, not the daemon.
    const limitMb = Number(await (await fetch(`${server.url}/heap-limit`)).text()) / 2 ** 20
    expect(limitMb).toBeGreaterThanOrEqual(API_THREAD_HEAP_MB)
    expect(limitMb).toBeLessThan(API_THREAD_HEAP_MB + 64)
    await fetch(`${server.url}/die`).catch(() => undefined)
    await waitFor(async () => (await fetch(server.url).then((r) => r.text(), () => '')) === 'again', 15_000, 'the thread back')
    expect(records.some((r) => r.level === 50 && String(r.msg).startsWith('API thread exited with code 1'))).toBe(true)
    expect(serviceGauges().apiThreadRestarts).toBe(restartsBefore + 1)
  })
})
