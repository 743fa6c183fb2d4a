/**
 * The store contract, written once and run against every dialect.
 */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { TypedRecords } from '../src/parsers/typed/types.js'
import type { FileIdentity, Store } from '../src/store/types.js'
import { dumpPostgres, dumpSqlite, type Dump } from './helpers/dump.js'
import { dropSchema, PG_URL, postgresAvailable, uniqueSchema } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

interface Harness {
  store: Store
  dump(): Promise<Dump>
  close(): Promise<void>
}

const dialects: Array<[string, () => Promise<Harness>]> = [
  [
    'sqlite',
    async () => {
      const dir = tempDir()
      const file = path.join(dir, 'store.db')
      const store = openSqliteStore(file, { instance: 'test' })
      return { store, dump: async () => dumpSqlite(file), close: async () => (await store.close(), cleanup(dir)) }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: uniqueSchema('store') }
      const store = await openPostgresStore(target, { instance: 'test' })
      return {
        store,
        dump: () => dumpPostgres(target),
        close: async () => {
          await store.close()
          await dropSchema(target.schema)
        },
      }
    },
  ])
}

const ROOT = '/reports'

function identity(relPath: string, sizeBytes = 10): FileIdentity {
  const sessionId = relPath.includes('/') ? relPath.split('/')[0]! : null
  return {
    root: ROOT,
    path: relPath,
    sessionId,
    sessionCreatedAt: sessionId === 's1' ? '2026-01-01T00:00:00.000Z' : null,
    documentType: 'other',
    format: relPath.endsWith('.md') ? 'markdown' : relPath.endsWith('.json') ? 'json' : 'other',
    sizeBytes,
    mtimeMs: 1000,
    instance: 'test',
  }
}

function snapshot(relPath: string, text: string, hash = `h-${text.length}`) {
  const parsed = parseDocument(relPath, Buffer.from(text))
  const jsonText = parsed.format === 'json' ? JSON.stringify(parsed.json) : null
  return { ...identity(relPath, text.length), contentHash: hash, parsed, jsonText }
}

const TWO_TABLES = '# A\n\n| k | v |\n|---|---|\n| a | 1 |\n| b | 2 |\n\n## B\n\n| x |\n|---|\n| y |\n'

