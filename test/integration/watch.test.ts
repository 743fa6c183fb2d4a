/**
 * Watch mode end to end (in-process daemon, real file system, real chokidar).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectConverged, startDaemon, type Daemon } from '../helpers/daemon.js'
import { waitFor } from '../helpers/cli.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

let dir: string
let root: string
let daemon: Daemon | null

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  writeTree(root, sampleTree())
  daemon = null
})
afterEach(async () => {
  await daemon?.stop()
  cleanup(dir)
})

const S = '2026-02-03-1770076800'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('statebridge watch', () => {
  it('reconciles at start, then follows creates, edits, renames and deletes', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    expect(daemon.dump().documents).toHaveLength(9)

    writeTree(root, { [`${S}/new-report.md`]: '| a | b |\n|---|---|\n| 1 | 2 |\n' })
    fs.appendFileSync(path.join(root, S, 'review-outputs/fact-registry.md'), '| Closing | 2026-09-30 | T2 |\n')
    fs.renameSync(path.join(root, S, 'specialist-reports/tax-report.md'), path.join(root, S, 'specialist-reports/tax-v2-report.md'))
    fs.rmSync(path.join(root, 'README.md'))
    const dump = await expectConverged(daemon, root, dir)
    expect(dump.documents.map((d) => d.path)).toContain(`${S}/specialist-reports/tax-v2-report.md`)
    expect(dump.documents.map((d) => d.path)).not.toContain('README.md')
    expect(daemon.records.some((r) => r.msg === 'applied' && r.path === `${S}/new-report.md`)).toBe(true)
  })

  it('handles atomic writes (temp file + rename) the way agents and editors save', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const target = path.join(root, S, 'orchestrator-state.md')
    for (let i = 0; i < 5; i++) {
      const tmp = path.join(root, S, `.orchestrator-state.md.${i}.tmp`)
      fs.writeFileSync(tmp, `# ORCHESTRATOR STATE\n\n| Field | Value |\n|---|---|\n| Iteration | ${i} |\n`)
      fs.renameSync(tmp, target)
      await sleep(5)
    }
    const dump = await expectConverged(daemon, root, dir)
    const rows = dump.rows.filter((r) => r.path === `${S}/orchestrator-state.md`)
    expect(rows.map((r) => JSON.parse(String(r.cells)))).toEqual([{ Field: 'Iteration', Value: '4' }])
  })

  it('creates and removes sessions with their directories', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    writeTree(root, { '2026-03-01-1772323200/research-plan.md': '| T | S |\n|---|---|\n| T1 | tax |\n' })
    fs.mkdirSync(path.join(root, 'empty-new'))
    fs.rmSync(path.join(root, S), { recursive: true })
    const dump = await expectConverged(daemon, root, dir)
    expect(dump.sessions.map((s) => s.session_id)).toEqual(['2026-02-04-1770163200', '2026-03-01-1772323200', 'empty-new', 'empty-session'])
  })

  it('repairs a file caught half-written once the write completes, keeping the last good rows meanwhile', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const file = path.join(root, S, 'synthesis-state.json')
    fs.writeFileSync(file, '{"current_phase": "assembly", "sta')
    await waitFor(() => daemon!.dump().documents.some((d) => d.path === `${S}/synthesis-state.json` && d.status === 'error'), 10_000, 'error status')
    const broken = daemon.dump().documents.find((d) => d.path === `${S}/synthesis-state.json`)!
    expect(JSON.parse(String(broken.json))).toEqual({ current_phase: 'section-writing', status: 'in_progress' })
    expect(String(broken.error)).toMatch(/^line 1, column \d+: invalid JSON/)
    fs.appendFileSync(file, 'tus": "done"}')
    const dump = await expectConverged(daemon, root, dir)
    const fixed = dump.documents.find((d) => d.path === `${S}/synthesis-state.json`)!
    expect(fixed).toMatchObject({ status: 'ok', error: null })
    expect(JSON.parse(String(fixed.json))).toEqual({ current_phase: 'assembly', status: 'done' })
  })

  it('keeps following a session directory removed and recreated at once (rm -rf, then mkdir -p)', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const registry = path.join(root, S, 'review-outputs/fact-registry.md')
    fs.rmSync(path.join(root, S), { recursive: true })
    fs.mkdirSync(path.dirname(registry), { recursive: true })
    fs.writeFileSync(registry, '| Fact | Value |\n|---|---|\n| Price | $1M |\n')
    await expectConverged(daemon, root, dir)
    // The recreated directories are new inodes: later writes in them, to old
    // names and new ones, must still be seen as events.
    fs.appendFileSync(registry, '| Closing | 2026-09-30 |\n')
    writeTree(root, { [`${S}/orchestrator-state.md`]: '| Field | Value |\n|---|---|\n| Phase | 2 |\n', [`${S}/review-outputs/new.md`]: '| a |\n|---|\n| 1 |\n' })
    const dump = await expectConverged(daemon, root, dir)
    const cells = dump.rows.filter((r) => r.path === `${S}/review-outputs/fact-registry.md`).map((r) => JSON.parse(String(r.cells)))
    expect(cells).toEqual([{ Fact: 'Price', Value: '$1M' }, { Fact: 'Closing', Value: '2026-09-30' }])
    expect(dump.documents.map((d) => d.path)).toEqual(expect.arrayContaining([`${S}/orchestrator-state.md`, `${S}/review-outputs/new.md`]))
  })

  it('keeps following an empty directory removed and recreated at once', async () => {
    fs.mkdirSync(path.join(root, S, 'drafts'))
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    fs.rmSync(path.join(root, S, 'drafts'), { recursive: true })
    fs.mkdirSync(path.join(root, S, 'drafts'))
    await expectConverged(daemon, root, dir)
    writeTree(root, { [`${S}/drafts/a.md`]: '| a |\n|---|\n| 1 |\n' })
    const dump = await expectConverged(daemon, root, dir)
    expect(dump.documents.map((d) => d.path)).toContain(`${S}/drafts/a.md`)
  })

  it('sees a file renamed over another that carries the same mtime', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const target = path.join(root, S, 'orchestrator-state.md')
    const staged = path.join(root, S, '.orchestrator-state.md.staged')
    // Two files written within one clock tick of a coarse file system share an mtime.
    const mtime = 1_770_076_800
    fs.utimesSync(target, mtime, mtime)
    await expectConverged(daemon, root, dir)
    fs.writeFileSync(staged, '| Field | Value |\n|---|---|\n| Phase | renamed in |\n')
    fs.utimesSync(staged, Date.now() / 1000, mtime)
    fs.renameSync(staged, target)
    const dump = await expectConverged(daemon, root, dir)
    const cells = dump.rows.filter((r) => r.path === `${S}/orchestrator-state.md`).map((r) => JSON.parse(String(r.cells)))
    expect(cells).toEqual([{ Field: 'Phase', Value: 'renamed in' }])
  })

  it('follows directories renamed within a session and a session renamed as a whole', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    fs.renameSync(path.join(root, S, 'review-outputs'), path.join(root, S, 'reviews'))
    fs.renameSync(path.join(root, '2026-02-04-1770163200'), path.join(root, '2026-02-04-1770163200-rerun'))
    const first = await expectConverged(daemon, root, dir)
    expect(first.sessions.map((s) => s.session_id)).toContain('2026-02-04-1770163200-rerun')
    expect(first.documents.map((d) => d.path)).toContain(`${S}/reviews/fact-registry.md`)
    // And back, over the path the watch knew first.
    fs.renameSync(path.join(root, S, 'reviews'), path.join(root, S, 'review-outputs'))
    fs.appendFileSync(path.join(root, S, 'review-outputs/fact-registry.md'), '| Closing | 2026-09-30 | T2 |\n')
    await expectConverged(daemon, root, dir)
  })

  it('answers a reconcile asked during another with a run that starts after it, once', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const runs = () => daemon!.records.filter((r) => r.msg === 'reconciled').length
    const before = runs()
    const first = daemon.handle.reconcile()
    // Written after the first run may have looked: only a later run is sure to see it.
    writeTree(root, { [`${S}/late.md`]: '| a |\n|---|\n| 1 |\n' })
    const second = daemon.handle.reconcile()
    const third = daemon.handle.reconcile()
    expect(second).toBe(third)
    expect(second).not.toBe(first)
    await Promise.all([first, second])
    expect(runs() - before).toBe(2)
    expect(daemon.dump().documents.map((d) => d.path)).toContain(`${S}/late.md`)
  })

  it('keeps other files flowing when one file blows its parse budget', async () => {
    // Thousands of table rows take far longer than 100 ms to parse.
    const slow = `| a | b | c |\n|---|---|---|\n${'| **x** | `y` | [z](http://z) |\n'.repeat(20_000)}`
    writeTree(root, { [`${S}/huge-table.md`]: slow })
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'), { parseTimeoutMs: 100 })
    const doc = daemon.dump().documents.find((d) => d.path === `${S}/huge-table.md`)!
    expect(doc.status).toBe('error')
    expect(String(doc.error)).toMatch(/longer than the 100 ms budget/)
    writeTree(root, { [`${S}/after.md`]: '| ok |\n|---|\n| yes |\n' })
    await waitFor(() => daemon!.dump().documents.some((d) => d.path === `${S}/after.md` && d.status === 'ok'), 10_000, 'after.md')
  })

  it('falls back to periodic reconcile with one clear error when the watch limit is hit', async () => {
    daemon = await startDaemon(root, path.join(dir, 'db.sqlite'))
    const enospc = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' })
    daemon.handle.watcher.emit('error', enospc)
    daemon.handle.watcher.emit('error', enospc)
    expect(daemon.handle.degraded).toBe(true)
    const errors = daemon.records.filter((r) => r.level === 50 && String(r.msg).includes('fs.inotify.max_user_watches'))
    expect(errors).toHaveLength(1)
    // The reconcile that now carries the load picks up changes on its own.
    writeTree(root, { [`${S}/unwatched.md`]: '| a |\n|---|\n| 1 |\n' })
    await daemon.handle.reconcile()
    expect(daemon.dump().documents.map((d) => d.path)).toContain(`${S}/unwatched.md`)
  })
})
