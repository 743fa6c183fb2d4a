/**
 * The HTTP API over a real socket, with a real HTTP client (fetch), on SQLite
 * and on PostgreSQL: every route, its problems, the token, pagination, the
 * same JSON from both dialects, and every answer checked against the schemas
 * of the server's own /openapi.json.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaValidator } from '../helpers/api-client.js'
import { resolveConfig, type DatabaseTarget } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { startApiServer, type ApiServer } from '../../src/serve/index.js'
import { openReader } from '../../src/store/open-reader.js'
import type { StoreReader } from '../../src/store/read-types.js'
import { openStore } from '../../src/store/open-store.js'
import type { Store } from '../../src/store/types.js'
import { runSync } from '../../src/sync/run-sync.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-api-')
const schemas = testSchemas()
const logger = silentLogger()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

const EXTRA_SESSIONS = 11

/** The sample tree plus sessions enough for several pages. */
function apiTree(): Record<string, string> {
  const files: Record<string, string> = sampleTree()
  for (let i = 0; i < EXTRA_SESSIONS; i++) {
    const id = `2026-03-${String(i + 1).padStart(2, '0')}-${1772323200 + i * 86400}`
    files[`${id}/orchestrator-state.md`] = [
      '# ORCHESTRATOR STATE',
      '',
      '## DEAL_METADATA',
      '',
      '| Field | Value |',
      '|-------|-------|',
      `| Matter Name | Project ${i % 2 === 0 ? 'Heron' : 'Osprey'} ${i} |`,
      `| Deal Value | $${i + 1}00M |`,
      '',
    ].join('\n')
  }
  return files
}

interface Fixture {
  dialect: 'sqlite' | 'postgres'
  root: string
  target: DatabaseTarget
  store: Store
  reader: StoreReader
  server: ApiServer
}

async function setUp(dialect: 'sqlite' | 'postgres', label: string): Promise<Fixture> {
  const root = path.join(scratch, `${label}-tree`)
  writeTree(root, apiTree())
  const target: DatabaseTarget =
    dialect === 'sqlite' ? { dialect, file: path.join(scratch, `${label}.db`) } : { dialect, url: PG_URL, schema: schemas.fresh('api') }
  const store = await openStore(target, { logger })
  await runSync(resolveConfig({ root, db: 'sqlite::memory:', workers: 1 }, {}), store, logger)
  const reader = await openReader(target, { logger })
  const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger })
  return { dialect, root, target, store, reader, server }
}

async function tearDown(f: Fixture | undefined): Promise<void> {
  if (!f) return
  await f.server.close()
  await f.reader.close()
  await f.store.close()
}

interface Answer {
  status: number
  headers: Headers
  text: string
  body: any
}

