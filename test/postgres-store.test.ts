/**
 * What only the PostgreSQL dialect has to prove: concurrent migrations,
 * schema isolation, a rollback inside the server, values PostgreSQL cannot
 * hold, and batched writes.
 */
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import type { TypedRecords } from '../src/parsers/typed/types.js'
import { migrations } from '../src/store/migrations.js'
import { CHANGE_CHANNEL, openPostgresStore, type ChangeNotice } from '../src/store/postgres.js'
import type { FileSnapshot } from '../src/store/types.js'
import { dumpPostgres } from './helpers/dump.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'

const available = await postgresAvailable()
const schemas = testSchemas()

afterAll(async () => {
  await schemas.dropAll()
})

function target(label: string) {
  return { url: PG_URL, schema: schemas.fresh(label) }
}

function snapshot(relPath: string, text: string, typed?: TypedRecords): FileSnapshot {
  const parsed = parseDocument(relPath, Buffer.from(text))
  return {
    root: '/reports',
    path: relPath,
    sessionId: relPath.includes('/') ? relPath.split('/')[0]! : null,
    sessionCreatedAt: null,
    documentType: 'other',
    format: parsed.format,
    sizeBytes: text.length,
    mtimeMs: 1,
    instance: 'test',
    contentHash: `h${text.length}`,
    parsed: typed ? { ...parsed, typed } : parsed,
    jsonText: parsed.format === 'json' ? JSON.stringify(parsed.json) : null,
  }
}

