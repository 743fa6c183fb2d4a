/**
 * The change feed over real sockets, on SQLite and PostgreSQL: a watch
 * daemon applies files, the API serves GET /api/v1/changes, and real
 * clients (an SSE parser over node:http, fetch, a raw socket) read it.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { DatabaseTarget } from '../../src/config.js'
import { feedRoutes, type FeedOptions } from '../../src/feed/feed-routes.js'
import { serviceGauges } from '../../src/metrics/service-gauges.js'
import { startChangeLogPruner } from '../../src/feed/pruner.js'
import { silentLogger } from '../../src/logger.js'
import { startApiServer, type ApiServer } from '../../src/serve/index.js'
import { openReader } from '../../src/store/open-reader.js'
import { openStore } from '../../src/store/open-store.js'
import type { StoreReader } from '../../src/store/read-types.js'
import { waitFor } from '../helpers/cli.js'
import { startDaemon, startPostgresDaemon, type Daemon } from '../helpers/daemon.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from '../helpers/postgres.js'
import { openSse, spawnSseClient } from '../helpers/sse.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-feed-')
const schemas = testSchemas()
const logger = silentLogger()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

const FAST: FeedOptions = { pollIntervalMs: 50, keepaliveMs: 15_000, maxQueueBytes: 1024 * 1024 }
const SESSION = '2026-04-01-1775001600'

function report(n: number): string {
  return `# Section ${n}\n\n**Status:** complete\n\n| Item | Value |\n|---|---|\n| n | ${n} |\n`
}

interface Backend {
  target: DatabaseTarget
  daemon(root: string): Promise<Daemon>
  /** Run SQL on the database directly (what another process could do). */
  sql(statement: string): Promise<void>
}

function backend(dialect: 'sqlite' | 'postgres', label: string): Backend {
  if (dialect === 'sqlite') {
    const file = path.join(scratch, `${label}.db`)
    return {
      target: { dialect, file },
      daemon: (root) => startDaemon(root, file),
      async sql(statement) {
        const db = new Database(file)
        db.pragma('busy_timeout = 5000')
        try {
          db.exec(statement)
        } finally {
          db.close()
        }
      },
    }
  }
  const schema = schemas.fresh('feed')
  return {
    target: { dialect, url: PG_URL, schema },
    daemon: (root) => startPostgresDaemon(root, { url: PG_URL, schema }),
    async sql(statement) {
      await schemaRows(schema, statement)
    },
  }
}

interface Running {
  daemon: Daemon
  reader: StoreReader
  server: ApiServer
  url: string
  stop(): Promise<void>
}

async function start(b: Backend, root: string, options: FeedOptions = FAST): Promise<Running> {
  const daemon = await b.daemon(root)
  const reader = await openReader(b.target, { logger })
  const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger, streamRoutes: feedRoutes({ reader }, { ...options, logger }) })
  return {
    daemon,
    reader,
    server,
    url: `${server.url}/api/v1/changes`,
    async stop() {
      await server.close()
      await reader.close()
      await daemon.stop()
    },
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string): Promise<any> {
  return (await fetch(url)).json()
}

async function logSeqs(reader: StoreReader, after = 0): Promise<number[]> {
  const seqs: number[] = []
  for (;;) {
    const page = await reader.changesSince(after, 1000)
    if (page.length === 0) return seqs
    for (const change of page) seqs.push(change.seq)
    after = page[page.length - 1]!.seq
  }
}

