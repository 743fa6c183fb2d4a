/**
 * statebridge never stores bytes from outside the root, however a symlink on
 * the way is placed or swapped (real file system, SQLite).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { runSync } from '../../src/sync/run-sync.js'
import { scanTree } from '../../src/sync/scan.js'
import { waitFor } from '../helpers/cli.js'
import { freshDump, startDaemon, type Daemon } from '../helpers/daemon.js'
import { dumpSqlite, type Dump } from '../helpers/dump.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

// In every outside file, where a leak would put it: a table cell and a JSON value.
const SECRET = 'OUTSIDE-7f3a9c-SECRET'
const S = '2026-02-03-1770076800'
const inside = (value: string) => `| Field | Value |\n|---|---|\n| Marker | ${value} |\n`

let dir: string
let root: string
let outside: string
let dbFile: string
let daemon: Daemon | null

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  outside = path.join(dir, 'elsewhere')
  dbFile = path.join(dir, 'db.sqlite')
  daemon = null
  writeTree(root, {
    [`${S}/plan.md`]: inside('plan'),
    [`${S}/state.json`]: JSON.stringify({ status: 'inside' }),
    [`${S}/sub/a.md`]: inside('a'),
    'other/keep.md': inside('keep'),
  })
  writeTree(outside, {
    'plan.md': inside(SECRET),
    'state.json': JSON.stringify({ status: SECRET }),
    'a.md': inside(SECRET),
    'sub/a.md': inside(SECRET),
    'secret.md': inside(SECRET),
  })
})
afterEach(async () => {
  await daemon?.stop()
  cleanup(dir)
})

function leaked(dump: Dump): boolean {
  return JSON.stringify(dump).includes(SECRET)
}

function doc(dump: Dump, relPath: string): Record<string, unknown> | undefined {
  return dump.documents.find((d) => d.path === relPath)
}

async function sync(rootPath = root): Promise<Dump> {
  const store = openSqliteStore(dbFile)
  try {
    await runSync(resolveConfig({ root: rootPath, db: `sqlite:${dbFile}`, workers: 1 }, {}), store, silentLogger())
  } finally {
    await store.close()
  }
  return dumpSqlite(dbFile)
}

/** Replace `relPath` (a directory under the root) by a symlink to `target`. */
function swapForSymlink(relPath: string, target: string): void {
  const abs = path.join(root, relPath)
  fs.renameSync(abs, path.join(dir, `moved-${path.basename(relPath)}`))
  fs.symlinkSync(target, abs)
}

