/**
 * Watch daemons on PostgreSQL: an outage cut with a TCP proxy while files are
 * written, two daemons on different roots, and two daemons on one root. Each
 * ends with the database equal to a fresh sync of the files.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { PostgresTarget } from '../../src/store/postgres-connection.js'
import { expectConverged, startPostgresDaemon, type Daemon } from '../helpers/daemon.js'
import { dumpPostgres } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir()
const schemas = testSchemas()
let running: Daemon[] = []
let proxy: TcpProxy | null = null

afterEach(async () => {
  for (const daemon of running) await daemon.stop()
  running = []
  await proxy?.close()
  proxy = null
})

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

function freshTarget(label: string, url = PG_URL): PostgresTarget {
  return { url, schema: schemas.fresh(label) }
}

async function startPgDaemon(root: string, target: PostgresTarget, instance: string, rootId?: string): Promise<Daemon> {
  const daemon = await startPostgresDaemon(root, target, { instance, rootId, retryBaseMs: 100, retryMaxMs: 800 })
  running.push(daemon)
  return daemon
}

/** A fresh schema reached through a new proxy (closed after the test). */
async function proxiedTarget(label: string): Promise<{ target: PostgresTarget; link: TcpProxy }> {
  const link = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
  proxy = link
  const url = new URL(PG_URL)
  url.port = String(link.port)
  return { target: freshTarget(label, url.toString()), link }
}

/** The daemon's logged retries, oldest first. */
const retriesOf = (daemon: Daemon) => daemon.records.filter((r) => r.level === 40 && typeof r.attempt === 'number')

const converge = (daemons: Daemon[], roots: string[]) => expectConverged(daemons, roots, scratch, 30_000)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const STATE = '2026-02-03-1770076800/orchestrator-state.md'

function editState(root: string, revision: number): void {
  const file = path.join(root, STATE)
  const text = fs.readFileSync(file, 'utf8').replace(/\| Deal Value \| [^|]+\|/, `| Deal Value | $${100 + revision}M |`)
  fs.writeFileSync(file, text)
}

