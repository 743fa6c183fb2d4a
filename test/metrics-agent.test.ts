/**
 * statebridge_agent_tokens_total and statebridge_agent_cost_usd_total on a
 * real /metrics, on SQLite and on PostgreSQL: the HTTP side `serve` starts,
 * reading agent SDK sessions applied as the sync applies them; equal to the
 * usage the API answers, each streamed message once; cost of priced requests
 * only; read at most once per cache period.
 */
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { DatabaseTarget } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { startService, type Service } from '../src/service.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/types.js'
import { applyAgentFixture, MAIN_B, TRANSCRIPTS } from './helpers/agent-fixture.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-metrics-agent-')
const schemas = testSchemas()
const logger = silentLogger()
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close()
})
afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

/** Every sample of `name`, keyed by its labels as `k=v,...` sorted by key ('' when it has none). */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`).exec(line)
    if (!match) continue
    const labels = [...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => `${k}=${v}`).sort()
    found.set(labels.join(','), Number(match[2]))
  }
  return found
}

async function scrape(service: Service): Promise<string> {
  const response = await fetch(`${service.url}/metrics`)
  expect(response.status).toBe(200)
  return response.text()
}

async function serve(db: DatabaseTarget): Promise<Service> {
  const service = await startService({ db, listen: '127.0.0.1:0', metricsPublic: true, logger, env: {} })
  cleanups.push(() => service.close())
  return service
}

const OPUS = 'claude-opus-4-1-20250805'
const SONNET = 'claude-sonnet-4-5-20250929'
const UNPRICED = 'claude-experimental-x'

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`agent usage metrics on ${dialect}`, () => {
    it('count tokens per kind and model, each streamed message once, and the cost of the priced requests', async () => {
      const db: DatabaseTarget =
        dialect === 'sqlite' ? { dialect, file: path.join(scratch, `${dialect}.db`) } : { dialect, url: PG_URL, schema: schemas.fresh('magent') }
      const store: Store = await openStore(db, { logger })
      cleanups.push(() => store.close())

      // No SDK session yet: no token series, a cost of 0.
      const empty = await scrape(await serve(db))
      expect(empty).toContain('# TYPE statebridge_agent_tokens_total counter')
      expect(samples(empty, 'statebridge_agent_tokens_total').size).toBe(0)
      expect(samples(empty, 'statebridge_agent_cost_usd_total')).toEqual(new Map([['', 0]]))

      await applyAgentFixture(store)
      const service = await serve(db)
      const text = await scrape(service)
      const tokens = samples(text, 'statebridge_agent_tokens_total')
      const expected: Array<[string, string, number]> = [
        ['input', OPUS, 20],
        ['output', OPUS, 1690],
        ['cache_read', OPUS, 15200],
        ['cache_creation', OPUS, 17600],
        ['input', SONNET, 8],
        ['output', SONNET, 1250],
        ['cache_read', SONNET, 14000],
        ['cache_creation', SONNET, 6000],
        ['input', UNPRICED, 40],
        ['output', UNPRICED, 700],
        ['cache_read', UNPRICED, 0],
        ['cache_creation', UNPRICED, 3000],
      ]
      expect(tokens).toEqual(new Map(expected.map(([kind, model, n]) => [`kind=${kind},model=${model}`, n])))
      // 0.47 (opus) + 0.04575 (sonnet); the unpriced model adds nothing.
      expect(samples(text, 'statebridge_agent_cost_usd_total').get('')).toBeCloseTo(0.51575, 9)

      // Within the cache period a scrape does not read again: the removal shows on a later service.
      await store.removeFile(TRANSCRIPTS, MAIN_B)
      expect(samples(await scrape(service), 'statebridge_agent_tokens_total').get(`kind=output,model=${UNPRICED}`)).toBe(700)
      const after = samples(await scrape(await serve(db)), 'statebridge_agent_tokens_total')
      expect([...after.keys()].some((k) => k.endsWith(UNPRICED))).toBe(false)
      expect(after.get(`kind=output,model=${OPUS}`)).toBe(1690)
    })
  })
}
