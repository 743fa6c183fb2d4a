/**
 * The convergence property: after any sequence of creates, appends, in-place
 * edits, atomic renames, half-written files, deletes, directory renames and
 * directory removals, once the tree is quiet the watch daemon's database
 * equals a fresh sync. Faults join the edits: rows lost on the database side
 * (a schema dropped and migrated again; rows deleted), connections killed (or
 * the SQLite file deleted), bursts of events, the root replaced, edits that
 * keep size and mtime, and directories swapped for symlinks that leave the
 * root. No byte from outside the root may ever be stored.
 *
 * STATEBRIDGE_CORPUS=<reports dir> runs it on a copy of a real tree instead of
 * the built-in sample (slow: every memorandum is parsed twice).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../src/store/postgres.js'
import { expectConverged, startDaemon, startPostgresDaemon, type Daemon } from '../helpers/daemon.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'
import { transcriptText } from '../../src/bench/transcript-lines.js'

const SESSIONS = ['2026-02-03-1770076800', '2026-02-04-1770163200', '2026-02-05-1770249600']
const FOLDERS = ['', 'specialist-reports/', 'review-outputs/']
const NAMES = ['a.md', 'b.md', 'state.json', 'fact-registry.md', 'c-state.json', 'notes.txt', 'agent.jsonl']

type Op =
  | { kind: 'write'; file: number; body: number }
  | { kind: 'append'; file: number; body: number }
  | { kind: 'atomic'; file: number; body: number }
  | { kind: 'halfWrite'; file: number; body: number; pauseMs: number }
  | { kind: 'delete'; file: number }
  | { kind: 'rename'; file: number; to: number }
  | { kind: 'removeSession'; session: number }
  | { kind: 'moveFolder'; session: number; from: number; to: number }
  | { kind: 'moveSession'; from: number; to: number }
  | { kind: 'touch'; file: number }
  | { kind: 'pause'; ms: number }
  | { kind: 'sneakyEdit'; file: number }
  | { kind: 'burst'; session: number }
  | { kind: 'replaceRoot' }
  | { kind: 'symlinkFolder'; session: number; folder: number }
  | { kind: 'loseRows'; session: number }
  | { kind: 'killConnections' }

const FILE_COUNT = SESSIONS.length * FOLDERS.length * NAMES.length
const fileArb = fc.integer({ min: 0, max: FILE_COUNT - 1 })
const bodyArb = fc.integer({ min: 0, max: 1000 })
const sessionArb = fc.integer({ min: 0, max: SESSIONS.length - 1 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), file: fileArb, body: bodyArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('append' as const), file: fileArb, body: bodyArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('atomic' as const), file: fileArb, body: bodyArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('halfWrite' as const), file: fileArb, body: bodyArb, pauseMs: fc.integer({ min: 0, max: 80 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), file: fileArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), file: fileArb, to: fileArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeSession' as const), session: fc.integer({ min: 0, max: SESSIONS.length - 1 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('moveFolder' as const),
      session: fc.integer({ min: 0, max: SESSIONS.length - 1 }),
      from: fc.integer({ min: 1, max: FOLDERS.length - 1 }),
      to: fc.integer({ min: 1, max: FOLDERS.length - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('moveSession' as const),
      from: fc.integer({ min: 0, max: SESSIONS.length - 1 }),
      to: fc.integer({ min: 0, max: SESSIONS.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('touch' as const), file: fileArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sneakyEdit' as const), file: fileArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('burst' as const), session: sessionArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replaceRoot' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('symlinkFolder' as const), session: sessionArb, folder: fc.integer({ min: 1, max: FOLDERS.length - 1 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('loseRows' as const), session: sessionArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('killConnections' as const) }) },
)

// With STATEBRIDGE_CORPUS, even indices land on the real tree's own files, so
// its reports and state files are edited, renamed and deleted too.
let corpusFiles: string[] = []

function filePath(index: number): string {
  if (corpusFiles.length > 0 && index % 2 === 0) return corpusFiles[(index * 7919) % corpusFiles.length]!
  const name = NAMES[index % NAMES.length]!
  const folder = FOLDERS[Math.floor(index / NAMES.length) % FOLDERS.length]!
  const session = SESSIONS[Math.floor(index / (NAMES.length * FOLDERS.length))]!
  return `${session}/${folder}${name}`
}

// Always valid content: an invalid final state legitimately keeps its last good rows.
function content(rel: string, body: number): string {
  // A transcript (JSON Lines): appends continue it from where the last read stopped.
  if (rel.endsWith('.jsonl')) return transcriptText(TRANSCRIPT_SESSION, body % 5, (body % 5) + (body % 9) + 1)
  if (rel.endsWith('.json')) return `${JSON.stringify({ status: body % 2 ? 'in_progress' : 'complete', step: body, items: [body, body + 1] }, null, 2)}\n`
  if (rel.endsWith('.txt')) return `note ${body}\n`
  const rows = Array.from({ length: (body % 7) + 1 }, (_, i) => `| F${i} | $${body + i}M | ${i % 2 ? '✅' : '⏳'} |`).join('\n')
  return `# Heading ${body}\n\n## Section ${body % 3}\n\n| Fact | Value | Status |\n|---|---|---|\n${rows}\n\nWords here[^${body}].\n\n[^${body}]: Note.\n`
}

function appendix(rel: string, body: number): string {
  if (rel.endsWith('.json')) return ''
  if (rel.endsWith('.jsonl')) return transcriptText(TRANSCRIPT_SESSION, 100 + body, 101 + body)
  return rel.endsWith('.md') ? `\n| Extra | ${body} | ✅ |\n` : `more ${body}\n`
}

const TRANSCRIPT_SESSION = '3c4d5e6f-0a1b-4c2d-8e3f-4a5b6c7d8e9f'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Content no row may ever hold: it lives outside the root, behind symlinks. */
const OUTSIDE_MARK = 'OUTSIDE-SECRET'

