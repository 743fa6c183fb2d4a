/**
 * Run the watch daemon in-process against a temporary SQLite file or a
 * PostgreSQL schema.
 */
import path from 'node:path'
import { resolveConfig, type StatebridgeOptions } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import type { PostgresTarget } from '../../src/store/postgres-connection.js'
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/types.js'
import { runSync } from '../../src/sync/run-sync.js'
import { startWatch, type WatchHandle } from '../../src/sync/watch.js'
import { memoryLogger } from './cli.js'
import { canonicalDump, dumpPostgres, dumpSqlite, type Dump } from './dump.js'
import { PG_URL } from './postgres.js'

export const TEST_DEBOUNCE_MS = 50

export interface Daemon {
  handle: WatchHandle
  records: Array<Record<string, unknown>>
  /** The SQLite database as it is now (SQLite daemons only). */
  dump(): Dump
  /** The database as it is now (either dialect). */
  snapshot(): Promise<Dump>
  stop(): Promise<void>
}

function testConfig(root: string, db: string, options: Partial<StatebridgeOptions>) {
  return resolveConfig({ root, db, debounceMs: TEST_DEBOUNCE_MS, reconcileIntervalMs: 0, workers: 1, ...options }, {})
}

async function watchWith(root: string, db: string, store: Store, options: Partial<StatebridgeOptions>, logger = memoryLogger()) {
  const handle = await startWatch(testConfig(root, db, options), store, logger.logger)
  return { handle, records: logger.records }
}

export async function startDaemon(root: string, dbFile: string, options: Partial<StatebridgeOptions> = {}): Promise<Daemon> {
  const store = openSqliteStore(dbFile)
  const { handle, records } = await watchWith(root, `sqlite:${dbFile}`, store, options)
  return {
    handle,
    records,
    dump: () => dumpSqlite(dbFile),
    snapshot: async () => dumpSqlite(dbFile),
    async stop() {
      await handle.close()
      await store.close()
    },
  }
}

/** A watch daemon writing into `target` (its URL may lead through a proxy; dumps read the server directly). */
export async function startPostgresDaemon(
  root: string,
  target: PostgresTarget,
  options: Partial<StatebridgeOptions> = {},
  storeOptions: Pick<PostgresStoreOptions, 'connectionTimeoutMs' | 'queryTimeoutMs'> = {},
): Promise<Daemon> {
  const logger = memoryLogger()
  const store = await openPostgresStore(target, { instance: options.instance, logger: logger.logger, ...storeOptions })
  const { handle, records } = await watchWith(root, target.url!, store, { schema: target.schema, ...options }, logger)
  return {
    handle,
    records,
    dump: () => {
      throw new Error('dump() reads SQLite; use snapshot() for a PostgreSQL daemon')
    },
    snapshot: () => dumpPostgres({ url: PG_URL, schema: target.schema }),
    async stop() {
      await handle.close()
      await store.close()
    },
  }
}

let freshCount = 0

/** What a fresh one-shot sync of `roots` into an empty SQLite database produces. */
export async function freshDump(roots: string | string[], scratchDir: string): Promise<Dump> {
  const file = path.join(scratchDir, `fresh-${process.pid}-${freshCount++}.db`)
  const store = openSqliteStore(file)
  for (const root of [roots].flat()) await runSync(resolveConfig({ root, db: `sqlite:${file}`, workers: 2 }, {}), store, silentLogger())
  await store.close()
  return dumpSqlite(file)
}

/**
 * Wait until the daemons' database equals a fresh sync of the tree(s) (in
 * canonical form, so either dialect compares), or time out with the last
 * difference. Returns the daemons' dump as read.
 */
export async function expectConverged(
  daemons: Daemon | Daemon[],
  roots: string | string[],
  scratchDir: string,
  timeoutMs = Number(process.env.STATEBRIDGE_CONVERGE_MS ?? 15_000),
): Promise<Dump> {
  const all = [daemons].flat()
  const deadline = Date.now() + timeoutMs
  let expected = canonicalDump(await freshDump(roots, scratchDir))
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, TEST_DEBOUNCE_MS * 3))
    for (const daemon of all) await daemon.handle.whenIdle()
    const read = await all[0]!.snapshot()
    const actual = canonicalDump(read)
    if (JSON.stringify(actual) === JSON.stringify(expected)) return read
    if (Date.now() > deadline) {
      const { expect } = await import('vitest')
      expect(actual).toEqual(expected)
    }
    expected = canonicalDump(await freshDump(roots, scratchDir))
  }
}