async function get(base: string, route: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${route}`, init)
  const text = await res.text()
  let body: unknown = null
  if (text !== '') body = JSON.parse(text)
  return { status: res.status, headers: res.headers, text, body }
}

function expectProblem(answer: Answer, status: number, check: (name: string, value: unknown) => void, param?: string): void {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  check('Problem', answer.body)
  expect(answer.body.status).toBe(status)
  if (param !== undefined) expect(answer.body.param).toBe(param)
  expect(answer.text).not.toMatch(/\n\s+at /)
}

const KESTREL = '2026-02-03-1770076800'
const PLAN = '2026-02-04-1770163200'
const SESSION_COUNT = 3 + EXTRA_SESSIONS

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`HTTP API on ${dialect}`, () => {
    let f: Fixture
    let base: string
    let check: (name: string, value: unknown) => void

    beforeAll(async () => {
      f = await setUp(dialect, `routes-${dialect}`)
      base = f.server.url
      check = await schemaValidator(base)
    })
    afterAll(() => tearDown(f))

    it('/healthz and /openapi.json', async () => {
      const health = await get(base, '/healthz')
      expect(health.status).toBe(200)
      expect(health.body).toEqual({ status: 'ok' })
      check('Health', health.body)
      const doc = await get(base, '/openapi.json')
      expect(doc.status).toBe(200)
      expect(doc.body.openapi).toBe('3.1.0')
      for (const p of [
        '/api/v1/sessions',
        '/api/sessions',
        '/api/v1/sessions/active',
        '/api/sessions/active',
        '/api/v1/sessions/stats',
        '/api/sessions/stats',
        '/api/v1/sessions/{id}',
        '/api/sessions/{id}',
        '/api/v1/sessions/{id}/documents',
        '/api/sessions/{id}/checkpoints',
        '/api/v1/documents',
        '/api/v1/errors',
        '/healthz',
      ]) {
        expect(doc.body.paths[p], p).toBeDefined()
      }
    })

    it('lists sessions in pages without duplicates or gaps', async () => {
      const all = await get(base, '/api/v1/sessions?limit=500')
      expect(all.status).toBe(200)
      check('SessionPage', all.body)
      expect(all.body.items).toHaveLength(SESSION_COUNT)
      expect(all.body.nextCursor).toBeNull()
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: Answer = await get(base, `/api/v1/sessions?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.status, page.text).toBe(200)
        check('SessionPage', page.body)
        expect(page.body.items.length).toBeLessThanOrEqual(4)
        seen.push(...page.body.items.map((s: { root: string; sessionId: string }) => `${s.root}\n${s.sessionId}`))
        cursor = page.body.nextCursor
        pages++
      } while (cursor !== null && pages < 20)
      expect(pages).toBe(Math.ceil(SESSION_COUNT / 4))
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toEqual(all.body.items.map((s: { root: string; sessionId: string }) => `${s.root}\n${s.sessionId}`))
      // Newest update first.
      const times = all.body.items.map((s: { updatedAt: string }) => s.updatedAt)
      expect([...times].sort().reverse()).toEqual(times)
      const alias = await get(base, '/api/sessions?limit=500')
      expect(alias.text).toBe(all.text)
    })

    it('filters sessions by status, root, updated_since and text', async () => {
      // A malformed state file and no completion evidence: degraded, and the reason names the file.
      const errors = await get(base, '/api/v1/sessions?status=degraded')
      check('SessionPage', errors.body)
      expect(errors.body.items.map((s: { sessionId: string }) => s.sessionId)).toEqual([PLAN])
      expect(errors.body.items[0].statusReason).toContain(`${PLAN}/broken-state.json line 2`)
      expectProblem(await get(base, '/api/v1/sessions?status=error'), 400, check)
      const heron = await get(base, '/api/v1/sessions?q=HERON&limit=500')
      expect(heron.body.items).toHaveLength(Math.ceil(EXTRA_SESSIONS / 2))
      const byId = await get(base, `/api/v1/sessions?q=${KESTREL.slice(0, 10)}`)
      expect(byId.body.items.map((s: { sessionId: string }) => s.sessionId)).toEqual([KESTREL])
      const kestrel = await get(base, '/api/v1/sessions?q=kestrel')
      expect(kestrel.body.items.map((s: { matterName: string }) => s.matterName)).toEqual(['Project Kestrel'])
      const rootId = errors.body.items[0].root as string
      expect((await get(base, `/api/v1/sessions?limit=500&root=${encodeURIComponent(rootId)}`)).body.items).toHaveLength(SESSION_COUNT)
      expect((await get(base, '/api/v1/sessions?root=%2Fnowhere')).body.items).toEqual([])
      expect((await get(base, '/api/v1/sessions?updated_since=2999-01-01T00:00:00Z')).body.items).toEqual([])
      expect((await get(base, '/api/v1/sessions?updated_since=2000-01-01T00:00:00%2B02:00&limit=500')).body.items).toHaveLength(SESSION_COUNT)
      // A LIKE wildcard is text, not a pattern.
      expect((await get(base, '/api/v1/sessions?q=%25')).body.items).toEqual([])
    })

    it('answers 400 naming each bad parameter', async () => {
      for (const [query, param] of [
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=abc', 'limit'],
        ['limit=1e2', 'limit'],
        ['cursor=not-a-cursor!', 'cursor'],
        [`cursor=${Buffer.from('["x"]').toString('base64url')}`, 'cursor'],
        ['updated_since=yesterday', 'updated_since'],
        ['updated_since=2026-02-03', 'updated_since'],
        ['status=sleeping', 'status'],
        ['sort=name', 'sort'],
        ['limit=1&limit=2', 'limit'],
      ] as const) {
        expectProblem(await get(base, `/api/v1/sessions?${query}`), 400, check, param)
      }
      expectProblem(await get(base, '/api/v1/documents'), 400, check, 'path')
      expectProblem(await get(base, '/api/v1/sessions/%E0%A4%A'), 400, check, 'id')
    })

    it('active sessions, stats and errors', async () => {
      const active = await get(base, '/api/v1/sessions/active')
      expect(active.status).toBe(200)
      check('ActiveSessions', active.body)
      const kestrel = active.body.items.find((s: { sessionId: string }) => s.sessionId === KESTREL)
      expect(kestrel.resume.synthesis.current_phase).toBe('section-writing')
      expect(kestrel.resume.openPhase).toEqual({ phase: 'specialist-research', status: 'pending' })
      const plan = active.body.items.find((s: { sessionId: string }) => s.sessionId === PLAN)
      expect(plan.pendingSpecialists).toMatchObject([{ specialist_type: 'tax', status: 'pending' }])
      // The list answers what resumes next as the session object does.
      for (const item of [kestrel, plan]) {
        const detail = await get(base, `/api/v1/sessions/${item.sessionId}`)
        const resume = detail.body.find((d: { root: string }) => d.root === item.root).resume
        expect([item.resume.where, item.resume.next]).toEqual([resume.where, resume.next])
        expect(resume.next).not.toBe('')
      }
      expect((await get(base, '/api/sessions/active')).text).toBe(active.text)

      const stats = await get(base, '/api/v1/sessions/stats')
      check('Stats', stats.body)
      expect(stats.body.sessions.total).toBe(SESSION_COUNT)
      expect(stats.body.sessions.byStatus.degraded).toBe(1)
      expect(stats.body.documents.error).toBe(1)
      expect(stats.body.lastRun.mode).toBe('sync')
      expect((await get(base, '/api/sessions/stats')).text).toBe(stats.text)

      const errors = await get(base, '/api/v1/errors')
      check('ErrorList', errors.body)
      expect(errors.body.items.map((e: { path: string }) => e.path)).toEqual([`${PLAN}/broken-state.json`])
      expect(errors.body.items[0].errorLine).toBe(2)
    })

    it('one session, with an ETag and 304', async () => {
      const one = await get(base, `/api/v1/sessions/${KESTREL}`)
      expect(one.status).toBe(200)
      check('SessionDetails', one.body)
      expect(one.body).toHaveLength(1)
      expect(one.body[0].deal.matter_name).toBe('Project Kestrel')
      expect(one.body[0].synthesis.current_phase).toBe('section-writing')
      const etag = one.headers.get('etag')
      expect(etag).toMatch(/^"[\w-]+"$/)
      const again = await get(base, `/api/v1/sessions/${KESTREL}`, { headers: { 'if-none-match': etag! } })
      expect(again.status).toBe(304)
      expect(again.text).toBe('')
      expect((await get(base, `/api/v1/sessions/${KESTREL}`, { headers: { 'if-none-match': `W/${etag}, "other"` } })).status).toBe(304)
      expect((await get(base, `/api/v1/sessions/${KESTREL}`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200)
      const alias = await get(base, `/api/sessions/${KESTREL}`)
      expect(alias.text).toBe(one.text)
      expect(alias.headers.get('etag')).toBe(etag)
      expectProblem(await get(base, '/api/v1/sessions/no-such-session'), 404, check)
      expectProblem(await get(base, '/api/sessions/no-such-session'), 404, check)
    })

    it("a session's documents and one document", async () => {
      const docs = await get(base, `/api/v1/sessions/${KESTREL}/documents`)
      expect(docs.status).toBe(200)
      check('DocumentList', docs.body)
      expect(docs.body.items.map((d: { path: string }) => d.path)).toContain(`${KESTREL}/orchestrator-state.md`)
      expectProblem(await get(base, '/api/v1/sessions/no-such-session/documents'), 404, check)

      const doc = await get(base, `/api/v1/documents?path=${encodeURIComponent(`${KESTREL}/orchestrator-state.md`)}`)
      expect(doc.status, doc.text).toBe(200)
      check('DocumentDetail', doc.body)
      expect(doc.body.typed.session_phases.map((p: { phase: string }) => p.phase)).toEqual(['session-initialization', 'specialist-research'])
      expect(doc.body.tables[0].headingPath).toEqual(['ORCHESTRATOR STATE', 'DEAL_METADATA'])
      expect(doc.body.tables[0].rows[0].cells).toEqual({ Field: 'Matter Name', Value: 'Project Kestrel' })
      const withRoot = await get(
        base,
        `/api/v1/documents?path=${encodeURIComponent(`${KESTREL}/orchestrator-state.md`)}&root=${encodeURIComponent(doc.body.root)}`,
      )
      expect(withRoot.text).toBe(doc.text)

      const json = await get(base, `/api/v1/documents?path=${encodeURIComponent(`${KESTREL}/synthesis-state.json`)}`)
      check('DocumentDetail', json.body)
      expect(json.body.json).toEqual({ current_phase: 'section-writing', status: 'in_progress' })
      expect(json.body.typed.synthesis_state[0].document).toEqual({ current_phase: 'section-writing', status: 'in_progress' })

      const broken = await get(base, `/api/v1/documents?path=${encodeURIComponent(`${PLAN}/broken-state.json`)}`)
      check('DocumentDetail', broken.body)
      expect(broken.body.status).toBe('error')
      const top = await get(base, '/api/v1/documents?path=README.md')
      check('DocumentDetail', top.body)
      expect(top.body.sessionId).toBeNull()

      expectProblem(await get(base, '/api/v1/documents?path=nope.md'), 404, check)
      expectProblem(await get(base, '/api/v1/documents?path=README.md&root=%2Fnowhere'), 404, check)
    })

    it('checkpoints, unknown routes and methods', async () => {
      const checkpoints = await get(base, `/api/sessions/${KESTREL}/checkpoints`)
      expect(checkpoints.status, checkpoints.text).toBe(200)
      check('RevisionPage', checkpoints.body)
      expect(checkpoints.body.items.length).toBeGreaterThan(0)
      expect(checkpoints.body.items.every((r: { sessionId: string }) => r.sessionId === KESTREL)).toBe(true)
      expectProblem(await get(base, '/api/v1/nothing'), 404, check)
      expectProblem(await get(base, '/'), 404, check)
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const answer = await get(base, '/api/v1/sessions', { method })
        expectProblem(answer, 405, check)
        expect(answer.headers.get('allow')).toBe('GET, HEAD')
      }
      const head = await fetch(`${base}/api/v1/sessions`, { method: 'HEAD' })
      expect(head.status).toBe(200)
    })

    it('needs the token when one is set, except for /healthz', async () => {
      const token = 'correct horse battery staple'
      const guarded = await startApiServer({ reader: f.reader, host: '127.0.0.1', port: 0, token, logger })
      try {
        const url = guarded.url
        expectProblem(await get(url, '/api/v1/sessions'), 401, check)
        expect((await get(url, '/api/v1/sessions')).headers.get('www-authenticate')).toMatch(/^Bearer/)
        expectProblem(await get(url, '/api/v1/sessions', { headers: { authorization: 'Bearer wrong' } }), 401, check)
        expectProblem(await get(url, '/api/v1/sessions', { headers: { authorization: `Bearer ${token}x` } }), 401, check)
        expectProblem(await get(url, '/api/v1/sessions', { headers: { authorization: `Basic ${token}` } }), 401, check)
        expectProblem(await get(url, '/api/v1/nothing'), 401, check)
        expectProblem(await get(url, '/openapi.json'), 401, check)
        // A token with spaces is not a bearer token; one without is.
        const plain = await startApiServer({ reader: f.reader, host: '127.0.0.1', port: 0, token: 's3cret-token', logger })
        try {
          const ok = await get(plain.url, '/api/v1/sessions', { headers: { authorization: 'Bearer s3cret-token' } })
          expect(ok.status).toBe(200)
          check('SessionPage', ok.body)
        } finally {
          await plain.close()
        }
        expect((await get(url, '/healthz')).status).toBe(200)
      } finally {
        await guarded.close()
      }
    })

    it('refuses a non-loopback address without a token', async () => {
      for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
        await expect(startApiServer({ reader: f.reader, host, port: 0, logger })).rejects.toMatchObject({
          code: 'SB_CONFIG',
          message: expect.stringMatching(/STATEBRIDGE_API_TOKEN/),
        })
        await expect(startApiServer({ reader: f.reader, host, port: 0, token: '', logger })).rejects.toMatchObject({ code: 'SB_CONFIG' })
      }
      const open = await startApiServer({ reader: f.reader, host: '0.0.0.0', port: 0, token: 'tok', logger })
      const port = new URL(open.url).port
      expect((await get(`http://127.0.0.1:${port}`, '/api/v1/errors', { headers: { authorization: 'Bearer tok' } })).status).toBe(200)
      await open.close()
    })

    it('keeps answering while a sync applies, and reads do not hold the sync up', async () => {
      const root = path.join(scratch, `busy-${dialect}`)
      const files = apiTree()
      for (let i = 0; i < 40; i++) files[`busy-${i}/orchestrator-state.md`] = `# ORCHESTRATOR STATE\n\n| Field | Value |\n|---|---|\n| Matter Name | Busy ${i} |\n`
      writeTree(root, files)
      // A long read transaction on a reader connection of its own, open for the whole sync.
      const release = await holdReadTransaction(f.target)
      let syncing = true
      const statuses: number[] = []
      const hammer = async () => {
        while (syncing) {
          for (const route of ['/api/v1/sessions?limit=20', `/api/v1/sessions/${KESTREL}`, '/api/v1/sessions/active', '/api/v1/errors']) {
            statuses.push((await get(base, route)).status)
          }
        }
      }
      const clients = Array.from({ length: 8 }, hammer)
      try {
        const summary = await runSync(resolveConfig({ root, db: 'sqlite::memory:', workers: 1 }, {}), f.store, logger)
        expect(summary.files_applied).toBeGreaterThan(40)
      } finally {
        syncing = false
        await Promise.all(clients)
        await release()
      }
      expect(statuses.length).toBeGreaterThan(8)
      expect(statuses.every((s) => s === 200)).toBe(true)
      const busy = await get(base, '/api/v1/sessions?q=busy&limit=500')
      expect(busy.body.items).toHaveLength(40)
    })

    it('answers what the database holds after each commit, however often a route was asked before', async () => {
      const route = `/api/v1/sessions/${KESTREL}`
      const file = path.join(f.root, KESTREL, 'orchestrator-state.md')
      const original = fs.readFileSync(file, 'utf8')
      const fresh = async () => JSON.stringify(await f.reader.session(KESTREL))
      try {
        const first = await get(base, route)
        const second = await get(base, route)
        expect(second.text).toBe(first.text)
        expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
        for (const name of ['Project Merlin', 'Project Falcon', 'Project Condor']) {
          // Asked over and over while the sync commits, then once after: that answer is the new state.
          let asking = true
          const asker = (async () => {
            while (asking) await get(base, route)
          })()
          fs.writeFileSync(file, original.replace('Project Kestrel', name))
          try {
            await runSync(resolveConfig({ root: f.root, db: 'sqlite::memory:', workers: 1 }, {}), f.store, logger)
          } finally {
            asking = false
            await asker
          }
          const after = await get(base, route)
          // The busy test above synced the same sessions under another root: this root's entry is the one edited.
          const rootId = fs.realpathSync(f.root)
          expect(after.body.find((d: { root: string }) => d.root === rootId).deal.matter_name).toBe(name)
          expect(after.text).toBe(await fresh())
          const list = await get(base, '/api/v1/sessions?limit=500')
          const listed = list.body.items.find((s: { sessionId: string; root: string }) => s.sessionId === KESTREL && s.root === rootId)
          expect(listed.matterName).toBe(name)
          // The tag follows the body: the previous one no longer matches.
          expect((await get(base, route, { headers: { 'if-none-match': first.headers.get('etag')! } })).status).toBe(200)
        }
      } finally {
        fs.writeFileSync(file, original)
        await runSync(resolveConfig({ root: f.root, db: 'sqlite::memory:', workers: 1 }, {}), f.store, logger)
      }
      const rootId = fs.realpathSync(f.root)
      expect((await get(base, route)).body.find((d: { root: string }) => d.root === rootId).deal.matter_name).toBe('Project Kestrel')
    })
  })
}

