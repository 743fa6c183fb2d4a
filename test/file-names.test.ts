/**
 * File names that are not UTF-8: registered with an error row naming their
 * bytes, never read, never a session, and never mistaken for a real name.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import { hasEscapedBytes, nameFromBytes, pathBytes } from '../src/sync/paths.js'
import { runSync } from '../src/sync/run-sync.js'
import { scanTree } from '../src/sync/scan.js'
import { startDaemon, type Daemon } from './helpers/daemon.js'
import { dumpSqlite, type Dump } from './helpers/dump.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const S = '2026-02-03-1770076800'
const TABLE = '| Field | Value |\n|---|---|\n| Marker | named-oddly |\n'

let dir: string
let root: string
let dbFile: string
let daemon: Daemon | null

beforeEach(() => {
  dir = tempDir()
  root = fs.realpathSync(dir) + '/reports'
  dbFile = path.join(dir, 'db.sqlite')
  daemon = null
  writeTree(root, { [`${S}/good.md`]: TABLE })
})
afterEach(async () => {
  await daemon?.stop()
  cleanup(dir)
})

/** An absolute path with raw bytes in it, for the fs calls that accept a Buffer. */
function raw(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat([Buffer.from(`${root}/`), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))])
}

async function sync(): Promise<Dump> {
  const store = openSqliteStore(dbFile)
  try {
    await runSync(resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1 }, {}), store, silentLogger())
  } finally {
    await store.close()
  }
  return dumpSqlite(dbFile)
}

const doc = (dump: Dump, relPath: string) => dump.documents.find((d) => d.path === relPath)

describe('names that are not UTF-8', () => {
  it('get one error row each, naming their bytes; a bad directory is one row and never a session', async () => {
    fs.writeFileSync(raw(`${S}/report-`, [0xe9], '.md'), TABLE)
    fs.mkdirSync(raw([0xe9], '-session'))
    fs.writeFileSync(raw([0xe9], '-session/plan.md'), TABLE)
    fs.mkdirSync(raw(`${S}/`, [0xff, 0xfe], '-sub'))
    fs.writeFileSync(raw(`${S}/`, [0xff, 0xfe], '-sub/notes.md'), TABLE)
    fs.writeFileSync(raw(`${S}/.hidden-`, [0xe9]), TABLE)

    const dump = await sync()
    expect(dump.documents.map((d) => [d.path, d.session_id, d.status])).toEqual([
      [`${S}/good.md`, S, 'ok'],
      [`${S}/report-\\xE9.md`, S, 'error'],
      [`${S}/\\xFF\\xFE-sub`, S, 'error'],
      ['\\xE9-session', null, 'error'],
    ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)))
    expect(String(doc(dump, `${S}/report-\\xE9.md`)!.error)).toMatch(/file name is not valid UTF-8/)
    expect(String(doc(dump, '\\xE9-session')!.error)).toMatch(/directory name is not valid UTF-8.*its files are not synced/)
    expect(dump.sessions.map((s) => s.session_id)).toEqual([S])
    expect(JSON.stringify(dump)).not.toContain('\uFFFD')
    // Nothing of their content is stored.
    expect(dump.rows.map((r) => r.path)).toEqual([`${S}/good.md`])

    // A second run changes nothing, and the rows go when the names do.
    expect(await sync()).toEqual(dump)
    fs.rmSync(raw(`${S}/report-`, [0xe9], '.md'))
    fs.rmSync(raw([0xe9], '-session'), { recursive: true })
    fs.rmSync(raw(`${S}/`, [0xff, 0xfe], '-sub'), { recursive: true })
    expect((await sync()).documents.map((d) => d.path)).toEqual([`${S}/good.md`])
  })

  it('never reads a real file whose name reads like an escaped one, nor mistakes it for the escaped one', async () => {
    // A valid name, with a literal backslash: the very text the name `report-<E9>.md` is shown as.
    writeTree(root, { [`${S}/report-\\xE9.md`]: TABLE })
    let dump = await sync()
    expect(doc(dump, `${S}/report-\\xE9.md`)).toMatchObject({ status: 'error', content_hash: null })
    expect(String(doc(dump, `${S}/report-\\xE9.md`)!.error)).toMatch(/contains \\xHH/)
    expect(dump.rows.map((r) => r.path)).toEqual([`${S}/good.md`])

    // With the non-UTF-8 twin beside it, there is still one row, in error, with nothing read.
    fs.writeFileSync(raw(`${S}/report-`, [0xe9], '.md'), TABLE)
    dump = await sync()
    expect(dump.documents.filter((d) => d.status === 'error').map((d) => d.path)).toEqual([`${S}/report-\\xE9.md`])
    expect(dump.rows.map((r) => r.path)).toEqual([`${S}/good.md`])

    // The row stays while either exists, and goes with the last.
    fs.rmSync(path.join(root, S, 'report-\\xE9.md'))
    expect(doc(await sync(), `${S}/report-\\xE9.md`)).toMatchObject({ status: 'error' })
    fs.rmSync(raw(`${S}/report-`, [0xe9], '.md'))
    expect(doc(await sync(), `${S}/report-\\xE9.md`)).toBeUndefined()
  })

  it('watch: a new directory with a bad name never becomes a session', async () => {
    daemon = await startDaemon(root, dbFile)
    fs.mkdirSync(raw([0xe9], '-new'))
    fs.writeFileSync(raw([0xe9], '-new/plan.md'), TABLE)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await daemon.handle.whenIdle()
    await daemon.handle.reconcile()
    const dump = daemon.dump()
    expect(dump.sessions.map((s) => s.session_id)).toEqual([S])
    expect(doc(dump, '\\xE9-new')).toMatchObject({ status: 'error', session_id: null })
    expect(JSON.stringify(dump)).not.toContain('\uFFFD')
  })

  it('scans list a bad name once, in escaped form, without descending into it', async () => {
    fs.mkdirSync(raw([0xe9]))
    fs.writeFileSync(raw([0xe9], '/x.md'), TABLE)
    const scan = await scanTree(root)
    expect(scan.files).toEqual([`${S}/good.md`, '\\xE9'])
    expect(scan.sessions).toEqual([S])
  })
})

describe('nameFromBytes', () => {
  it('keeps valid names and escapes exactly the bytes that are not part of a character', () => {
    const show = (bytes: number[]) => nameFromBytes(Buffer.from(bytes))
    expect(show([...Buffer.from('caf\u00e9 \\x.md')])).toEqual({ text: 'caf\u00e9 \\x.md', valid: true })
    expect(show([0x72, 0xe9])).toEqual({ text: 'r\\xE9', valid: false })
    expect(show([0xc3, 0xa9, 0xe9, 0x5c])).toEqual({ text: '\u00e9\\xE9\\x5C', valid: false })
    // Overlong forms and surrogates are not UTF-8 either.
    expect(show([0xc0, 0xaf]).text).toBe('\\xC0\\xAF')
    expect(show([0xed, 0xa0, 0x80]).text).toBe('\\xED\\xA0\\x80')
    expect(hasEscapedBytes('a/r\\xE9')).toBe(true)
    expect(hasEscapedBytes('a/r\\xe9 \\x')).toBe(false)
  })

  it('is one to one on names that are not UTF-8: the bytes come back from the text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 12 }), (bytes) => {
        const name = nameFromBytes(bytes)
        if (!name.valid) {
          expect(hasEscapedBytes(name.text)).toBe(true)
          expect([...pathBytes(name.text)]).toEqual([...bytes])
        }
      }),
      { numRuns: 2_000 },
    )
  })
})
