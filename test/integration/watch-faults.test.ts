/**
 * Watch mode under faults the events do not report: rows lost on the database
 * side, edits that keep size and mtime, a replaced root, a deleted SQLite file,
 * and bursts that overflow the kernel's inotify queue.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { runSync } from '../../src/sync/run-sync.js'
import { startCli, waitFor } from '../helpers/cli.js'
import { expectConverged, freshDump, startDaemon, startPostgresDaemon, type Daemon } from '../helpers/daemon.js'
import { canonicalDump, dumpSqlite, type Dump } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

let dir: string
let root: string
let dbFile: string
let daemon: Daemon | null

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  dbFile = path.join(dir, 'db.sqlite')
  writeTree(root, sampleTree())
  daemon = null
})
afterEach(async () => {
  await daemon?.stop()
  cleanup(dir)
})

const S = '2026-02-03-1770076800'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function matterOf(dump: Dump): unknown {
  return dump.typed.session_state?.find((s) => s.session_id === S)?.matter_name
}

function execSql(sql: string): void {
  const db = new Database(dbFile)
  try {
    db.pragma('foreign_keys = ON')
    db.exec(sql)
  } finally {
    db.close()
  }
}

/** Rewrite a file with other content of the same length, then put its atime and mtime back, as `touch -r` does. */
function sameSizeEdit(file: string, from: string, to: string): void {
  const reference = `${file}.ref~`
  execFileSync('cp', ['-p', file, reference])
  const before = fs.statSync(file)
  const text = fs.readFileSync(file, 'utf8')
  expect(from.length).toBe(to.length)
  expect(text).toContain(from)
  fs.writeFileSync(file, text.replace(from, to))
  execFileSync('touch', ['-r', reference, file])
  fs.rmSync(reference)
  const after = fs.statSync(file)
  expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs])
}

describe('rows lost on the database side', () => {
  it('are written again by the next reconcile, which reads what the store holds', async () => {
    daemon = await startDaemon(root, dbFile)
    const before = daemon.dump()
    expect(before.documents.length).toBeGreaterThan(5)
    // What a dropped schema followed by `migrate`, or a failover to an empty replica, leaves.
    execSql('DELETE FROM documents; DELETE FROM sessions;')
    expect(daemon.dump().documents).toHaveLength(0)
    await daemon.handle.reconcile()
    const after = await expectConverged(daemon, root, dir)
    expect(after.documents).toHaveLength(before.documents.length)
  })

  it('are written again by the periodic reconcile with no event at all', async () => {
    daemon = await startDaemon(root, dbFile, { reconcileIntervalMs: 300 })
    const count = daemon.dump().documents.length
    execSql(`DELETE FROM documents WHERE path LIKE '${S}/%'; DELETE FROM sessions WHERE session_id = '${S}';`)
    await waitFor(() => daemon!.dump().documents.length === count, 15_000, 'rows rewritten')
    await expectConverged(daemon, root, dir)
  })
})

