/**
 * Migration 14 lets history store Brotli: on both dialects, a database left
 * at version 13 with gzip copies, a gzip delta and revisions pointing at them
 * keeps every row byte for byte, decodes them as before, takes `br` blobs,
 * and still refuses a revision or a delta whose content is not stored. On
 * SQLite, where the step rebuilds `history_blobs` with foreign keys off, a
 * dangling reference stops the step instead of being carried over.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeDelta } from '../src/history/delta.js'
import { migrations, upgradeMessage } from '../src/store/migrations.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { migrateSqlite } from '../src/store/sqlite-open.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { postgresAtVersion, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { memoryLogger } from './helpers/cli.js'
import { cleanup, tempDir } from './helpers/tree.js'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const FIRST = Buffer.from(`# Memo\n\n${'| Risk | HIGH | $40-60M |\n'.repeat(120)}`)
const SECOND = Buffer.concat([FIRST, Buffer.from('| Added | LOW | $1M |\n')])
const THIRD = Buffer.from(`# Plan\n\n${'- step\n'.repeat(300)}`)
const AT = '2026-05-01T00:00:00.000Z'

/** The rows a release at version 13 wrote: two gzip copies, a gzip delta, and their revisions. */
const BLOBS = [
  { hash: sha(FIRST), size: FIRST.length, encoding: 'gzip', base: null, depth: 0, data: gzipSync(FIRST) },
  { hash: sha(SECOND), size: SECOND.length, encoding: 'gzip', base: sha(FIRST), depth: 1, data: gzipSync(encodeDelta(FIRST, SECOND)) },
  { hash: sha(THIRD), size: THIRD.length, encoding: 'identity', base: null, depth: 0, data: THIRD },
]
const REVISIONS = [
  { path: 's1/memo.md', ordinal: 1, change: 'created', hash: sha(FIRST) },
  { path: 's1/memo.md', ordinal: 2, change: 'updated', hash: sha(SECOND) },
  { path: 's1/plan.md', ordinal: 1, change: 'created', hash: sha(THIRD) },
  { path: 's1/plan.md', ordinal: 2, change: 'removed', hash: sha(THIRD) },
]