describe.skipIf(!available)('watch on PostgreSQL', () => {
  it('survives a database outage while files change, and applies every change when it is back', async () => {
    const { target, link } = await proxiedTarget('outage')
    const root = path.join(scratch, 'outage')
    writeTree(root, sampleTree())
    const daemon = await startPgDaemon(root, target, 'host-a')
    await converge([daemon], [root])

    link.cut()
    const cutAt = Date.now()
    // Writes while the database is away: edits (the last must win), a new
    // session, a deleted file, a removed session, a file at the root.
    editState(root, 1)
    await sleep(300)
    writeTree(root, { '2026-03-01-1772323200/research-plan.md': '# Research Plan\n\n| Task | Specialist | Status |\n|---|---|---|\n| T9 | ip | pending |\n' })
    await sleep(300)
    editState(root, 2)
    fs.rmSync(path.join(root, '2026-02-03-1770076800/assemble.sh'))
    await sleep(300)
    fs.rmSync(path.join(root, '2026-02-04-1770163200'), { recursive: true })
    writeTree(root, { 'INDEX.md': '| Session | State |\n|---|---|\n| 2026-03-01 | new |\n' })
    editState(root, 3)
    // Stay cut for several seconds, long enough for a few retries.
    const retries = () => retriesOf(daemon)
    while (Date.now() - cutAt < 4_000 || retries().length < 3) await sleep(100)
    // Nothing reached the database meanwhile.
    const during = await dumpPostgres({ url: PG_URL, schema: target.schema })
    expect(during.documents.some((d) => d.path === 'INDEX.md')).toBe(false)

    link.restore()
    const dump = await converge([daemon], [root])
    const state = dump.typed.session_state!.find((s) => s.session_id === '2026-02-03-1770076800')!
    expect(state.deal_value).toBe(103e6)
    expect(dump.sessions.map((s) => s.session_id)).not.toContain('2026-02-04-1770163200')

    const attempts = retries().map((r) => r.attempt as number)
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3])
    const delays = retries().map((r) => r.delayMs as number)
    expect(Math.max(...delays)).toBeLessThanOrEqual(800)
    expect(daemon.records.some((r) => r.level === 50 && String(r.msg).includes('database unavailable'))).toBe(true)
    expect(daemon.records.some((r) => r.level === 30 && String(r.msg).startsWith('database reachable again'))).toBe(true)
    // The password-free description is all that is logged of the target.
    expect(JSON.stringify(daemon.records)).not.toMatch(/postgres:\/\/[^@\s"]*:[^@\s"]*@/)

    // Still watching afterwards.
    writeTree(root, { '2026-03-01-1772323200/after.md': '| a |\n|---|\n| b |\n' })
    await converge([daemon], [root])
  }, 90_000)

  it('survives a silent partition: a hung query times out, the daemon retries, and converges once the network heals', async () => {
    const { target, link } = await proxiedTarget('partition')
    const root = path.join(scratch, 'partition')
    writeTree(root, sampleTree())
    // Short timeouts stand in for the defaults (5 s to connect, 120 s per query).
    const daemon = await startPostgresDaemon(
      root,
      target,
      { instance: 'host-a', retryBaseMs: 100, retryMaxMs: 800 },
      { connectionTimeoutMs: 500, queryTimeoutMs: 1_500 },
    )
    running.push(daemon)
    await converge([daemon], [root])

    // No reset, no refusal: packets just stop, so only the timeouts can tell.
    link.blackhole()
    const cutAt = Date.now()
    editState(root, 1)
    writeTree(root, { '2026-03-01-1772323200/research-plan.md': '# Research Plan\n\n| Task | Specialist | Status |\n|---|---|---|\n| T9 | ip | pending |\n' })
    const retries = () => retriesOf(daemon)
    while (Date.now() - cutAt < 4_000 || retries().length < 3) await sleep(100)
    editState(root, 2)
    await sleep(300)

    link.restore()
    const dump = await converge([daemon], [root])
    const state = dump.typed.session_state!.find((s) => s.session_id === '2026-02-03-1770076800')!
    expect(state.deal_value).toBe(102e6)
    expect(dump.sessions.map((s) => s.session_id)).toContain('2026-03-01-1772323200')
    const outage = daemon.records.find((r) => r.level === 50 && String(r.msg).includes('database unavailable'))
    expect(String(outage?.msg)).toMatch(/Query read timeout|timeout exceeded when trying to connect|Connection terminated/)
    expect(daemon.records.some((r) => r.level === 30 && String(r.msg).startsWith('database reachable again'))).toBe(true)
  }, 90_000)

  it('keeps two daemons on different roots apart', async () => {
    const target = freshTarget('roots')
    const rootA = path.join(scratch, 'root-a')
    const rootB = path.join(scratch, 'root-b')
    writeTree(rootA, sampleTree())
    writeTree(rootB, sampleTree())
    const a = await startPgDaemon(rootA, target, 'host-a')
    const b = await startPgDaemon(rootB, target, 'host-b')
    await converge([a, b], [rootA, rootB])

    editState(rootA, 7)
    fs.rmSync(path.join(rootA, '2026-02-04-1770163200'), { recursive: true })
    writeTree(rootB, { '2026-02-04-1770163200/extra.md': '| x |\n|---|\n| y |\n' })
    const dump = await converge([a, b], [rootA, rootB])
    const realA = fs.realpathSync(rootA)
    const realB = fs.realpathSync(rootB)
    expect(dump.sessions.filter((s) => s.root === realA).map((s) => s.session_id)).not.toContain('2026-02-04-1770163200')
    expect(dump.sessions.filter((s) => s.root === realB).map((s) => s.session_id)).toContain('2026-02-04-1770163200')

    const instances = await schemaRows(target.schema, 'SELECT root, array_agg(DISTINCT instance) AS instances FROM documents GROUP BY root ORDER BY root')
    expect(Object.fromEntries(instances.map((r) => [r.root, r.instances]))).toEqual({ [realA]: ['host-a'], [realB]: ['host-b'] })
  }, 90_000)

  it('converges with two daemons on the same root, without duplicate rows', async () => {
    const target = freshTarget('shared')
    const root = path.join(scratch, 'shared')
    writeTree(root, sampleTree())
    const a = await startPgDaemon(root, target, 'host-a')
    const b = await startPgDaemon(root, target, 'host-b')
    await converge([a, b], [root])

    // Both see every event: rapid edits of one file, creates, deletes, renames, a removed session.
    for (let i = 0; i < 12; i++) {
      editState(root, i)
      writeTree(root, { [`2026-03-01-1772323200/report-${i % 4}.md`]: `# R${i}\n\n| n |\n|---|\n| ${i} |\n` })
      if (i === 5) fs.renameSync(path.join(root, '2026-03-01-1772323200/report-1.md'), path.join(root, '2026-03-01-1772323200/moved.md'))
      if (i === 8) fs.rmSync(path.join(root, '2026-02-04-1770163200'), { recursive: true })
      if (i === 9) fs.rmSync(path.join(root, '2026-02-03-1770076800/assemble.sh'))
      await sleep(i % 3 === 0 ? 0 : 40)
    }
    const dump = await converge([a, b], [root])
    expect(dump.typed.session_state!.find((s) => s.session_id === '2026-02-03-1770076800')!.deal_value).toBe(111e6)
    const paths = dump.documents.map((d) => d.path)
    expect(new Set(paths).size).toBe(paths.length)
    const [counts] = await schemaRows(
      target.schema,
      `SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM sessions) AS sessions,
         (SELECT array_agg(DISTINCT instance ORDER BY instance) FROM documents) AS instances`,
    )
    expect(counts!.documents).toBe(dump.documents.length)
    expect(counts!.sessions).toBe(dump.sessions.length)
    expect((counts!.instances as string[]).every((i) => i === 'host-a' || i === 'host-b')).toBe(true)
  }, 90_000)
})

describe.skipIf(!available)('a shared volume mounted at different paths', () => {
  it('is one root when every sidecar gives it the same --root-id', async () => {
    const target = freshTarget('rootid')
    const root = path.join(scratch, 'volume')
    const otherMount = path.join(scratch, 'mnt-elsewhere')
    writeTree(root, sampleTree())
    fs.symlinkSync(root, otherMount)
    const a = await startPgDaemon(root, target, 'host-a', 'shared-volume')
    const b = await startPgDaemon(otherMount, target, 'host-b', 'shared-volume')
    writeTree(root, { '2026-03-01-1772323200/new.md': '| k |\n|---|\n| v |\n' })
    editState(root, 4)
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((rel) => fs.statSync(path.join(root, rel)).isFile())
    await waitUntil(async () => {
      for (const daemon of [a, b]) await daemon.handle.whenIdle()
      const [row] = await schemaRows(target.schema, "SELECT count(*) AS n FROM documents WHERE root = 'shared-volume'")
      return row!.n === files.length
    })
    const roots = await schemaRows(target.schema, 'SELECT DISTINCT root FROM documents UNION SELECT DISTINCT root FROM sessions')
    expect(roots).toEqual([{ root: 'shared-volume' }])
    const [deal] = await schemaRows(target.schema, "SELECT deal_value FROM sessions WHERE session_id = '2026-02-03-1770076800'")
    expect(deal!.deal_value).toBe(104e6)
  }, 60_000)
})

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(100)
  }
}
