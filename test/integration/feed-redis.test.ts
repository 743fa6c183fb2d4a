/**
 * The Redis mirror of the change feed against the local Redis (127.0.0.1:6379)
 * and PostgreSQL: every change reaches the stream with its seq, and a Redis
 * cut through a proxy is lag: applies go on, and the stream catches up with
 * no gap once Redis is back. Each run uses its own stream key, deleted after.
 */
import net from 'node:net'
import path from 'node:path'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveSettings } from '../../src/config.js'
import { startRedisSink } from '../../src/feed/redis-sink.js'
import { silentLogger } from '../../src/logger.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { waitFor } from '../helpers/cli.js'
import { startPostgresDaemon } from '../helpers/daemon.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

const REDIS_PORT = 6379

async function redisAvailable(): Promise<boolean> {
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect(REDIS_PORT, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
  if (!ok) {
    if (process.env.CI === 'true') throw new Error('Redis at 127.0.0.1:6379 is not reachable; CI=true requires the Redis tests to run')
    process.stderr.write('\n*** SKIPPING REDIS TESTS: Redis at 127.0.0.1:6379 is not reachable. ***\n\n')
  }
  return ok
}

const available = (await postgresAvailable()) && (await redisAvailable())
const scratch = tempDir('statebridge-redis-')
const schemas = testSchemas()
const logger = silentLogger()
const SESSION = '2026-04-01-1775001600'

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

describe('Redis configuration', () => {
  it('resolves redis-postgres as PostgreSQL plus Redis, and REDIS_URL alone as nothing', () => {
    const env = { SESSION_STORAGE_TYPE: 'redis-postgres', DATABASE_URL: 'postgres://sb@db:5432/agents' }
    const settings = resolveSettings({}, env)
    expect(settings.db).toEqual({ dialect: 'postgres', url: 'postgres://sb@db:5432/agents', schema: 'public' })
    expect(settings.redis).toEqual({ url: 'redis://127.0.0.1:6379' })
    expect(resolveSettings({}, { ...env, REDIS_URL: 'redis://cache:6380' }).redis).toEqual({ url: 'redis://cache:6380' })
    expect(resolveSettings({}, { REDIS_URL: 'redis://cache:6380' }).redis).toBeNull()
    expect(resolveSettings({ redisUrl: 'rediss://cache:6380' }, {}).redis).toEqual({ url: 'rediss://cache:6380' })
    expect(() => resolveSettings({ redisUrl: 'http://cache' }, {})).toThrow(/--redis-url must be a redis:\/\/ or rediss:\/\/ URL/)
    expect(() => resolveSettings({}, { SESSION_STORAGE_TYPE: 'mongo' })).toThrow(/sqlite, postgres or redis-postgres/)
  })
})

describe.skipIf(!available)('Redis mirror', () => {
  it('mirrors every change with its seq, and catches up without a gap after a Redis cut', async () => {
    const schema = schemas.fresh('redis')
    const root = path.join(scratch, 'tree')
    const key = `statebridge:test:${process.pid}:${Date.now()}`
    writeTree(root, { [`${SESSION}/a.md`]: '# A\n', [`${SESSION}/b.md`]: '# B\n' })
    const daemon = await startPostgresDaemon(root, { url: PG_URL, schema })
    const store = await openPostgresStore({ url: PG_URL, schema }, { logger })
    const proxy = await startTcpProxy('127.0.0.1', REDIS_PORT)
    const sink = await startRedisSink(store, { url: `redis://127.0.0.1:${proxy.port}`, streamKey: key, pollIntervalMs: 50 }, logger)
    const redis = createClient({ url: `redis://127.0.0.1:${REDIS_PORT}` })
    redis.on('error', () => undefined)
    await redis.connect()
    const logSeqs = async () => (await store.readChanges({ sinceSeq: 0, limit: 1000 })).map((c) => c.seq)
    const streamSeqs = async () => {
      const entries = await redis.xRange(key, '-', '+')
      return entries.map((e) => ({ seq: Number(e.message.seq), change: JSON.parse(e.message.change!) as Record<string, unknown> }))
    }
    try {
      await waitFor(async () => (await streamSeqs()).length >= 2, 15_000, 'the first changes in the stream')
      const first = await streamSeqs()
      expect(first.map((e) => e.seq)).toEqual(await logSeqs())
      expect(first[0]!.change).toMatchObject({ seq: first[0]!.seq, session: SESSION, change: 'created', status: 'ok' })

      proxy.cut()
      const before = (await logSeqs()).length
      const started = Date.now()
      for (let i = 0; i < 5; i++) writeTree(root, { [`${SESSION}/cut-${i}.md`]: `# Cut ${i}\n` })
      // Applies go on while Redis is away: the changes wait in the log.
      await waitFor(async () => (await logSeqs()).length >= before + 5, 15_000, 'the applies during the cut')
      const appliedMs = Date.now() - started
      expect((await streamSeqs()).length).toBe(first.length)

      proxy.restore()
      const expected = await logSeqs()
      await waitFor(async () => new Set((await streamSeqs()).map((e) => e.seq)).size >= expected.length, 20_000, 'the stream to catch up')
      const caughtUp = await streamSeqs()
      // At-least-once: deduped on seq, the stream holds exactly the log, in order.
      const deduped = [...new Set(caughtUp.map((e) => e.seq))]
      expect(deduped).toEqual(expected)
      // The cursor moves once Redis acknowledged the batch, a moment after the entries are visible.
      await waitFor(() => sink.cursor === expected.at(-1), 10_000, 'the cursor to move')
      expect(await store.readFeedCursor(`redis:${key}`)).toBe(expected.at(-1))
      process.stdout.write(`[redis] 5 applies during the cut took ${appliedMs} ms; ${caughtUp.length} entries for ${expected.length} changes\n`)
    } finally {
      await sink.stop()
      await redis.del(key)
      await redis.close()
      await proxy.close()
      await daemon.stop()
      await store.close()
    }
  }, 60_000)
})
