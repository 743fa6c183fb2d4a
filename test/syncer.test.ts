/**
 * The syncer's event path without a watcher: events are fed to its queue by
 * hand, so the order of reads and writes is exact.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { resolveConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { createSyncer, interleaveSessions, type Syncer } from '../src/sync/syncer.js'
import type { PoolResult } from '../src/sync/parse-pool.js'
import { memoryLogger } from './helpers/cli.js'
import { dumpSqlite } from './helpers/dump.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const REL = '2026-02-03-1770076800/fact-registry.md'
// Same length, different status: the edit an agent makes when a fact is verified.
const PENDING = '| Fact | Status |\n|---|---|\n| Price | ⏳ |\n'
const VERIFIED = '| Fact | Status |\n|---|---|\n| Price | ✅ |\n'
// Whole seconds, so the file system stores them exactly.
const MTIME_S = 1_770_076_800

let dir: string
let root: string
let dbFile: string
let store: Store
let syncer: Syncer

beforeEach(async () => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  dbFile = path.join(dir, 'db.sqlite')
  writeTree(root, { [REL]: PENDING })
  store = openSqliteStore(dbFile)
  syncer = await createSyncer(resolveConfig({ root, db: `sqlite:${dbFile}`, debounceMs: 1_000, workers: 1 }, {}), store, silentLogger(), 'debug', {
    probe: false,
  })
})
afterEach(async () => {
  await syncer.close()
  await store.close()
  cleanup(dir)
})

function statuses(): unknown[] {
  return dumpSqlite(dbFile)
    .rows.filter((row) => row.path === REL)
    .map((row) => JSON.parse(String(row.cells)).Status)
}

describe('syncer events', () => {
  it('never applies a read made before the latest event, even when size and mtime match', async () => {
    expect(PENDING.length).toBe(VERIFIED.length)
    const abs = path.join(root, REL)
    fs.utimesSync(abs, MTIME_S, MTIME_S)
    // A warm worker reads well within the 1 s debounce window.
    await syncer.ctx.pool.run({ absPath: abs, relPath: REL, knownHash: null, maxFileBytes: 1_000_000 })
    const reads = vi.spyOn(syncer.ctx.pool, 'run')
    syncer.queue.touch(REL)
    // The read started by the first event is done before the second write...
    await syncer.ctx.prefetched.get(REL)
    // ...and nothing was applied yet, or this test would prove nothing.
    expect(statuses()).toEqual([])
    fs.writeFileSync(abs, VERIFIED)
    // What a clock with a coarse tick leaves after two writes within one tick.
    fs.utimesSync(abs, MTIME_S, MTIME_S)
    syncer.queue.touch(REL)
    await syncer.queue.whenIdle()
    expect(statuses()).toEqual(['✅'])
    expect(reads).toHaveBeenCalledTimes(2)
  })

  it('uses the read started by a lone event instead of reading again', async () => {
    const reads = vi.spyOn(syncer.ctx.pool, 'run')
    syncer.queue.touch(REL)
    await syncer.queue.whenIdle()
    expect(statuses()).toEqual(['⏳'])
    expect(reads).toHaveBeenCalledTimes(1)
    expect(syncer.ctx.prefetched.size).toBe(0)
  })

  it('reads a file again in a reconcile when another was renamed over it with the same size and mtime', async () => {
    const abs = path.join(root, REL)
    fs.utimesSync(abs, MTIME_S, MTIME_S)
    expect(await syncer.queue.submit(REL, true)).toBe('applied')
    const staged = path.join(root, path.dirname(REL), '.fact-registry.md.staged')
    fs.writeFileSync(staged, VERIFIED)
    fs.utimesSync(staged, MTIME_S, MTIME_S)
    fs.renameSync(staged, abs)
    // What a reconcile does when no event came (a renewed watch, a degraded watcher).
    expect(await syncer.queue.submit(REL, true)).toBe('applied')
    expect(statuses()).toEqual(['✅'])
    expect(await syncer.queue.submit(REL, true)).toBe('unchanged')
  })

  it('verifies a file whose size and mtime are unchanged by its hash on its own thread, and reads it in a worker only when it changed', async () => {
    const abs = path.join(root, REL)
    fs.utimesSync(abs, MTIME_S, MTIME_S)
    expect(await syncer.queue.submit(REL, true)).toBe('applied')
    const reads = vi.spyOn(syncer.ctx.pool, 'run')
    // What a re-sync that reads every file does (trustStat false): no worker for the same bytes.
    expect(await syncer.queue.submit(REL, false)).toBe('unchanged')
    expect(reads).not.toHaveBeenCalled()
    // Rewritten in place, same inode, size and mtime: only the hash tells, and the worker reads it.
    fs.writeFileSync(abs, VERIFIED)
    fs.utimesSync(abs, MTIME_S, MTIME_S)
    expect(await syncer.queue.submit(REL, false)).toBe('applied')
    expect(reads).toHaveBeenCalledTimes(1)
    expect(statuses()).toEqual(['✅'])
    expect(await syncer.queue.submit(REL, false)).toBe('unchanged')
    expect(reads).toHaveBeenCalledTimes(1)
  })

  it('spends one parse budget on content that blows it, however often it is written again', async () => {
    await syncer.close()
    syncer = await createSyncer(
      resolveConfig({ root, db: `sqlite:${dbFile}`, debounceMs: 200, workers: 1, parseTimeoutMs: 200 }, {}),
      store,
      silentLogger(),
      'debug',
      { probe: false },
    )
    // One block of 60,000 table rows: seconds of parsing, far over 200 ms.
    const big = `| a | b | c | d |\n|---|---|---|---|\n${'| **x** | `y` | [z](http://z) | w |\n'.repeat(60_000)}`
    const rel = '2026-02-03-1770076800/big.md'
    const results: PoolResult[] = []
    const run = syncer.ctx.pool.run.bind(syncer.ctx.pool)
    vi.spyOn(syncer.ctx.pool, 'run').mockImplementation(async (request) => {
      const result = await run(request)
      results.push(result)
      return result
    })
    for (let edit = 0; edit < 3; edit++) {
      // The same bytes written again: each write is an event, a prefetch and a run.
      fs.writeFileSync(path.join(root, rel), big)
      syncer.queue.touch(rel)
      await syncer.queue.whenIdle()
    }
    const timeouts = results.filter((r) => r.kind === 'timeout')
    expect(timeouts.length).toBeGreaterThanOrEqual(3)
    expect(timeouts.filter((r) => !(r as { repeated?: boolean }).repeated)).toHaveLength(1)
    expect(syncer.ctx.pool.workersReplaced).toBe(1)
    const row = dumpSqlite(dbFile).documents.find((d) => d.path === rel)!
    expect(row.status).toBe('error')
    expect(String(row.error)).toMatch(/200 ms budget/)
  })

  it('records a parser failure as one, with the path in the log, not as a read error', async () => {
    await syncer.close()
    const logger = memoryLogger()
    syncer = await createSyncer(resolveConfig({ root, db: `sqlite:${dbFile}`, workers: 1 }, {}), store, logger.logger, 'debug', { probe: false })
    const rel = '2026-02-03-1770076800/deep-state.json'
    writeTree(root, { [rel]: `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}` })
    expect(await syncer.queue.submit(rel, false)).toBe('failed')
    const row = dumpSqlite(dbFile).documents.find((d) => d.path === rel)!
    expect(row).toMatchObject({ status: 'error', error: 'parser failed: Maximum call stack size exceeded' })
    expect(row.content_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(logger.records.some((r) => r.path === rel && /parser failed/.test(String(r.msg)))).toBe(true)
  })

  it('waits and reads again when the process is out of file descriptors, instead of recording an error', async () => {
    const emfile = { kind: 'unreadable', code: 'EMFILE', message: 'EMFILE: too many open files' } as const
    const reads = vi.spyOn(syncer.ctx.pool, 'run').mockResolvedValueOnce(emfile).mockResolvedValueOnce(emfile)
    expect(await syncer.queue.submit(REL, false)).toBe('applied')
    expect(reads).toHaveBeenCalledTimes(3)
    expect(statuses()).toEqual(['⏳'])
  })
})

describe('interleaveSessions', () => {
  it('alternates sessions, keeps each session\'s order and every path, root files included', () => {
    const paths = ['a/1.md', 'a/2.md', 'a/3.md', 'b/1.md', 'README.md', 'c/1.md', 'c/2.md']
    interleaveSessions(paths)
    expect(paths).toEqual(['a/1.md', 'b/1.md', 'README.md', 'c/1.md', 'a/2.md', 'c/2.md', 'a/3.md'])
  })
})