describe.skipIf(!available)('PostgreSQL store', () => {
  it('lets sidecars that start together migrate one at a time', async () => {
    const t = target('race')
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(t)))
    for (const store of stores) await store.close()
    const client = new pg.Client({ connectionString: PG_URL })
    client.on('error', () => undefined)
    await client.connect()
    const { rows } = await client.query(`SELECT version FROM ${t.schema}.schema_migrations ORDER BY version`)
    await client.end()
    expect(rows.map((r: { version: number }) => r.version)).toEqual(migrations.map((m) => m.version))
  })

  it('keeps deployments in different schemas apart', async () => {
    const a = await openPostgresStore(target('tenant_a'))
    const b = await openPostgresStore(target('tenant_b'))
    try {
      await a.applyFileSnapshot(snapshot('s1/a.md', '| k |\n|---|\n| v |\n'))
      expect((await a.loadKnownFiles('/reports')).size).toBe(1)
      expect((await b.loadKnownFiles('/reports')).size).toBe(0)
      expect((await b.status()).documents).toEqual({ ok: 0, error: 0 })
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('rolls back an apply the server refuses midway, and calls it a file error', async () => {
    const t = target('rollback')
    const store = await openPostgresStore(t)
    try {
      await store.applyFileSnapshot(snapshot('s1/plan.md', '| k |\n|---|\n| v |\n'))
      const before = await dumpPostgres(t)
      // A text where bigint belongs passes JSON encoding and fails only in the server, after the document row was written.
      const typed: TypedRecords = {
        kind: 'orchestrator_state',
        session: null,
        rows: { session_phases: [{ line: 1, values: { phase: 'p', duration_ms: 'not a number' }, extra: null, raw: null }] },
        typedTables: [],
        misses: [],
      }
      const error = await store.applyFileSnapshot(snapshot('s1/plan.md', '| k |\n|---|\n| changed |\n', typed)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(store.classifyError(error)).toBe('file')
      expect(await dumpPostgres(t)).toEqual(before)
      // Only the first apply's change row: the refused one went with its transaction.
      expect((await store.readChanges({ sinceSeq: 0, limit: 10 })).map((c) => [c.path, c.change])).toEqual([['s1/plan.md', 'created']])
    } finally {
      await store.close()
    }
  })

  it('stores a JSON file holding U+0000, which PostgreSQL text cannot, as U+FFFD', async () => {
    const t = target('nul')
    const store = await openPostgresStore(t)
    try {
      await store.applyFileSnapshot(snapshot('s1/x.json', '{"note": "a\\u0000b", "k\\u0000": 1}'))
      const dump = await dumpPostgres(t)
      expect(JSON.parse(String(dump.documents[0]!.json))).toEqual({ note: 'a\uFFFDb', 'k\uFFFD': 1 })
    } finally {
      await store.close()
    }
  })

  it('writes a large file in a few statements, not one per row', async () => {
    const t = target('batch')
    const store = await openPostgresStore(t)
    try {
      const table = ['| n | text |', '|---|---|', ...Array.from({ length: 2000 }, (_, i) => `| ${i} | row ${i} |`)].join('\n')
      const text = `# Big\n\n${table}\n\n**Owner:** x\n`
      const calls: string[] = []
      const pool = (store as unknown as { pool: pg.Pool }).pool
      const connect = pool.connect.bind(pool)
      // Count the statements the apply sends on its client.
      ;(pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
        const client = await connect()
        const query = client.query.bind(client) as (...args: unknown[]) => unknown
        ;(client as { query: unknown }).query = (...args: unknown[]) => {
          const first = args[0] as string | { text: string }
          calls.push(typeof first === 'string' ? first : first.text)
          return query(...args)
        }
        return client
      }
      await store.applyFileSnapshot(snapshot('s1/big.md', text))
      expect(calls.length).toBeLessThan(15)
      expect((await dumpPostgres(t)).rows).toHaveLength(2000)
    } finally {
      await store.close()
    }
  })

  it('announces each committed change with its change-log seq, and nothing for a rolled-back one', async () => {
    const t = target('notify')
    const store = await openPostgresStore(t, { instance: 'test' })
    const listener = new pg.Client({ connectionString: PG_URL })
    // A connection lost under the test must fail the test, not the process.
    const errors: Error[] = []
    listener.on('error', (error) => errors.push(error))
    const notices: ChangeNotice[] = []
    listener.on('notification', (message) => {
      const notice = JSON.parse(message.payload ?? '{}') as ChangeNotice
      // Other test files share the server and the channel: keep this schema's notices.
      if (message.channel === CHANGE_CHANNEL && notice.schema === t.schema) notices.push(notice)
    })
    await listener.connect()
    try {
      await listener.query(`LISTEN ${CHANGE_CHANNEL}`)
      await store.applyFileSnapshot(snapshot('s1/a.md', '| k |\n|---|\n| v |\n'))
      const refused: TypedRecords = {
        kind: 'orchestrator_state',
        session: null,
        rows: { session_phases: [{ line: 1, values: { phase: 'p', duration_ms: 'not a number' }, extra: null, raw: null }] },
        typedTables: [],
        misses: [],
      }
      await expect(store.applyFileSnapshot(snapshot('s1/a.md', '| k |\n|---|\n| w |\n', refused))).rejects.toThrow()
      await store.removeFile('/reports', 's1/a.md')
      await store.removeSession('/reports', 's1')
      const changes = await store.readChanges({ sinceSeq: 0, limit: 10 })
      expect(changes).toHaveLength(3)
      const deadline = Date.now() + 5_000
      while (notices.length < changes.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(notices).toEqual(
        changes.map((c) => ({
          schema: t.schema,
          seq: c.seq,
          root: c.root,
          session: c.sessionId,
          path: c.path,
          change: c.change,
          ...(c.status === null ? {} : { status: c.status }),
          instance: c.instance,
        })),
      )
      expect(notices.map((n) => n.change)).toEqual(['created', 'removed', 'removed'])
      expect(errors).toEqual([])
    } finally {
      await listener.end()
      await store.close()
    }
  })

  it('makes change-log seqs visible in order, so a reader that polls from its last seq misses nothing', async () => {
    const t = target('feed_order')
    const store = await openPostgresStore(t, { instance: 'test', poolSize: 8 })
    try {
      let writing = true
      const seen: number[] = []
      const reader = (async () => {
        // Poll as a feed would: from the last seq seen, while the applies run.
        while (writing) {
          const page = await store.readChanges({ sinceSeq: seen.at(-1) ?? 0, limit: 1000 })
          seen.push(...page.map((c) => c.seq))
        }
      })()
      const applies = Array.from({ length: 120 }, (_, i) => store.applyFileSnapshot(snapshot(`s${i % 12}/f${i}.md`, `| k |\n|---|\n| ${i} |\n`)))
      await Promise.all(applies)
      writing = false
      await reader
      const rest = await store.readChanges({ sinceSeq: seen.at(-1) ?? 0, limit: 1000 })
      seen.push(...rest.map((c) => c.seq))
      expect(seen).toEqual((await store.readChanges({ sinceSeq: 0, limit: 1000 })).map((c) => c.seq))
      expect(seen).toHaveLength(120)
    } finally {
      await store.close()
    }
  })
})