describe('edits that keep size and mtime', () => {
  const file = () => path.join(root, S, 'orchestrator-state.md')

  it('are found by the start-up reconcile, which hashes every file by default', async () => {
    const config = resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1 }, {})
    const store = openSqliteStore(dbFile)
    try {
      await runSync(config, store, silentLogger())
      sameSizeEdit(file(), 'Project Kestrel', 'Project Sparrow')
      const second = await runSync(config, store, silentLogger())
      expect(second.files_applied).toBe(1)
      expect(canonicalDump(dumpSqlite(dbFile))).toEqual(canonicalDump(await freshDump(root, dir)))
      // --trust-stat skips the reads, and so misses such an edit: that is its documented cost.
      sameSizeEdit(file(), 'Project Sparrow', 'Project Kestrel')
      const trusting = resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1, trustStat: true }, {})
      expect((await runSync(trusting, store, silentLogger())).files_applied).toBe(0)
    } finally {
      await store.close()
    }
  })

  it('are seen while watching, though chokidar drops the change', async () => {
    daemon = await startDaemon(root, dbFile)
    const names = ['Project Sparrow', 'Project Kestrel']
    for (let trial = 0; trial < 6; trial++) {
      sameSizeEdit(file(), names[(trial + 1) % 2]!, names[trial % 2]!)
      const dump = await expectConverged(daemon, root, dir)
      expect(matterOf(dump)).toBe(names[trial % 2])
    }
  })

  it('are repaired by the rolling re-hash of the periodic reconcile when no event says so', async () => {
    // Edited while no daemon ran, then started trusting stat: only the rolling re-hash can find it.
    const store = openSqliteStore(dbFile)
    await runSync(resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1 }, {}), store, silentLogger())
    await store.close()
    sameSizeEdit(file(), 'Project Kestrel', 'Project Sparrow')
    daemon = await startDaemon(root, dbFile, { trustStat: true, reconcileIntervalMs: 200, rehashWindowMs: 1_000 })
    expect(matterOf(daemon.dump())).toBe('Project Kestrel')
    await waitFor(() => matterOf(daemon!.dump()) === 'Project Sparrow', 15_000, 're-hash')
    await expectConverged(daemon, root, dir)
  })
})

describe('an entry that changes kind', () => {
  it('a file replaced by a directory of the same name loses its row', async () => {
    const config = resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1 }, {})
    const store = openSqliteStore(dbFile)
    try {
      writeTree(root, { [`${S}/notes`]: 'plain notes\n' })
      await runSync(config, store, silentLogger())
      fs.rmSync(path.join(root, S, 'notes'))
      writeTree(root, { [`${S}/notes/a.md`]: '| A | B |\n|---|---|\n| 1 | 2 |\n' })
      await runSync(config, store, silentLogger())
      expect(dumpSqlite(dbFile).documents.map((d) => d.path)).not.toContain(`${S}/notes`)
      expect(dumpSqlite(dbFile)).toEqual(await freshDump(root, dir))
    } finally {
      await store.close()
    }
  })
})

describe('a replaced root', () => {
  it('keeps its rows while the root is gone, then watches the new root', async () => {
    daemon = await startDaemon(root, dbFile, { reconcileIntervalMs: 200 })
    const count = daemon.dump().documents.length
    fs.renameSync(root, `${root}.old`)
    // Several periodic reconciles and health checks pass while there is no root.
    await sleep(1_500)
    expect(daemon.dump().documents).toHaveLength(count)
    expect(daemon.records.some((r) => String(r.msg).includes('is gone'))).toBe(true)
    fs.mkdirSync(root)
    fs.cpSync(`${root}.old`, root, { recursive: true, preserveTimestamps: true })
    fs.writeFileSync(path.join(root, S, 'after-replace.md'), '| A | B |\n|---|---|\n| 1 | 2 |\n')
    await waitFor(() => daemon!.dump().documents.some((d) => d.path === `${S}/after-replace.md`), 15_000, 'a file of the new root')
    // And later writes in the new root are followed by events, not only by the reconcile.
    fs.appendFileSync(path.join(root, S, 'after-replace.md'), '| 3 | 4 |\n')
    await expectConverged(daemon, root, dir)
  })

  it('is noticed without any periodic reconcile', async () => {
    daemon = await startDaemon(root, dbFile)
    fs.renameSync(root, `${root}.old`)
    fs.mkdirSync(root)
    fs.cpSync(`${root}.old`, root, { recursive: true })
    fs.rmSync(path.join(root, S), { recursive: true })
    writeTree(root, { '2026-05-01-1777593600/research-plan.md': '| Task | Specialist |\n|---|---|\n| T1 | tax |\n' })
    await waitFor(() => daemon!.records.some((r) => String(r.msg).includes('was replaced')), 10_000, 'replacement noticed')
    const dump = await expectConverged(daemon, root, dir)
    expect(dump.sessions.map((s) => s.session_id)).toContain('2026-05-01-1777593600')
    expect(dump.sessions.map((s) => s.session_id)).not.toContain(S)
  })
})

