/**
 * A SQLite database file deleted or replaced while the store has it open: the
 * store notices (by the path's inode) and opens the file now at the path,
 * migrated; PostgreSQL has no file and never reopens.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDocument } from '../src/parsers/document.js'
import { LATEST_VERSION } from '../src/store/migrations.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { FileSnapshot, Store } from '../src/store/types.js'
import { memoryLogger } from './helpers/cli.js'
import { dropSchema, PG_URL, postgresAvailable, uniqueSchema } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

const ROOT = '/reports'

function snapshot(relPath: string, text: string): FileSnapshot {
  const parsed = parseDocument(relPath, Buffer.from(text))
  return {
    root: ROOT,
    path: relPath,
    sessionId: 's1',
    sessionCreatedAt: null,
    documentType: 'other',
    format: 'markdown',
    sizeBytes: text.length,
    mtimeMs: 1000,
    instance: 'test',
    contentHash: `h-${text}`,
    parsed,
    jsonText: null,
  }
}

/** The documents and schema version in the file at `file` now, read by a connection of its own. */
function onDisk(file: string): { paths: string[]; version: number } {
  const db = new Database(file, { readonly: true })
  try {
    const paths = (db.prepare('SELECT path FROM documents ORDER BY path').all() as Array<{ path: string }>).map((r) => r.path)
    const version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v
    return { paths, version }
  } finally {
    db.close()
  }
}

describe('reopenIfReplaced (sqlite)', () => {
  let dir: string
  let file: string
  let store: Store
  let log: ReturnType<typeof memoryLogger>
  beforeEach(() => {
    dir = tempDir()
    file = path.join(dir, 'data', 'store.db')
    log = memoryLogger()
    store = openSqliteStore(file, { logger: log.logger })
  })
  afterEach(async () => {
    await store.close()
    cleanup(dir)
  })

  it('is false while the file is the one opened, even after writes', async () => {
    expect(await store.reopenIfReplaced()).toBe(false)
    await store.applyFileSnapshot(snapshot('s1/a.md', '| a |\n|---|\n| 1 |\n'))
    expect(await store.reopenIfReplaced()).toBe(false)
    expect(onDisk(file).paths).toEqual(['s1/a.md'])
    expect(log.records.filter((r) => (r.level as number) >= 40)).toEqual([])
  })

  it.each([
    ['the database file alone', ['']],
    ['the database file with its -wal and -shm', ['', '-wal', '-shm']],
  ])('reopens a new, migrated file after %s was deleted, and writes land in it', async (_, suffixes) => {
    await store.applyFileSnapshot(snapshot('s1/a.md', '| a |\n|---|\n| 1 |\n'))
    for (const suffix of suffixes) fs.rmSync(`${file}${suffix}`, { force: true })
    // Before the reopen, writes go to the unlinked file: this is what is lost without it.
    await store.applyFileSnapshot(snapshot('s1/lost.md', '| l |\n|---|\n| 1 |\n'))
    expect(fs.existsSync(file)).toBe(false)

    expect(await store.reopenIfReplaced()).toBe(true)
    expect(onDisk(file)).toEqual({ paths: [], version: LATEST_VERSION })
    expect((await store.loadKnownFiles(ROOT)).size).toBe(0)

    await store.applyFileSnapshot(snapshot('s1/b.md', '| b |\n|---|\n| 2 |\n'))
    expect(onDisk(file).paths).toEqual(['s1/b.md'])
    expect([...(await store.loadKnownFiles(ROOT)).keys()]).toEqual(['s1/b.md'])
    expect(await store.listSessions(ROOT)).toEqual(['s1'])
    // Said once, as an error: rows were lost.
    const said = log.records.filter((r) => r.level === 50)
    expect(said).toHaveLength(1)
    expect(String(said[0]!.msg)).toMatch(/was deleted while open/)

    expect(await store.reopenIfReplaced()).toBe(false)
  })

  it('reopens when another database was renamed over the path, and keeps that database rows', async () => {
    await store.applyFileSnapshot(snapshot('s1/a.md', '| a |\n|---|\n| 1 |\n'))
    const other = path.join(dir, 'other.db')
    const otherStore = openSqliteStore(other)
    await otherStore.applyFileSnapshot(snapshot('s1/restored.md', '| r |\n|---|\n| 1 |\n'))
    await otherStore.close()
    fs.renameSync(other, file)

    expect(await store.reopenIfReplaced()).toBe(true)
    expect([...(await store.loadKnownFiles(ROOT)).keys()]).toEqual(['s1/restored.md'])
    await store.applyFileSnapshot(snapshot('s1/c.md', '| c |\n|---|\n| 3 |\n'))
    expect(onDisk(file).paths).toEqual(['s1/c.md', 's1/restored.md'])
    expect(String(log.records.find((r) => r.level === 50)?.msg)).toMatch(/was replaced by another file/)
    expect(await store.reopenIfReplaced()).toBe(false)
  })

  it('reopens after the whole directory was removed, creating it again', async () => {
    await store.applyFileSnapshot(snapshot('s1/a.md', '| a |\n|---|\n| 1 |\n'))
    fs.rmSync(path.dirname(file), { recursive: true })
    expect(await store.reopenIfReplaced()).toBe(true)
    await store.applyFileSnapshot(snapshot('s1/b.md', '| b |\n|---|\n| 2 |\n'))
    expect(onDisk(file).paths).toEqual(['s1/b.md'])
  })

  it('rejects while the path cannot be opened, counts store errors as fatal meanwhile, and reopens once it can', async () => {
    await store.applyFileSnapshot(snapshot('s1/a.md', '| a |\n|---|\n| 1 |\n'))
    fs.rmSync(file)
    fs.mkdirSync(file)
    await expect(store.reopenIfReplaced()).rejects.toMatchObject({ code: 'SB_DB_OPEN' })
    const write = await store.applyFileSnapshot(snapshot('s1/b.md', '| b |\n|---|\n| 2 |\n')).catch((error: unknown) => error)
    expect(store.classifyError(write)).toBe('fatal')
    await expect(store.reopenIfReplaced()).rejects.toMatchObject({ code: 'SB_DB_OPEN' })
    fs.rmdirSync(file)
    expect(await store.reopenIfReplaced()).toBe(true)
    await store.applyFileSnapshot(snapshot('s1/b.md', '| b |\n|---|\n| 2 |\n'))
    expect(onDisk(file).paths).toEqual(['s1/b.md'])
    // The loss is said once, not at every retry.
    expect(log.records.filter((r) => r.level === 50)).toHaveLength(1)
  })

  it('is false for an in-memory database', async () => {
    const memory = openSqliteStore(':memory:')
    try {
      expect(await memory.reopenIfReplaced()).toBe(false)
    } finally {
      await memory.close()
    }
  })
})

describe.skipIf(!(await postgresAvailable()))('reopenIfReplaced (postgres)', () => {
  it('is always false: a server has no file to lose', async () => {
    const schema = uniqueSchema('reopen')
    const store = await openPostgresStore({ url: PG_URL, schema }, { instance: 'test' })
    try {
      expect(await store.reopenIfReplaced()).toBe(false)
    } finally {
      await store.close()
      await dropSchema(schema)
    }
  })
})