describe.each(dialects)('store (%s)', (_name, open) => {
  let h: Harness
  beforeEach(async () => {
    h = await open()
  })
  afterEach(async () => {
    await h.close()
  })

  it('applies a markdown file with its tables and rows, creating the session', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/state.md', TWO_TABLES))
    const dump = await h.dump()
    expect(dump.sessions).toEqual([{ root: ROOT, session_id: 's1', created_at: '2026-01-01T00:00:00.000Z' }])
    expect(dump.documents).toHaveLength(1)
    expect(dump.documents[0]).toMatchObject({ path: 's1/state.md', status: 'ok', table_count: 2, format: 'markdown' })
    expect(dump.tables.map((t) => JSON.parse(String(t.heading_path)))).toEqual([['A'], ['A', 'B']])
    expect(dump.rows.map((r) => JSON.parse(String(r.cells)))).toEqual([{ k: 'a', v: '1' }, { k: 'b', v: '2' }, { x: 'y' }])
  })

  it('replaces every record of a file on re-apply, never duplicating', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/state.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('s1/state.md', '| only |\n|---|\n| one |\n'))
    const dump = await h.dump()
    expect(dump.tables).toHaveLength(1)
    expect(dump.rows.map((r) => JSON.parse(String(r.cells)))).toEqual([{ only: 'one' }])
  })

  it('keeps the last good records when a file fails, with the error and its line', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/state.json', '{"phase": "one"}'))
    await h.store.applyFileSnapshot(snapshot('s1/state.md', TWO_TABLES))
    await h.store.recordFileFailure({
      ...identity('s1/state.json', 7),
      contentHash: 'bad',
      error: { line: 3, column: 2, reason: 'invalid JSON', severity: 'error' },
    })
    await h.store.recordFileFailure({
      ...identity('s1/state.md', 5),
      contentHash: null,
      error: { line: null, column: null, reason: 'cannot read', severity: 'error' },
    })
    const dump = await h.dump()
    const json = dump.documents.find((d) => d.path === 's1/state.json')!
    expect(json).toMatchObject({ status: 'error', error: 'line 3, column 2: invalid JSON', error_line: 3, content_hash: 'bad' })
    expect(JSON.parse(String(json.json))).toEqual({ phase: 'one' })
    expect(json.parsed_hash).not.toBe('bad')
    expect(dump.tables).toHaveLength(2)
    expect(dump.rows).toHaveLength(3)
    const known = await h.store.loadKnownFiles(ROOT)
    expect(known.get('s1/state.md')).toMatchObject({ status: 'error', contentHash: null, sizeBytes: 5 })
  })

  it('registers a file that never parsed as an error without records', async () => {
    await h.store.recordFileFailure({
      ...identity('s2/x.json'),
      contentHash: 'h',
      error: { line: 1, column: 1, reason: 'invalid JSON: the file is empty', severity: 'error' },
    })
    const dump = await h.dump()
    expect(dump.sessions.map((s) => s.session_id)).toEqual(['s2'])
    expect(dump.documents[0]).toMatchObject({ status: 'error', json: null, table_count: null })
  })

  it('removes a file with everything derived from it', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('s1/b.md', TWO_TABLES))
    await h.store.removeFile(ROOT, 's1/a.md')
    const dump = await h.dump()
    expect(dump.documents.map((d) => d.path)).toEqual(['s1/b.md'])
    expect(dump.tables.every((t) => t.path === 's1/b.md')).toBe(true)
    expect(dump.rows).toHaveLength(3)
  })

  it('removes a session with its documents, tables and rows', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('s2/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('top.md', TWO_TABLES))
    await h.store.removeSession(ROOT, 's1')
    const dump = await h.dump()
    expect(dump.sessions.map((s) => s.session_id)).toEqual(['s2'])
    expect(dump.documents.map((d) => d.path)).toEqual(['s2/a.md', 'top.md'])
    expect(dump.rows).toHaveLength(6)
  })

  it('keeps roots apart', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot({ ...snapshot('s1/a.md', TWO_TABLES), root: '/other' })
    await h.store.removeSession('/other', 's1')
    expect((await h.store.loadKnownFiles(ROOT)).size).toBe(1)
    expect((await h.store.loadKnownFiles('/other')).size).toBe(0)
    expect(await h.store.listSessions(ROOT)).toEqual(['s1'])
  })

  it('rolls back a whole apply that fails midway', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    const before = await h.dump()
    const broken = snapshot('s1/a.md', '| k |\n|---|\n| new |\n', 'new-hash')
    // A cell that cannot be serialised makes the row insert throw after the document row was written.
    ;(broken.parsed.markdown!.tables[0]!.rows[0]!.cells as Record<string, unknown>).k = 10n
    const latest = await h.store.latestChangeSeq()
    await expect(h.store.applyFileSnapshot(broken)).rejects.toThrow()
    expect(await h.dump()).toEqual(before)
    // The change-log row goes with the rest of the apply.
    expect(await h.store.latestChangeSeq()).toBe(latest)
    expect(await h.store.readChanges({ sinceSeq: 0, limit: 100 })).toHaveLength(1)
  })

  it('records a new stat without touching records', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.recordFileStat(ROOT, 's1/a.md', 99, 5000)
    expect((await h.store.loadKnownFiles(ROOT)).get('s1/a.md')).toMatchObject({ sizeBytes: 99, mtimeMs: 5000, status: 'ok' })
    expect((await h.dump()).rows).toHaveLength(3)
  })

  it('stores typed rows and fields with the document, and derives session columns by precedence', async () => {
    const typed = (kind: string, precedence: number, values: Record<string, unknown>): TypedRecords => ({
      kind,
      session: { precedence, line: 3, values: values as Record<string, string | number | null>, metadata: { Industry: kind } },
      rows: {
        session_phases: [
          { line: 9, values: { phase: `${kind}-p1`, status: 'pending', status_raw: '⏳ PENDING' }, extra: { Agent: 'x' }, raw: { Phase: 'p1' } },
        ],
      },
      typedTables: [0],
      misses: [],
    })
    const withTyped = (relPath: string, text: string, t: TypedRecords) => {
      const base = snapshot(relPath, text)
      return { ...base, parsed: { ...base.parsed, typed: t } }
    }
    const plan = typed('research_plan', 1, { matter_name: 'Plan Name', deal_value: 2.4e9, complexity: 'complex' })
    const state = typed('orchestrator_state', 0, { matter_name: 'State Name', deal_value: null, closing_date: '2026-09-30' })
    await h.store.applyFileSnapshot(withTyped('s1/research-plan.md', '**Query:** x\n', plan))
    await h.store.applyFileSnapshot(withTyped('s1/orchestrator-state.md', '**Session:** s1\n- gate iterations: 0/2\n', state))

    let dump = await h.dump()
    const session = dump.typed.session_state![0]!
    // The orchestrator state wins where it has a value; the plan fills the gaps.
    expect(session).toMatchObject({ matter_name: 'State Name', deal_value: 2.4e9, closing_date: '2026-09-30', complexity: 'complex', status: 'active' })
    expect(JSON.parse(String(session.metadata))).toEqual({ Industry: 'orchestrator_state' })
    expect(dump.typed.session_phases!.map((r) => [r.path, r.phase, r.line, JSON.parse(String(r.extra)).Agent])).toEqual([
      ['s1/orchestrator-state.md', 'orchestrator_state-p1', 9, 'x'],
      ['s1/research-plan.md', 'research_plan-p1', 9, 'x'],
    ])
    expect(dump.typed.document_fields!.map((f) => [f.path, f.key, f.style])).toEqual([
      ['s1/orchestrator-state.md', 'Session', 'bold'],
      ['s1/orchestrator-state.md', 'gate iterations', 'bullet'],
      ['s1/research-plan.md', 'Query', 'bold'],
    ])

    // A state file in error, and nothing shows the session complete: degraded; removing the orchestrator state falls back to the plan.
    await h.store.recordFileFailure({ ...identity('s1/synthesis-state.json'), documentType: 'state_file', contentHash: 'x', error: { line: 1, column: 1, reason: 'bad', severity: 'error' } })
    expect((await h.dump()).typed.session_state![0]!.status).toBe('degraded')
    await h.store.removeFile(ROOT, 's1/synthesis-state.json')
    await h.store.removeFile(ROOT, 's1/orchestrator-state.md')
    dump = await h.dump()
    expect(dump.typed.session_state![0]).toMatchObject({ matter_name: 'Plan Name', closing_date: null, status: 'active' })
    expect(dump.typed.session_phases!.map((r) => r.path)).toEqual(['s1/research-plan.md'])

    // Re-applying without typed records clears them.
    await h.store.applyFileSnapshot(snapshot('s1/research-plan.md', 'plain\n'))
    dump = await h.dump()
    expect(dump.typed.session_phases).toEqual([])
    expect(dump.typed.session_state![0]).toMatchObject({ matter_name: null, deal_value: null })
  })

  it('keeps the most recent 1,000 sync runs per root', async () => {
    const run = (root: string, filesSeen: number) =>
      h.store.recordSyncRun({
        root,
        instance: 'test',
        mode: 'watch',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.000Z',
        filesSeen,
        filesApplied: 0,
        filesUnchanged: 0,
        filesRemoved: 0,
        filesFailed: 0,
      })
    await run('/other', 1)
    for (let i = 0; i < 1003; i++) await run(ROOT, i)
    const status = await h.store.status()
    expect(status.syncRuns).toBe(1001)
    expect(status.lastRun).toMatchObject({ root: ROOT, filesSeen: 1002 })
  })

  it('ensures sessions idempotently and reports status', async () => {
    await h.store.ensureSession({ root: ROOT, sessionId: 'empty', createdAt: null })
    await h.store.ensureSession({ root: ROOT, sessionId: 'empty', createdAt: null })
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.recordSyncRun({
      root: ROOT,
      instance: 'test',
      mode: 'sync',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      filesSeen: 1,
      filesApplied: 1,
      filesUnchanged: 0,
      filesRemoved: 0,
      filesFailed: 0,
    })
    const status = await h.store.status()
    expect(status).toMatchObject({ sessions: 2, documents: { ok: 1, error: 0 }, tables: 2, tableRows: 3 })
    expect(status.lastRun).toMatchObject({ filesSeen: 1, mode: 'sync' })
    expect(status.perSession.map((s) => [s.sessionId, s.documents])).toEqual([
      ['empty', 0],
      ['s1', 1],
    ])
  })

  it('logs every committed change with a seq that only grows, and nothing for what did not change', async () => {
    expect(await h.store.latestChangeSeq()).toBe(0)
    expect(await h.store.oldestChangeSeq()).toBeNull()
    const failure = (relPath: string) => ({
      ...identity(relPath),
      contentHash: 'bad',
      error: { line: 1, column: 1, reason: 'invalid JSON', severity: 'error' as const },
    })
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('s1/a.md', '| k |\n|---|\n| v |\n'))
    await h.store.recordFileFailure(failure('s1/a.md'))
    await h.store.recordFileFailure(failure('s2/x.json'))
    await h.store.applyFileSnapshot(snapshot('top.md', 'top\n'))
    await h.store.applyFileSnapshot({ ...snapshot('s1/a.md', TWO_TABLES), root: '/other' })
    await h.store.removeFile(ROOT, 's1/a.md')
    await h.store.removeSession(ROOT, 's2')
    // Neither is there: nothing committed, nothing logged.
    await h.store.removeFile(ROOT, 's1/gone.md')
    await h.store.removeSession(ROOT, 'gone')
    // A new stat with the same content is no change either.
    await h.store.recordFileStat(ROOT, 'top.md', 99, 5000)

    const changes = await h.store.readChanges({ sinceSeq: 0, limit: 100 })
    expect(changes.map((c) => [c.root, c.sessionId, c.path, c.change, c.status, c.instance])).toEqual([
      [ROOT, 's1', 's1/a.md', 'created', 'ok', 'test'],
      [ROOT, 's1', 's1/a.md', 'updated', 'ok', 'test'],
      [ROOT, 's1', 's1/a.md', 'updated', 'error', 'test'],
      [ROOT, 's2', 's2/x.json', 'created', 'error', 'test'],
      [ROOT, null, 'top.md', 'created', 'ok', 'test'],
      ['/other', 's1', 's1/a.md', 'created', 'ok', 'test'],
      [ROOT, 's1', 's1/a.md', 'removed', null, 'test'],
      [ROOT, 's2', null, 'removed', null, 'test'],
    ])
    const seqs = changes.map((c) => c.seq)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!)
    for (const c of changes) expect(new Date(c.at).toISOString()).toBe(c.at)
    expect(await h.store.oldestChangeSeq()).toBe(seqs[0])
    expect(await h.store.latestChangeSeq()).toBe(seqs.at(-1))

    // Reading on from a seq, a page at a time, and per root.
    expect((await h.store.readChanges({ sinceSeq: seqs[2]!, limit: 2 })).map((c) => c.seq)).toEqual([seqs[3], seqs[4]])
    expect((await h.store.readChanges({ sinceSeq: seqs.at(-1)!, limit: 10 }))).toEqual([])
    expect((await h.store.readChanges({ sinceSeq: 0, limit: 10, root: '/other' })).map((c) => c.seq)).toEqual([seqs[5]])
    expect((await h.store.readChanges({ sinceSeq: seqs[0]!, limit: 2, root: ROOT })).map((c) => c.seq)).toEqual([seqs[1], seqs[2]])
  })

  it('prunes changes older than a time, keeping the newest, and never reuses a seq', async () => {
    await h.store.applyFileSnapshot(snapshot('s1/a.md', TWO_TABLES))
    await h.store.applyFileSnapshot(snapshot('s1/b.md', TWO_TABLES))
    await h.store.removeFile(ROOT, 's1/a.md')
    const [first, , last] = (await h.store.readChanges({ sinceSeq: 0, limit: 10 })).map((c) => c.seq)
    expect(await h.store.pruneChangeLog('2000-01-01T00:00:00Z')).toBe(0)
    expect(await h.store.oldestChangeSeq()).toBe(first)
    // Everything is older than tomorrow, but the newest change stays so the latest seq does not go back.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString()
    expect(await h.store.pruneChangeLog(tomorrow)).toBe(2)
    expect(await h.store.oldestChangeSeq()).toBe(last)
    expect(await h.store.latestChangeSeq()).toBe(last)
    expect((await h.store.readChanges({ sinceSeq: 0, limit: 10 })).map((c) => c.seq)).toEqual([last])
    await h.store.applyFileSnapshot(snapshot('s1/c.md', TWO_TABLES))
    expect(await h.store.latestChangeSeq()).toBeGreaterThan(last!)
    await expect(h.store.pruneChangeLog('last tuesday')).rejects.toThrow(RangeError)
  })
})