describe('the SQLite file deleted while watching', () => {
  it('is reopened and rebuilt from the files', async () => {
    daemon = await startDaemon(root, dbFile)
    const count = daemon.dump().documents.length
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dbFile}${suffix}`, { force: true })
    await waitFor(() => fs.existsSync(dbFile) && daemon!.dump().documents.length === count, 15_000, 'database rebuilt')
    fs.writeFileSync(path.join(root, S, 'after-delete.md'), '| A | B |\n|---|---|\n| 1 | 2 |\n')
    const dump = await expectConverged(daemon, root, dir)
    expect(dump.documents.map((d) => d.path)).toContain(`${S}/after-delete.md`)
  })
})

describe('a burst that overflows the inotify queue', () => {
  const QUEUE = '/proc/sys/fs/inotify/max_queued_events'
  const canTune = (() => {
    try {
      fs.accessSync(QUEUE, fs.constants.W_OK)
      return true
    } catch {
      return false
    }
  })()

  // A real overflow: the daemon runs in its own process, whose inotify queue is
  // made small (2,048) when it is created; the renames lose events for certain.
  it.runIf(canTune)('is followed by a reconcile, so no row stays stale', { timeout: 180_000 }, async () => {
    const files: Record<string, string> = {}
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 1_500; i++) files[`2026-06-0${s + 1}-178${s}000000/n-${i}.md`] = `| K | V |\n|---|---|\n| ${i} | ${s} |\n`
    }
    fs.rmSync(root, { recursive: true })
    writeTree(root, files)
    const saved = fs.readFileSync(QUEUE, 'utf8').trim()
    let child: ReturnType<typeof startCli>['child'] | null = null
    try {
      fs.writeFileSync(QUEUE, '2048')
      const started = startCli(['watch', root, '--db', dbFile, '--workers', '2', '--debounce-ms', '50', '--reconcile-interval-ms', '0'])
      child = started.child
      await waitFor(() => started.lines.some((l) => l.includes('"watching"')), 120_000, 'watching')
      fs.writeFileSync(QUEUE, saved)
      for (const rel of Object.keys(files)) fs.renameSync(path.join(root, rel), path.join(root, rel.replace('/n-', '/m-')))
      const expected = JSON.stringify(canonicalDump(await freshDump(root, dir)))
      await waitFor(() => JSON.stringify(canonicalDump(dumpSqlite(dbFile))) === expected, 120_000, 'convergence after the burst')
      expect(started.lines.some((l) => l.includes('reconciling after a burst'))).toBe(true)
    } finally {
      fs.writeFileSync(QUEUE, saved)
      child?.kill('SIGTERM')
      if (child) await new Promise((resolve) => child!.once('exit', resolve))
    }
  })
})

describe.skipIf(!(await postgresAvailable()))('PostgreSQL rows lost on the server side', () => {
  const schemas = testSchemas()
  afterAll(() => schemas.dropAll())

  it('are rewritten after the schema is dropped and migrated again while watching', { timeout: 120_000 }, async () => {
    const target = { url: PG_URL, schema: schemas.fresh('drop') }
    daemon = await startPostgresDaemon(root, target, { retryBaseMs: 50, retryMaxMs: 200, reconcileIntervalMs: 500 })
    const count = (await daemon.snapshot()).documents.length
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    try {
      await admin.query(`DROP SCHEMA ${target.schema} CASCADE`)
    } finally {
      await admin.end()
    }
    // An edit meanwhile finds no table: the database counts as down until the operator migrates.
    fs.appendFileSync(path.join(root, S, 'orchestrator-state.md'), '\nMore words.\n')
    await waitFor(() => daemon!.records.some((r) => r.level === 50 && String(r.msg).includes('database unavailable')), 15_000, 'the outage')
    const migrated = await openPostgresStore(target, { migrate: true })
    await migrated.close()
    await waitFor(async () => (await daemon!.snapshot()).documents.length === count, 30_000, 'rows rewritten')
    await expectConverged(daemon, root, dir, 30_000)
  })
})
