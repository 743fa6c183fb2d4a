/**
 * The history routes over a real socket, on SQLite and on PostgreSQL: a tree
 * synced by the real syncer, changed between syncs (appends stored as deltas,
 * a large file as a Brotli copy, a removal as a tombstone, a non-UTF-8 file),
 * then read back through /api/v1: checkpoint pages and filters, revision
 * details, the bytes at each revision (a compressed copy passed through as
 * stored, seen raw through node:http; also a gzip copy as releases before
 * schema version 14 stored it), ETags, diffs and problems. Answers are checked
 * against the schemas of the server's own /openapi.json.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig, type DatabaseTarget } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { acceptsEncoding, encodeRevisionCursor } from '../src/serve/history-routes.js'
import { startApiServer, type ApiServer } from '../src/serve/index.js'
import { openReader } from '../src/store/open-reader.js'
import type { StoreReader } from '../src/store/read-types.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/types.js'
import { runSync } from '../src/sync/run-sync.js'
import { expectProblem, get, schemaValidator, type Answer } from './helpers/api-client.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-api-history-')
const schemas = testSchemas()
const logger = silentLogger()
const TOKEN = 'history-test-token'

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

const S = '2026-05-01-1777593600'
const OTHER = '2026-05-02-1777680000'
const NOTES = `${S}/notes.md`
const BIG = `${S}/big.md`
const STATE = `${S}/state.json`
const LATIN = `${S}/latin.md`
const SCRIPT = `${S}/assemble.sh`
/** In a second root, which holds a session of the same name. */
const EXTRA = `${S}/extra.md`

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const lines = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => `Line ${from + i} of the research notes.\n`).join('')

interface Fixture {
  target: DatabaseTarget
  root: string
  root2: string
  store: Store
  reader: StoreReader
  server: ApiServer
  /** Every content each file had, in order (a removal adds none). */
  versions: Map<string, Buffer[]>
}

/**
 * Three syncs: everything created; notes, big and latin changed; notes changed
 * again (a line rewritten and one appended) and state.json removed. Between
 * them, a second root with the same session gets two revisions of its own, so
 * the session's revisions interleave across roots.
 */
async function setUp(dialect: 'sqlite' | 'postgres'): Promise<Fixture> {
  const root = path.join(scratch, `${dialect}-tree`)
  const root2 = path.join(scratch, `${dialect}-tree2`)
  const target: DatabaseTarget =
    dialect === 'sqlite' ? { dialect, file: path.join(scratch, `${dialect}.db`) } : { dialect, url: PG_URL, schema: schemas.fresh('apihist') }
  const store = await openStore(target, { logger })
  const versions = new Map<string, Buffer[]>()
  const write = (files: Record<string, string | Buffer>, into = root): void => {
    writeTree(into, files)
    for (const [rel, content] of Object.entries(files)) versions.set(rel, [...(versions.get(rel) ?? []), Buffer.from(content)])
  }
  const sync = (from = root) => runSync(resolveConfig({ root: from, db: 'sqlite::memory:', workers: 1 }, {}), store, logger)

  write({
    [NOTES]: `# Notes\n\n${lines(0, 20)}`,
    // Repetitive and over the 1000-byte threshold: stored as a gzip full copy.
    [BIG]: `# Big\n\n${'| row | value |\n'.repeat(200)}`,
    [STATE]: '{"status":"running"}\n',
    [LATIN]: Buffer.from('caf\xe9\n', 'latin1'),
    [SCRIPT]: '#!/bin/sh\necho assemble\n',
    [`${OTHER}/plan.md`]: '# Plan\n',
  })
  await sync()
  write({ [EXTRA]: '# Extra\n' }, root2)
  await sync(root2)
  write({
    [NOTES]: `# Notes\n\n${lines(0, 20)}Appended one.\n`,
    [BIG]: `# Big\n\n${'| row | value |\n'.repeat(200)}| extra | 1 |\n`,
    [LATIN]: Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'),
  })
  await sync()
  write({ [EXTRA]: '# Extra\n\nMore.\n' }, root2)
  await sync(root2)
  write({ [NOTES]: `# Notes\n\n${lines(0, 3)}Line 3 revised.\n${lines(4, 20)}Appended one.\nAppended two.\n` })
  fs.rmSync(path.join(root, STATE))
  await sync()

  const reader = await openReader(target, { logger })
  const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger })
  return { target, root, root2, store, reader, server, versions }
}