function floodSql(dialect: 'sqlite' | 'postgres', rows: number): string {
  return dialect === 'sqlite'
    ? `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
       INSERT INTO change_log (root, session_id, path, change, status, instance, at)
       SELECT 'flood', 's', 'f/' || i || '.md', 'updated', 'ok', 'test', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n`
    : `INSERT INTO change_log (root, session_id, path, change, status, instance, at)
       SELECT 'flood', 's', 'f/' || i || '.md', 'updated', 'ok', 'test', now() FROM generate_series(1, ${rows}) AS i`
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`change feed on ${dialect}`, () => {
    it('streams every apply as an event, and resumes exactly after Last-Event-ID across a daemon restart', async () => {
      const b = backend(dialect, 'resume')
      const root = path.join(scratch, `resume-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1) })
      let running = await start(b, root)
      const first = await openSse(running.url)
      expect(first.status).toBe(200)
      expect(first.headers['content-type']).toMatch(/^text\/event-stream/)
      expect(first.headers['cache-control']).toBe('no-cache')
      expect(first.headers['x-accel-buffering']).toBe('no')
      writeTree(root, { [`${SESSION}/section-2.md`]: report(2), [`${SESSION}/section-3.md`]: report(3) })
      await waitFor(() => first.changes().length >= 2, 15_000, 'two change events')
      const seen = first.changes()
      expect(seen.map((c) => c.path).sort()).toEqual([`${SESSION}/section-2.md`, `${SESSION}/section-3.md`])
      for (const change of seen) {
        expect(Object.keys(change).sort()).toEqual(['at', 'change', 'instance', 'path', 'root', 'seq', 'session', 'status'])
        expect(change).toMatchObject({ session: SESSION, change: 'created', status: 'ok' })
      }
      expect(first.events.filter((e) => e.event === 'change').map((e) => Number(e.id))).toEqual(seen.map((c) => c.seq))
      const lastId = first.events.at(-1)!.id!
      // statebridge_sse_clients counts the open stream, and forgets it once it is gone.
      expect(serviceGauges().sseClients).toBe(1)
      first.close()
      await waitFor(() => serviceGauges().sseClients === 0, 10_000, 'the stream released')

      // Stopped: the files change while no statebridge runs; the next start's reconcile logs them.
      await running.stop()
      writeTree(root, { [`${SESSION}/section-4.md`]: report(4), [`${SESSION}/section-1.md`]: report(10) })
      fs.rmSync(path.join(root, SESSION, 'section-2.md'))
      running = await start(b, root)
      try {
        const missed = await logSeqs(running.reader, Number(lastId))
        expect(missed.length).toBeGreaterThanOrEqual(3)
        const resumed = await openSse(running.url, { 'last-event-id': lastId })
        await waitFor(() => resumed.changes().length >= missed.length, 15_000, 'the missed events')
        writeTree(root, { [`${SESSION}/section-5.md`]: report(5) })
        await waitFor(() => resumed.changes().some((c) => c.path === `${SESSION}/section-5.md`), 15_000, 'a live event after the backfill')
        const seqs = resumed.changes().map((c) => c.seq)
        const all = await logSeqs(running.reader, Number(lastId))
        // Exactly the log after lastId: no gap, no duplicate, in order.
        expect(seqs).toEqual(all)
        expect(resumed.events.some((e) => e.event === 'reset')).toBe(false)
        const kinds = resumed.changes().map((c) => `${c.change} ${c.path}`)
        expect(kinds).toEqual(
          expect.arrayContaining([`created ${SESSION}/section-4.md`, `updated ${SESSION}/section-1.md`, `removed ${SESSION}/section-2.md`]),
        )
        // ?since= resumes the same way for clients that cannot set the header.
        const bySince = await openSse(`${running.url}?since=${lastId}`)
        await waitFor(() => bySince.changes().length >= all.length, 15_000, 'the same events by ?since=')
        expect(bySince.changes().map((c) => c.seq)).toEqual(all)
        resumed.close()
        bySince.close()
      } finally {
        await running.stop()
      }
    })

    it('sends event: reset for a since the log no longer holds, then goes on live', async () => {
      const b = backend(dialect, 'reset')
      const root = path.join(scratch, `reset-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1), [`${SESSION}/section-2.md`]: report(2), [`${SESSION}/section-3.md`]: report(3) })
      const running = await start(b, root)
      try {
        // What the pruner does to old rows: everything but the newest goes.
        await b.sql('DELETE FROM change_log WHERE seq < (SELECT max(seq) FROM change_log)')
        const latest = await running.reader.latestChangeSeq()
        expect(await running.reader.oldestChangeSeq()).toBe(latest)
        const client = await openSse(`${running.url}?since=1`)
        await waitFor(() => client.events.length >= 1, 10_000, 'the reset')
        expect(client.events[0]!.event).toBe('reset')
        expect(client.events[0]!.id).toBe(String(latest))
        expect(JSON.parse(client.events[0]!.data)).toEqual({ reason: 'pruned', oldest: latest, latest })
        writeTree(root, { [`${SESSION}/section-4.md`]: report(4) })
        await waitFor(() => client.changes().length >= 1, 15_000, 'a live event after the reset')
        expect(client.changes()[0]!.seq).toBeGreaterThan(latest)
        client.close()
        // A seq this database never issued (another database's client) resets too.
        const stranger = await openSse(running.url, { 'last-event-id': String(latest + 1_000_000) })
        await waitFor(() => stranger.events.length >= 1, 10_000, 'the reset of an unknown seq')
        expect(JSON.parse(stranger.events[0]!.data).reason).toBe('unknown-seq')
        stranger.close()
      } finally {
        await running.stop()
      }
    })

    it('gives streams filtered by root only their root, and unfiltered streams every change, from the same pages', async () => {
      const b = backend(dialect, 'rooted')
      const root = path.join(scratch, `rooted-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1) })
      const running = await start(b, root)
      try {
        const [seen] = await running.reader.changesSince(0, 1)
        const rootId = seen!.root
        const all = await openSse(running.url)
        const mine = await openSse(`${running.url}?root=${encodeURIComponent(rootId)}`)
        const flood = await openSse(`${running.url}?root=flood`)
        const nowhere = await openSse(`${running.url}?root=${encodeURIComponent('/nowhere')}`)
        // Another root's rows and this root's applies interleave in the log, so one poll's page holds both.
        await b.sql(floodSql(dialect, 3))
        writeTree(root, { [`${SESSION}/section-2.md`]: report(2), [`${SESSION}/section-3.md`]: report(3) })
        await b.sql(floodSql(dialect, 2))
        await waitFor(() => all.changes().length >= 7, 15_000, 'every change on the unfiltered stream')
        await waitFor(() => mine.changes().length >= 2 && flood.changes().length >= 5, 15_000, 'the filtered streams')
        const expected = (await running.reader.changesSince(seen!.seq, 100)).map((c) => c.seq)
        expect(all.changes().map((c) => c.seq)).toEqual(expected)
        expect(all.events.filter((e) => e.event === 'change').map((e) => e.id)).toEqual(expected.map(String))
        expect(mine.changes().map((c) => c.path).sort()).toEqual([`${SESSION}/section-2.md`, `${SESSION}/section-3.md`])
        expect(mine.changes().every((c) => c.root === rootId)).toBe(true)
        expect(flood.changes()).toHaveLength(5)
        expect(flood.changes().every((c) => c.root === 'flood')).toBe(true)
        // Events carry the same bytes whichever stream they went to.
        const bySeq = new Map(all.events.map((e) => [e.id, e.data]))
        for (const e of [...mine.events, ...flood.events]) if (e.event === 'change') expect(e.data).toBe(bySeq.get(e.id))
        expect(nowhere.changes()).toEqual([])
        for (const client of [all, mine, flood, nowhere]) client.close()
      } finally {
        await running.stop()
      }
    })

    it('answers the long-poll at once, after waiting, on timeout, and with reset', async () => {
      const b = backend(dialect, 'poll')
      const root = path.join(scratch, `poll-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1), [`${SESSION}/section-2.md`]: report(2) })
      const running = await start(b, root)
      try {
        const latest = await running.reader.latestChangeSeq()
        let started = Date.now()
        const immediate = await json(`${running.url}?since=0&wait=10`)
        expect(Date.now() - started).toBeLessThan(2_000)
        expect(immediate.changes.map((c: { seq: number }) => c.seq)).toEqual(await logSeqs(running.reader))
        expect(immediate.next).toBe(latest)
        const limited = await json(`${running.url}?since=0&limit=1`)
        expect(limited.changes).toHaveLength(1)
        expect(limited.next).toBe(limited.changes[0].seq)

        started = Date.now()
        const waiting = fetch(`${running.url}?since=${latest}&wait=20`).then((r) => r.json() as Promise<any>)
        await new Promise((resolve) => setTimeout(resolve, 500))
        writeTree(root, { [`${SESSION}/section-3.md`]: report(3) })
        const woken = await waiting
        const waited = Date.now() - started
        expect(woken.changes).toHaveLength(1)
        expect(woken.changes[0]).toMatchObject({ path: `${SESSION}/section-3.md`, change: 'created' })
        expect(woken.next).toBe(woken.changes[0].seq)
        expect(waited).toBeGreaterThanOrEqual(500)
        expect(waited).toBeLessThan(10_000)

        started = Date.now()
        const timedOut = await json(`${running.url}?since=${woken.next}&wait=1`)
        expect(Date.now() - started).toBeGreaterThanOrEqual(950)
        expect(timedOut).toEqual({ changes: [], next: woken.next })
        const other = await json(`${running.url}?since=0&root=${encodeURIComponent('/nowhere')}&wait=0`)
        expect(other).toEqual({ changes: [], next: 0 })

        await b.sql('DELETE FROM change_log WHERE seq < (SELECT max(seq) FROM change_log)')
        const reset = await json(`${running.url}?since=1&wait=5`)
        expect(reset).toEqual({ changes: [], next: woken.next, reset: true, reason: 'pruned', oldest: woken.next })

        for (const [query, param] of [['since=x', 'since'], ['wait=26', 'wait'], ['limit=0', 'limit'], ['color=red', 'color']] as const) {
          const answer = await fetch(`${running.url}?${query}`)
          expect(answer.status).toBe(400)
          expect(((await answer.json()) as { param: string }).param).toBe(param)
        }
        const doc = await json(`${running.server.url}/openapi.json`)
        expect(doc.paths['/api/v1/changes'].get.operationId).toBe('changes')
      } finally {
        await running.stop()
      }
    })

    it('resets and closes a client that stops reading, while applies and other clients go on', async () => {
      const b = backend(dialect, 'slow')
      const root = path.join(scratch, `slow-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1) })
      const running = await start(b, root)
      try {
        const port = Number(new URL(running.url).port)
        const slow = net.connect(port, '127.0.0.1')
        await new Promise((resolve) => slow.once('connect', resolve))
        slow.write(`GET /api/v1/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`)
        // Never read: the kernel buffers fill, then the server's write buffer.
        slow.pause()
        let slowClosed = false
        let slowText = ''
        slow.on('close', () => (slowClosed = true))
        slow.on('error', () => undefined)
        slow.on('data', (chunk: Buffer) => (slowText += chunk.toString('utf8')))
        // The other client runs in its own process, as a remote one would: it reads at its own pace.
        const fast = await spawnSseClient(running.url)
        await new Promise((resolve) => setTimeout(resolve, 300))
        const before = await running.reader.latestChangeSeq()
        const rows = 40_000
        await b.sql(floodSql(dialect, rows))
        // Applies go on at their pace while the feed fans out the flood.
        const started = Date.now()
        writeTree(root, { [`${SESSION}/section-2.md`]: report(2) })
        await waitFor(async () => (await running.reader.changesSince(before + rows, 10)).some((c) => c.path === `${SESSION}/section-2.md`), 15_000, 'the apply during the flood')
        const applyMs = Date.now() - started
        await waitFor(() => fast.state.changes >= rows + 1, 30_000, 'the fast client to get the flood and the apply')
        // A paused socket cannot see the server's FIN: read what the kernel still holds, then the end must come.
        slow.resume()
        await waitFor(() => slowClosed, 10_000, 'the slow client closed')
        const slowEvents = slowText.split('\n').filter((line) => line === 'event: change').length
        expect(slowEvents).toBeLessThan(rows)
        const expected = await logSeqs(running.reader, before)
        await waitFor(() => fast.state.lastSeq >= expected.at(-1)!, 30_000, 'the fast client to get every change')
        expect(fast.state).toMatchObject({ changes: expected.length, lastSeq: expected.at(-1), ordered: true, resets: 0, ended: false })
        process.stdout.write(
          `[feed ${dialect}] apply during a ${rows}-row flood committed in ${applyMs} ms; the slow client got ${slowEvents} events, ` +
            `reset ${slowText.includes('event: reset') ? 'received' : 'lost with its buffer'}, then was closed\n`,
        )
        expect(applyMs).toBeLessThan(10_000)
        fast.close()
        slow.destroy()
      } finally {
        await running.stop()
      }
    }, 90_000)

    it('sends a keepalive comment on a quiet stream, and ends streams when the server closes', async () => {
      const b = backend(dialect, 'keepalive')
      const root = path.join(scratch, `keepalive-${dialect}`)
      writeTree(root, { [`${SESSION}/section-1.md`]: report(1) })
      const running = await start(b, root, { ...FAST, keepaliveMs: 200 })
      const client = await openSse(running.url)
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      expect(client.comments.filter((c) => c === 'keepalive').length).toBeGreaterThanOrEqual(3)
      const started = Date.now()
      await running.stop()
      await client.closed
      expect(Date.now() - started).toBeLessThan(5_000)
    })
  })
}

describe('change-log pruner', () => {
  it('prunes at start, keeps the newest change, and keeps everything with 0 days', async () => {
    const file = path.join(scratch, 'prune.db')
    const root = path.join(scratch, 'prune-tree')
    writeTree(root, { [`${SESSION}/section-1.md`]: report(1), [`${SESSION}/section-2.md`]: report(2) })
    const daemon = await startDaemon(root, file)
    await daemon.stop()
    const db = new Database(file)
    db.exec(`UPDATE change_log SET at = '2000-01-01T00:00:00.000Z'`)
    db.close()
    const store = await openStore({ dialect: 'sqlite', file }, { logger })
    try {
      const latest = await store.latestChangeSeq()
      const forever = startChangeLogPruner(store, 0, logger)
      await forever.stop()
      expect((await store.readChanges({ sinceSeq: 0, limit: 100 })).length).toBeGreaterThan(1)
      const pruner = startChangeLogPruner(store, 7, logger)
      await pruner.stop()
      expect((await store.readChanges({ sinceSeq: 0, limit: 100 })).map((c) => c.seq)).toEqual([latest])
    } finally {
      await store.close()
    }
  })
})