/** The database faults each dialect knows how to cause. */
interface Faults {
  /** Rows lost on the database side (what a dropped schema or a lagging replica leaves). */
  loseRows(session: string): Promise<void>
  /** The daemon's connection to its database broken. */
  killConnections(): Promise<void>
}

/** Run one step of a sequence against the tree at `root` (with `dir` as scratch space beside it). */
async function apply(root: string, dir: string, op: Op, faults: Faults): Promise<void> {
  if (op.kind === 'pause') {
    await sleep(op.ms)
    return
  }
  if (op.kind === 'loseRows') return faults.loseRows(SESSIONS[op.session]!)
  if (op.kind === 'killConnections') return faults.killConnections()
  if (op.kind === 'burst') {
    // More events than the burst threshold, leaving the tree as it was.
    const burst = path.join(root, SESSIONS[op.session]!, 'burst')
    fs.mkdirSync(burst, { recursive: true })
    for (let i = 0; i < 1_100; i++) fs.writeFileSync(path.join(burst, `n-${i}.txt`), `${i}\n`)
    fs.rmSync(burst, { recursive: true, force: true })
    return
  }
  if (op.kind === 'replaceRoot') {
    // mv R R.old; mkdir R; cp -a R.old/* R/; rm -rf R.old
    const old = `${root}.old`
    fs.renameSync(root, old)
    fs.mkdirSync(root)
    fs.cpSync(old, root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
    fs.rmSync(old, { recursive: true, force: true })
    return
  }
  if (op.kind === 'symlinkFolder') {
    const sessionDir = path.join(root, SESSIONS[op.session]!)
    if (!fs.existsSync(sessionDir)) return
    const outside = path.join(dir, `outside-${op.session}-${op.folder}`)
    fs.mkdirSync(outside, { recursive: true })
    fs.writeFileSync(path.join(outside, 'a.md'), `| Fact | Value |\n|---|---|\n| ${OUTSIDE_MARK} | 1 |\n`)
    // No trailing slash: rm must remove a symlink already there, not look through it.
    const folder = path.join(sessionDir, FOLDERS[op.folder]!).replace(/\/$/, '')
    fs.rmSync(folder, { recursive: true, force: true })
    fs.symlinkSync(outside, folder)
    return
  }
  if (op.kind === 'removeSession') return fs.rmSync(path.join(root, SESSIONS[op.session]!), { recursive: true, force: true })
  // Directory renames (mv), onto a name that is free, as rename(2) requires.
  if (op.kind === 'moveFolder' || op.kind === 'moveSession') {
    const [from, to] =
      op.kind === 'moveFolder'
        ? [path.join(root, SESSIONS[op.session]!, FOLDERS[op.from]!), path.join(root, SESSIONS[op.session]!, FOLDERS[op.to]!)].map((p) =>
            // No trailing slash: a folder swapped for a symlink is renamed as the link.
            p.replace(/\/$/, ''),
          ) as [string, string]
        : [path.join(root, SESSIONS[op.from]!), path.join(root, SESSIONS[op.to]!)]
    if (from !== to && fs.existsSync(from) && !fs.existsSync(to)) fs.renameSync(from, to)
    return
  }
  const rel = filePath(op.file)
  const abs = path.join(root, rel)
  // Files behind a folder swapped for a symlink live outside the root: the
  // sequence leaves them alone, so any outside mark stored would be a leak.
  if (throughSymlink(root, rel) || (op.kind === 'rename' && throughSymlink(root, filePath(op.to)))) return
  const exists = fs.existsSync(abs)
  switch (op.kind) {
    case 'write':
      fs.mkdirSync(path.dirname(abs), { recursive: true })
      fs.writeFileSync(abs, content(rel, op.body))
      return
    case 'append':
      if (exists) fs.appendFileSync(abs, appendix(rel, op.body))
      return
    case 'atomic': {
      fs.mkdirSync(path.dirname(abs), { recursive: true })
      const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${op.body}.tmp`)
      fs.writeFileSync(tmp, content(rel, op.body))
      fs.renameSync(tmp, abs)
      return
    }
    case 'halfWrite': {
      fs.mkdirSync(path.dirname(abs), { recursive: true })
      const text = content(rel, op.body)
      const cut = Math.floor(text.length / 2)
      fs.writeFileSync(abs, text.slice(0, cut))
      await sleep(op.pauseMs)
      fs.appendFileSync(abs, text.slice(cut))
      return
    }
    case 'delete':
      if (exists) fs.rmSync(abs)
      return
    case 'rename': {
      const to = path.join(root, filePath(op.to))
      // Same extension only, so the content stays valid for its new name.
      if (exists && path.extname(to) === path.extname(abs) && to !== abs) {
        fs.mkdirSync(path.dirname(to), { recursive: true })
        fs.renameSync(abs, to)
      }
      return
    }
    case 'touch':
      if (exists) fs.utimesSync(abs, new Date(), new Date())
      return
    case 'sneakyEdit': {
      // Same size, then atime and mtime put back (touch -r): only a hash can tell.
      if (!exists || !fs.lstatSync(abs).isFile()) return
      const text = fs.readFileSync(abs, 'utf8')
      const at = text.search(/\d/)
      if (at < 0) return
      // A leading digit never becomes 0, so JSON numbers stay valid.
      const digit = Number(text[at])
      const edited = `${text.slice(0, at)}${digit >= 9 ? 1 : digit + 1}${text.slice(at + 1)}`
      const reference = path.join(path.dirname(abs), `${path.basename(abs)}.ref~`)
      execFileSync('cp', ['-p', abs, reference])
      fs.writeFileSync(abs, edited)
      execFileSync('touch', ['-r', reference, abs])
      fs.rmSync(reference)
      return
    }
  }
}

/** Whether a directory on the way to `rel` (under `root`) is a symlink. */
function throughSymlink(root: string, rel: string): boolean {
  const parts = rel.split('/').slice(0, -1)
  for (let i = 1; i <= parts.length; i++) {
    try {
      if (fs.lstatSync(path.join(root, ...parts.slice(0, i))).isSymbolicLink()) return true
    } catch {
      return false
    }
  }
  return false
}

function isValidJson(file: string): boolean {
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'))
    return true
  } catch {
    return false
  }
}

function seedTree(root: string): void {
  const corpus = process.env.STATEBRIDGE_CORPUS
  if (corpus) {
    fs.cpSync(corpus, root, { recursive: true, verbatimSymlinks: true })
    corpusFiles = (fs.readdirSync(root, { recursive: true }) as string[])
      .filter((rel) => /\.(md|json)$/.test(rel) && !rel.startsWith('.'))
      .filter((rel) => rel.endsWith('.md') || isValidJson(path.join(root, rel)))
      .sort()
    return
  }
  writeTree(root, sampleTree())
  fs.rmSync(path.join(root, '2026-02-04-1770163200/broken-state.json'))
}

const schemas = testSchemas()
afterAll(() => schemas.dropAll())

// STATEBRIDGE_OPS='<counterexample JSON>' runs exactly that sequence (with STATEBRIDGE_DEBUG=1 for the daemon's log).
const sequenceArb: fc.Arbitrary<Op[]> = process.env.STATEBRIDGE_OPS
  ? fc.constant((JSON.parse(process.env.STATEBRIDGE_OPS) as Op[][]).flat())
  : fc.array(opArb, { minLength: 15, maxLength: 50 })

/**
 * The daemon settings under test: a periodic reconcile (the documented bound
 * for rows lost on the database side) and quick retries after an outage.
 */
const FAULT_OPTIONS = { workers: 2, reconcileIntervalMs: 1_000, retryBaseMs: 50, retryMaxMs: 300 }

type Started = { daemon: Daemon; faults: Faults }

function startSqlite(root: string, dir: string): Promise<Started> {
  const file = path.join(dir, 'watch.db')
  const faults: Faults = {
    async loseRows(session) {
      // Right after the file was deleted there is nothing to lose yet.
      if (!fs.existsSync(file)) return
      const db = new Database(file, { fileMustExist: true })
      try {
        // ... nor while the daemon has not yet migrated the file it reopened.
        if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'documents'").get()) return
        db.pragma('busy_timeout = 10000')
        db.pragma('foreign_keys = ON')
        db.prepare('DELETE FROM documents WHERE session_id = ?').run(session)
        db.prepare('DELETE FROM sessions WHERE session_id = ?').run(session)
      } finally {
        db.close()
      }
    },
    // SQLite has no connection to cut; the nearest fault is its file deleted under it.
    async killConnections() {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true })
      // The daemon notices within its health-check interval and creates the file again.
      const deadline = Date.now() + 15_000
      while (!fs.existsSync(file) && Date.now() < deadline) await sleep(20)
    },
  }
  return startDaemon(root, file, FAULT_OPTIONS).then((daemon) => ({ daemon, faults }))
}

let pgDaemons = 0

async function startPostgres(root: string): Promise<Started> {
  const target = { url: PG_URL, schema: schemas.fresh('conv') }
  const instance = `conv-${process.pid}-${pgDaemons++}`
  const admin = async (sql: string, values: unknown[] = []): Promise<void> => {
    const client = new pg.Client({ connectionString: PG_URL })
    client.on('error', () => undefined)
    await client.connect()
    try {
      // The DROP competes with the daemon's transactions for locks and may be the deadlock victim.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(sql, values)
          return
        } catch (error) {
          if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error
        }
      }
    } finally {
      await client.end()
    }
  }
  const faults: Faults = {
    async loseRows() {
      await admin(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`)
      await sleep(50)
      // The operator's `statebridge migrate`.
      const store = await openPostgresStore(target, { migrate: true })
      await store.close()
    },
    async killConnections() {
      await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`statebridge ${instance}`])
    },
  }
  const daemon = await startPostgresDaemon(root, target, { ...FAULT_OPTIONS, instance })
  return { daemon, faults }
}