describe('symlinks out of the root', () => {
  it('sync: a known file is not re-read through a session sub-directory replaced by a symlink', async () => {
    const before = await sync()
    expect(doc(before, `${S}/sub/a.md`)).toMatchObject({ status: 'ok' })
    expect(before.rows.some((r) => r.path === `${S}/sub/a.md`)).toBe(true)
    swapForSymlink(`${S}/sub`, path.join(outside, 'sub'))
    const after = await sync()
    expect(leaked(after)).toBe(false)
    // Under a symlinked directory the path is no longer part of the tree: its
    // document and rows are gone, and the link itself is refused.
    expect(doc(after, `${S}/sub/a.md`)).toBeUndefined()
    expect(after.rows.some((r) => r.path === `${S}/sub/a.md`)).toBe(false)
    expect(doc(after, `${S}/sub`)).toMatchObject({ status: 'error', size_bytes: 0, content_hash: null })
    expect(String(doc(after, `${S}/sub`)!.error)).toMatch(/leaves the root/)
    expect(doc(after, `${S}/plan.md`)).toMatchObject({ status: 'ok' })
    expect(after).toEqual(await freshDump(root, dir))
  })

  it('a refused link is written and logged once, not again by every reconcile', async () => {
    swapForSymlink(`${S}/sub`, path.join(outside, 'sub'))
    daemon = await startDaemon(root, dbFile)
    await daemon.handle.reconcile()
    await daemon.handle.reconcile()
    const refusals = daemon.records.filter((r) => r.level === 50 && r.path === `${S}/sub`)
    expect(refusals).toHaveLength(1)
    expect(doc(daemon.dump(), `${S}/sub`)).toMatchObject({ status: 'error', content_hash: null })
  })

  it('sync: a root given as a symlink works, and symlinks that stay inside are followed', async () => {
    fs.symlinkSync('../plan.md', path.join(root, S, 'sub', 'alias.md'))
    const link = path.join(dir, 'reports-link')
    fs.symlinkSync(root, link)
    const viaLink = await sync(link)
    expect(viaLink.documents.filter((d) => d.status === 'ok').map((d) => d.path)).toEqual([
      `${S}/plan.md`,
      `${S}/state.json`,
      `${S}/sub/a.md`,
      `${S}/sub/alias.md`,
      'other/keep.md',
    ])
    expect(viaLink).toEqual(await freshDump(root, dir))
  })

  it('watch: a session directory replaced by a symlink to an outside directory', async () => {
    daemon = await startDaemon(root, dbFile)
    expect(doc(daemon.dump(), `${S}/plan.md`)).toMatchObject({ status: 'ok' })
    swapForSymlink(S, outside)
    // chokidar reports the swap as a change of `S` only; the reconcile (periodic,
    // or after a burst) is what looks at the known files under it again.
    await daemon.handle.whenIdle()
    await daemon.handle.reconcile()
    await daemon.handle.whenIdle()
    const dump = daemon.dump()
    expect(leaked(dump)).toBe(false)
    for (const relPath of [`${S}/plan.md`, `${S}/state.json`]) {
      expect(doc(dump, relPath)).toBeUndefined()
      expect(dump.rows.some((r) => r.path === relPath)).toBe(false)
    }
    expect(doc(dump, S)).toMatchObject({ status: 'error' })
    // No session either: the link is not a session directory.
    expect(dump.sessions.map((s) => s.session_id)).not.toContain(S)
    expect(dump).toEqual(await freshDump(root, dir))
    // A restart (a full sync of the same tree) stores nothing from outside either.
    await daemon.stop()
    daemon = null
    expect(leaked(await sync())).toBe(false)
  })

  it('watch: a new directory swapped for a symlink before its files are looked at', async () => {
    // A long settle window (2 x debounce) leaves time to swap before the look.
    daemon = await startDaemon(root, dbFile, { debounceMs: 1_000 })
    const fresh = path.join(root, S, 'fresh')
    fs.mkdirSync(fresh)
    await waitFor(() => fresh in daemon!.handle.watcher.getWatched(), 15_000, 'the new directory to be watched')
    fs.rmdirSync(fresh)
    fs.symlinkSync(outside, fresh)
    // Waits for the pending look at the new directory too; the reconcile then records the symlink whatever the watcher said.
    await daemon.handle.whenIdle()
    await daemon.handle.reconcile()
    const dump = daemon.dump()
    expect(leaked(dump)).toBe(false)
    expect(doc(dump, `${S}/fresh`)).toMatchObject({ status: 'error' })
    expect(dump.documents.some((d) => String(d.path).startsWith(`${S}/fresh/`) && d.status === 'ok')).toBe(false)
  })

  it('watch: a symlinked file flipped between an inside and an outside target never lets outside bytes in', async () => {
    daemon = await startDaemon(root, dbFile, { debounceMs: 0 })
    const link = path.join(root, S, 'link.md')
    const insideTarget = path.join(root, 'other', 'keep.md')
    fs.symlinkSync(insideTarget, link)
    await waitFor(() => doc(daemon!.dump(), `${S}/link.md`)?.status === 'ok', 15_000, 'the link to be applied')

    // Flip from another process, for a bounded number of flips and time.
    const flipper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const [link, a, b] = process.argv.slice(1); const tmp = link + '.flip.tmp';
         const end = Date.now() + 5000; const pause = new Int32Array(new SharedArrayBuffer(4));
         for (let i = 0; i < 20000 && Date.now() < end; i++) {
           try { fs.unlinkSync(tmp) } catch {}
           fs.symlinkSync(i % 2 ? a : b, tmp); fs.renameSync(tmp, link);
           // A millisecond between flips: each flip gets its own run, each run a chance to race.
           Atomics.wait(pause, 0, 0, 1)
         }
         try { fs.unlinkSync(tmp) } catch {}
         fs.symlinkSync(b, tmp); fs.renameSync(tmp, link)`,
        link,
        insideTarget,
        path.join(outside, 'secret.md'),
      ],
      { stdio: 'ignore' },
    )
    const exited = new Promise<number | null>((resolve) => flipper.on('exit', resolve))
    let polls = 0
    let running = true
    void exited.then(() => {
      running = false
    })
    while (running) {
      expect(leaked(daemon.dump())).toBe(false)
      polls++
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(await exited).toBe(0)
    expect(polls).toBeGreaterThan(0)
    // The link now points outside for good: it ends refused, and nothing leaked on the way.
    await waitFor(() => doc(daemon!.dump(), `${S}/link.md`)?.status === 'error', 15_000, 'the final refusal')
    await daemon.handle.whenIdle()
    const dump = daemon.dump()
    expect(leaked(dump)).toBe(false)
    expect(doc(dump, `${S}/link.md`)).toMatchObject({ status: 'error', content_hash: null })
  }, 60_000)

  it('scans do not list through a directory that is a symlink, even when asked for it by name', async () => {
    swapForSymlink(`${S}/sub`, path.join(outside, 'sub'))
    const realRoot = fs.realpathSync(root)
    // The symlink itself is listed as an entry, for the pipeline to refuse.
    expect((await scanTree(realRoot)).files).toContain(`${S}/sub`)
    expect(await scanTree(realRoot, `${S}/sub`)).toEqual({ files: [], sessions: [], unreadable: [] })
    swapForSymlink(S, outside)
    expect(await scanTree(realRoot, `${S}/sub`)).toEqual({ files: [], sessions: [], unreadable: [] })
  })
})
