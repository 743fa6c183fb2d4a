/**
 * `cleanup` and `import` end to end, on every dialect: a tree with a complete
 * and an active session, synced and edited (so there is history, deltas
 * included), then archived, checked for leftover rows, synced again, and
 * imported back: the same files, the same rows, the same history.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import Database from 'better-sqlite3'
import * as tar from 'tar-stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseAge, runCleanup, type CleanupReport } from '../src/commands/cleanup.js'
import { runImport, type ImportReport } from '../src/commands/import.js'
import { listArchive, MANIFEST_ENTRY } from '../src/commands/session-archive.js'
import { resolveConfig, type Config } from '../src/config.js'
import { decodeChain } from '../src/history/encode.js'
import { silentLogger } from '../src/logger.js'
import { TYPED_TABLE_NAMES } from '../src/parsers/typed/tables.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { syncFile } from '../src/sync/file-pipeline.js'
import { runSync } from '../src/sync/run-sync.js'
import { createSyncer } from '../src/sync/syncer.js'
import { canonicalDump, dumpPostgres, dumpSqlite, type Dump } from './helpers/dump.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

interface Harness {
  store: Store
  db: string
  dump(): Promise<Dump>
  /** Rows of `sql` (a count query) as numbers. */
  count(sql: string): Promise<number>
  close(): Promise<void>
}

const schemas = testSchemas()

const dialects: Array<[string, (dir: string) => Promise<Harness>]> = [
  [
    'sqlite',
    async (dir) => {
      const file = path.join(dir, 'store.db')
      const store = openSqliteStore(file, { instance: 'test' })
      return {
        store,
        db: `sqlite:${file}`,
        dump: async () => dumpSqlite(file),
        count: async (sql) => {
          const db = new Database(file, { readonly: true })
          try {
            return Number((db.prepare(sql).get() as { n: number }).n)
          } finally {
            db.close()
          }
        },
        close: () => store.close(),
      }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: schemas.fresh('cleanup') }
      const store = await openPostgresStore(target, { instance: 'test' })
      return {
        store,
        db: PG_URL,
        dump: () => dumpPostgres(target),
        count: async (sql) => Number((await schemaRows(target.schema, sql))[0]!.n),
        close: async () => {
          await store.close()
          await schemas.dropAll()
        },
      }
    },
  ])
}

const DONE = '2026-01-10-1768003200'
const ACTIVE = '2026-02-04-1770163200'
const DAY = 86_400_000

/** A fact registry long enough that an appended row is stored as a delta against it. */
const REGISTRY = [
  '# Fact Registry',
  '',
  '## Key Dates',
  '',
  '| Fact | Canonical Value | Source |',
  '|---|---|---|',
  ...Array.from({ length: 40 }, (_, i) => `| Fact ${i} | 2026-01-${String((i % 28) + 1).padStart(2, '0')} | T${i} |`),
  '',
].join('\n')

