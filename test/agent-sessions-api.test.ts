/**
 * The agent SDK session routes over a real socket, on SQLite and on
 * PostgreSQL: the typed rows of an audit log and transcripts applied as the
 * sync applies them (test/helpers/agent-fixture.ts), then read back through
 * /api/v1/agent-sessions: the merge of a session's files, usage per model
 * with cost, links to report sessions, pages of sessions and of events, the
 * rollup on the report session's object, and problems. Answers are checked
 * against the schemas of the server's own /openapi.json, and both dialects
 * must answer byte for byte alike.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseTarget } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { startApiServer, type ApiServer } from '../src/serve/index.js'
import { openReader } from '../src/store/open-reader.js'
import { openStore } from '../src/store/open-store.js'
import type { StoreReader } from '../src/store/read-types.js'
import type { Store } from '../src/store/types.js'
import { A, applyAgentFixture, AUDIT_A, B, C, MAIN_A, R1, R2, REPORTS, SUB_A, SUBAGENT, TRANSCRIPTS } from './helpers/agent-fixture.js'
import { expectProblem, get, schemaValidator } from './helpers/api-client.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-agent-api-')
const schemas = testSchemas()
const logger = silentLogger()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

/** Every answer each dialect gave, by route: the last test compares them. */
const answers = new Map<string, Map<string, string>>()

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`agent sessions API on ${dialect}`, () => {
    let store: Store
    let reader: StoreReader
    let server: ApiServer
    let base: string
    let check: (name: string, value: unknown) => void
    const seen = new Map<string, string>()
    answers.set(dialect, seen)
    /** GET, expecting 200, remembering the body for the cross-dialect comparison. */
    const ok = async (route: string): Promise<any> => {
      const answer = await get(base, route)
      expect(answer.status, answer.text).toBe(200)
      seen.set(route, answer.text)
      return answer.body
    }

    beforeAll(async () => {
      const target: DatabaseTarget =
        dialect === 'sqlite' ? { dialect, file: path.join(scratch, 'agent.db') } : { dialect, url: PG_URL, schema: schemas.fresh('agentapi') }
      store = await openStore(target, { logger })
      await applyAgentFixture(store)
      reader = await openReader(target, { logger })
      server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger })
      base = server.url
      check = await schemaValidator(base)
    })
    afterAll(async () => {
      await server?.close()
      await reader?.close()
      await store?.close()
    })

    it('documents both routes and their parameters in /openapi.json', async () => {
      const doc = (await get(base, '/openapi.json')).body
      const list = doc.paths['/api/v1/agent-sessions'].get
      expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['report_session', 'cursor', 'limit'])
      expect(list.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/AgentSessionPage')
      const one = doc.paths['/api/v1/agent-sessions/{id}'].get
      expect(one.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'events_limit', 'events_cursor', 'events_order'])
      expect(one.responses['404']).toBeDefined()
      expect(doc.components.schemas.SessionDetail.required).toEqual(expect.arrayContaining(['agentSessions', 'agentUsage']))
    })

    it('lists every SDK session once, the most recently active first, its files merged', async () => {
      const page = await ok('/api/v1/agent-sessions')
      check('AgentSessionPage', page)
      expect(page.items.map((s: { sdkSessionId: string }) => s.sdkSessionId)).toEqual([C, A, B])
      expect(page.nextCursor).toBeNull()
      const a = page.items[1]
      expect(a).toMatchObject({
        startedAt: '2026-03-10T09:00:00.000Z',
        endedAt: '2026-03-10T09:42:30.000Z',
        durationMs: 42.5 * 60_000,
        // The audit log saw the stop; the transcript, written last before it, says compacted.
        status: 'stopped',
        cwd: '/srv/pipeline',
        transcriptPath: `${TRANSCRIPTS}/${MAIN_A}`,
        version: '2.0.14',
        // The main session's prompt, not the sub-agent's.
        firstPrompt: { length: 812, preview: 'Run the legal research pipeline for Project Osprey: acquisition of Harbor Logistics' },
        // The audit log's 48 calls against the transcripts' 30 + 15: the same calls, seen twice, so the larger.
        counts: { toolCalls: 48, toolFailures: 3, subagents: 4, compactions: 1, reportsSaved: 5 },
      })
      expect(a.sources.map((s: { root: string; path: string; source: string; agentId: string | null }) => [s.root, s.path, s.source, s.agentId])).toEqual([
        [TRANSCRIPTS, MAIN_A, 'transcript', null],
        [TRANSCRIPTS, SUB_A, 'transcript', SUBAGENT],
        [REPORTS, AUDIT_A, 'audit_log', null],
      ])
    })

    it('sums usage per model, each streamed message once, with cost and pricing version', async () => {
      const [, a, b] = (await ok('/api/v1/agent-sessions')).items
      expect(a.usage).toEqual({
        inputTokens: 28,
        outputTokens: 2940,
        cacheReadTokens: 29200,
        cacheCreationTokens: 23600,
        totalTokens: 55768,
        turns: 4,
        costUsd: 0.51575,
        pricedTurns: 4,
        models: [
          {
            model: 'claude-opus-4-1-20250805',
            requests: 2,
            inputTokens: 20,
            outputTokens: 1690,
            cacheReadTokens: 15200,
            cacheCreationTokens: 17600,
            costUsd: 0.47,
            pricedRequests: 2,
            pricingVersion: '2025-10-01',
          },
          {
            model: 'claude-sonnet-4-5-20250929',
            requests: 2,
            inputTokens: 8,
            outputTokens: 1250,
            cacheReadTokens: 14000,
            cacheCreationTokens: 6000,
            costUsd: 0.04575,
            pricedRequests: 2,
            pricingVersion: '2025-10-01',
          },
        ],
      })
      // A model the pricing table lacks: tokens counted, no cost rather than a zero one.
      expect(b.usage).toMatchObject({ totalTokens: 3740, turns: 1, costUsd: null, pricedTurns: 0 })
      expect(b.usage.models[0]).toMatchObject({ model: 'claude-experimental-x', costUsd: null, pricingVersion: null })
    })

    it('names the report sessions each worked on, with the evidence', async () => {
      const [c, a, b] = (await ok('/api/v1/agent-sessions')).items
      expect(a.links).toEqual([
        {
          reportSessionId: R1,
          occurrences: 3,
          firstAt: '2026-03-10T09:03:00.000Z',
          lastAt: '2026-03-10T09:30:00.000Z',
          evidence: [
            { kind: 'report_saved', occurrences: 2, detail: `${R1}/specialist-reports/tax.md`, firstAt: '2026-03-10T09:12:40.000Z', lastAt: '2026-03-10T09:30:00.000Z' },
            { kind: 'tool_write', occurrences: 1, detail: `${R1}/research-plan.md`, firstAt: '2026-03-10T09:03:00.000Z', lastAt: '2026-03-10T09:03:00.000Z' },
          ],
        },
      ])
      expect(b.links.map((l: { reportSessionId: string; evidence: Array<{ kind: string }> }) => [l.reportSessionId, l.evidence.map((e) => e.kind)])).toEqual([[R1, ['prompt']]])
      expect(c.links.map((l: { reportSessionId: string }) => l.reportSessionId)).toEqual([R2])
    })

    it('pages with an opaque cursor, neither skipping nor repeating', async () => {
      const ids: string[] = []
      let route = '/api/v1/agent-sessions?limit=1'
      for (let pages = 0; pages < 5; pages++) {
        const page = await ok(route)
        check('AgentSessionPage', page)
        ids.push(...page.items.map((s: { sdkSessionId: string }) => s.sdkSessionId))
        if (page.nextCursor === null) break
        expect(page.items).toHaveLength(1)
        route = `/api/v1/agent-sessions?limit=1&cursor=${page.nextCursor}`
      }
      expect(ids).toEqual([C, A, B])
      const two = await ok('/api/v1/agent-sessions?limit=2')
      const rest = await ok(`/api/v1/agent-sessions?limit=2&cursor=${two.nextCursor}`)
      expect([...two.items, ...rest.items]).toEqual((await ok('/api/v1/agent-sessions')).items)
      expect(rest.nextCursor).toBeNull()
    })

    it('filters by report session', async () => {
      const r1 = await ok(`/api/v1/agent-sessions?report_session=${R1}`)
      expect(r1.items.map((s: { sdkSessionId: string }) => s.sdkSessionId)).toEqual([A, B])
      const page = await ok(`/api/v1/agent-sessions?report_session=${R1}&limit=1`)
      const next = await ok(`/api/v1/agent-sessions?report_session=${R1}&limit=1&cursor=${page.nextCursor}`)
      expect([page.items[0].sdkSessionId, next.items[0].sdkSessionId, next.nextCursor]).toEqual([A, B, null])
      expect((await ok(`/api/v1/agent-sessions?report_session=${R2}`)).items.map((s: { sdkSessionId: string }) => s.sdkSessionId)).toEqual([C])
      expect(await ok('/api/v1/agent-sessions?report_session=2026-01-01-1767225600')).toEqual({ items: [], nextCursor: null })
    })

    it('answers one SDK session with its events by file and line, a page at a time, either way', async () => {
      const list = (await ok('/api/v1/agent-sessions')).items
      const first = await ok(`/api/v1/agent-sessions/${A}?events_limit=3`)
      check('AgentSessionDetail', first)
      const { events, ...item } = first
      expect(item).toEqual(list[1])
      expect(events.total).toBe(8)
      expect(events.items.map((e: { line: number }) => e.line)).toEqual([1, 2, 3])
      expect(events.items[2]).toEqual({
        root: REPORTS,
        path: AUDIT_A,
        line: 3,
        at: '2026-03-10T09:01:10.000Z',
        event: 'pre_tool_use',
        tool: 'Task',
        toolType: 'builtin',
        mcpServer: null,
        mcpAction: null,
        agentType: 'tax-specialist',
        agentId: null,
        toolUseId: 'toolu_01Tx',
        durationMs: null,
        success: null,
        error: null,
        filePath: null,
      })
      const lines: number[] = []
      let cursor: string | null = null
      do {
        const page: any = await ok(`/api/v1/agent-sessions/${A}?events_limit=3${cursor ? `&events_cursor=${cursor}` : ''}`)
        lines.push(...page.events.items.map((e: { line: number }) => e.line))
        cursor = page.events.nextCursor
      } while (cursor !== null)
      expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      const latest = await ok(`/api/v1/agent-sessions/${A}?events_limit=2&events_order=desc`)
      expect(latest.events.items.map((e: { event: string }) => e.event)).toEqual(['agent_stop', 'pre_compact'])
      const before = await ok(`/api/v1/agent-sessions/${A}?events_limit=2&events_order=desc&events_cursor=${latest.events.nextCursor}`)
      expect(before.events.items.map((e: { line: number }) => e.line)).toEqual([6, 5])
      expect(before.events.items[0]).toMatchObject({ event: 'tool_failure', mcpServer: 'exa', success: false, error: 'rate limited', durationMs: 30012 })
      // A session known only from transcripts has no events.
      const b = await ok(`/api/v1/agent-sessions/${B}`)
      check('AgentSessionDetail', b)
      expect(b.events).toEqual({ items: [], nextCursor: null, total: 0 })
    })

    it("carries the linked SDK sessions and their summed usage on the report session's object", async () => {
      const [detail] = await ok(`/api/v1/sessions/${R1}`)
      check('SessionDetail', detail)
      const list = (await ok('/api/v1/agent-sessions')).items
      expect(detail.agentSessions).toEqual([list[1], list[2]])
      expect(detail.agentUsage).toEqual({
        sessions: 2,
        inputTokens: 68,
        outputTokens: 3640,
        cacheReadTokens: 29200,
        cacheCreationTokens: 26600,
        totalTokens: 59508,
        turns: 5,
        toolCalls: 54,
        toolFailures: 3,
        subagents: 4,
        compactions: 1,
        durationMs: 2_550_000 + 1_200_000,
        // B's requests are unpriced: the cost is A's alone, and pricedTurns says so.
        costUsd: 0.51575,
        pricedTurns: 4,
      })
      // The write store's detail (what `show --json` prints) is the same object.
      expect(JSON.parse(JSON.stringify(await store.sessionDetail(R1)))).toEqual([detail])
    })

    it('answers problems: an unknown session 404, a bad parameter 400 naming it', async () => {
      expectProblem(await get(base, '/api/v1/agent-sessions/00000000-0000-4000-8000-000000000000'), 404, 'not-found', check)
      expectProblem(await get(base, '/api/v1/agent-sessions?cursor=not-ours'), 400, 'bad-parameter', check, 'cursor')
      expectProblem(await get(base, `/api/v1/agent-sessions?cursor=${Buffer.from('[1,2]').toString('base64url')}`), 400, 'bad-parameter', check, 'cursor')
      expectProblem(await get(base, '/api/v1/agent-sessions?limit=0'), 400, 'bad-parameter', check, 'limit')
      expectProblem(await get(base, '/api/v1/agent-sessions?limit=501'), 400, 'bad-parameter', check, 'limit')
      expectProblem(await get(base, '/api/v1/agent-sessions?status=active'), 400, 'bad-parameter', check, 'status')
      expectProblem(await get(base, `/api/v1/agent-sessions/${A}?events_limit=1e2`), 400, 'bad-parameter', check, 'events_limit')
      expectProblem(await get(base, `/api/v1/agent-sessions/${A}?events_order=sideways`), 400, 'bad-parameter', check, 'events_order')
      expectProblem(await get(base, `/api/v1/agent-sessions/${A}?events_cursor=${Buffer.from('["x"]').toString('base64url')}`), 400, 'bad-parameter', check, 'events_cursor')
    })
  })
}

describe.skipIf(!available)('agent sessions API across dialects', () => {
  it('answers every route byte for byte alike on SQLite and PostgreSQL', () => {
    const sqlite = answers.get('sqlite')!
    const postgres = answers.get('postgres')!
    expect(sqlite.size).toBeGreaterThan(10)
    expect([...postgres.keys()]).toEqual([...sqlite.keys()])
    for (const [route, body] of sqlite) expect(postgres.get(route), route).toBe(body)
  })
})