/** How each dialect starts a daemon for one sequence, and how many sequences it runs by default. */
const dialects: Array<[string, (root: string, dir: string) => Promise<Started>, number]> = [['SQLite', startSqlite, 8]]
if (await postgresAvailable()) dialects.push(['PostgreSQL', (root) => startPostgres(root), 4])

describe.each(dialects)('convergence under random edit sequences (%s)', (_name, start, defaultRuns) => {
  it('the watch database equals a fresh sync once the tree is quiet', { timeout: process.env.STATEBRIDGE_CORPUS ? 3_600_000 : 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (ops) => {
        const dir = tempDir()
        const root = path.join(dir, 'reports')
        seedTree(root)
        const { daemon, faults } = await start(root, dir)
        try {
          for (const op of ops) await apply(root, dir, op, faults)
          const dump = await expectConverged(daemon, root, dir, process.env.STATEBRIDGE_CORPUS ? 600_000 : 30_000)
          expect(JSON.stringify(dump)).not.toContain(OUTSIDE_MARK)
        } catch (error) {
          if (process.env.STATEBRIDGE_DEBUG) {
            for (const r of daemon.records) process.stderr.write(`${JSON.stringify(r)}\n`)
          }
          throw error
        } finally {
          await daemon.stop()
          cleanup(dir)
        }
      }),
      {
        numRuns: process.env.STATEBRIDGE_OPS ? 1 : Number(process.env.STATEBRIDGE_RUNS ?? (process.env.STATEBRIDGE_CORPUS ? 2 : defaultRuns)),
        endOnFailure: true,
        // Replay a reported failure: STATEBRIDGE_SEED=<seed> STATEBRIDGE_PATH=<path>.
        ...(process.env.STATEBRIDGE_SEED ? { seed: Number(process.env.STATEBRIDGE_SEED), path: process.env.STATEBRIDGE_PATH } : {}),
      },
    )
  })
})
