/**
 * Run the watch daemon in-process against a temporary SQLite file.
 */
import path from 'node:path'
import { resolveConfig, type StatebridgeOptions } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { runSync } from '../../src/sync/run-sync.js'
import { startWatch, type WatchHandle } from '../../src/sync/watch.js'
import { memoryLogger } from './cli.js'
import { dumpSqlite, type Dump } from './dump.js'

export const TEST_DEBOUNCE_MS = 50

export interface Daemon {
  handle: WatchHandle
  records: Array<Record<string, unknown>>
  dump(): Dump
  stop(): Promise<void>
}

export async function startDaemon(root: string, dbFile: string, options: Partial<StatebridgeOptions> = {}): Promise<Daemon> {
  const config = resolveConfig({ root, db: `sqlite:${dbFile}`, debounceMs: TEST_DEBOUNCE_MS, reconcileIntervalMs: 0, workers: 1, ...options }, {})
  const store = openSqliteStore(dbFile)
  const { logger, records } = memoryLogger()
  const handle = await startWatch(config, store, logger)
  return {
    handle,
    records,
    dump: () => dumpSqlite(dbFile),
    async stop() {
      await handle.close()
      await store.close()
    },
  }
}

let freshCount = 0

/** What a fresh one-shot sync of `root` into an empty database produces. */
export async function freshDump(root: string, scratchDir: string): Promise<Dump> {
  const file = path.join(scratchDir, `fresh-${process.pid}-${freshCount++}.db`)
  const store = openSqliteStore(file)
  await runSync(resolveConfig({ root, db: `sqlite:${file}`, workers: 2 }, {}), store, silentLogger())
  await store.close()
  return dumpSqlite(file)
}

/** Wait until the daemon's database equals a fresh sync of the tree, or time out with the last difference. */
export async function expectConverged(daemon: Daemon, root: string, scratchDir: string, timeoutMs = Number(process.env.STATEBRIDGE_CONVERGE_MS ?? 15_000)): Promise<Dump> {
  const deadline = Date.now() + timeoutMs
  let expected = await freshDump(root, scratchDir)
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, TEST_DEBOUNCE_MS * 3))
    await daemon.handle.whenIdle()
    const actual = daemon.dump()
    if (JSON.stringify(actual) === JSON.stringify(expected)) return actual
    if (Date.now() > deadline) {
      const { expect } = await import('vitest')
      expect(actual).toEqual(expected)
    }
    expected = await freshDump(root, scratchDir)
  }
}
