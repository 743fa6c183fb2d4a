/**
 * History end to end, on every dialect: a seeded random sequence of writes,
 * appends, renames, deletes and restores, observed by the real pipeline; every
 * revision then restores to exactly the bytes that were on disk when it was
 * recorded. Plus the refusals, tombstones and retention guarantees.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runRestore } from '../src/commands/restore.js'
import { resolveConfig, type Config, type DatabaseTarget } from '../src/config.js'
import { runRender } from '../src/commands/render.js'
import { openReader } from '../src/store/open-reader.js'
import { fileRevisions, revisionContent } from '../src/history/read.js'
import type { Revision } from '../src/history/types.js'
import { silentLogger } from '../src/logger.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { createSyncer, type Syncer } from '../src/sync/syncer.js'
import { dropSchema, PG_URL, postgresAvailable, uniqueSchema } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

interface Harness {
  store: Store
  db: string
  target: DatabaseTarget
  close(): Promise<void>
}

const dialects: Array<[string, (dir: string) => Promise<Harness>]> = [
  [
    'sqlite',
    async (dir) => {
      const file = path.join(dir, 'history.db')
      const target: DatabaseTarget = { dialect: 'sqlite', file }
      return { store: openSqliteStore(file, { instance: 'test' }), db: `sqlite:${file}`, target, close: async () => undefined }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: uniqueSchema('history') }
      const store = await openPostgresStore(target, { instance: 'test' })
      return {
        store,
        db: PG_URL,
        target: { dialect: 'postgres', url: PG_URL, schema: target.schema },
        close: () => dropSchema(target.schema),
      }
    },
  ])
}

const schemaOf = (target: DatabaseTarget): { schema?: string } => (target.dialect === 'postgres' ? { schema: target.schema } : {})

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe.each(dialects)('history (%s)', (_name, open) => {
  let dir: string
  let root: string
  let harness: Harness
  let syncer: Syncer
  let config: Config

  beforeEach(async () => {
    dir = tempDir()
    root = path.join(dir, 'reports')
    fs.mkdirSync(path.join(root, 's1'), { recursive: true })
    harness = await open(dir)
    config = resolveConfig({ root, db: harness.db, workers: 0, parseTimeoutMs: 0, compressThreshold: 200, ...schemaOf(harness.target) }, {})
    syncer = await createSyncer(config, harness.store, silentLogger(), 'debug', { probe: false })
  })

  afterEach(async () => {
    await syncer.close()
    await harness.store.close()
    await harness.close()
    cleanup(dir)
  })

  /** Observe the tree as the daemon would, reading every file (writes within one clock tick keep size and mtime). */
  const observe = async (): Promise<void> => {
    await syncer.reconcile({ verifyAll: true })
  }

  const restore = async (target: string, at: string, extra: { force?: boolean; to?: string; dryRun?: boolean } = {}): Promise<string> => {
    const out = new PassThrough()
    const chunks: Buffer[] = []
    out.on('data', (chunk: Buffer) => chunks.push(chunk))
    await runRestore(harness.store, {
      target,
      at,
      to: extra.to ?? null,
      dryRun: extra.dryRun ?? false,
      force: extra.force ?? false,
      rootId: null,
      configFor: () => config,
      out,
      logger: silentLogger(),
    })
    return Buffer.concat(chunks).toString('utf8')
  }

  it('restores every revision of a random history to the bytes on disk when it was recorded', async () => {
    const names = ['s1/plan.md', 's1/facts.md', 's1/state.json', 's1/reports/a.md']
    const line = fc.oneof(
      fc.constantFrom('| T1 | analyst | ⏳ PENDING |\n', '| T1 | analyst | ✅ COMPLETE |\n', '## Facts\n', '\n', '- **Deal value:** $40-60M\n'),
      fc.string({ maxLength: 50 }).map((s) => `${s}\n`),
    )
    const text = fc.array(line, { minLength: 1, maxLength: 30 }).map((lines) => lines.join(''))
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), file: fc.constantFrom(...names), text }),
      fc.record({ kind: fc.constant('append' as const), file: fc.constantFrom(...names), text }),
      fc.record({ kind: fc.constant('rename' as const), file: fc.constantFrom(...names), to: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant('delete' as const), file: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant('restore' as const), pick: fc.nat() }),
    )
    type Op = typeof op extends fc.Arbitrary<infer T> ? T : never
    // A fixed start makes every kind of revision happen whatever the seed: a
    // large file, an append to it (a delta), a removal, a restore of it.
    const large = `# Plan\n\n${'| T | analyst | ⏳ PENDING | notes on the task |\n'.repeat(60)}`
    const prologue: Op[] = [
      { kind: 'write', file: 's1/plan.md', text: large },
      { kind: 'append', file: 's1/plan.md', text: '| T9 | reviewer | ✅ COMPLETE | done |\n' },
      { kind: 'delete', file: 's1/plan.md' },
      { kind: 'restore', pick: 1 },
    ]
    const seed = Number(process.env.STATEBRIDGE_SEED ?? 20261130)
    const ops = [...prologue, ...fc.sample(fc.array(op, { minLength: 30, maxLength: 30 }), { seed, numRuns: 1 })[0]!]

    // What each revision must give back: the bytes its path had when it was recorded.
    const expected = new Map<number, string>()
    let seen = 0
    const record = async (): Promise<void> => {
      await observe()
      const fresh = await harness.store.listRevisions({ cursor: seen, order: 'asc', limit: 1000 })
      for (const revision of fresh) {
        seen = revision.rev
        const abs = path.join(root, revision.path)
        if (revision.change === 'removed') expect(fs.existsSync(abs)).toBe(false)
        else expected.set(revision.rev, sha(fs.readFileSync(abs)))
      }
    }

    for (const step of ops) {
      const abs = (rel: string): string => path.join(root, rel)
      if (step.kind === 'write' || step.kind === 'append') {
        fs.mkdirSync(path.dirname(abs(step.file)), { recursive: true })
        if (step.kind === 'write') fs.writeFileSync(abs(step.file), step.text)
        else fs.appendFileSync(abs(step.file), step.text)
      } else if (step.kind === 'rename') {
        if (fs.existsSync(abs(step.file)) && step.file !== step.to) {
          fs.mkdirSync(path.dirname(abs(step.to)), { recursive: true })
          fs.renameSync(abs(step.file), abs(step.to))
        }
      } else if (step.kind === 'delete') {
        fs.rmSync(abs(step.file), { force: true })
      } else {
        const all = await harness.store.listRevisions({ order: 'asc', limit: 10_000 })
        if (all.length > 0) {
          const chosen = all[step.pick % all.length]!
          await restore(path.join(root, chosen.path), String(chosen.rev))
        }
      }
      await record()
    }

    const revisions = await harness.store.listRevisions({ order: 'asc', limit: 10_000 })
    expect(revisions.length).toBeGreaterThan(10)
    expect(new Set(revisions.map((r) => r.change))).toEqual(new Set(['created', 'updated', 'removed', 'restored']))
    for (const revision of revisions) {
      const content = await revisionContent(harness.store, revision)
      if (revision.change !== 'removed') {
        expect(sha(content), `revision ${revision.rev} of ${revision.path}`).toBe(expected.get(revision.rev))
        // The command itself, to a file: the same bytes.
        const to = path.join(dir, `out-${revision.rev}`)
        await restore(path.join(root, revision.path), String(revision.rev), { to })
        expect(sha(fs.readFileSync(to))).toBe(expected.get(revision.rev))
      } else {
        // A tombstone names what the file last held: the revision before it.
        const before = revisions.filter((r) => r.path === revision.path && r.rev < revision.rev).at(-1)!
        expect(sha(content)).toBe(expected.get(before.rev))
      }
    }
    // Appends were stored as deltas, not copies.
    const chains = await Promise.all(revisions.map((r) => harness.store.blobChain(r.contentHash!)))
    expect(chains.some((chain) => chain.length > 1)).toBe(true)
    const stats = await harness.store.historyStats()
    expect(stats.revisions).toBe(revisions.length)
    expect(stats.blobs).toBe(new Set(revisions.map((r) => r.contentHash)).size)
  })

  it('keeps no revision under --no-history while the rows follow the file, and records again once history is back on', async () => {
    const file = path.join(root, 's1', 'plan.md')
    const realRoot = fs.realpathSync(root)
    const reopen = async (history: boolean): Promise<void> => {
      await syncer.close()
      syncer = await createSyncer({ ...config, history }, harness.store, silentLogger(), 'debug', { probe: false })
    }
    const appliedHash = async (): Promise<string | null> => (await harness.store.loadKnownFiles(realRoot)).get('s1/plan.md')?.contentHash ?? null

    await reopen(false)
    fs.writeFileSync(file, '# Plan\n\n| Task | Status |\n|---|---|\n| T1 | ⏳ PENDING |\n')
    await observe()
    fs.appendFileSync(file, '| T2 | ⏳ PENDING |\n')
    await observe()
    expect(await appliedHash()).toBe(sha(fs.readFileSync(file)))
    expect(await fileRevisions(harness.store, realRoot, 's1/plan.md')).toEqual([])
    expect(await harness.store.historyStats()).toMatchObject({ revisions: 0, blobs: 0 })

    await reopen(true)
    fs.appendFileSync(file, '| T3 | ✅ DONE |\n')
    await observe()
    const revisions = await fileRevisions(harness.store, realRoot, 's1/plan.md')
    expect(revisions.map((r) => [r.change, r.contentHash])).toEqual([['created', sha(fs.readFileSync(file))]])
    expect(sha(await revisionContent(harness.store, revisions[0]!))).toBe(sha(fs.readFileSync(file)))
  })

  it('restores under --no-history as it does with history, recording the bytes it forces over and what it writes', async () => {
    const file = path.join(root, 's1', 'plan.md')
    fs.writeFileSync(file, '# Plan\n\n| Task | Status |\n|---|---|\n| T1 | ⏳ PENDING |\n')
    await observe()
    const [first] = await fileRevisions(harness.store, fs.realpathSync(root), 's1/plan.md')
    fs.appendFileSync(file, 'unsaved edit\n')
    const edited = fs.readFileSync(file)

    config = { ...config, history: false }
    await restore(file, String(first!.rev), { force: true })
    const after = await fileRevisions(harness.store, fs.realpathSync(root), 's1/plan.md')
    expect(after.map((r) => r.change)).toEqual(['created', 'updated', 'restored'])
    expect(sha(await revisionContent(harness.store, after[1]!))).toBe(sha(edited))
    expect(sha(fs.readFileSync(file))).toBe(first!.contentHash)
  })

  it('refuses to restore over a file changed since its latest revision, and with --force records it first', async () => {
    const file = path.join(root, 's1', 'plan.md')
    fs.writeFileSync(file, '# Plan\n\n| Task | Status |\n|---|---|\n| T1 | ⏳ PENDING |\n')
    await observe()
    fs.appendFileSync(file, '| T2 | ⏳ PENDING |\n')
    await observe()
    const [first] = await fileRevisions(harness.store, config.root === root ? fs.realpathSync(root) : root, 's1/plan.md')
    fs.appendFileSync(file, 'unsaved edit\n')
    const edited = fs.readFileSync(file)

    await expect(restore(file, String(first!.rev))).rejects.toThrow(/changed since their latest revision[\s\S]*s1\/plan\.md: differs from its latest revision/)
    expect(fs.readFileSync(file).equals(edited)).toBe(true)

    const said = await restore(file, String(first!.rev), { force: true })
    expect(said).toMatch(/^wrote s1\/plan\.md \(revision \d+, .*\) — forced over a file that differs from its latest revision \(\d+\) \(was recorded first\)\n$/)
    const after = await fileRevisions(harness.store, fs.realpathSync(root), 's1/plan.md')
    expect(after.map((r) => r.change)).toEqual(['created', 'updated', 'updated', 'restored'])
    // The forced-over bytes are a revision of their own, and the restore wrote the first one back.
    expect(sha(await revisionContent(harness.store, after[2]!))).toBe(sha(edited))
    expect(sha(fs.readFileSync(file))).toBe(first!.contentHash)
  })

  it('brings a deleted file back from its tombstone, and a session back to a moment', async () => {
    const plan = path.join(root, 's1', 'plan.md')
    const facts = path.join(root, 's1', 'facts.md')
    fs.writeFileSync(plan, '# Plan v1\n')
    fs.writeFileSync(facts, '# Facts v1\n')
    await observe()
    const moment = new Date().toISOString()
    await new Promise((resolve) => setTimeout(resolve, 5))
    fs.writeFileSync(plan, '# Plan v2\n')
    fs.rmSync(facts)
    fs.writeFileSync(path.join(root, 's1', 'late.md'), '# Written after the moment\n')
    await observe()

    const realRoot = fs.realpathSync(root)
    const tombstone = (await fileRevisions(harness.store, realRoot, 's1/facts.md')).at(-1)!
    expect(tombstone.change).toBe('removed')
    await expect(restore(facts, '2020-01-01T00:00:00Z')).rejects.toThrow(/is before the history kept for s1\/facts\.md, which covers \S+ to \S+/)

    // A dry run says what it would do and does nothing.
    const plannedText = await restore(path.join(root, 's1'), moment, { dryRun: true })
    expect(plannedText).toContain('would delete s1/late.md')
    expect(plannedText).toContain('would write s1/facts.md')
    expect(fs.existsSync(facts)).toBe(false)

    await restore(path.join(root, 's1'), moment)
    expect(fs.readFileSync(plan, 'utf8')).toBe('# Plan v1\n')
    expect(fs.readFileSync(facts, 'utf8')).toBe('# Facts v1\n')
    expect(fs.existsSync(path.join(root, 's1', 'late.md'))).toBe(false)
    const factsHistory = await fileRevisions(harness.store, realRoot, 's1/facts.md')
    expect(factsHistory.map((r) => r.change)).toEqual(['created', 'removed', 'restored'])
    // The tree and the rows agree: nothing left for a reconcile to do.
    const counts = await syncer.reconcile({ verifyAll: true })
    expect(counts.filesApplied + counts.filesRemoved).toBe(0)
  })

  it('prunes by age, per-file count and interval, never the latest revision of a live file or a base a delta needs', async () => {
    const file = path.join(root, 's1', 'memo.md')
    const gone = path.join(root, 's1', 'gone.md')
    fs.writeFileSync(gone, '# Gone soon\n')
    let text = `# Memo\n\n${'Analysis paragraph that repeats for size.\n'.repeat(40)}`
    fs.writeFileSync(file, text)
    await observe()
    fs.rmSync(gone)
    for (let i = 0; i < 14; i++) {
      text += `## Section ${i}\n\nMore analysis ${i}.\n`
      fs.writeFileSync(file, text)
      await observe()
    }
    const realRoot = fs.realpathSync(root)
    const before = await fileRevisions(harness.store, realRoot, 's1/memo.md')
    expect(before).toHaveLength(15)

    const dry = await harness.store.pruneHistory({ keepDays: 30, keepRevisions: 3, checkpointInterval: 1 }, { dryRun: true })
    expect(dry).toMatchObject({ revisionsDeleted: 12, dryRun: true })
    expect(await fileRevisions(harness.store, realRoot, 's1/memo.md')).toHaveLength(15)

    const kept = await harness.store.pruneHistory({ keepDays: 30, keepRevisions: 3, checkpointInterval: 1 })
    expect(kept.revisionsDeleted).toBe(12)
    const after = await fileRevisions(harness.store, realRoot, 's1/memo.md')
    expect(after.map((r) => r.rev)).toEqual(before.slice(-3).map((r) => r.rev))
    // Every kept revision still decodes, though the revisions its delta chain was built along are gone.
    for (const revision of after) expect(sha(await revisionContent(harness.store, revision))).toBe(revision.contentHash)
    expect(kept.blobsDeleted).toBeGreaterThan(0)

    // Everything is older than a day: thinning keeps every 2nd by ordinal, age keeps none but the latest of a live file.
    const later = new Date(Date.now() + 40 * 86_400_000)
    const aged = await harness.store.pruneHistory({ keepDays: 30, keepRevisions: 0, checkpointInterval: 2 }, { now: later })
    expect(aged.revisionsDeleted).toBe(2 + 2) // memo's two older ones, and gone.md's revision and tombstone
    const left = await harness.store.listRevisions({ order: 'asc', limit: 100 })
    expect(left.map((r) => [r.path, r.rev])).toEqual([['s1/memo.md', before.at(-1)!.rev]])
    expect(sha(await revisionContent(harness.store, left[0]!))).toBe(sha(fs.readFileSync(file)))
    const stats = await harness.store.historyStats()
    expect(stats.blobs).toBeLessThanOrEqual(10)
    // A second run with the same policy finds nothing more: thinning by ordinal is stable.
    expect((await harness.store.pruneHistory({ keepDays: 30, keepRevisions: 0, checkpointInterval: 2 }, { now: later })).revisionsDeleted).toBe(0)
  })

  it('render --write regenerates orchestrator-state.md from its rows only when it differs, keeps the old version, refuses an unrecorded edit', async () => {
    const file = path.join(root, 's1', 'orchestrator-state.md')
    fs.copyFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'orchestrator-state', 'drifted.md'), file)
    const original = fs.readFileSync(file)
    await observe()
    const render = async (write: boolean, force = false): Promise<string> => {
      const reader = await openReader(harness.target)
      const out = new PassThrough()
      const chunks: Buffer[] = []
      out.on('data', (chunk: Buffer) => chunks.push(chunk))
      try {
        await runRender(reader, harness.store, {
          kind: 'orchestrator-state',
          sessionId: 's1',
          write,
          force,
          rootId: null,
          configFor: () => config,
          out,
          err: new PassThrough(),
          logger: silentLogger(),
        })
      } finally {
        await reader.close()
      }
      return Buffer.concat(chunks).toString('utf8')
    }
    const printed = await render(false)
    expect(printed).toMatch(/^# ORCHESTRATOR STATE/)
    expect(fs.readFileSync(file).equals(original)).toBe(true)

    expect(await render(true)).toMatch(/^wrote s1\/orchestrator-state\.md \(\d+ bytes\)/)
    expect(fs.readFileSync(file, 'utf8')).toBe(printed)
    const revisions = await fileRevisions(harness.store, fs.realpathSync(root), 's1/orchestrator-state.md')
    expect(revisions.map((r) => r.change)).toEqual(['created', 'updated'])
    expect(sha(await revisionContent(harness.store, revisions[0]!))).toBe(sha(original))
    // The daemon reading its own write changes nothing, and a second render finds nothing to write.
    const counts = await syncer.reconcile({ verifyAll: true })
    expect(counts.filesApplied).toBe(0)
    expect(await render(true)).toBe('unchanged s1/orchestrator-state.md\n')

    fs.appendFileSync(file, '\n## NOTES\n\nTyped by hand, not recorded yet.\n')
    await expect(render(true)).rejects.toThrow(/not writing s1\/orchestrator-state\.md: it differs from its latest revision/)
    expect(await render(true, true)).toMatch(/^wrote /)
    const after = await fileRevisions(harness.store, fs.realpathSync(root), 's1/orchestrator-state.md')
    expect(after.map((r) => r.change)).toEqual(['created', 'updated', 'updated', 'updated'])
    expect((await revisionContent(harness.store, after[2]!)).toString('utf8')).toContain('Typed by hand, not recorded yet.')
  })
})
