/**
 * PostgreSQL connection faults under continuous writes: the proxy cut at
 * random moments (during BEGIN, mid-insert, COMMIT or idle) and every backend
 * of the daemon terminated on the server. The daemon must stay alive, take the
 * outage path, and end with rows equal to a fresh sync.
 */
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PostgresTarget } from '../../src/store/postgres-connection.js'
import { expectConverged, startPostgresDaemon, type Daemon } from '../helpers/daemon.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir()
const schemas = testSchemas()
let running: Daemon[] = []
let proxy: TcpProxy | null = null

// An 'error' event nobody listens to is thrown from a socket callback: record it, so the test names it.
let uncaught: unknown[] = []
const onUncaught = (error: unknown): void => void uncaught.push(error)
beforeEach(() => {
  uncaught = []
  process.on('uncaughtException', onUncaught)
})

afterEach(async () => {
  process.off('uncaughtException', onUncaught)
  for (const daemon of running) await daemon.stop()
  running = []
  await proxy?.close()
  proxy = null
})

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const converge = (daemon: Daemon, root: string) => expectConverged(daemon, root, scratch, 60_000)

/** A fresh schema reached through a new proxy (closed after the test). */
async function proxiedTarget(label: string): Promise<{ target: PostgresTarget; link: TcpProxy }> {
  const link = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
  proxy = link
  const url = new URL(PG_URL)
  url.port = String(link.port)
  return { target: { url: url.toString(), schema: schemas.fresh(label) }, link }
}

/** A report with enough table rows that its apply spends a while inside the transaction. */
function report(n: number, revision: number): string {
  const rows = Array.from({ length: 80 }, (_, i) => `| F${i} | $${i + revision}M | ${i % 2 ? 'done' : 'pending'} |`).join('\n')
  return `# Report ${n} r${revision}\n\n| Fact | Value | Status |\n|---|---|---|\n${rows}\n`
}

/**
 * Rewrite a handful of files every few milliseconds until stopped, so that
 * applies are in flight most of the time; returns the stop function.
 */
function keepWriting(root: string): () => Promise<void> {
  let stopped = false
  const done = (async () => {
    for (let revision = 0; !stopped; revision++) {
      const n = revision % 6
      writeTree(root, { [`2026-05-01-1777593600/reports/report-${n}.md`]: report(n, revision) })
      if (revision % 17 === 0) fs.rmSync(path.join(root, `2026-05-01-1777593600/reports/report-${(n + 3) % 6}.md`), { force: true })
      await sleep(5 + (revision % 4) * 5)
    }
  })()
  return async () => {
    stopped = true
    await done
  }
}

async function startFaultDaemon(root: string, target: PostgresTarget, instance: string): Promise<Daemon> {
  // Short timeouts and backoff keep each outage brief; the paths taken are the default ones.
  const daemon = await startPostgresDaemon(
    root,
    target,
    { instance, retryBaseMs: 50, retryMaxMs: 500, workers: 2 },
    { connectionTimeoutMs: 2_000, queryTimeoutMs: 10_000 },
  )
  running.push(daemon)
  return daemon
}

const outagesOf = (daemon: Daemon) => daemon.records.filter((r) => r.level === 50 && String(r.msg).includes('database unavailable'))

describe.skipIf(!available)('PostgreSQL connection faults', () => {
  it('survives proxy cuts at random moments under continuous writes, then converges', async () => {
    const { target, link } = await proxiedTarget('cuts')
    const root = path.join(scratch, 'cuts')
    writeTree(root, sampleTree())
    const daemon = await startFaultDaemon(root, target, 'cuts')
    await converge(daemon, root)

    const stopWriting = keepWriting(root)
    // Mostly short cuts, which land anywhere in a transaction, and a few of seconds.
    const cuts = [40, 150, 2_500, 10, 300, 3_000, 80, 0, 1_200, 60]
    for (const [i, length] of cuts.entries()) {
      await sleep(30 + Math.random() * 400)
      link.cut()
      await sleep(length)
      link.restore()
      if (i % 3 === 2) await sleep(500)
    }
    await sleep(500)
    await stopWriting()

    await converge(daemon, root)
    expect(uncaught).toEqual([])
    // The cuts took the documented outage path, not some other.
    expect(outagesOf(daemon).length).toBeGreaterThan(0)
    expect(outagesOf(daemon).every((r) => (r as { kind?: string }).kind === 'transient')).toBe(true)
    expect(daemon.records.filter((r) => String(r.msg).includes('could not apply'))).toEqual([])
    // And it still follows changes afterwards.
    writeTree(root, { '2026-05-01-1777593600/after.md': '| a |\n|---|\n| b |\n' })
    await converge(daemon, root)
  }, 180_000)

  it('survives pg_terminate_backend of every one of its connections, repeatedly, under continuous writes', async () => {
    const target: PostgresTarget = { url: PG_URL, schema: schemas.fresh('terminate') }
    const root = path.join(scratch, 'terminate')
    writeTree(root, sampleTree())
    const instance = `terminate-${process.pid}`
    const daemon = await startFaultDaemon(root, target, instance)
    await converge(daemon, root)

    const admin = new pg.Client({ connectionString: PG_URL })
    admin.on('error', () => undefined)
    await admin.connect()
    try {
      const stopWriting = keepWriting(root)
      let terminated = 0
      for (let round = 0; round < 8; round++) {
        await sleep(100 + Math.random() * 400)
        // What a server restart does to the daemon's connections, in whatever state each is.
        const { rows } = await admin.query<{ done: boolean }>(
          'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
          [`statebridge ${instance}`],
        )
        terminated += rows.filter((r) => r.done).length
      }
      await sleep(500)
      await stopWriting()
      expect(terminated).toBeGreaterThan(0)
    } finally {
      await admin.end()
    }

    await converge(daemon, root)
    expect(uncaught).toEqual([])
    // A terminated backend is an outage to wait out (57P01 or a closed socket), never a failed file.
    expect(outagesOf(daemon).every((r) => (r as { kind?: string }).kind === 'transient')).toBe(true)
    expect(daemon.records.filter((r) => String(r.msg).includes('could not apply'))).toEqual([])
    writeTree(root, { '2026-05-01-1777593600/after.md': '| a |\n|---|\n| b |\n' })
    await converge(daemon, root)
  }, 180_000)
})
