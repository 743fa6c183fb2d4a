/**
 * statebridge_history_bytes and statebridge_history_revisions on a real
 * /metrics, on SQLite and on PostgreSQL: the HTTP side `serve` starts, reading
 * a database the real syncer filled, equal to what the store counts; read at
 * most once per cache period; 0 before any history is kept.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { resolveConfig, type DatabaseTarget } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { startService, type Service } from '../src/service.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/types.js'
import { runSync } from '../src/sync/run-sync.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-metrics-history-')
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

const S = '2026-05-01-1777593600'

/** The value of an unlabelled sample, or undefined when the text has none. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
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

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`history gauges on ${dialect}`, () => {
    it('equal the stored bytes and revisions the store counts, cached between scrapes', async () => {
      const root = path.join(scratch, `${dialect}-tree`)
      fs.mkdirSync(root, { recursive: true })
      const db: DatabaseTarget =
        dialect === 'sqlite' ? { dialect, file: path.join(scratch, `${dialect}.db`) } : { dialect, url: PG_URL, schema: schemas.fresh('mhist') }
      const store: Store = await openStore(db, { logger })
      cleanups.push(() => store.close())
      const sync = () => runSync(resolveConfig({ root, db: 'sqlite::memory:', workers: 1 }, {}), store, logger)

      // Nothing synced yet: both gauges are there, at 0.
      await sync()
      const empty = await scrape(await serve(db))
      expect(sample(empty, 'statebridge_history_bytes')).toBe(0)
      expect(sample(empty, 'statebridge_history_revisions')).toBe(0)
      expect(empty).toContain('# TYPE statebridge_history_bytes gauge')

      writeTree(root, { [`${S}/notes.md`]: `# Notes\n\n${'A line of notes.\n'.repeat(30)}`, [`${S}/big.md`]: `# Big\n\n${'| a | b |\n'.repeat(300)}` })
      await sync()
      writeTree(root, { [`${S}/notes.md`]: `# Notes\n\n${'A line of notes.\n'.repeat(30)}One more.\n` })
      fs.rmSync(path.join(root, S, 'big.md'))
      await sync()

      const stats = await store.historyStats()
      // Two creations, one update, one removal; the gzip copy keeps the bytes far below the contents'.
      expect(stats.revisions).toBe(4)
      expect(stats.storedBytes).toBeGreaterThan(0)
      expect(stats.storedBytes).toBeLessThan(stats.contentBytes)
      const service = await serve(db)
      const text = await scrape(service)
      expect(sample(text, 'statebridge_history_bytes')).toBe(stats.storedBytes)
      expect(sample(text, 'statebridge_history_revisions')).toBe(stats.revisions)

      // Within the cache period a scrape does not read again: a new revision shows on a later one.
      writeTree(root, { [`${S}/notes.md`]: '# Notes\n\nRewritten.\n' })
      await sync()
      expect((await store.historyStats()).revisions).toBe(5)
      expect(sample(await scrape(service), 'statebridge_history_revisions')).toBe(4)
      expect(sample(await scrape(await serve(db)), 'statebridge_history_revisions')).toBe(5)
    })
  })
}