function tree(): Record<string, string> {
  return {
    [`${DONE}/orchestrator-state.md`]: [
      '# ORCHESTRATOR STATE',
      '',
      '## DEAL_METADATA',
      '',
      '| Field | Value |',
      '|-------|-------|',
      '| Matter Name | Project Heron |',
      '| Deal Value | $40M |',
      '',
      '## SESSION_METRICS',
      '',
      '| Phase | Start | End | Duration | Status |',
      '|---|---|---|---|---|',
      '| research | 2026-01-10T10:00:00Z | 2026-01-10T12:00:00Z | 2h | ✅ COMPLETE |',
      '',
    ].join('\n'),
    [`${DONE}/synthesis-state.json`]: JSON.stringify({ current_phase: 'delivered', status: 'complete' }, null, 2),
    [`${DONE}/review-outputs/fact-registry.md`]: REGISTRY,
    [`${DONE}/specialist-reports/tax-report.md`]: '# Tax\n\nText with a note.[^1]\n\n[^1]: A footnote.\n',
    // Non-ASCII and longer than a plain tar name: the archive carries it in a PAX header.
    [`${DONE}/specialist-reports/${'déjà-vu-'.repeat(14)}report.md`]: '# Long name\n',
    [`${DONE}/shared.md`]: '# Shared\n\nThe same bytes in both sessions.\n',
    [`${ACTIVE}/research-plan.md`]: '# Research Plan\n\n## SPECIALIST ASSIGNMENTS\n\n| Task | Specialist | Status |\n|---|---|---|\n| T1 | tax | pending |\n',
    [`${ACTIVE}/shared.md`]: '# Shared\n\nThe same bytes in both sessions.\n',
  }
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe.each(dialects)('cleanup and import (%s)', (_name, open) => {
  let dir: string
  let root: string
  let rootId: string
  let archives: string
  let h: Harness
  let config: Config

  beforeEach(async () => {
    dir = tempDir()
    root = path.join(dir, 'reports')
    archives = path.join(dir, 'archives')
    writeTree(root, tree())
    // Not archived (not followed), listed in the manifest, left on disk.
    fs.symlinkSync('../../outside.txt', path.join(root, DONE, 'link-out.txt'))
    rootId = fs.realpathSync(root)
    h = await open(dir)
    config = resolveConfig({ root, db: h.db, workers: 0, parseTimeoutMs: 0, compressThreshold: 200 }, {})
    await sync()
    // An edit, so the complete session has history beyond its first revisions (a delta on the registry).
    fs.appendFileSync(path.join(root, DONE, 'review-outputs/fact-registry.md'), '| Fact 40 | 2026-02-01 | T40 |\n')
    await sync()
  })

  afterEach(async () => {
    await h.close()
    cleanup(dir)
  })

  const sync = () => runSync(config, h.store, silentLogger())

  const cleanupRun = async (extra: { yes?: boolean; deleteFiles?: boolean } = {}): Promise<{ report: CleanupReport; text: string }> => {
    const out = new PassThrough()
    const chunks: Buffer[] = []
    out.on('data', (chunk: Buffer) => chunks.push(chunk))
    const report = await runCleanup({
      config,
      store: h.store,
      archiveDir: archives,
      olderThanMs: parseAge('30d'),
      now: new Date(Date.now() + 31 * DAY),
      logger: silentLogger(),
      out,
      ...extra,
    })
    return { report, text: Buffer.concat(chunks).toString('utf8') }
  }

  const importRun = async (archive: string): Promise<ImportReport> =>
    runImport({ config, store: h.store, archive, logger: silentLogger(), out: new PassThrough() })

  /** Every regular file of a session directory, by path, with its sha256. */
  const filesOf = (sessionId: string): Map<string, string> => {
    const found = new Map<string, string>()
    const walk = (rel: string): void => {
      for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const child = `${rel}/${entry.name}`
        if (entry.isDirectory()) walk(child)
        else if (entry.isFile()) found.set(child, sha(fs.readFileSync(path.join(root, child))))
      }
    }
    if (fs.existsSync(path.join(root, sessionId))) walk(sessionId)
    return found
  }

  /** The session's history: each revision without its number, and the bytes its content decodes to. */
  const historyOf = async (sessionId: string) => {
    const revisions = await h.store.listRevisions({ root: rootId, sessionId, order: 'asc', limit: 1000 })
    return Promise.all(
      revisions.map(async ({ rev: _rev, ...revision }) => ({
        ...revision,
        content: revision.contentHash === null ? null : sha(decodeChain(await h.store.blobChain(revision.contentHash))),
      })),
    )
  }

  /** Rows that name the session, and rows whose parent is gone, per table. */
  const leftovers = async (sessionId: string): Promise<Record<string, number>> => {
    const orphanOrSession = (table: string) =>
      `SELECT count(*) AS n FROM ${table} WHERE session_id = '${sessionId}' OR document_id NOT IN (SELECT id FROM documents)`
    const queries: Record<string, string> = {
      sessions: `SELECT count(*) AS n FROM sessions WHERE session_id = '${sessionId}'`,
      documents: `SELECT count(*) AS n FROM documents WHERE session_id = '${sessionId}' OR path LIKE '${sessionId}/%'`,
      document_tables: 'SELECT count(*) AS n FROM document_tables WHERE document_id NOT IN (SELECT id FROM documents)',
      document_table_rows: 'SELECT count(*) AS n FROM document_table_rows WHERE table_id NOT IN (SELECT id FROM document_tables)',
      document_fields: 'SELECT count(*) AS n FROM document_fields WHERE document_id NOT IN (SELECT id FROM documents)',
      session_facts: orphanOrSession('session_facts'),
      file_revisions: `SELECT count(*) AS n FROM file_revisions WHERE session_id = '${sessionId}' OR path LIKE '${sessionId}/%'`,
      unused_blobs: `SELECT count(*) AS n FROM history_blobs b
        WHERE NOT EXISTS (SELECT 1 FROM file_revisions r WHERE r.content_hash = b.content_hash)
          AND NOT EXISTS (SELECT 1 FROM history_blobs c WHERE c.base_hash = b.content_hash)`,
      revisions_without_blob: `SELECT count(*) AS n FROM file_revisions r
        WHERE r.content_hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM history_blobs b WHERE b.content_hash = r.content_hash)`,
    }
    for (const table of TYPED_TABLE_NAMES) queries[table] = orphanOrSession(table)
    const counts: Record<string, number> = {}
    for (const [table, sql] of Object.entries(queries)) counts[table] = await h.count(sql)
    return counts
  }

  const sessionRowCount = (sessionId: string): Promise<number> => h.count(`SELECT count(*) AS n FROM sessions WHERE session_id = '${sessionId}'`)

  it('archives only the complete session, leaves no row behind, stays archived across a sync, and imports back to the same rows and history', async () => {
    const before = canonicalDump(await h.dump())
    const history = await historyOf(DONE)
    const files = filesOf(DONE)
    const status = (dump: Dump, id: string) => dump.typed.session_state!.find((s) => s.session_id === id)?.status
    expect(status(before, DONE)).toBe('complete')
    expect(status(before, ACTIVE)).toBe('active')
    // The edit made a delta, so the archive must carry its base too.
    const chains = await Promise.all(history.map((r) => h.store.blobChain(r.contentHash!)))
    expect(chains.some((chain) => chain.length > 1)).toBe(true)
    const rowsBefore = await leftovers(DONE)
    expect(rowsBefore.sessions).toBe(1)
    expect(rowsBefore.file_revisions).toBeGreaterThan(files.size)
    expect(rowsBefore.session_phases).toBeGreaterThan(0)

    // Dry run: says what would go, changes nothing (not even the archive directory).
    const dry = await cleanupRun()
    expect(dry.report.dryRun).toBe(true)
    expect(dry.report.sessions.map((s) => [s.sessionId, s.outcome, s.files])).toEqual([[DONE, 'would_archive', files.size]])
    expect(dry.text).toContain(`would archive ${DONE}`)
    expect(fs.existsSync(archives)).toBe(false)
    expect(canonicalDump(await h.dump())).toEqual(before)
    expect(await historyOf(DONE)).toEqual(history)
    expect((await h.store.archivedSessions(rootId)).size).toBe(0)

    const seqBefore = await h.store.latestChangeSeq()
    const { report } = await cleanupRun({ yes: true })
    const done = report.sessions[0]!
    expect(report.sessions.map((s) => [s.sessionId, s.outcome])).toEqual([[DONE, 'archived']])
    expect(report.exitCode).toBe(0)
    expect(done.archive).toBe(path.join(archives, `reports-${DONE}.tar.gz`))
    expect(done.revisions).toBe(history.length)

    // The archive: the manifest at the top, every regular file under the session directory, the symlink only listed.
    const listing = await listArchive(done.archive)
    expect(listing.entries.map((e) => e.name).sort()).toEqual([MANIFEST_ENTRY, ...files.keys()].sort())
    for (const entry of listing.entries) if (entry.name !== MANIFEST_ENTRY) expect(entry.sha256).toBe(files.get(entry.name))
    const manifest = listing.manifest as { skipped: Array<{ path: string }>; database: { revisions: unknown[] } }
    expect(manifest.skipped.map((s) => s.path)).toEqual([`${DONE}/link-out.txt`])
    expect(manifest.database.revisions).toHaveLength(history.length)

    // No row names the session and none lost its parent; the active session is untouched; files kept.
    expect(await leftovers(DONE)).toEqual(Object.fromEntries(Object.keys(rowsBefore).map((k) => [k, 0])))
    const after = canonicalDump(await h.dump())
    expect(JSON.stringify(after).includes(DONE)).toBe(false)
    expect(after.typed.session_state).toEqual(before.typed.session_state!.filter((s) => s.session_id !== DONE))
    expect(filesOf(DONE)).toEqual(files)
    expect(await h.store.blobChain(sha(Buffer.from(tree()[`${ACTIVE}/shared.md`]!)))).not.toEqual([])
    expect([...(await h.store.archivedSessions(rootId)).values()]).toEqual([
      { sessionId: DONE, archive: done.archive, filesDeleted: false, archivedAt: expect.any(String) },
    ])
    const changes = await h.store.readChanges({ sinceSeq: seqBefore, limit: 10 })
    expect(changes.map((c) => [c.sessionId, c.path, c.change])).toEqual([[DONE, null, 'removed']])

    // The files are still there, and the next sync leaves them alone: nothing comes back, nothing fails.
    const again = await sync()
    expect(again.files_failed).toBe(0)
    expect(again.files_applied).toBe(0)
    expect(await sessionRowCount(DONE)).toBe(0)
    expect(await leftovers(DONE)).toEqual(Object.fromEntries(Object.keys(rowsBefore).map((k) => [k, 0])))

    // Import: the files were kept, so only the history comes back, and the rows are derived from the files again.
    const imported = await importRun(done.archive)
    expect(imported.mode).toBe('history_only')
    expect(imported.history.revisions).toBe(history.length)
    expect(imported.filesApplied).toBe(files.size)
    // The dangling symlink is an error row again, as it was before the cleanup.
    expect(imported.filesFailed).toBe(1)
    expect(canonicalDump(await h.dump())).toEqual(before)
    expect(await historyOf(DONE)).toEqual(history)
    expect((await h.store.archivedSessions(rootId)).size).toBe(0)
    // Live again: a second import is refused, and changes nothing.
    await expect(importRun(done.archive)).rejects.toMatchObject({ code: 'SB_IMPORT_REFUSED' })
    expect(await historyOf(DONE)).toEqual(history)
  })

  it('with --delete-files removes the directory only once the archive is verified, and import writes it back as it was', async () => {
    const before = canonicalDump(await h.dump())
    const history = await historyOf(DONE)
    const files = filesOf(DONE)
    const mtimes = new Map([...files.keys()].map((rel) => [rel, fs.statSync(path.join(root, rel)).mtimeMs]))

    // An archive that cannot be put in place (a directory holds its name): nothing is deleted, no row goes, no temp file stays.
    fs.mkdirSync(path.join(archives, `reports-${DONE}.tar.gz`), { recursive: true })
    fs.writeFileSync(path.join(archives, `reports-${DONE}.tar.gz`, 'in-the-way'), '')
    const failed = await cleanupRun({ yes: true, deleteFiles: true })
    expect(failed.report.sessions.map((s) => [s.outcome, s.error])).toEqual([['failed', expect.stringContaining('cannot write the archive')]])
    expect(failed.report.exitCode).toBe(1)
    expect(filesOf(DONE)).toEqual(files)
    expect(await sessionRowCount(DONE)).toBe(1)
    expect((await h.store.archivedSessions(rootId)).size).toBe(0)
    expect(fs.readdirSync(archives)).toEqual([`reports-${DONE}.tar.gz`])
    fs.rmSync(archives, { recursive: true })

    const { report } = await cleanupRun({ yes: true, deleteFiles: true })
    const done = report.sessions[0]!
    expect(done.outcome).toBe('archived')
    expect(done.filesDeleted).toBe(files.size)
    // The symlink was not archived, so it is not deleted either: it, and the directory holding it, stay.
    expect(done.filesLeft).toEqual([`${DONE}/link-out.txt`])
    expect(filesOf(DONE).size).toBe(0)
    expect(fs.readdirSync(path.join(root, DONE))).toEqual(['link-out.txt'])
    expect([...(await h.store.archivedSessions(rootId)).values()][0]!.filesDeleted).toBe(true)

    const again = await sync()
    expect(again.files_failed).toBe(0)
    expect(await sessionRowCount(DONE)).toBe(0)

    const imported = await importRun(done.archive)
    expect(imported.mode).toBe('extracted')
    expect(imported.filesExtracted).toBe(files.size)
    expect(filesOf(DONE)).toEqual(files)
    for (const [rel, mtime] of mtimes) expect(Math.abs(fs.statSync(path.join(root, rel)).mtimeMs - mtime)).toBeLessThan(0.01)
    expect(canonicalDump(await h.dump()).typed).toEqual(before.typed)
    const withoutMtimes = (dump: Dump) => dump.documents.map(({ mtime_ms: _m, ...row }) => row)
    expect(withoutMtimes(canonicalDump(await h.dump()))).toEqual(withoutMtimes(before))
    expect(await historyOf(DONE)).toEqual(history)
  })

  it('refuses to import over a session directory that holds other bytes, and changes nothing', async () => {
    const { report } = await cleanupRun({ yes: true, deleteFiles: true })
    const archive = report.sessions[0]!.archive
    writeTree(root, { [`${DONE}/synthesis-state.json`]: '{"status": "in_progress"}\n' })
    await expect(importRun(archive)).rejects.toMatchObject({ code: 'SB_IMPORT_REFUSED', message: expect.stringContaining('synthesis-state.json') })
    expect(fs.readFileSync(path.join(root, DONE, 'synthesis-state.json'), 'utf8')).toBe('{"status": "in_progress"}\n')
    expect(filesOf(DONE).size).toBe(1)
    expect((await h.store.archivedSessions(rootId)).has(DONE)).toBe(true)
    expect(await h.store.listRevisions({ root: rootId, sessionId: DONE, limit: 10 })).toEqual([])
  })

  it('refuses an archive whose names leave the session directory, before writing anything', async () => {
    const { report } = await cleanupRun({ yes: true, deleteFiles: true })
    const listing = await listArchive(report.sessions[0]!.archive)
    const manifest = listing.manifest as { files: Array<{ path: string; sizeBytes: number; sha256: string; mtimeMs: number; mode: number }> }
    const evil = Buffer.from('escaped\n')
    manifest.files.push({ path: `${DONE}/../escaped.txt`, sizeBytes: evil.length, sha256: sha(evil), mtimeMs: Date.now(), mode: 0o644 })
    const forged = path.join(dir, 'forged.tar.gz')
    const pack = tar.pack()
    const written = pipeline(pack, createGzip(), fs.createWriteStream(forged))
    pack.entry({ name: MANIFEST_ENTRY }, JSON.stringify(manifest))
    pack.entry({ name: `${DONE}/../escaped.txt` }, evil)
    pack.finalize()
    await written
    await expect(importRun(forged)).rejects.toMatchObject({ code: 'SB_ARCHIVE', message: expect.stringContaining('..') })
    expect(fs.existsSync(path.join(root, 'escaped.txt'))).toBe(false)
    expect((await h.store.archivedSessions(rootId)).has(DONE)).toBe(true)
  })

  it('a running syncer does not bring back a session another process archived, neither by an event nor at its next reconcile', async () => {
    // A watch's machinery, started before the cleanup: its view of what is archived is stale.
    const watcher = await createSyncer(config, h.store, silentLogger(), 'debug', { probe: false })
    try {
      await cleanupRun({ yes: true })
      expect(watcher.ctx.archived.has(DONE)).toBe(false)
      // A write in the archived session, seen as an event: the store refuses the apply.
      fs.appendFileSync(path.join(root, DONE, 'specialist-reports/tax-report.md'), '\nMore text.\n')
      await syncFile(watcher.ctx, `${DONE}/specialist-reports/tax-report.md`, false)
      expect(await sessionRowCount(DONE)).toBe(0)
      expect(await h.count(`SELECT count(*) AS n FROM documents WHERE session_id = '${DONE}'`)).toBe(0)
      const counts = await watcher.reconcile({ verifyAll: true })
      expect(watcher.ctx.archived.has(DONE)).toBe(true)
      expect(counts.filesFailed).toBe(0)
      expect(await sessionRowCount(DONE)).toBe(0)
      expect(await h.count(`SELECT count(*) AS n FROM file_revisions WHERE session_id = '${DONE}'`)).toBe(0)
    } finally {
      await watcher.close()
    }
  })
})

describe('parseAge', () => {
  it('reads days, hours and minutes', () => {
    expect(parseAge('30d')).toBe(30 * DAY)
    expect(parseAge('12h')).toBe(12 * 3_600_000)
    expect(parseAge('90m')).toBe(90 * 60_000)
  })

  it.each(['30', '1.5d', 'd', '-1d', '30 days', '', '3w'])('refuses %j with SB_CONFIG', (text) => {
    expect(() => parseAge(text)).toThrow(expect.objectContaining({ code: 'SB_CONFIG', message: expect.stringContaining('30d, 12h or 90m') }))
  })
})