describe.skipIf(!available)('a slow PostgreSQL read', () => {
  it('is cancelled at statement_timeout and answered 503, then the API recovers', async () => {
    const f = await setUp('postgres', 'slow')
    const target = f.target as Extract<DatabaseTarget, { dialect: 'postgres' }>
    const reader = await openReader(target, { logger, statementTimeoutMs: 300 })
    const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger })
    const check = await schemaValidator(server.url)
    const locker = new pg.Client({ connectionString: PG_URL })
    locker.on('error', () => undefined)
    await locker.connect()
    try {
      // A writer's lock that blocks every read of sessions: the API's statement waits, then is cancelled.
      await locker.query(`SET search_path = ${target.schema}`)
      await locker.query('BEGIN')
      await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE')
      const started = Date.now()
      const slow = await get(server.url, '/api/v1/sessions')
      expect(Date.now() - started).toBeLessThan(3_000)
      expectProblem(slow, 503, check)
      expect(slow.headers.get('retry-after')).toBe('5')
      expect((await get(server.url, '/healthz')).status).toBe(200)
      await locker.query('COMMIT')
      expect((await get(server.url, '/api/v1/sessions')).status).toBe(200)
    } finally {
      await locker.end()
      await server.close()
      await reader.close()
      await tearDown(f)
    }
  })
})