async function tearDown(f: Fixture | undefined): Promise<void> {
  if (!f) return
  await f.server.close()
  await f.reader.close()
  await f.store.close()
}

/** A GET through node:http, which leaves the body as sent (no gzip decoding). */
function rawGet(base: string, route: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${route}`, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

/** Replace a stored blob's bytes and encoding in place, as another release could have written them. */
async function storeBlobAs(target: DatabaseTarget, contentHash: string, encoding: string, data: Buffer): Promise<void> {
  if (target.dialect === 'sqlite') {
    const db = new Database(target.file)
    try {
      db.prepare('UPDATE history_blobs SET encoding = ?, data = ?, stored_bytes = ? WHERE content_hash = ?').run(encoding, data, data.length, contentHash)
    } finally {
      db.close()
    }
    return
  }
  await schemaRows(
    target.schema,
    `UPDATE history_blobs SET encoding = '${encoding}', data = decode('${data.toString('hex')}', 'hex'), stored_bytes = ${data.length} ` +
      `WHERE content_hash = '${contentHash}'`,
  )
}

interface Rev {
  rev: number
  root: string
  path: string
  sessionId: string | null
  change: string
  contentHash: string | null
  sizeBytes: number | null
}

describe('acceptsEncoding', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['identity, *;q=0.1', true],
    ['gzip;q=abc', false],
  ])('gzip: %j → %s', (header, expected) => {
    expect(acceptsEncoding(header, 'gzip')).toBe(expected)
  })

  it.each([
    [undefined, false],
    ['br', true],
    ['gzip, deflate, br', true],
    ['BR;q=0.5', true],
    ['gzip', false],
    ['x-br', false],
    ['br;q=0', false],
    ['*', true],
    ['br;q=0, *', false],
  ])('br: %j → %s', (header, expected) => {
    expect(acceptsEncoding(header, 'br')).toBe(expected)
  })
})

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`history API on ${dialect}`, () => {
    let f: Fixture
    let base: string
    let check: (name: string, value: unknown) => void
    /** The session's revisions, newest first, as the first full page gave them. */
    let all: Rev[]
    /** Revisions of one file, oldest first. */
    const of = (file: string): Rev[] => all.filter((r) => r.path === file).reverse()

    beforeAll(async () => {
      f = await setUp(dialect)
      base = f.server.url
      check = await schemaValidator(base)
      const page = await get(base, `/api/v1/sessions/${S}/checkpoints?limit=500`)
      expect(page.status, page.text).toBe(200)
      all = page.body.items
    })
    afterAll(() => tearDown(f))

    it('documents the four routes in /openapi.json', async () => {
      const doc = (await get(base, '/openapi.json')).body
      for (const p of ['/api/v1/sessions/{id}/checkpoints', '/api/sessions/{id}/checkpoints', '/api/v1/revisions/{rev}', '/api/v1/revisions/{rev}/content', '/api/v1/revisions/{rev}/diff']) {
        expect(doc.paths[p], p).toBeDefined()
      }
      expect(Object.keys(doc.paths['/api/v1/revisions/{rev}/content'].get.responses['200'].content)).toEqual([
        'text/markdown',
        'application/json',
        'application/octet-stream',
      ])
      expect(Object.keys(doc.paths['/api/v1/revisions/{rev}/diff'].get.responses['200'].content)).toEqual(['text/x-diff'])
      expect(doc.paths['/api/v1/revisions/{rev}/diff'].get.responses['422']).toBeDefined()
      expect(doc.paths['/api/v1/sessions/{id}/checkpoints'].get.responses['200'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/RevisionPage',
      )
    })

    it("lists the session's revisions, newest first, and no other session's", async () => {
      check('RevisionPage', { items: all, nextCursor: null })
      // notes 3, big 2, state created + removed, latin 2, script 1; extra 2 in the second root.
      expect(all).toHaveLength(12)
      const roots = [...new Set(all.map((r) => r.root))]
      expect(roots).toHaveLength(2)
      // Interleaved: the second root's revisions sit between the first root's.
      const [newer, older] = all.filter((r) => r.path === EXTRA).map((r) => r.rev)
      expect(all.some((r) => r.path !== EXTRA && r.rev > older! && r.rev < newer!)).toBe(true)
      expect(all.every((r) => r.sessionId === S)).toBe(true)
      const revs = all.map((r) => r.rev)
      expect([...revs].sort((a, b) => b - a)).toEqual(revs)
      expect(new Set(revs).size).toBe(revs.length)
      expect(of(NOTES).map((r) => r.change)).toEqual(['created', 'updated', 'updated'])
      expect(of(STATE).map((r) => r.change)).toEqual(['created', 'removed'])
      // The tombstone names the content the file last had.
      expect(of(STATE)[1]!.contentHash).toBe(of(STATE)[0]!.contentHash)
      const other = await get(base, `/api/v1/sessions/${OTHER}/checkpoints`)
      expect(other.body.items.map((r: Rev) => r.path)).toEqual([`${OTHER}/plan.md`])
      const alias = await get(base, `/api/sessions/${S}/checkpoints?limit=500`)
      expect(alias.text).toBe(JSON.stringify({ items: all, nextCursor: null }))
    })

    it('pages by cursor without gaps or repeats, and takes a bare revision number as cursor', async () => {
      const seen: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: Answer = await get(base, `/api/v1/sessions/${S}/checkpoints?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.status, page.text).toBe(200)
        check('RevisionPage', page.body)
        expect(page.body.items.length).toBeLessThanOrEqual(3)
        seen.push(...page.body.items.map((r: Rev) => r.rev))
        cursor = page.body.nextCursor
        if (cursor !== null) expect(cursor).toBe(encodeRevisionCursor(seen.at(-1)!))
        pages++
      } while (cursor !== null && pages < 20)
      expect(pages).toBe(4)
      expect(seen).toEqual(all.map((r) => r.rev))
      // An exact page: the last full page says there is none after it.
      const exact = await get(base, `/api/v1/sessions/${S}/checkpoints?limit=12`)
      expect(exact.body.nextCursor).toBeNull()
      const below = await get(base, `/api/v1/sessions/${S}/checkpoints?cursor=${all[2]!.rev}&limit=4`)
      expect(below.body.items.map((r: Rev) => r.rev)).toEqual(all.slice(3, 7).map((r) => r.rev))
      const defaultLimit = await get(base, `/api/v1/sessions/${S}/checkpoints`)
      expect(defaultLimit.body.items).toHaveLength(12)
    })

    it('filters by path and by root', async () => {
      const notes = await get(base, `/api/v1/sessions/${S}/checkpoints?path=${encodeURIComponent(NOTES)}`)
      check('RevisionPage', notes.body)
      expect(notes.body.items.map((r: Rev) => r.rev)).toEqual(all.filter((r) => r.path === NOTES).map((r) => r.rev))
      expect(notes.body.items).toHaveLength(3)
      const paged = await get(base, `/api/v1/sessions/${S}/checkpoints?path=${encodeURIComponent(NOTES)}&limit=2`)
      expect(paged.body.items).toHaveLength(2)
      const rest = await get(base, `/api/v1/sessions/${S}/checkpoints?path=${encodeURIComponent(NOTES)}&cursor=${paged.body.nextCursor}`)
      expect(rest.body.items.map((r: Rev) => r.rev)).toEqual([of(NOTES)[0]!.rev])
      expect(rest.body.nextCursor).toBeNull()
      // A path of another session is not this session's.
      const foreign = await get(base, `/api/v1/sessions/${S}/checkpoints?path=${encodeURIComponent(`${OTHER}/plan.md`)}`)
      expect(foreign.status).toBe(200)
      expect(foreign.body.items).toEqual([])
      const first = fs.realpathSync(f.root)
      const rooted = await get(base, `/api/v1/sessions/${S}/checkpoints?limit=500&root=${encodeURIComponent(first)}`)
      expect(rooted.body.items).toEqual(all.filter((r) => r.root === first))
      expect(rooted.body.items).toHaveLength(10)
      const second = await get(base, `/api/v1/sessions/${S}/checkpoints?limit=1&root=${encodeURIComponent(fs.realpathSync(f.root2))}`)
      expect(second.body.items.map((r: Rev) => r.path)).toEqual([EXTRA])
      expect(second.body.nextCursor).not.toBeNull()
      const elsewhere = await get(base, `/api/v1/sessions/${S}/checkpoints?root=${encodeURIComponent('/no/such/root')}`)
      expect(elsewhere.status).toBe(200)
      expect(elsewhere.body).toEqual({ items: [], nextCursor: null })
    })

    it('answers problems for an unknown session and bad parameters', async () => {
      expectProblem(await get(base, '/api/v1/sessions/no-such-session/checkpoints'), 404, 'not-found', check)
      for (const limit of ['0', '501', 'x', '1e2']) {
        expectProblem(await get(base, `/api/v1/sessions/${S}/checkpoints?limit=${limit}`), 400, 'bad-parameter', check, 'limit')
      }
      for (const cursor of ['zz!', 'WzE', encodeURIComponent(Buffer.from('["a"]').toString('base64url'))]) {
        expectProblem(await get(base, `/api/v1/sessions/${S}/checkpoints?cursor=${cursor}`), 400, 'bad-parameter', check, 'cursor')
      }
      expectProblem(await get(base, `/api/v1/sessions/${S}/checkpoints?path=`), 400, 'bad-parameter', check, 'path')
      expectProblem(await get(base, `/api/v1/sessions/${S}/checkpoints?since=1`), 400, 'bad-parameter', check, 'since')
    })

    it('gives one revision with how its content is stored', async () => {
      const expectations: Array<[Rev, { kind: string; encoding: string }, number | null]> = [
        [of(NOTES)[0]!, { kind: 'full', encoding: 'identity' }, null],
        [of(NOTES)[1]!, { kind: 'delta', encoding: 'identity' }, of(NOTES)[0]!.rev],
        [of(NOTES)[2]!, { kind: 'delta', encoding: 'identity' }, of(NOTES)[1]!.rev],
        [of(BIG)[0]!, { kind: 'full', encoding: 'br' }, null],
        [of(BIG)[1]!, { kind: 'delta', encoding: 'identity' }, of(BIG)[0]!.rev],
        [of(STATE)[1]!, { kind: 'full', encoding: 'identity' }, of(STATE)[0]!.rev],
      ]
      for (const [revision, storage, previousRev] of expectations) {
        const answer = await get(base, `/api/v1/revisions/${revision.rev}`)
        expect(answer.status, answer.text).toBe(200)
        check('RevisionDetail', answer.body)
        expect(answer.body).toMatchObject({ ...revision, storage, previousRev })
        const stored = (await f.store.blobChain(revision.contentHash!)).at(-1)!
        expect(answer.body.storage.storedBytes).toBe(stored.data.byteLength)
        expect(answer.body.storage.depth).toBe(stored.depth)
        expect(answer.body.storage.baseHash).toBe(stored.baseHash)
      }
      // A compressed copy stores far fewer bytes than the file has.
      const big = (await get(base, `/api/v1/revisions/${of(BIG)[0]!.rev}`)).body
      expect(big.storage.storedBytes).toBeLessThan(big.sizeBytes / 10)
      expectProblem(await get(base, '/api/v1/revisions/999999'), 404, 'not-found', check)
      expectProblem(await get(base, '/api/v1/revisions/abc'), 400, 'bad-parameter', check, 'rev')
      expectProblem(await get(base, '/api/v1/revisions/-1'), 400, 'bad-parameter', check, 'rev')
    })

    it('sends the bytes each file had at each revision, with its type and its hash as ETag', async () => {
      let checked = 0
      for (const [file, contents] of f.versions) {
        if (!file.startsWith(`${S}/`)) continue
        const revisions = of(file).filter((r) => r.change !== 'removed')
        expect(revisions.map((r) => r.contentHash)).toEqual(contents.map(sha))
        for (const [i, revision] of revisions.entries()) {
          const answer = await rawGet(base, `/api/v1/revisions/${revision.rev}/content`)
          expect(answer.status).toBe(200)
          expect(answer.headers['content-encoding']).toBeUndefined()
          expect(answer.body.equals(contents[i]!), `${file} @ ${revision.rev}`).toBe(true)
          expect(answer.headers.etag).toBe(`"${sha(contents[i]!)}"`)
          expect(answer.headers.vary).toBe('Accept-Encoding')
          expect(Number(answer.headers['content-length'])).toBe(contents[i]!.length)
          checked++
        }
      }
      expect(checked).toBe(11)
      const type = async (rev: number): Promise<string | undefined> => (await rawGet(base, `/api/v1/revisions/${rev}/content`)).headers['content-type']
      expect(await type(of(NOTES)[0]!.rev)).toBe('text/markdown; charset=utf-8')
      expect(await type(of(STATE)[0]!.rev)).toBe('application/json')
      expect(await type(of(SCRIPT)[0]!.rev)).toBe('application/octet-stream')
      // A tombstone gives the content the file last had.
      const tombstone = await rawGet(base, `/api/v1/revisions/${of(STATE)[1]!.rev}/content`)
      expect(tombstone.body.toString()).toBe('{"status":"running"}\n')
      expect((await rawGet(base, '/api/v1/revisions/999999/content')).status).toBe(404)
    })

    it('passes a stored Brotli copy through as it is to a client that takes br', async () => {
      const first = of(BIG)[0]!
      const stored = await f.store.blobChain(first.contentHash!)
      expect(stored).toHaveLength(1)
      expect(stored[0]!.encoding).toBe('br')
      const br = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, { 'accept-encoding': 'gzip, deflate, br' })
      expect(br.status).toBe(200)
      expect(br.headers['content-encoding']).toBe('br')
      expect(br.headers.vary).toBe('Accept-Encoding')
      expect(br.headers.etag).toBe(`"${first.contentHash}"`)
      expect(br.body.equals(Buffer.from(stored[0]!.data))).toBe(true)
      expect(Number(br.headers['content-length'])).toBe(stored[0]!.data.byteLength)
      expect(brotliDecompressSync(br.body).equals(f.versions.get(BIG)![0]!)).toBe(true)
      // fetch decodes it like any client would.
      const decoded = await fetch(`${base}/api/v1/revisions/${first.rev}/content`, { headers: { 'accept-encoding': 'br' } })
      expect(Buffer.from(await decoded.arrayBuffer()).equals(f.versions.get(BIG)![0]!)).toBe(true)
      // Refused br, or no Accept-Encoding at all: decoded bytes.
      const refusals: Array<Record<string, string>> = [{}, { 'accept-encoding': 'br;q=0, identity' }, { 'accept-encoding': 'gzip' }]
      for (const headers of refusals) {
        const plain = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, headers)
        expect(plain.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined()
        expect(plain.body.equals(f.versions.get(BIG)![0]!)).toBe(true)
      }
      // A delta on that copy is decoded, whatever the client takes.
      const second = await rawGet(base, `/api/v1/revisions/${of(BIG)[1]!.rev}/content`, { 'accept-encoding': 'br' })
      expect(second.headers['content-encoding']).toBeUndefined()
      expect(second.body.equals(f.versions.get(BIG)![1]!)).toBe(true)
      // A small identity copy too.
      const small = await rawGet(base, `/api/v1/revisions/${of(NOTES)[0]!.rev}/content`, { 'accept-encoding': 'br, gzip' })
      expect(small.headers['content-encoding']).toBeUndefined()
    })

    it('reads a gzip copy an older release stored: passed through to a client that takes gzip, decoded for others', async () => {
      const first = of(BIG)[0]!
      const content = f.versions.get(BIG)![0]!
      const [before] = await f.store.blobChain(first.contentHash!)
      // The blob as releases before schema version 14 wrote it.
      const gzipped = gzipSync(content)
      await storeBlobAs(f.target, first.contentHash!, 'gzip', gzipped)
      try {
        const detail = await get(base, `/api/v1/revisions/${first.rev}`)
        expect(detail.body.storage).toMatchObject({ kind: 'full', encoding: 'gzip', storedBytes: gzipped.length })
        check('RevisionDetail', detail.body)
        const gz = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, { 'accept-encoding': 'gzip, deflate, br' })
        expect(gz.headers['content-encoding']).toBe('gzip')
        expect(gz.body.equals(gzipped)).toBe(true)
        expect(gunzipSync(gz.body).equals(content)).toBe(true)
        const plain = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, { 'accept-encoding': 'br' })
        expect(plain.headers['content-encoding']).toBeUndefined()
        expect(plain.body.equals(content)).toBe(true)
        // The delta stored on it, and a diff across both, decode as before.
        const second = await rawGet(base, `/api/v1/revisions/${of(BIG)[1]!.rev}/content`)
        expect(second.body.equals(f.versions.get(BIG)![1]!)).toBe(true)
        const diff = await get(base, `/api/v1/revisions/${of(BIG)[1]!.rev}/diff`)
        expect(diff.status, diff.text).toBe(200)
        expect(diff.text).toContain('+| extra | 1 |')
      } finally {
        await storeBlobAs(f.target, first.contentHash!, before!.encoding, Buffer.from(before!.data))
      }
    })

    it('answers 304 to a matching If-None-Match, gzip or not', async () => {
      const first = of(BIG)[0]!
      const etag = `"${first.contentHash}"`
      const conditional: Array<Record<string, string>> = [
        { 'if-none-match': etag },
        { 'if-none-match': `"other", W/${etag}`, 'accept-encoding': 'gzip' },
        { 'if-none-match': '*' },
      ]
      for (const headers of conditional) {
        const answer = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, headers)
        expect(answer.status, JSON.stringify(headers)).toBe(304)
        expect(answer.body.length).toBe(0)
        expect(answer.headers.etag).toBe(etag)
        expect(answer.headers.vary).toBe('Accept-Encoding')
        expect(answer.headers['content-encoding']).toBeUndefined()
      }
      const stale = await rawGet(base, `/api/v1/revisions/${first.rev}/content`, { 'if-none-match': `"${of(BIG)[1]!.contentHash}"` })
      expect(stale.status).toBe(200)
      expect(stale.body.equals(f.versions.get(BIG)![0]!)).toBe(true)
    })

    it('diffs a revision against the previous one of its file, or a named one', async () => {
      const [n1, n2, n3] = of(NOTES)
      const prev = await get(base, `/api/v1/revisions/${n2!.rev}/diff`)
      expect(prev.status, prev.text).toBe(200)
      expect(prev.headers.get('content-type')).toBe('text/x-diff; charset=utf-8')
      const body = prev.text.split('\n')
      expect(body[0]).toBe(`--- a/${NOTES}\trev ${n1!.rev} ${(await get(base, `/api/v1/revisions/${n1!.rev}`)).body.at}`)
      expect(body[1]).toMatch(new RegExp(`^\\+\\+\\+ b/${NOTES}\\trev ${n2!.rev} `))
      expect(body.filter((l) => /^[-+][^-+]/.test(l))).toEqual(['+Appended one.'])
      const explicit = await get(base, `/api/v1/revisions/${n2!.rev}/diff?against=prev`)
      expect(explicit.text).toBe(prev.text)

      const across = await get(base, `/api/v1/revisions/${n3!.rev}/diff?against=${n1!.rev}`)
      expect(across.status, across.text).toBe(200)
      const changed = across.text.split('\n').filter((l) => /^[-+][^-+]/.test(l))
      expect(changed).toEqual(['-Line 3 of the research notes.', '+Line 3 revised.', '+Appended one.', '+Appended two.'])
      // Backwards: the same change undone.
      const back = await get(base, `/api/v1/revisions/${n1!.rev}/diff?against=${n3!.rev}`)
      expect(back.text.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual([
        '-Line 3 revised.',
        '+Line 3 of the research notes.',
        '-Appended one.',
        '-Appended two.',
      ])

      // A delta on a gzip copy decodes for the diff too.
      const big = await get(base, `/api/v1/revisions/${of(BIG)[1]!.rev}/diff`)
      expect(big.text.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['+| extra | 1 |'])

      // A removal is the file going away; against a removal, the file not there yet.
      const [created, removed] = of(STATE)
      const gone = await get(base, `/api/v1/revisions/${removed!.rev}/diff`)
      expect(gone.text.split('\n').slice(0, 2).map((l) => l.split('\t')[0])).toEqual([`--- a/${STATE}`, '+++ /dev/null'])
      expect(gone.text).toContain('\n-{"status":"running"}\n')
      const back2 = await get(base, `/api/v1/revisions/${created!.rev}/diff?against=${removed!.rev}`)
      expect(back2.text.split('\n')[0]!.split('\t')[0]).toBe('--- /dev/null')
      expect(back2.text).toContain('\n+{"status":"running"}\n')

      // The same revision twice: headers, no hunk.
      const same = await get(base, `/api/v1/revisions/${n2!.rev}/diff?against=${n2!.rev}`)
      expect(same.status).toBe(200)
      expect(same.text).not.toContain('@@')
    })

    it('tags a diff and answers 304 to its tag', async () => {
      const rev = of(NOTES)[2]!.rev
      const first = await get(base, `/api/v1/revisions/${rev}/diff`)
      const etag = first.headers.get('etag')
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
      const again = await get(base, `/api/v1/revisions/${rev}/diff`, { 'if-none-match': etag! })
      expect(again.status).toBe(304)
      expect(again.text).toBe('')
    })

    it('answers problems a diff cannot get past', async () => {
      const firstNote = of(NOTES)[0]!
      expectProblem(await get(base, `/api/v1/revisions/${firstNote.rev}/diff`), 422, 'no-previous-revision', check, 'against')
      expectProblem(await get(base, `/api/v1/revisions/${firstNote.rev}/diff?against=999999`), 404, 'not-found', check, 'against')
      expectProblem(await get(base, `/api/v1/revisions/${firstNote.rev}/diff?against=latest`), 400, 'bad-parameter', check, 'against')
      expectProblem(await get(base, '/api/v1/revisions/999999/diff'), 404, 'not-found', check)
      const latin = await get(base, `/api/v1/revisions/${of(LATIN)[1]!.rev}/diff`)
      expectProblem(latin, 422, 'not-text', check)
      expect(latin.body.detail).toContain(LATIN)
      // Non-UTF-8 on the other side is refused the same way.
      expectProblem(await get(base, `/api/v1/revisions/${firstNote.rev}/diff?against=${of(LATIN)[0]!.rev}`), 422, 'not-text', check)
      // Its bytes are still served as they are.
      const bytes = await rawGet(base, `/api/v1/revisions/${of(LATIN)[1]!.rev}/content`)
      expect(bytes.body.equals(Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'))).toBe(true)
    })

    it('asks for the token on every history route when one is set', async () => {
      const guarded = await startApiServer({ reader: f.reader, host: '127.0.0.1', port: 0, logger, token: TOKEN })
      try {
        const rev = of(NOTES)[1]!.rev
        for (const route of [`/api/v1/sessions/${S}/checkpoints`, `/api/v1/revisions/${rev}`, `/api/v1/revisions/${rev}/content`, `/api/v1/revisions/${rev}/diff`]) {
          const refused = await get(guarded.url, route)
          expectProblem(refused, 401, 'unauthorized', check)
          const allowed = await get(guarded.url, route, { authorization: `Bearer ${TOKEN}` })
          expect(allowed.status, route).toBe(200)
        }
      } finally {
        await guarded.close()
      }
    })
  })
}