type Run = (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>

async function writeVersion13(run: Run, p: (n: number) => string): Promise<void> {
  for (const b of BLOBS) {
    await run(
      `INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
       VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(p).join(', ')})`,
      [b.hash, b.size, b.encoding, b.base, b.depth, b.data.length, b.data, AT],
    )
  }
  for (const r of REVISIONS) {
    await run(
      `INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
       VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(p).join(', ')})`,
      ['/reports', r.path, r.ordinal, 's1', r.change, r.hash, BLOBS.find((b) => b.hash === r.hash)!.size, 'ok', AT, 'test'],
    )
  }
}

interface Upgraded {
  store: Store
  /** What the store logged while it opened (and migrated) the database. */
  logs: Array<Record<string, unknown>>
  /** Rows of a query on the migrated database. */
  query(sql: string): Promise<Array<Record<string, unknown>>>
  /** Run a statement that must fail, and give its error. */
  refused(sql: string, params: unknown[]): Promise<unknown>
  close(): Promise<void>
}

interface Dialect {
  name: string
  upgrade(): Promise<Upgraded>
}

const sqlite: Dialect = {
  name: 'sqlite',
  async upgrade() {
    const dir = tempDir('statebridge-m14-')
    const file = path.join(dir, 'v13.db')
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    migrateSqlite(db, 13)
    await writeVersion13(async (sql, params) => {
      db.prepare(sql).run(...params)
      return []
    }, () => '?')
    db.close()
    const { logger, records: logs } = memoryLogger()
    const store = openSqliteStore(file, { logger })
    const check = new Database(file)
    check.pragma('foreign_keys = ON')
    return {
      store,
      logs,
      query: async (sql) => check.prepare(sql).all() as Array<Record<string, unknown>>,
      async refused(sql, params) {
        try {
          check.prepare(sql).run(...params)
        } catch (error) {
          return error
        }
        return null
      },
      async close() {
        check.close()
        await store.close()
        cleanup(dir)
      },
    }
  },
}

const schemas = testSchemas()
afterAll(async () => {
  await schemas.dropAll()
})

const postgres: Dialect = {
  name: 'postgres',
  async upgrade() {
    const { target, pool } = await postgresAtVersion(schemas.fresh('m14'), 13, (run) => writeVersion13(run, (n) => `$${n}`))
    const { logger, records: logs } = memoryLogger()
    const store = await openPostgresStore(target, { logger })
    const positional = (sql: string): string => {
      let n = 0
      return sql.replace(/\?/g, () => `$${++n}`)
    }
    return {
      store,
      logs,
      query: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
      async refused(sql, params) {
        try {
          await pool.query(positional(sql), params)
        } catch (error) {
          return error
        }
        return null
      },
      async close() {
        await store.close()
        await pool.end()
      },
    }
  },
}

const dialects: Dialect[] = [sqlite]
if (await postgresAvailable()) dialects.push(postgres)

describe.each(dialects)('migration 14 on history of version 13 ($name)', (dialect) => {
  it('keeps every blob and revision, decodes them as before, and takes Brotli blobs', async () => {
    const db = await dialect.upgrade()
    try {
      const blobs = await db.query('SELECT content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data FROM history_blobs ORDER BY size_bytes')
      expect(blobs.map((b) => [b.content_hash, Number(b.size_bytes), b.encoding, b.base_hash, Number(b.depth), Number(b.stored_bytes)])).toEqual(
        [...BLOBS].sort((a, b) => a.size - b.size).map((b) => [b.hash, b.size, b.encoding, b.base, b.depth, b.data.length]),
      )
      for (const row of blobs) {
        const written = BLOBS.find((b) => b.hash === row.content_hash)!
        expect(Buffer.from(row.data as Uint8Array).equals(written.data)).toBe(true)
      }
      const revisions = await db.query('SELECT path, ordinal, change, content_hash FROM file_revisions ORDER BY rev')
      expect(revisions.map((r) => [r.path, Number(r.ordinal), r.change, r.content_hash])).toEqual(REVISIONS.map((r) => [r.path, r.ordinal, r.change, r.hash]))

      // The gzip delta decodes on its gzip base, through the store.
      const chain = await db.store.blobChain(sha(SECOND))
      expect(chain.map((b) => [b.encoding, b.depth])).toEqual([['gzip', 0], ['gzip', 1]])

      // A Brotli copy is taken now; the references are still enforced, the base's too.
      const fourth = Buffer.from(`# New\n\n${'| a | b |\n'.repeat(200)}`)
      const insert = 'INSERT INTO history_blobs (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
      const br = brotliCompressSync(fourth)
      expect(await db.refused(insert, [sha(fourth), fourth.length, 'br', null, 0, br.length, br, AT])).toBeNull()
      expect(await db.refused(insert, [sha(fourth).replace(/^./, '0'), 1, 'zstd', null, 0, 1, Buffer.from('x'), AT])).toMatchObject({
        message: expect.stringMatching(/CHECK constraint|check constraint/),
      })
      expect(await db.refused(insert, ['f'.repeat(64), 1, 'br', 'e'.repeat(64), 1, 1, Buffer.from('x'), AT])).toMatchObject({
        message: expect.stringMatching(/FOREIGN KEY|foreign key/),
      })
      expect(
        await db.refused(
          'INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          ['/reports', 's1/x.md', 1, 's1', 'created', 'd'.repeat(64), 1, 'ok', AT, 'test'],
        ),
      ).toMatchObject({ message: expect.stringMatching(/FOREIGN KEY|foreign key/) })
      const decoded = await db.store.blobChain(sha(fourth))
      expect(decoded.map((b) => b.encoding)).toEqual(['br'])

      // The upgrade is logged once, with the step it applied.
      const upgrades = db.logs.filter((r) => String(r.msg).startsWith('schema upgraded'))
      expect(upgrades).toHaveLength(1)
      expect(upgrades[0]).toMatchObject({
        level: 30,
        applied: [14],
        msg: 'schema upgraded from version 13 to 14: 14 (history: contents may be Brotli-compressed (encoding br))',
      })
    } finally {
      await db.close()
    }
  })
})

describe('the upgrade message', () => {
  it('names the steps of an upgrade, and stays quiet on a first run or when nothing was applied', () => {
    expect(upgradeMessage([])).toBeNull()
    expect(upgradeMessage(migrations.map((m) => m.version))).toBeNull()
    expect(upgradeMessage([12, 13, 14])).toBe(
      `schema upgraded from version 11 to 14: ${[12, 13, 14].map((v) => `${v} (${migrations[v - 1]!.name})`).join('; ')}`,
    )
  })

  it('is not logged when a fresh SQLite database is created', async () => {
    const dir = tempDir('statebridge-m14-fresh-')
    try {
      const { logger, records } = memoryLogger()
      const store = openSqliteStore(path.join(dir, 'fresh.db'), { logger })
      await store.close()
      expect(records.filter((r) => String(r.msg).startsWith('schema upgraded'))).toEqual([])
    } finally {
      cleanup(dir)
    }
  })
})

describe('migration 14 on SQLite with a dangling reference', () => {
  it('stops at version 13, names the table and keeps the rows, instead of carrying it over', () => {
    const dir = tempDir('statebridge-m14-dangling-')
    try {
      const file = path.join(dir, 'v13.db')
      const db = new Database(file)
      migrateSqlite(db, 13)
      // Written with foreign keys off, as no release does: a revision of a content that is not stored.
      db.pragma('foreign_keys = OFF')
      db.prepare(
        `INSERT INTO file_revisions (root, path, ordinal, session_id, change, content_hash, size_bytes, status, at, instance)
         VALUES ('/reports', 's1/a.md', 1, 's1', 'created', ?, 1, 'ok', ?, 'test')`,
      ).run('a'.repeat(64), AT)
      db.pragma('foreign_keys = ON')
      expect(() => migrateSqlite(db)).toThrow(/migration step 14 would leave 1 row\(s\) of file_revisions referencing missing rows/)
      expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 13 })
      expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'history_blobs'").get()).toMatchObject({
        sql: expect.stringContaining("CHECK (encoding IN ('identity', 'gzip'))"),
      })
      expect(db.prepare('SELECT count(*) AS n FROM file_revisions').get()).toEqual({ n: 1 })
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      db.close()
    } finally {
      cleanup(dir)
    }
  })
})