/** Open a read transaction on a separate connection and keep it until the returned function is called. */
async function holdReadTransaction(target: DatabaseTarget): Promise<() => Promise<void>> {
  if (target.dialect === 'sqlite') {
    const db = new Database(target.file, { readonly: true, fileMustExist: true })
    db.prepare('BEGIN').run()
    db.prepare('SELECT count(*) FROM documents').get()
    return async () => {
      db.prepare('COMMIT').run()
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: PG_URL })
  client.on('error', () => undefined)
  await client.connect()
  await client.query(`SET search_path = ${target.schema}`)
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
  await client.query('SELECT count(*) FROM documents')
  return async () => {
    await client.query('COMMIT')
    await client.end()
  }
}

describe.skipIf(!available)('SQLite and PostgreSQL answer the same JSON', () => {
  let sqlite: Fixture
  let postgres: Fixture

  beforeAll(async () => {
    // One tree, two databases: the root (its real path) is the same in both.
    sqlite = await setUp('sqlite', 'same')
    const target: DatabaseTarget = { dialect: 'postgres', url: PG_URL, schema: schemas.fresh('apisame') }
    const store = await openStore(target, { logger })
    await runSync(resolveConfig({ root: sqlite.root, db: 'sqlite::memory:', workers: 1 }, {}), store, logger)
    const reader = await openReader(target, { logger })
    const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger })
    postgres = { dialect: 'postgres', root: sqlite.root, target, store, reader, server }
  })
  afterAll(async () => {
    await tearDown(sqlite)
    await tearDown(postgres)
  })

  // The times of the apply (not of the files) differ between two syncs, and with them the list order.
  const masked = (text: string): string =>
    JSON.stringify(
      JSON.parse(text, (key, value) =>
        ['updatedAt', 'firstSeenAt', 'appliedAt', 'checkedAt', 'startedAt', 'finishedAt', 'nextCursor'].includes(key) ? '<t>' : value,
      ),
    )
  const sortedItems = (text: string): string => {
    const body = JSON.parse(masked(text))
    body.items.sort((a: { sessionId?: string; path?: string }, b: { sessionId?: string; path?: string }) =>
      String(a.sessionId ?? a.path).localeCompare(String(b.sessionId ?? b.path)),
    )
    return JSON.stringify(body)
  }

  it('for every route', async () => {
    const routes = [
      `/api/v1/sessions/${KESTREL}`,
      `/api/v1/sessions/${PLAN}`,
      `/api/v1/sessions/${KESTREL}/documents`,
      `/api/v1/sessions/${PLAN}/documents`,
      '/api/v1/sessions/stats',
      '/api/v1/errors',
      '/openapi.json',
      '/healthz',
      '/api/v1/sessions/nope',
      '/api/v1/sessions?limit=0',
    ]
    for (const file of Object.keys(apiTree())) routes.push(`/api/v1/documents?path=${encodeURIComponent(file)}`)
    for (const route of routes) {
      const [a, b] = await Promise.all([get(sqlite.server.url, route), get(postgres.server.url, route)])
      expect(b.status, route).toBe(a.status)
      expect(masked(b.text), route).toBe(masked(a.text))
    }
    for (const route of ['/api/v1/sessions?limit=500', '/api/v1/sessions/active', '/api/v1/sessions?q=osprey']) {
      const [a, b] = await Promise.all([get(sqlite.server.url, route), get(postgres.server.url, route)])
      expect(sortedItems(b.text), route).toBe(sortedItems(a.text))
    }
  })
})
