/**
 * The same tree synced into SQLite and into PostgreSQL gives the same rows in
 * every table (timestamps, surrogate ids and JSON spelling aside).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateTree } from '../../src/bench/generate-tree.js'
import { resolveConfig } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { runSync } from '../../src/sync/run-sync.js'
import { canonicalDump, dumpPostgres, dumpSqlite, type Dump } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures')
const available = await postgresAvailable()
const scratch = tempDir()
const schemas = testSchemas()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

async function syncBoth(root: string): Promise<{ sqlite: Dump; postgres: Dump }> {
  const config = resolveConfig({ root, db: 'sqlite::memory:', workers: 2 }, {})
  const file = path.join(scratch, `${path.basename(root)}-${schemas.count}.db`)
  const sqliteStore = openSqliteStore(file)
  await runSync(config, sqliteStore, silentLogger())
  await sqliteStore.close()

  const target = { url: PG_URL, schema: schemas.fresh('xd') }
  const pgStore = await openPostgresStore(target)
  await runSync(config, pgStore, silentLogger())
  await pgStore.close()
  return { sqlite: canonicalDump(dumpSqlite(file)), postgres: canonicalDump(await dumpPostgres(target)) }
}

function expectSameRows(dumps: { sqlite: Dump; postgres: Dump }): void {
  const { sqlite, postgres } = dumps
  // Table by table, so a difference names its table.
  for (const key of ['sessions', 'documents', 'tables', 'rows'] as const) expect(postgres[key], key).toEqual(sqlite[key])
  expect(Object.keys(postgres.typed)).toEqual(Object.keys(sqlite.typed))
  for (const table of Object.keys(sqlite.typed)) expect(postgres.typed[table], table).toEqual(sqlite.typed[table])
}

describe.skipIf(!available)('SQLite and PostgreSQL hold the same rows', () => {
  it('for the fixtures tree', async () => {
    const dumps = await syncBoth(FIXTURES)
    expect(dumps.sqlite.documents.length).toBeGreaterThan(100)
    expect(Object.values(dumps.sqlite.typed).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(150)
    expectSameRows(dumps)
  })

  it('for a generated tree', async () => {
    const root = path.join(scratch, 'generated')
    const tree = generateTree(root, { sessions: 6, seed: 7, largeMemorandumEvery: 3 })
    const dumps = await syncBoth(root)
    expect(dumps.sqlite.documents).toHaveLength(tree.files)
    expect(dumps.sqlite.rows.length).toBeGreaterThan(100)
    expectSameRows(dumps)
  })

  it('for values one dialect alone would refuse: integers past 2^53, lone surrogates in JSON', async () => {
    const root = path.join(scratch, 'odd-values')
    const session = '2026-07-01-1782864000'
    writeTree(root, {
      // A duration of 3.6e26 ms beside an ordinary one.
      [`${session}/orchestrator-state.md`]: [
        '# ORCHESTRATOR STATE',
        '',
        '## SESSION_METRICS',
        '',
        '| Phase | Start | End | Duration | Status |',
        '|---|---|---|---|---|',
        '| session-initialization | 2026-07-01T10:00:00Z | 2026-07-01T10:05:00Z | 99999999999999999999 hours | ✅ COMPLETE |',
        '| specialist-research | 2026-07-01T10:05:00Z | | 5m | ⏳ PENDING |',
        '',
      ].join('\n'),
      // 1e20 risks, written as a JSON number and as digits.
      [`${session}/review-outputs/risk-summary.json`]: '{"risk_count": 1e20, "highest_severity": "HIGH", "note": "bad \\ud800 half"}\n',
      [`2026-07-02-1782950400/review-outputs/risk-summary.json`]: '{"risk_count": "99999999999999999999"}\n',
      // Lone halves as values and as a key, beside a well-formed pair that must stay as it is.
      [`${session}/fact-validator-state.json`]: '{"agent": "fact-validator", "status": "in\\udc00progress", "k\\ud83d": ["\\ud83d\\ude00", "\\udbff"]}\n',
    })
    const dumps = await syncBoth(root)
    expectSameRows(dumps)
    // No file refused by either dialect: each is stored, with its odd values made alike.
    expect(dumps.postgres.documents.map((d) => [d.path, d.status])).toEqual(dumps.sqlite.documents.map((d) => [d.path, 'ok']))
    const phases = dumps.postgres.typed.session_phases!
    expect(phases.map((p) => p.duration_ms)).toEqual([null, 300_000])
    expect(dumps.postgres.typed.risk_summary!.map((r) => r.risk_count)).toEqual([null, null])
    const state = dumps.postgres.documents.find((d) => String(d.path).endsWith('fact-validator-state.json'))!
    expect(JSON.stringify(state.json)).toContain('in\uFFFDprogress')
    expect(JSON.stringify(state.json)).toContain('😀')
  })

  it.skipIf(!process.env.STATEBRIDGE_CORPUS)('for a real reports tree (STATEBRIDGE_CORPUS)', async () => {
    const root = process.env.STATEBRIDGE_CORPUS!
    expect(fs.statSync(root).isDirectory()).toBe(true)
    expectSameRows(await syncBoth(root))
  }, 600_000)
})
